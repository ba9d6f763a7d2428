/*
 * tiers.c - the partner program's tiers: which tier each partner
 * qualifies for (tier review), setting it (tier apply), and the rule a
 * tier keeps (it sets at least one minimum).
 *
 * The tiers are few and read once into C, highest rank first; the
 * partners' results come from one SQL read (store/tiers.c), a row per
 * partner and tier, counted over that tier's window by the database.
 * Only one partner's rows are held at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records.h"

/* The minimums, in the order of the tier's fields and the row's
 * figures. */
static const char *const criteria[PRM_TIER_CRITERIA] = {
    "min_won_value", "min_deals_won", "min_succeeded",
    "min_closed_success_rate", "min_communications"};

typedef struct tier_def {
    int64_t id, rank;
    char *name;
    bool has[PRM_TIER_CRITERIA];
    prm_value min[PRM_TIER_CRITERIA]; /* as the field's type reads */
} tier_def;

typedef struct tier_list {
    tier_def *t;
    size_t n, cap;
    prm_error *err;
} tier_list;

/* A partner's results over one tier's window. */
typedef struct figures {
    int64_t won_value, deals_won, succeeded, failed, communications;
} figures;

static void tiers_free(tier_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->t[i].name);
    free(l->t);
}

static bool take_tier(void *ctx, const prm_record *rec)
{
    tier_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        tier_def *more = realloc(l->t, cap * sizeof *more);
        if (more == NULL) {
            prm_error_nomem(l->err);
            return false;
        }
        l->t = more;
        l->cap = cap;
    }
    tier_def *t = &l->t[l->n];
    const prm_value *name = &rec->v[prm_field_index(rec->info, "name")];
    t->id = rec->v[prm_field_index(rec->info, "id")].i;
    t->rank = rec->v[prm_field_index(rec->info, "rank")].i;
    t->name = strndup(name->s, name->len);
    if (t->name == NULL) {
        prm_error_nomem(l->err);
        return false;
    }
    for (int c = 0; c < PRM_TIER_CRITERIA; c++) {
        t->min[c] = rec->v[prm_field_index(rec->info, criteria[c])];
        t->has[c] = t->min[c].type != PRM_V_NULL;
    }
    l->n++;
    return true;
}

static int by_rank_down(const void *a, const void *b)
{
    const tier_def *x = a, *y = b;
    return (x->rank < y->rank) - (x->rank > y->rank);
}

static prm_code load_tiers(prm_db *db, tier_list *l, prm_error *err)
{
    *l = (tier_list){.err = err};
    err->code = PRM_OK;
    prm_code rc = store_list(db, prm_kind_get(PRM_TIER), NULL, 0, false,
                             take_tier, l, err);
    if (rc == PRM_OK && err->code != PRM_OK)
        rc = err->code;
    if (rc == PRM_OK && l->n == 0)
        rc = prm_error_set(err, PRM_ENOT_FOUND,
                           "there are no tiers: add them first, e.g. tier add "
                           "name=Gold rank=3 min_deals_won=5");
    if (rc == PRM_OK)
        qsort(l->t, l->n, sizeof *l->t, by_rank_down);
    return rc;
}

/* --- qualification -------------------------------------------------------- */

static bool rate_of(const figures *f, double *rate)
{
    int64_t closed = f->succeeded + f->failed;
    if (closed == 0)
        return false;
    *rate = (double)f->succeeded / (double)closed;
    return true;
}

/* The partner's figure for criterion c, typed as the minimum is. */
static prm_value have(const figures *f, int c)
{
    double rate;
    switch (c) {
    case 0:
        return (prm_value){.type = PRM_V_MONEY, .i = f->won_value};
    case 1:
        return (prm_value){.type = PRM_V_INT, .i = f->deals_won};
    case 2:
        return (prm_value){.type = PRM_V_INT, .i = f->succeeded};
    case 3:
        return rate_of(f, &rate) ? (prm_value){.type = PRM_V_REAL, .r = rate}
                                 : (prm_value){.type = PRM_V_NULL};
    default:
        return (prm_value){.type = PRM_V_INT, .i = f->communications};
    }
}

static bool meets(const tier_def *t, const figures *f, int c)
{
    if (!t->has[c])
        return true;
    prm_value h = have(f, c);
    if (h.type == PRM_V_NULL)
        return false;
    if (h.type == PRM_V_REAL)
        return h.r >= t->min[c].r;
    return h.i >= t->min[c].i;
}

static bool qualifies(const tier_def *t, const figures *f)
{
    for (int c = 0; c < PRM_TIER_CRITERIA; c++)
        if (!meets(t, f, c))
            return false;
    return true;
}

/* --- the review ------------------------------------------------------------ */

typedef struct reviewer {
    const tier_list *tiers;
    figures *fig;                /* by tier, for the partner being read */
    int64_t partner;             /* 0: none yet */
    char *name, *tier;           /* the partner's, copied */
    bool has_tier;
    prm_tier_fn fn;
    void *ctx;
    bool stopped;
    prm_error *err;
} reviewer;

