/*
 * records.c - add, update, delete, show and list for every kind.
 *
 * One generic module driven by the field tables in kinds.c: the words are
 * made typed rows and filters (record_values.c), handed to the storage
 * layer in a command of their own.  Nothing here knows SQL.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records.h"
#include "store/seal.h"
#include "store/store.h"

/* --- Commands ----------------------------------------------------------- */

/* A project's add or update also writes its partner links. */
static store_access write_access(prm_kind kind)
{
    /* A project's links, a deal's check after it is written: more than
     * one statement, undone together if one fails. */
    return kind == PRM_PROJECT || kind == PRM_DEAL || kind == PRM_FUND ||
                   kind == PRM_REQUEST || kind == PRM_CLAIM || kind == PRM_TIER
               ? STORE_WRITE_MANY
               : STORE_WRITE_ONE;
}

static prm_code find_owner(prm_db *db, const prm_kind_info *info,
                           const prm_arg *args, size_t nargs, int *at,
                           prm_error *err);

/* args without the one at skip into fields (cap entries); *out is args
 * itself when there is nothing to skip (-1). */
static prm_code without(const prm_arg *args, size_t nargs, int skip,
                        prm_arg *fields, size_t cap, const prm_arg **out,
                        size_t *n, prm_error *err)
{
    *out = args;
    *n = nargs;
    if (skip < 0)
        return PRM_OK;
    if (nargs > cap)
        return prm_error_set(err, PRM_ESYNTAX, "too many FIELD=VALUE words");
    *out = fields;
    *n = 0;
    for (size_t i = 0; i < nargs; i++)
        if ((int)i != skip)
            fields[(*n)++] = args[i];
    return PRM_OK;
}

static prm_code add_in_tx(prm_db *db, const prm_kind_info *info,
                          const prm_arg *args, size_t nargs, int64_t *id,
                          core_parsed *p, prm_error *err)
{
    int owner;
    prm_arg fields[STORE_MAX_FIELDS * 4];
    const prm_arg *use;
    size_t n = 0;
    prm_code rc = find_owner(db, info, args, nargs, &owner, err);
    if (rc == PRM_OK)
        rc = without(args, nargs, owner, fields, sizeof fields / sizeof *fields,
                     &use, &n, err);
    if (rc == PRM_OK)
        rc = core_parse_args(db, info, use, n, "add", p, err);
    if (rc == PRM_OK)
        rc = core_complete_for_add(db, info, p, err);
    if (rc != PRM_OK)
        return rc;
    core_attach_partner_list(info, p);
    rc = store_insert(db, info, &p->row, id, err);
    if (rc == PRM_OK && info->kind == PRM_DEAL)
        rc = core_deal_registered(db, *id, err);
    if (rc == PRM_OK)
        rc = core_rules_written(db, info, *id, true, err);
    /* An owner other than whoever adds it: an admin adding for a manager. */
    bool changed;
    if (rc == PRM_OK && owner >= 0)
        rc = store_set_owner(db, info, *id, args[owner].value, &changed, err);
    return rc;
}

prm_code records_add(prm_db *db, const prm_kind_info *info,
                     const prm_arg *args, size_t nargs, int64_t *id,
                     prm_error *err)
{
    core_parsed p = {.ids = NULL};
    prm_code rc = add_in_tx(db, info, args, nargs, id, &p, err);
    core_parsed_free(&p);
    return rc;
}

prm_code prm_add(prm_db *db, prm_kind kind, const prm_arg *args, size_t nargs,
                 int64_t *id, prm_error *err)
{
    store_cmd_adds(db);
    prm_code rc = store_cmd_begin(db, write_access(kind), err);
    if (rc != PRM_OK)
        return rc;
    rc = records_add(db, prm_kind_get(kind), args, nargs, id, err);
    return store_cmd_end(db, rc, err);
}

bool prm_hints_begin(prm_db *db)
{
    return store_ahead_begin(db);
}

