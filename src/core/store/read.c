/*
 * read.c - records and the audit log read through what reading adds to
 * what an engine returns: with encryption on, every sealed value opened
 * (seal.h) before anyone sees it, and equality on a sealed field made a
 * comparison of keyed hashes; a deal's status as the clock reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/engine.h"
#include "store/seal.h"

/* --- what a record reads as ---------------------------------------------
 *
 * A deal approved and past its expiry is "expired" (the database holds
 * "approved": nothing runs when the time passes), read against the clock
 * of the command, so that show, list, export and CSV agree with the
 * filters and the numbers (store_deal_status_sql). */

typedef struct derive_ctx {
    prm_db *db;
    prm_record_fn fn;
    void *ctx;
} derive_ctx;

bool store_deal_expired(prm_db *db, const char *status, const char *expires)
{
    return status != NULL && strcmp(status, "approved") == 0 &&
           expires != NULL && strcmp(expires, store_now(db)) <= 0;
}

static bool derived_deal(void *c, const prm_record *rec)
{
    derive_ctx *d = c;
    const prm_kind_info *info = rec->info;
    int status = prm_field_index(info, "status");
    int expires = prm_field_index(info, "expires");
    const prm_value *s = &rec->v[status], *e = &rec->v[expires];
    if (s->type != PRM_V_TEXT || e->type != PRM_V_TEXT ||
        s->len != 8 || memcmp(s->s, "approved", 8) != 0)
        return d->fn(d->ctx, rec);
    char until[PRM_TIME_SIZE];
    snprintf(until, sizeof until, "%.*s", (int)e->len, e->s);
    if (!store_deal_expired(d->db, "approved", until))
        return d->fn(d->ctx, rec);
    prm_value v[STORE_MAX_FIELDS];
    memcpy(v, rec->v, info->nfields * sizeof *v);
    v[status] = (prm_value){.type = PRM_V_TEXT, .s = "expired", .len = 7};
    prm_record copy = {.info = info, .v = v, .ref_name = rec->ref_name};
    return d->fn(d->ctx, &copy);
}

/* Records read with encryption on: each sealed value opened before the
 * record goes on; one that does not open stops the read with the error. */
typedef struct open_ctx {
    prm_db *db;
    prm_record_fn fn;
    void *ctx;
    prm_error err;
} open_ctx;

static bool opened_record(void *c, const prm_record *rec)
{
    open_ctx *o = c;
    const prm_kind_info *info = rec->info;
    prm_value v[STORE_MAX_FIELDS];
    char *owned[STORE_MAX_FIELDS] = {NULL};
    memcpy(v, rec->v, info->nfields * sizeof *v);
    int id = prm_field_index(info, "id");
    bool ok = true;
    for (size_t i = 0; ok && i < info->nfields; i++) {
        if (!(info->fields[i].flags & PRM_FF_SENSITIVE) ||
            v[i].type != PRM_V_TEXT || !store_is_sealed(v[i].s, v[i].len))
            continue;
        owned[i] = store_open_value(o->db, info->name, info->fields[i].name,
                                    rec->v[id].i, v[i].s, v[i].len, &v[i].len,
                                    &o->err);
        v[i].s = owned[i];
        ok = owned[i] != NULL;
    }
    prm_record copy = *rec;
    copy.v = v;
    bool more = ok && o->fn(o->ctx, &copy);
    for (size_t i = 0; i < info->nfields; i++)
        free(owned[i]);
    return more;
}

/* The engine's read of records, through what reading adds: sealed values
 * opened, then a deal's expiry. */
static prm_code read_records(prm_db *db, const prm_kind_info *info,
                             prm_code (*read)(void *args, prm_record_fn fn,
                                              void *ctx, prm_error *err),
                             void *args, prm_record_fn fn, void *ctx,
                             prm_error *err)
{
    derive_ctx d = {db, fn, ctx};
    if (info->kind == PRM_DEAL) {
        fn = derived_deal;
        ctx = &d;
    }
    if (!db->encrypted)
        return read(args, fn, ctx, err);
    open_ctx o = {db, fn, ctx, {.code = PRM_OK}};
    prm_code rc = read(args, opened_record, &o, err);
    if (rc == PRM_OK && o.err.code != PRM_OK) {
        *err = o.err;
        rc = err->code;
    }
    return rc;
}

typedef struct fetch_args {
    prm_db *db;
    const prm_kind_info *info;
    int64_t id;
} fetch_args;

static prm_code fetch_read(void *args, prm_record_fn fn, void *ctx,
                           prm_error *err)
{
    fetch_args *a = args;
    return a->db->engine->fetch(a->db, a->info, a->id, fn, ctx, err);
}

prm_code store_fetch(prm_db *db, const prm_kind_info *info, int64_t id,
                     prm_record_fn fn, void *ctx, prm_error *err)
{
    fetch_args a = {db, info, id};
    return read_records(db, info, fetch_read, &a, fn, ctx, err);
}

typedef struct list_args {
    prm_db *db;
    const prm_kind_info *info;
    const store_filter *filters;
    size_t nfilters;
    bool names;
} list_args;

static prm_code list_read(void *args, prm_record_fn fn, void *ctx,
                          prm_error *err)
{
    list_args *a = args;
    return a->db->engine->list(a->db, a->info, a->filters, a->nfilters,
                               a->names, fn, ctx, err);
}

/* With encryption on, an equality filter on a sensitive field compares
 * the keyed hash of the value with that of the value asked for. */