static int tier_index(const tier_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->t[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* A rank to compare: a tier's; below every tier, a tier that names none;
 * below that, no tier. */
static int64_t rank_of(const tier_list *l, int i, bool named)
{
    return i >= 0 ? l->t[i].rank : named ? -1 : -2;
}

static void fill_missing(const reviewer *r, int next, prm_tier_row *row)
{
    const tier_def *t = &r->tiers->t[next];
    const figures *f = &r->fig[next];
    row->next = t->name;
    for (int c = 0; c < PRM_TIER_CRITERIA; c++)
        if (!meets(t, f, c))
            row->missing[row->nmissing++] = (prm_tier_missing){
                .criterion = criteria[c], .have = have(f, c),
                .need = t->min[c]};
}

static bool emit(reviewer *r)
{
    const tier_list *l = r->tiers;
    int q = -1;
    for (size_t i = 0; i < l->n && q < 0; i++)
        if (qualifies(&l->t[i], &r->fig[i]))
            q = (int)i;
    int cur = r->has_tier ? tier_index(l, r->tier) : -1;
    prm_tier_row row = {.partner = r->partner,
                        .name = r->name,
                        .tier = r->has_tier ? r->tier : NULL,
                        .qualifies = q >= 0 ? l->t[q].name : NULL,
                        .nmissing = 0};
    int64_t now = rank_of(l, cur, r->has_tier), then = rank_of(l, q, false);
    row.change = (cur == q && (cur >= 0 || !r->has_tier)) ? "keep"
                 : then > now                             ? "promote"
                                                          : "demote";
    int next = q < 0 ? (int)l->n - 1 : q - 1;
    if (next >= 0)
        fill_missing(r, next, &row);
    return r->fn(r->ctx, &row);
}

static bool copy_col(char **out, const char *s)
{
    free(*out);
    *out = s ? strdup(s) : NULL;
    return s == NULL || *out != NULL;
}

static bool tier_row(void *ctx, const char *const *cols, size_t ncols)
{
    reviewer *r = ctx;
    (void)ncols;
    int64_t partner = strtoll(cols[0], NULL, 10);
    if (partner != r->partner) {
        if (r->partner != 0 && !emit(r)) {
            r->stopped = true;
            return false;
        }
        r->partner = partner;
        r->has_tier = cols[2] != NULL;
        if (!copy_col(&r->name, cols[1]) || !copy_col(&r->tier, cols[2])) {
            prm_error_nomem(r->err);
            return false;
        }
    }
    int64_t tier = strtoll(cols[3], NULL, 10);
    for (size_t i = 0; i < r->tiers->n; i++)
        if (r->tiers->t[i].id == tier)
            r->fig[i] = (figures){strtoll(cols[4], NULL, 10),
                                  strtoll(cols[5], NULL, 10),
                                  strtoll(cols[6], NULL, 10),
                                  strtoll(cols[7], NULL, 10),
                                  strtoll(cols[8], NULL, 10)};
    return true;
}

/* Read every partner in scope, each handed to fn as its row. */
static prm_code review(prm_db *db, const prm_arg *filters, size_t n,
                       const char *cmd, prm_tier_fn fn, void *ctx,
                       prm_error *err)
{
    store_scope scope = {.has_partner = false};
    core_scope_text text;
    for (size_t i = 0; i < n; i++)
        if (strcmp(filters[i].key, "since") == 0 ||
            strcmp(filters[i].key, "until") == 0)
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "%s takes no %s=: each tier counts over its "
                                 "own window_days",
                                 cmd, filters[i].key);
    prm_code rc = core_parse_scope(db, filters, n, &scope, &text, cmd, err);
    tier_list tiers;
    if (rc == PRM_OK)
        rc = load_tiers(db, &tiers, err);
    if (rc != PRM_OK)
        return rc;
    reviewer r = {.tiers = &tiers, .fn = fn, .ctx = ctx, .err = err};
    r.fig = calloc(tiers.n, sizeof *r.fig);
    err->code = PRM_OK;
    if (r.fig == NULL)
        rc = prm_error_nomem(err);
    else
        rc = store_tier_rows(db, &scope, store_now(db), tier_row, &r, err);
    if (rc == PRM_OK && err->code != PRM_OK)
        rc = err->code;
    if (rc == PRM_OK && r.partner != 0 && !r.stopped)
        emit(&r);
    free(r.fig);
    free(r.name);
    free(r.tier);
    tiers_free(&tiers);
    return rc;
}

prm_code prm_tier_review(prm_db *db, const prm_arg *filters, size_t n,
                         prm_tier_fn fn, void *ctx, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc == PRM_OK)
        rc = review(db, filters, n, "tier review", fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

/* --- apply ------------------------------------------------------------------ */

typedef struct change {
    int64_t partner;
    char *tier; /* NULL: none */
} change;

typedef struct applier {
    change *c;
    size_t n, cap;
    prm_tier_fn fn;
    void *ctx;
    prm_error *err;
} applier;

static bool note_change(void *ctx, const prm_tier_row *row)
{
    applier *a = ctx;
    if (strcmp(row->change, "keep") == 0)
        return true;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        change *more = realloc(a->c, cap * sizeof *more);
        if (more == NULL) {
            prm_error_nomem(a->err);
            return false;
        }
        a->c = more;
        a->cap = cap;
    }
    char *tier = row->qualifies ? strdup(row->qualifies) : NULL;
    if (row->qualifies != NULL && tier == NULL) {
        prm_error_nomem(a->err);
        return false;
    }
    a->c[a->n++] = (change){row->partner, tier};
    return a->fn == NULL || a->fn(a->ctx, row);
}

/* The changes are read first and written after: a write never runs
 * inside the read that finds it. */
static prm_code write_changes(prm_db *db, const applier *a, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_PARTNER);
    int i = prm_field_index(info, "tier");
    prm_code rc = PRM_OK;
    for (size_t k = 0; k < a->n && rc == PRM_OK; k++) {
        store_row row = {.set = {false}};
        row.set[i] = true;
        row.v[i] = a->c[k].tier ? (prm_value){.type = PRM_V_TEXT,
                                              .s = a->c[k].tier,
                                              .len = strlen(a->c[k].tier)}
                                : (prm_value){.type = PRM_V_NULL};
        rc = store_update(db, info, a->c[k].partner, &row, err);
    }
    return rc;
}