void prm_hint_add(prm_db *db, prm_kind kind, const prm_arg *args,
                  size_t nargs)
{
    const prm_kind_info *info = prm_kind_get(kind);
    if (info == NULL)
        return;
    int64_t id = store_ahead_next_id(db, info); /* counted for every add */
    for (size_t k = 0; k < nargs && id > 0; k++) {
        int i = prm_field_index(info, args[k].key);
        if (i >= 0 && (info->fields[i].flags & PRM_FF_SENSITIVE) &&
            args[k].value[0] != '\0')
            store_ahead_queue(db, info, (size_t)i, id, args[k].value,
                              strlen(args[k].value));
    }
}

static prm_code no_owners(const prm_kind_info *info, prm_error *err)
{
    return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                         "%ss have an owner only on a team database "
                         "(--db postgresql://...)",
                         info->name);
}

/* The owner=USER of a partner's or a task's add or update, which only a
 * team database has (it is not one of the fields); -1 when not given. */
static prm_code find_owner(prm_db *db, const prm_kind_info *info,
                           const prm_arg *args, size_t nargs, int *at,
                           prm_error *err)
{
    *at = -1;
    for (size_t i = 0; i < nargs && store_owned(info); i++)
        if (strcmp(args[i].key, "owner") == 0) {
            if (*at >= 0)
                return prm_error_set(err, PRM_ESYNTAX,
                                     "owner is given twice; give it once");
            *at = (int)i;
        }
    if (*at >= 0 && !prm_is_team(db))
        return no_owners(info, err);
    return PRM_OK;
}

/* An update that would leave every field as it is writes nothing: no
 * audit entry, no new updated_at, no change number (a nightly sync that
 * sets what is already set leaves no trace); so does owner= naming the
 * owner it has. */
static prm_code update_in_tx(prm_db *db, const prm_kind_info *info,
                             const char *ref, const prm_arg *args,
                             size_t nargs, int64_t *id, bool *changed,
                             core_parsed *p, prm_error *err)
{
    int owner;
    prm_code rc = find_owner(db, info, args, nargs, &owner, err);
    if (rc == PRM_OK)
        rc = prm_resolve(db, info->kind, ref, id, err);
    if (rc != PRM_OK)
        return rc;
    /* The fields but owner, which the engine sets on its own. */
    prm_arg fields[STORE_MAX_FIELDS * 4];
    const prm_arg *use;
    size_t n = 0;
    rc = without(args, nargs, owner, fields, sizeof fields / sizeof *fields,
                 &use, &n, err);
    if (rc == PRM_OK && n > 0) {
        rc = core_parse_args(db, info, use, n, "update", p, err);
        if (rc != PRM_OK)
            return rc;
        core_attach_partner_list(info, p);
        rc = store_differs(db, info, *id, &p->row, changed, err);
        if (rc == PRM_OK && *changed)
            rc = core_money_update(db, info, *id, &p->row, err);
        if (rc == PRM_OK && *changed)
            rc = store_update(db, info, *id, &p->row, err);
        if (rc == PRM_OK && *changed)
            rc = core_rules_written(db, info, *id, false, err);
    }
    bool new_owner = false;
    if (rc == PRM_OK && owner >= 0)
        rc = store_set_owner(db, info, *id, args[owner].value, &new_owner,
                             err);
    *changed = *changed || new_owner;
    return rc;
}

prm_code prm_update(prm_db *db, prm_kind kind, const char *ref,
                    const prm_arg *args, size_t nargs, int64_t *id,
                    bool *changed, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    if (nargs == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s update needs at least one FIELD=VALUE to "
                             "change",
                             info->name);
    core_parsed p = {.ids = NULL};
    prm_code rc = store_cmd_begin(db, write_access(kind), err);
    if (rc != PRM_OK)
        return rc;
    bool wrote = false;
    rc = update_in_tx(db, info, ref, args, nargs, id, &wrote, &p, err);
    if (rc == PRM_OK && !wrote)
        store_unchanged(db);
    if (changed != NULL)
        *changed = wrote;
    rc = store_cmd_end(db, rc, err);
    core_parsed_free(&p);
    return rc;
}

