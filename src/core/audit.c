/*
 * audit.c - reading the audit log and undoing changes: the filters and
 * the all-or-nothing of undo; the SQL is in store/sqlite/audit.c and store/pg/audit.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "store/store.h"

typedef struct audit_text {
    char since[PRM_TIME_SIZE], until[PRM_TIME_SIZE];
    const char *id_name; /* id= given as a partner's or project's name */
} audit_text;

static prm_code audit_kind(const char *value, const char **out,
                           prm_error *err)
{
    const prm_kind_info *info = prm_kind_find(value);
    if (info != NULL) {
        *out = info->name;
        return PRM_OK;
    }
    for (size_t i = 0; prm_audit_kinds[i] != NULL; i++)
        if (strcmp(value, prm_audit_kinds[i]) == 0) {
            *out = prm_audit_kinds[i];
            return PRM_OK;
        }
    char kinds[256];
    return prm_error_choice(err, PRM_EINVALID_VALUE, "invalid kind", value, "",
                            "kinds are",
                            prm_words_text(prm_audit_kinds, kinds,
                                           sizeof kinds));
}

static prm_code audit_arg(const prm_arg *a, store_audit_filter *f,
                          audit_text *t, prm_error *err)
{
    const char *k = a->key;
    if (strcmp(k, "kind") == 0)
        return audit_kind(a->value, &f->kind, err);
    if (strcmp(k, "user") == 0) {
        f->user = a->value;
        return PRM_OK;
    }
    if (strcmp(k, "since") == 0) {
        f->since = t->since;
        return core_window_date(a, t->since, false, err);
    }
    if (strcmp(k, "until") == 0) {
        f->until = t->until;
        return core_window_date(a, t->until, true, err);
    }
    int64_t n;
    if (strcmp(k, "id") == 0 && !core_whole(a->value, &n) &&
        *a->value != '\0') {
        f->has_record = true;
        t->id_name = a->value; /* found once kind= is known */
        return PRM_OK;
    }
    if (strcmp(k, "id") == 0 || strcmp(k, "limit") == 0) {
        prm_code rc = core_parse_whole(a, &n, err);
        if (rc != PRM_OK)
            return rc;
        if (k[0] == 'i') {
            f->has_record = true;
            f->record = n;
        } else {
            f->limit = n;
        }
        return PRM_OK;
    }
    char keys[256];
    return prm_error_choice(err, PRM_EUNKNOWN_FIELD, "unknown filter", k,
                            " for audit", "filters are",
                            prm_words_text(prm_command_keys("audit"), keys,
                                           sizeof keys));
}

prm_code prm_audit(prm_db *db, const prm_arg *filters, size_t nfilters,
                   prm_audit_fn fn, void *ctx, prm_error *err)
{
    store_audit_filter f = {.limit = 50};
    audit_text t = {.id_name = NULL};
    for (size_t i = 0; i < nfilters; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(filters[i].key, filters[j].key) == 0)
                return prm_error_set(err, PRM_ESYNTAX,
                                     "%s is given twice; give each filter "
                                     "once",
                                     filters[i].key);
        prm_code rc = audit_arg(&filters[i], &f, &t, err);
        if (rc != PRM_OK)
            return rc;
    }
    const prm_kind_info *named = f.kind ? prm_kind_find(f.kind) : NULL;
    if (t.id_name != NULL && (named == NULL || !prm_field_find(named, "name")))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid id '%.40s': a whole number, or a name "
                             "with kind=partner or kind=project",
                             t.id_name);
    prm_code rc = core_window_check(f.since, f.until, err);
    if (rc != PRM_OK)
        return rc;
    rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    /* A name finds the record as it is now; a deleted one's id still
     * finds its entries. */
    if (t.id_name != NULL)
        rc = prm_resolve(db, named->kind, t.id_name, &f.record, err);
    if (rc == PRM_OK)
        rc = store_audit_list(db, &f, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

typedef struct undone {
    int64_t change;
    char command[256];
} undone;

prm_code prm_undo(prm_db *db, int n,
                  void (*fn)(void *ctx, int64_t change, const char *command),
                  void *ctx, prm_error *err)
{
    if (n < 1 || n > 10000)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "undo takes a number of changes from 1 to 10000");
    undone *done = calloc((size_t)n, sizeof *done);
    if (done == NULL)
        return prm_error_nomem(err);
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc != PRM_OK) {
        free(done);
        return rc;
    }
    int count = 0;
    while (count < n) {
        rc = store_undo_last(db, &done[count].change, done[count].command,
                             sizeof done[count].command, err);
        if (rc != PRM_OK)
            break;
        count++;
    }
    if (rc == PRM_ENOT_FOUND && count > 0) {
        rc = PRM_OK; /* fewer changes than asked for: undo them all */
        *err = (prm_error){.code = PRM_OK};
    }
    rc = store_cmd_end(db, rc, err);
    for (int i = 0; rc == PRM_OK && fn != NULL && i < count; i++)
        fn(ctx, done[i].change, done[i].command);
    free(done);
    return rc;
}