prm_code prm_tier_apply(prm_db *db, const prm_arg *filters, size_t n,
                        prm_tier_fn fn, void *ctx, int64_t *changed,
                        prm_error *err)
{
    applier a = {.fn = fn, .ctx = ctx, .err = err};
    *changed = 0;
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc != PRM_OK)
        return rc;
    err->code = PRM_OK;
    rc = review(db, filters, n, "tier apply", note_change, &a, err);
    if (rc == PRM_OK && err->code != PRM_OK)
        rc = err->code;
    if (rc == PRM_OK)
        rc = write_changes(db, &a, err);
    if (rc == PRM_OK && a.n == 0)
        store_unchanged(db);
    if (rc == PRM_OK)
        *changed = (int64_t)a.n;
    for (size_t k = 0; k < a.n; k++)
        free(a.c[k].tier);
    free(a.c);
    return store_cmd_end(db, rc, err);
}

/* --- words -------------------------------------------------------------------- */

static void value_text(const prm_value *v, char *out, size_t size)
{
    if (v->type == PRM_V_MONEY)
        prm_format_money(v->i, out, size);
    else if (v->type == PRM_V_REAL)
        prm_format_number(v->r, out, size);
    else if (v->type == PRM_V_INT)
        snprintf(out, size, "%lld", (long long)v->i);
    else
        snprintf(out, size, "none");
}

void prm_tier_missing_text(const prm_tier_row *row, char *out, size_t size)
{
    static const char *const nouns[PRM_TIER_CRITERIA][2] = {
        {"won value", "won value"},
        {"won deal", "won deals"},
        {"succeeded project", "succeeded projects"},
        {NULL, NULL},
        {"communication", "communications"}};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < row->nmissing && len < size; i++) {
        const prm_tier_missing *m = &row->missing[i];
        int c = 0;
        while (c < PRM_TIER_CRITERIA && strcmp(criteria[c], m->criterion))
            c++;
        char have_text[PRM_MONEY_TEXT], need_text[PRM_MONEY_TEXT];
        value_text(&m->have, have_text, sizeof have_text);
        value_text(&m->need, need_text, sizeof need_text);
        const char *sep = i ? ", " : "needs ";
        if (c == 3) {
            len += (size_t)snprintf(out + len, size - len,
                                    "%sa closed success rate of %s (has %s)",
                                    sep, need_text, have_text);
            continue;
        }
        prm_value more = m->need;
        more.i -= m->have.i;
        value_text(&more, need_text, sizeof need_text);
        len += (size_t)snprintf(out + len, size - len, "%s%s more %s", sep,
                                need_text,
                                nouns[c][more.type != PRM_V_INT || more.i != 1]);
    }
}

/* --- the rule a tier keeps ------------------------------------------------- */

static bool any_minimum(void *ctx, const prm_record *rec)
{
    bool *any = ctx;
    for (int c = 0; c < PRM_TIER_CRITERIA; c++)
        if (rec->v[prm_field_index(rec->info, criteria[c])].type != PRM_V_NULL)
            *any = true;
    return false;
}

prm_code core_tier_written(prm_db *db, int64_t id, prm_error *err)
{
    bool any = false;
    prm_code rc = store_fetch(db, prm_kind_get(PRM_TIER), id, any_minimum,
                              &any, err);
    if (rc != PRM_OK || any)
        return rc;
    return prm_error_set(err, PRM_EMISSING_FIELD,
                         "a tier needs at least one minimum: min_won_value=, "
                         "min_deals_won=, min_succeeded=, "
                         "min_closed_success_rate= or min_communications=");
}