static prm_code refuse_delete(const prm_kind_info *info, const char *ref,
                              const store_deps *d, prm_error *err)
{
    char what[256];
    size_t len = 0;
    what[0] = '\0';
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *dep = prm_kind_get((prm_kind)k);
        if (d->n[k] > 0 && len < sizeof what)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%lld %s",
                                    len ? ", " : "", (long long)d->n[k],
                                    d->n[k] == 1 ? dep->name : dep->plural);
    }
    return prm_error_set(err, PRM_ECONFLICT,
                         "%s '%s' is referred to by %s; delete those first "
                         "or add --cascade to delete them too",
                         info->name, ref, what);
}

static prm_code delete_in_tx(prm_db *db, const prm_kind_info *info,
                             const char *ref, bool cascade, int64_t *id,
                             prm_error *err)
{
    prm_code rc = prm_resolve(db, info->kind, ref, id, err);
    if (rc != PRM_OK)
        return rc;
    if (!cascade) {
        store_deps d;
        rc = store_deps_of(db, info, *id, &d, err);
        if (rc != PRM_OK)
            return rc;
        for (int k = 0; k < PRM_KIND_COUNT; k++)
            if (d.n[k] > 0)
                return refuse_delete(info, ref, &d, err);
    }
    return store_delete(db, info, *id, cascade, err);
}

prm_code prm_delete(prm_db *db, prm_kind kind, const char *ref, bool cascade,
                    int64_t *id, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    /* A plain delete is one statement (a project's links go with it by
     * ON DELETE CASCADE); --cascade is several. */
    prm_code rc = store_cmd_begin(
        db, cascade ? STORE_WRITE_MANY : STORE_WRITE_ONE, err);
    if (rc != PRM_OK)
        return rc;
    rc = delete_in_tx(db, info, ref, cascade, id, err);
    return store_cmd_end(db, rc, err);
}

