/*
 * tasks.c - follow-ups: the moves of a task's status (done, cancel,
 * reopen) and the task list's filters of its own (due_before=,
 * due_after=, overdue=).
 *
 * A task's status is written only here, as a deal's is in deals.c: each
 * move is a row of a table, the status it starts from and the one it
 * stores.
 */
#include <stdio.h>
#include <string.h>

#include "records.h"

typedef struct task_move {
    const char *verb;      /* done */
    const char *done;      /* "marked done task 4" */
    const char *from[2];   /* statuses it starts from */
    const char *from_text; /* "an open task" */
    const char *to;        /* the status stored */
} task_move;

static const task_move moves[PRM_TASK_MOVES] = {
    [PRM_TASK_DONE] = {"done", "done", {"open"}, "an open task", "done"},
    [PRM_TASK_CANCEL] = {"cancel", "cancelled", {"open"}, "an open task",
                         "cancelled"},
    [PRM_TASK_REOPEN] = {"reopen", "reopened", {"done", "cancelled"},
                         "a done or cancelled task", "open"},
};

bool prm_task_move_find(const char *verb, prm_task_move *move)
{
    for (int m = 0; m < PRM_TASK_MOVES; m++)
        if (strcmp(moves[m].verb, verb) == 0) {
            *move = (prm_task_move)m;
            return true;
        }
    return false;
}

const char *prm_task_move_done(prm_task_move move)
{
    return moves[move].done;
}

static bool read_status(void *ctx, const prm_record *rec)
{
    const prm_value *s = &rec->v[prm_field_index(rec->info, "status")];
    snprintf(ctx, 16, "%.*s", (int)s->len, s->s);
    return false;
}

static bool starts_from(const task_move *m, const char *status)
{
    for (size_t i = 0; i < 2 && m->from[i] != NULL; i++)
        if (strcmp(m->from[i], status) == 0)
            return true;
    return false;
}

static void set_field(const prm_kind_info *info, store_row *row,
                      const char *field, const char *text)
{
    int i = prm_field_index(info, field);
    row->set[i] = true;
    row->v[i] = text ? (prm_value){.type = PRM_V_TEXT, .s = text,
                                   .len = strlen(text)}
                     : (prm_value){.type = PRM_V_NULL};
}

static prm_code move_in_tx(prm_db *db, prm_task_move move, const char *ref,
                           int64_t *id, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_TASK);
    const task_move *m = &moves[move];
    char status[16] = "";
    prm_code rc = prm_resolve(db, PRM_TASK, ref, id, err);
    if (rc == PRM_OK)
        rc = store_fetch(db, info, *id, read_status, status, err);
    if (rc != PRM_OK)
        return rc;
    if (!starts_from(m, status))
        return prm_error_set(err, PRM_ECONFLICT,
                             "task %lld is %s; only %s can be %s",
                             (long long)*id, status, m->from_text,
                             move == PRM_TASK_DONE ? "marked done" : m->done);
    store_row row = {.set = {false}};
    set_field(info, &row, "status", m->to);
    set_field(info, &row, "done_at",
              move == PRM_TASK_DONE ? store_now(db) : NULL);
    return store_update(db, info, *id, &row, err);
}

prm_code prm_task_move_run(prm_db *db, prm_task_move move, const char *ref,
                           int64_t *id, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_WRITE_ONE, err);
    if (rc != PRM_OK)
        return rc;
    rc = move_in_tx(db, move, ref, id, err);
    return store_cmd_end(db, rc, err);
}

/* --- the task list's own filters ----------------------------------------- */

void core_today(prm_db *db, char out[PRM_TIME_SIZE])
{
    snprintf(out, PRM_TIME_SIZE, "%.10sT00:00:00Z", store_now(db));
}

/* due_before=DATE and due_after=DATE, both excluding the date itself (a
 * date alone is its whole day): a range of the due field. */
static prm_code due_filter(const prm_kind_info *info, const prm_arg *arg,
                           bool before, store_filter *f, prm_error *err)
{
    bool date_only;
    char at[PRM_TIME_SIZE];
    if (!prm_parse_date(arg->value, at, &date_only))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid %s '%s': use YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z]",
                             arg->key, core_show_value(arg->value).text);
    if (!before && date_only)
        memcpy(at + 11, "23:59:59Z", 10);
    f->op = SF_RANGE;
    f->field = prm_field_index(info, "due");
    if (before) {
        memcpy(f->lo, "0000-01-01T00:00:00Z", PRM_TIME_SIZE);
        prm_time_add(at, -1, f->hi);
    } else {
        prm_time_add(at, 1, f->lo);
        memcpy(f->hi, "9999-12-31T23:59:59Z", PRM_TIME_SIZE);
    }
    return PRM_OK;
}

