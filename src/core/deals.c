/*
 * deals.c - deal registration: the moves of a deal's status (approve,
 * reject, extend, won, lost, cancel) and the deal list's filters of its
 * own (status as it reads, active=, expiring=).
 *
 * A deal's status is written only here.  Each move is a row of a table:
 * the statuses it starts from (as they read: an approved deal past its
 * expiry is expired), the status it stores, and the one KEY= it takes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "records.h"

typedef struct deal_move {
    const char *verb;    /* approve */
    const char *done;    /* approved: "can be approved", "approved deal 4" */
    const char *from[3]; /* statuses it starts from, as they read */
    const char *from_text;
    const char *to;      /* the status stored */
    const char *key;     /* the KEY= it takes, or NULL */
    bool key_required;
} deal_move;

static const deal_move moves[PRM_DEAL_MOVES] = {
    [PRM_DEAL_APPROVE] = {"approve", "approved", {"submitted"},
                          "a submitted deal", "approved", "days", false},
    [PRM_DEAL_REJECT] = {"reject", "rejected", {"submitted"},
                         "a submitted deal", "rejected", "reason", true},
    [PRM_DEAL_EXTEND] = {"extend", "extended", {"approved", "expired"},
                         "an approved or expired deal", "approved", "days",
                         true},
    [PRM_DEAL_WON] = {"won", "won", {"approved", "expired"},
                      "an approved or expired deal", "won", "amount", false},
    [PRM_DEAL_LOST] = {"lost", "lost", {"approved", "expired"},
                       "an approved or expired deal", "lost", "reason",
                       false},
    [PRM_DEAL_CANCEL] = {"cancel", "cancelled", {"submitted", "approved"},
                         "a submitted or approved deal", "cancelled", NULL,
                         false},
};

/* A deal approved without days= is protected this long. */
enum { DEAL_DEFAULT_DAYS = 90, DEAL_MAX_DAYS = 36500 };

const char *prm_deal_move_name(prm_deal_move move)
{
    return moves[move].verb;
}

const char *prm_deal_move_done(prm_deal_move move)
{
    return moves[move].done;
}

bool prm_deal_move_find(const char *verb, prm_deal_move *move)
{
    for (int m = 0; m < PRM_DEAL_MOVES; m++)
        if (strcmp(moves[m].verb, verb) == 0) {
            *move = (prm_deal_move)m;
            return true;
        }
    return false;
}

const char *prm_deal_move_key(prm_deal_move move)
{
    return moves[move].key;
}

/* stamp + days, as a time stamp (both "YYYY-MM-DDTHH:MM:SSZ"). */
static void add_days(const char *stamp, int64_t days, char out[PRM_TIME_SIZE])
{
    prm_time_add(stamp, days * 86400, out);
}

/* What a move, or a message, needs of a deal as it stands. */
typedef struct deal_now {
    char status[16];
    char expires[PRM_TIME_SIZE];
    char partner[256];
} deal_now;

static bool read_deal(void *ctx, const prm_record *rec)
{
    deal_now *d = ctx;
    int partner = prm_field_index(rec->info, "partner");
    const prm_value *s = &rec->v[prm_field_index(rec->info, "status")];
    const prm_value *e = &rec->v[prm_field_index(rec->info, "expires")];
    snprintf(d->status, sizeof d->status, "%.*s", (int)s->len, s->s);
    if (e->type == PRM_V_TEXT)
        snprintf(d->expires, sizeof d->expires, "%.*s", (int)e->len, e->s);
    snprintf(d->partner, sizeof d->partner, "%s",
             rec->ref_name && rec->ref_name[partner] ? rec->ref_name[partner]
                                                     : "?");
    return false;
}

/* The first deal in conflict with deal (store_deal_conflict), read into
 * *o; *other 0 when there is none. */
static prm_code find_conflict(prm_db *db, int64_t deal, bool own,
                              bool protected_only, int64_t *other,
                              deal_now *o, prm_error *err)
{
    prm_code rc = store_deal_conflict(db, deal, own, protected_only, other,
                                      err);
    if (rc != PRM_OK || *other == 0)
        return rc;
    return store_fetch(db, prm_kind_get(PRM_DEAL), *other, read_deal, o, err);
}

/* Another partner's approved deal protects this customer: the approval
 * (or the extension of an expired deal) waits until it ends. */
static prm_code check_protected(prm_db *db, int64_t deal, prm_error *err)
{
    int64_t other;
    deal_now o = {.status = ""};
    prm_code rc = find_conflict(db, deal, false, true, &other, &o, err);
    if (rc != PRM_OK || other == 0)
        return rc;
    return prm_error_set(err, PRM_ECONFLICT,
                         "deal %lld conflicts with deal %lld of %s, approved "
                         "until %s: the first approved is protected; reject "
                         "this one or wait",
                         (long long)deal, (long long)other, o.partner,
                         o.expires[0] ? o.expires : "it ends");
}