prm_code prm_get(prm_db *db, prm_kind kind, int64_t id, prm_record_fn fn,
                 void *ctx, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = store_fetch(db, info, id, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

/* An id that exists is read at once: its lookup would be a query (on a
 * team database a round trip) that the read itself answers.  Anything
 * else is resolved as prm_resolve does, then read. */
static prm_code get_ref_in_tx(prm_db *db, const prm_kind_info *info,
                              const char *ref, prm_record_fn fn, void *ctx,
                              prm_error *err)
{
    int64_t id;
    prm_code rc;
    if (ref != NULL && core_all_digits(ref)) {
        id = strtoll(ref, NULL, 10);
        rc = store_fetch(db, info, id, fn, ctx, err);
        if (rc != PRM_ENOT_FOUND)
            return rc;
        rc = core_resolve_name(db, info, ref, &id, err); /* no such id */
    } else {
        rc = prm_resolve(db, info->kind, ref, &id, err);
    }
    if (rc == PRM_OK)
        rc = store_fetch(db, info, id, fn, ctx, err);
    return rc;
}

prm_code prm_get_ref(prm_db *db, prm_kind kind, const char *ref,
                     prm_record_fn fn, void *ctx, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = get_ref_in_tx(db, info, ref, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

/* --- Listing ------------------------------------------------------------ */

/* Filters on records a kind has no field for: a partner's projects, a
 * project's partners, the outcomes of a partner's projects. */
static prm_code reference_filter(prm_db *db, const prm_kind_info *info,
                                 const char *key, const char *value,
                                 store_filter *f, bool *handled,
                                 prm_error *err)
{
    /* An outcome has no partners field: partners= is partner= there. */
    bool partner = strcmp(key, "partner") == 0 ||
                   (info->kind == PRM_OUTCOME && strcmp(key, "partners") == 0);
    prm_kind target = partner ? PRM_PARTNER : PRM_PROJECT;
    *handled = true;
    if (info->kind == PRM_PARTNER && strcmp(key, "project") == 0)
        f->op = SF_HAS_PROJECT;
    else if (info->kind == PRM_PROJECT && partner)
        f->op = SF_HAS_PARTNER;
    else if (info->kind == PRM_OUTCOME && partner)
        f->op = SF_PARTNER_WORK;
    else {
        *handled = false;
        return PRM_OK;
    }
    f->value = (prm_value){.type = PRM_V_INT};
    return prm_resolve(db, target, value, &f->value.i, err);
}

/* partners=A,B: the projects whose partners are A and B, no more, no
 * fewer (a list filters by equality like any field; partner=A is the
 * projects A is in).  Empty, it matches nothing: every project has one. */
static prm_code partners_filter(prm_db *db, const char *value,
                                store_filter *f, core_parsed *p, prm_error *err)
{
    prm_code rc = core_parse_partner_list(db, p, value, true, err);
    f->op = SF_PARTNERS_ARE;
    f->value = (prm_value){.type = PRM_V_IDS, .ids = p->ids, .nids = p->nids};
    return rc;
}

/* A date alone as a filter means that whole day. */
static prm_code date_filter(const prm_field *fld, const char *value,
                            store_filter *f, prm_error *err)
{
    bool date_only;
    if (!prm_parse_date(value, f->lo, &date_only))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid %s '%s': use YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z]",
                             fld->name, value);
    memcpy(f->hi, f->lo, sizeof f->hi);
    if (date_only)
        memcpy(f->hi + 11, "23:59:59Z", 10);
    f->op = SF_RANGE;
    return PRM_OK;
}

/* since=DATE or until=DATE: the records of a window of time, by the
 * kind's date (store_date_sql); a date alone as until takes in its day. */
static prm_code window_filter(const prm_arg *arg, store_filter *f,
                              prm_error *err)
{
    bool until = strcmp(arg->key, "until") == 0;
    char *date = until ? f->hi : f->lo;
    prm_code rc = core_window_date(arg, date, until, err);
    /* The open end: every stored date is 20 bytes of ISO 8601 between. */
    memcpy(until ? f->lo : f->hi,
           until ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z", PRM_TIME_SIZE);
    f->op = SF_WINDOW;
    return rc;
}

static bool is_window_key(const char *key)
{
    return strcmp(key, "since") == 0 || strcmp(key, "until") == 0;
}

static prm_code make_filter(prm_db *db, const prm_kind_info *info,
                            const prm_arg *arg, store_filter *f, core_parsed *p,
                            prm_error *err)
{
    if (info->kind == PRM_PROJECT && strcmp(arg->key, "partners") == 0)
        return partners_filter(db, arg->value, f, p, err);
    bool handled;
    prm_code rc = reference_filter(db, info, arg->key, arg->value, f,
                                   &handled, err);
    if (rc != PRM_OK || handled)
        return rc;
    if (store_owned(info) && strcmp(arg->key, "owner") == 0) {
        if (!prm_is_team(db))
            return no_owners(info, err);
        f->op = SF_OWNER;
        f->value = (prm_value){.type = PRM_V_TEXT, .s = arg->value,
                               .len = strlen(arg->value)};
        return PRM_OK;
    }
    if (info->kind == PRM_DEAL) {
        rc = core_deal_filter(db, info, arg, f, p, &handled, err);
        if (rc != PRM_OK || handled)
            return rc;
    }
    if (info->kind == PRM_TASK) {
        rc = core_task_filter(db, info, arg, f, &handled, err);
        if (rc != PRM_OK || handled)
            return rc;
    }
    if (is_window_key(arg->key) && store_date_sql(info) == NULL)
        return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                             "%ss have no date to limit by: %s= does not "
                             "apply to %s list",
                             info->name, arg->key, info->name);
    if (is_window_key(arg->key))
        return window_filter(arg, f, err);
    int i = prm_field_index(info, arg->key);
    if (i < 0) {
        char names[512], near[PRM_DID_YOU_MEAN];
        core_field_names(info, names, sizeof names);
        size_t len = strlen(names);
        char more[256];
        prm_words_text(prm_list_keys(info->kind), more, sizeof more);
        snprintf(names + len, sizeof names - len, ", %s", more);
        return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                             "unknown field '%s' for %s list%s; filter on: "
                             "id, %s",
                             arg->key, info->name,
                             prm_did_you_mean(arg->key, names, near,
                                              sizeof near),
                             names);
    }
    const prm_field *fld = &info->fields[i];
    f->field = i;
    if (arg->value[0] == '\0') {
        f->op = SF_NULL;
        return PRM_OK;
    }
    if (fld->type == PRM_F_DATE)
        return date_filter(fld, arg->value, f, err);
    if (fld->type == PRM_F_ID) {
        if (!core_all_digits(arg->value))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid id '%s': a whole number",
                                 arg->value);
        f->op = SF_EQ;
        f->value = (prm_value){.type = PRM_V_INT,
                               .i = strtoll(arg->value, NULL, 10)};
        return PRM_OK;
    }
    rc = core_parse_value(db, info, fld, i, arg->value, p, err);
    f->op = SF_EQ;
    f->value = p->row.v[i];
    return rc;
}