prm_code core_task_filter(prm_db *db, const prm_kind_info *info,
                          const prm_arg *arg, store_filter *f, bool *handled,
                          prm_error *err)
{
    *handled = true;
    if (strcmp(arg->key, "due_before") == 0 ||
        strcmp(arg->key, "due_after") == 0)
        return due_filter(info, arg, strcmp(arg->key, "due_before") == 0, f,
                          err);
    if (strcmp(arg->key, "overdue") == 0) {
        bool yes = strcmp(arg->value, "yes") == 0;
        if (!yes && strcmp(arg->value, "no") != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid overdue '%s': yes or no",
                                 core_show_value(arg->value).text);
        f->op = SF_TASK_OVERDUE;
        f->value = (prm_value){.type = PRM_V_INT, .i = yes};
        core_today(db, f->lo);
        return PRM_OK;
    }
    *handled = false;
    return PRM_OK;
}

/* --- a communication and its follow-up ----------------------------------- */

/* What comm add's next= and next_due= say, apart from its fields. */
typedef struct next_step {
    const char *title, *due_text;
    char due[PRM_TIME_SIZE];
} next_step;

static prm_code take_next(const prm_arg *args, size_t nargs, prm_arg *fields,
                          size_t *nfields, next_step *next, prm_error *err)
{
    *nfields = 0;
    for (size_t i = 0; i < nargs; i++) {
        const char **slot = strcmp(args[i].key, "next") == 0 ? &next->title
                            : strcmp(args[i].key, "next_due") == 0
                                ? &next->due_text
                                : NULL;
        if (slot == NULL) {
            fields[(*nfields)++] = args[i];
            continue;
        }
        if (*slot != NULL)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "%s is given twice; give it once",
                                 args[i].key);
        *slot = args[i].value;
    }
    if (next->due_text != NULL && next->title == NULL)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "next_due= is the follow-up's due date: give "
                             "next=TEXT too, what is to be done");
    if (next->title != NULL && next->title[0] == '\0')
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "next= cannot be empty: say what is to be done");
    bool date_only;
    if (next->due_text != NULL &&
        !prm_parse_date(next->due_text, next->due, &date_only))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid next_due '%s': use YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z], a real date",
                             core_show_value(next->due_text).text);
    return PRM_OK;
}

/* The communication's partner and project, as ids in text. */
typedef struct comm_refs {
    char partner_digits[PRM_INT_TEXT], project_digits[PRM_INT_TEXT];
    const char *partner, *project; /* in the digits, or NULL */
} comm_refs;

static bool read_refs(void *ctx, const prm_record *rec)
{
    comm_refs *r = ctx;
    const prm_value *pa = &rec->v[prm_field_index(rec->info, "partner")];
    const prm_value *pr = &rec->v[prm_field_index(rec->info, "project")];
    r->partner = prm_int_text(r->partner_digits, pa->i);
    if (pr->type == PRM_V_INT)
        r->project = prm_int_text(r->project_digits, pr->i);
    return false;
}

static prm_code add_followup(prm_db *db, int64_t comm, next_step *next,
                             int64_t *task, prm_error *err)
{
    comm_refs refs = {.project = NULL};
    prm_code rc = store_fetch(db, prm_kind_get(PRM_COMMUNICATION), comm,
                              read_refs, &refs, err);
    if (rc != PRM_OK)
        return rc;
    if (next->due_text == NULL) { /* the day a week on, by default */
        char today[PRM_TIME_SIZE];
        core_today(db, today);
        prm_time_add(today, 7 * 86400, next->due);
    }
    prm_arg args[4] = {{"title", next->title},
                       {"due", next->due},
                       {"partner", refs.partner},
                       {"project", refs.project}};
    return records_add(db, prm_kind_get(PRM_TASK), args,
                       refs.project != NULL ? 4 : 3, task, err);
}

prm_code prm_comm_add(prm_db *db, const prm_arg *args, size_t nargs,
                      int64_t *comm, int64_t *task, prm_error *err)
{
    enum { MAX_ARGS = STORE_MAX_FIELDS * 4 };
    prm_arg fields[MAX_ARGS];
    next_step next = {.title = NULL};
    size_t n;
    *task = 0;
    if (nargs > MAX_ARGS)
        return prm_error_set(err, PRM_ESYNTAX, "too many FIELD=VALUE words");
    prm_code rc = take_next(args, nargs, fields, &n, &next, err);
    if (rc != PRM_OK)
        return rc;
    store_cmd_adds(db);
    rc = store_cmd_begin(db, next.title ? STORE_WRITE_MANY : STORE_WRITE_ONE,
                         err);
    if (rc != PRM_OK)
        return rc;
    rc = records_add(db, prm_kind_get(PRM_COMMUNICATION), fields, n, comm,
                     err);
    if (rc == PRM_OK && next.title != NULL)
        rc = add_followup(db, *comm, &next, task, err);
    return store_cmd_end(db, rc, err);
}