prm_code core_deal_registered(prm_db *db, int64_t deal, prm_error *err)
{
    int64_t other;
    deal_now o = {.status = ""};
    prm_code rc = find_conflict(db, deal, true, false, &other, &o, err);
    if (rc != PRM_OK || other == 0)
        return rc;
    return prm_error_set(err, PRM_ECONFLICT,
                         "%s holds deal %lld (%s) for this customer and "
                         "product already; update that one",
                         o.partner, (long long)other, o.status);
}

static bool starts_from(const deal_move *m, const char *status)
{
    for (size_t i = 0; i < 3 && m->from[i] != NULL; i++)
        if (strcmp(m->from[i], status) == 0)
            return true;
    return false;
}

/* The move's KEY=VALUE, if given: at most the one key it takes. */
static prm_code move_arg(const deal_move *m, const prm_arg *args,
                         size_t nargs, const prm_arg **arg, prm_error *err)
{
    *arg = NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (m->key == NULL || strcmp(args[i].key, m->key) != 0)
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "deal %s takes %s%s%s, not %s=", m->verb,
                                 m->key ? "only " : "no KEY=VALUE",
                                 m->key ? m->key : "", m->key ? "=" : "",
                                 args[i].key);
        if (*arg != NULL)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "%s= is given twice", m->key);
        *arg = &args[i];
    }
    if (*arg == NULL && m->key_required)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "deal %s needs %s=...", m->verb, m->key);
    return PRM_OK;
}

static prm_code parse_days(const prm_arg *a, int64_t *days, prm_error *err)
{
    if (!core_whole(a->value, days) || *days < 1 || *days > DEAL_MAX_DAYS)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid days '%s': a whole number of days from "
                             "1 to %d",
                             core_show_value(a->value).text, DEAL_MAX_DAYS);
    return PRM_OK;
}

static void set_text(const prm_kind_info *info, store_row *row,
                     const char *field, const char *text)
{
    int i = prm_field_index(info, field);
    row->set[i] = true;
    row->v[i] = (prm_value){.type = PRM_V_TEXT, .s = text, .len = strlen(text)};
}

/* The fields the move writes, besides the status. */
static prm_code move_fields(prm_db *db, prm_deal_move move,
                            const deal_now *d, const prm_arg *arg,
                            store_row *row, char expires[PRM_TIME_SIZE],
                            prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_DEAL);
    const char *now = store_now(db);
    int64_t days = DEAL_DEFAULT_DAYS;
    if ((move == PRM_DEAL_APPROVE || move == PRM_DEAL_EXTEND) && arg != NULL) {
        prm_code rc = parse_days(arg, &days, err);
        if (rc != PRM_OK)
            return rc;
    }
    switch (move) {
    case PRM_DEAL_APPROVE:
        set_text(info, row, "approved_at", now);
        add_days(now, days, expires);
        set_text(info, row, "expires", expires);
        break;
    case PRM_DEAL_EXTEND: /* from its expiry, or from now once past it */
        add_days(d->expires[0] && strcmp(d->expires, now) > 0 ? d->expires
                                                              : now,
                 days, expires);
        set_text(info, row, "expires", expires);
        break;
    case PRM_DEAL_WON:
    case PRM_DEAL_LOST:
        set_text(info, row, "closed_at", now);
        break;
    default:
        break;
    }
    if (arg != NULL && strcmp(arg->key, "reason") == 0) {
        if (arg->value[0] == '\0')
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "reason= cannot be empty: say why");
        set_text(info, row, "reason", arg->value);
    }
    if (arg != NULL && strcmp(arg->key, "amount") == 0) {
        int i = prm_field_index(info, "amount");
        core_parsed p = {.ids = NULL};
        prm_code rc = core_parse_value(db, info, &info->fields[i], i,
                                       arg->value, &p, err);
        if (rc != PRM_OK)
            return rc;
        row->set[i] = true;
        row->v[i] = p.row.v[i];
    }
    return PRM_OK;
}