/* A filter that may be given more than once, each narrowing the list:
 * project list partner=A partner=B is the projects A and B are both in. */
static bool is_membership(const prm_kind_info *info, const char *key)
{
    if (info->kind == PRM_PARTNER)
        return strcmp(key, "project") == 0;
    return (info->kind == PRM_PROJECT || info->kind == PRM_OUTCOME) &&
           strcmp(key, "partner") == 0;
}

/* A since= after the until= could match nothing: said, as metrics says. */
static prm_code check_window(const prm_arg *filters, const store_filter *f,
                             size_t n, prm_error *err)
{
    const char *since = NULL, *until = NULL;
    for (size_t i = 0; i < n; i++)
        if (f[i].op == SF_WINDOW && strcmp(filters[i].key, "since") == 0)
            since = f[i].lo;
        else if (f[i].op == SF_WINDOW)
            until = f[i].hi;
    return core_window_check(since, until, err);
}

prm_code prm_list(prm_db *db, prm_kind kind, const prm_arg *filters,
                  size_t nfilters, bool names, prm_record_fn fn, void *ctx,
                  prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    /* Each field once, and partner= or project=, owner=, since=, until=,
     * with room for a membership filter given again. */
    enum { MAX_FILTERS = STORE_MAX_FIELDS + 5 };
    if (nfilters > info->nfields + 5)
        return prm_error_set(err, PRM_ESYNTAX,
                             "too many filters: give each field once");
    store_filter f[MAX_FILTERS];
    core_parsed p = {.ids = NULL};
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    for (size_t i = 0; i < nfilters && rc == PRM_OK; i++) {
        for (size_t j = 0; j < i && !is_membership(info, filters[i].key); j++)
            if (strcmp(filters[i].key, filters[j].key) == 0)
                rc = prm_error_set(err, PRM_ESYNTAX,
                                   "%s is given twice; give each filter once",
                                   filters[i].key);
        if (rc == PRM_OK)
            rc = make_filter(db, info, &filters[i], &f[i], &p, err);
    }
    if (rc == PRM_OK)
        rc = check_window(filters, f, nfilters, err);
    if (rc == PRM_OK)
        rc = store_list(db, info, f, nfilters, names, fn, ctx, err);
    core_parsed_free(&p);
    return store_cmd_end(db, rc, err);
}

prm_code prm_names(prm_db *db, prm_kind kind, const char *prefix,
                   bool (*fn)(void *ctx, const char *name), void *ctx,
                   prm_error *err)
{
    return store_names(db, prm_kind_get(kind), prefix, fn, ctx, err);
}