static prm_code seal_filters(prm_db *db, const prm_kind_info *info,
                             const store_filter *in, size_t n,
                             store_filter **out, char ***owned,
                             prm_error *err)
{
    *out = NULL;
    *owned = NULL;
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= in[i].op == SF_EQ && in[i].field >= 0 &&
               (info->fields[in[i].field].flags & PRM_FF_SENSITIVE);
    if (!any || !store_sealing(db))
        return PRM_OK;
    *out = malloc(n * sizeof **out);
    *owned = calloc(n, sizeof **owned);
    if (*out == NULL || *owned == NULL)
        return prm_error_nomem(err);
    for (size_t i = 0; i < n; i++) {
        (*out)[i] = in[i];
        const store_filter *f = &in[i];
        if (f->op != SF_EQ || f->field < 0 ||
            !(info->fields[f->field].flags & PRM_FF_SENSITIVE) ||
            f->value.type != PRM_V_TEXT)
            continue;
        char *prefix = store_seal_prefix(db, info->name,
                                         info->fields[f->field].name,
                                         f->value.s, f->value.len);
        if (prefix == NULL)
            return prm_error_nomem(err);
        (*owned)[i] = prefix;
        (*out)[i].op = SF_SEALED_EQ;
        (*out)[i].value = (prm_value){.type = PRM_V_TEXT, .s = prefix,
                                      .len = strlen(prefix)};
    }
    return PRM_OK;
}

prm_code store_list(prm_db *db, const prm_kind_info *info,
                    const store_filter *filters, size_t nfilters, bool names,
                    prm_record_fn fn, void *ctx, prm_error *err)
{
    store_filter *sealed;
    char **owned;
    prm_code rc = seal_filters(db, info, filters, nfilters, &sealed, &owned,
                               err);
    list_args a = {db, info, sealed != NULL ? sealed : filters, nfilters,
                   names};
    if (rc == PRM_OK)
        rc = read_records(db, info, list_read, &a, fn, ctx, err);
    for (size_t i = 0; owned != NULL && i < nfilters; i++)
        free(owned[i]);
    free(owned);
    free(sealed);
    return rc;
}

/* An audit entry read with encryption on: its command and images
 * opened. */
typedef struct open_audit_ctx {
    prm_db *db;
    prm_audit_fn fn;
    void *ctx;
    prm_error err;
} open_audit_ctx;

static bool opened_entry(void *c, const prm_audit_entry *e)
{
    open_audit_ctx *o = c;
    prm_audit_entry copy = *e;
    char *command = NULL, *before = NULL, *after = NULL;
    bool ok = store_command_open(o->db, e->kind, e->record, e->command,
                                 &command, &o->err) == PRM_OK &&
              store_image_reseal(o->db, e->kind, e->record, e->before, false,
                                 &before, &o->err) == PRM_OK &&
              store_image_reseal(o->db, e->kind, e->record, e->after, false,
                                 &after, &o->err) == PRM_OK;
    if (command != NULL)
        copy.command = command;
    if (before != NULL)
        copy.before = before;
    if (after != NULL)
        copy.after = after;
    bool more = ok && o->fn(o->ctx, &copy);
    free(command);
    free(before);
    free(after);
    return more;
}

prm_code store_audit_list(prm_db *db, const store_audit_filter *f,
                          prm_audit_fn fn, void *ctx, prm_error *err)
{
    if (!db->encrypted)
        return db->engine->audit_list(db, f, fn, ctx, err);
    open_audit_ctx o = {db, fn, ctx, {.code = PRM_OK}};
    prm_code rc = db->engine->audit_list(db, f, opened_entry, &o, err);
    if (rc == PRM_OK && o.err.code != PRM_OK) {
        *err = o.err;
        rc = err->code;
    }
    return rc;
}

/* The kind and record of the entry an undo names its change by (the
 * change's last), to open a command made again from its image. */
typedef struct entry_ref {
    char kind[32];
    int64_t record;
} entry_ref;

static bool entry_ref_row(void *ctx, const char *const *cols, size_t n)
{
    entry_ref *r = ctx;
    if (n >= 2 && cols[0] != NULL && cols[1] != NULL) {
        snprintf(r->kind, sizeof r->kind, "%s", cols[0]);
        r->record = strtoll(cols[1], NULL, 10);
    }
    return false;
}

prm_code store_undo_last(prm_db *db, int64_t *undone, char *command,
                         size_t size, prm_error *err)
{
    if (!db->encrypted || size == 0)
        return db->engine->undo_last(db, undone, command, size, err);
    /* A sealed command is longer than the text it holds, and opens only
     * whole: read it into room enough for any line worth showing. */
    enum { SEALED_COMMAND_MAX = 65536 };
    char *sealed = malloc(SEALED_COMMAND_MAX);
    if (sealed == NULL)
        return prm_error_nomem(err);
    prm_code rc = db->engine->undo_last(db, undone, sealed,
                                        SEALED_COMMAND_MAX, err);
    entry_ref ref = {.kind = "", .record = 0};
    prm_value change = {.type = PRM_V_INT, .i = *undone};
    if (rc == PRM_OK && *undone > 0)
        rc = db->engine->rows(db,
                              "SELECT kind, record FROM audit WHERE change = "
                              "$1 ORDER BY id DESC LIMIT 1",
                              &change, 1, entry_ref_row, &ref,
                              "reading the audit log", err);
    prm_error ignored = {.code = PRM_OK};
    char *opened = NULL;
    if (rc == PRM_OK)
        store_command_open(db, ref.kind, ref.record, sealed, &opened,
                           &ignored);
    snprintf(command, size, "%s", opened != NULL ? opened : sealed);
    free(opened);
    free(sealed);
    return rc;
}