static prm_code move_in_tx(prm_db *db, prm_deal_move move, const char *ref,
                           const prm_arg *args, size_t nargs, int64_t *id,
                           prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_DEAL);
    const deal_move *m = &moves[move];
    const prm_arg *arg;
    prm_code rc = move_arg(m, args, nargs, &arg, err);
    if (rc == PRM_OK)
        rc = prm_resolve(db, PRM_DEAL, ref, id, err);
    deal_now d = {.status = ""};
    if (rc == PRM_OK)
        rc = store_fetch(db, info, *id, read_deal, &d, err);
    if (rc != PRM_OK)
        return rc;
    if (!starts_from(m, d.status))
        return prm_error_set(err, PRM_ECONFLICT,
                             "deal %lld is %s; only %s can be %s",
                             (long long)*id, d.status, m->from_text, m->done);
    if (move == PRM_DEAL_APPROVE ||
        (move == PRM_DEAL_EXTEND && strcmp(d.status, "expired") == 0))
        rc = check_protected(db, *id, err);
    if (rc != PRM_OK)
        return rc;
    store_row row = {.set = {false}};
    char expires[PRM_TIME_SIZE];
    rc = move_fields(db, move, &d, arg, &row, expires, err);
    if (rc != PRM_OK)
        return rc;
    set_text(info, &row, "status", m->to);
    return store_update(db, info, *id, &row, err);
}

prm_code prm_deal_move_run(prm_db *db, prm_deal_move move, const char *ref,
                           const prm_arg *args, size_t nargs, int64_t *id,
                           prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_WRITE_ONE, err);
    if (rc != PRM_OK)
        return rc;
    rc = move_in_tx(db, move, ref, args, nargs, id, err);
    return store_cmd_end(db, rc, err);
}

/* The conflicts of a deal, as its computed field lists them. */
typedef struct conflict_ids {
    int64_t ids[16];
    size_t n, more;
} conflict_ids;

static bool read_conflicts(void *ctx, const prm_record *rec)
{
    conflict_ids *c = ctx;
    const prm_value *v = &rec->v[prm_field_index(rec->info, "conflicts")];
    for (size_t i = 0; i < v->nids; i++)
        if (c->n < sizeof c->ids / sizeof *c->ids)
            c->ids[c->n++] = v->ids[i];
        else
            c->more++;
    return false;
}

static prm_code conflict_note(prm_db *db, int64_t deal, char *out,
                              size_t size, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_DEAL);
    conflict_ids c = {.n = 0};
    prm_code rc = store_fetch(db, info, deal, read_conflicts, &c, err);
    size_t len = 0;
    for (size_t i = 0; rc == PRM_OK && i < c.n && len < size; i++) {
        deal_now o = {.status = ""};
        rc = store_fetch(db, info, c.ids[i], read_deal, &o, err);
        if (rc == PRM_OK)
            len += (size_t)snprintf(out + len, size - len, "%s deal %lld of %s",
                                    i ? "," : "conflicts with",
                                    (long long)c.ids[i], o.partner);
    }
    if (rc == PRM_OK && c.more > 0 && len < size)
        snprintf(out + len, size - len, " and %zu more", c.more);
    return rc;
}

prm_code prm_deal_conflict_note(prm_db *db, int64_t deal, char *out,
                                size_t size, prm_error *err)
{
    out[0] = '\0';
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = conflict_note(db, deal, out, size, err);
    return store_cmd_end(db, rc, err);
}

/* --- the deal list's own filters ----------------------------------------- */

prm_code core_deal_filter(prm_db *db, const prm_kind_info *info,
                          const prm_arg *arg, store_filter *f, core_parsed *p,
                          bool *handled, prm_error *err)
{
    *handled = true;
    snprintf(f->lo, sizeof f->lo, "%s", store_now(db));
    if (strcmp(arg->key, "active") == 0) {
        bool yes = strcmp(arg->value, "yes") == 0;
        if (!yes && strcmp(arg->value, "no") != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid active '%s': yes or no",
                                 core_show_value(arg->value).text);
        f->op = SF_DEAL_ACTIVE;
        f->value = (prm_value){.type = PRM_V_INT, .i = yes};
        return PRM_OK;
    }
    if (strcmp(arg->key, "conflicts") == 0) {
        bool yes = strcmp(arg->value, "yes") == 0;
        if (!yes && strcmp(arg->value, "no") != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid conflicts '%s': yes or no",
                                 core_show_value(arg->value).text);
        f->op = SF_DEAL_CONFLICTS;
        f->value = (prm_value){.type = PRM_V_INT, .i = yes};
        return PRM_OK;
    }
    if (strcmp(arg->key, "expiring") == 0) {
        int64_t days;
        if (!core_whole(arg->value, &days) || days > DEAL_MAX_DAYS)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid expiring '%s': a whole number of "
                                 "days",
                                 core_show_value(arg->value).text);
        f->op = SF_DEAL_EXPIRING;
        add_days(f->lo, days, f->hi);
        return PRM_OK;
    }
    if (strcmp(arg->key, "status") == 0 && arg->value[0] != '\0') {
        int i = prm_field_index(info, "status");
        prm_code rc = core_parse_value(db, info, &info->fields[i], i,
                                       arg->value, p, err);
        f->op = SF_DEAL_STATUS;
        f->field = i;
        f->value = p->row.v[i];
        return rc;
    }
    *handled = false;
    return PRM_OK;
}
