/*
 * report.c - report partners: every partner in scope side by side.
 *
 * Each row's figures are metrics partner=ID's, with the same date window;
 * they come from one SQL statement of indexed per-partner aggregates
 * (store/sql_metrics.c), streamed a row at a time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

const char *const prm_report_sort_fields[] = {
    "partner",        "name",          "projects",
    "succeeded",      "failed",        "project_success_rate",
    "communications", "last_contact",  "resources",
    "outcomes",       "resource_efficiency", "health",
    "deals",          "deals_won",     "deal_win_rate", "won_value", NULL};

static prm_code report_option(const prm_arg *a, const char **sort,
                              int64_t *limit, prm_error *err)
{
    if (strcmp(a->key, "limit") == 0)
        return core_parse_whole(a, limit, err);
    for (size_t i = 0; prm_report_sort_fields[i] != NULL; i++)
        if (strcmp(prm_report_sort_fields[i], a->value) == 0) {
            *sort = prm_report_sort_fields[i];
            return PRM_OK;
        }
    char names[512];
    return prm_error_choice(err, PRM_EINVALID_VALUE, "invalid sort", a->value,
                            "", "sort by",
                            prm_words_text(prm_report_sort_fields, names,
                                           sizeof names));
}

prm_code prm_report_partners(prm_db *db, const prm_arg *filters,
                             size_t nfilters, prm_report_fn fn, void *ctx,
                             prm_error *err)
{
    prm_arg scope_args[16];
    size_t nscope = 0;
    const char *sort = NULL;
    int64_t limit = 0;
    for (size_t i = 0; i < nfilters; i++) {
        bool option = strcmp(filters[i].key, "sort") == 0 ||
                      strcmp(filters[i].key, "limit") == 0;
        if (!option && nscope == sizeof scope_args / sizeof scope_args[0])
            return prm_error_set(err, PRM_ESYNTAX, "too many filters");
        if (!option) {
            scope_args[nscope++] = filters[i];
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(filters[i].key, filters[j].key) == 0)
                return prm_error_set(err, PRM_ESYNTAX,
                                     "%s is given twice; give it once",
                                     filters[i].key);
        prm_code rc = report_option(&filters[i], &sort, &limit, err);
        if (rc != PRM_OK)
            return rc;
    }
    store_scope scope = {.has_partner = false};
    core_scope_text text;
    /* Without dates each partner's figures are read in id order, each
     * page once, which a small page cache serves: memory then stays the
     * same however many partners there are.  Over dates they are counted,
     * reading projects at random, which a large cache speeds up. */
    bool dated = false;
    for (size_t i = 0; i < nscope; i++)
        dated |= strcmp(scope_args[i].key, "since") == 0 ||
                 strcmp(scope_args[i].key, "until") == 0;
    prm_code rc = store_cmd_begin(db, dated ? STORE_READ : STORE_SCAN, err);
    if (rc != PRM_OK)
        return rc;
    rc = core_parse_scope(db, scope_args, nscope, &scope, &text,
                          "report partners", err);
    if (rc == PRM_OK)
        rc = store_report(db, &scope, sort, limit, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

/* --- report trend ---------------------------------------------------------- */

static prm_code period_arg(const prm_arg *a, store_period *by, prm_error *err)
{
    /* prm_trend_periods is in store_period's order. */
    for (int i = 0; prm_trend_periods[i] != NULL; i++)
        if (strcmp(a->value, prm_trend_periods[i]) == 0) {
            *by = (store_period)i;
            return PRM_OK;
        }
    char names[64];
    return prm_error_choice(err, PRM_EINVALID_VALUE, "invalid by", a->value,
                            "", "by is one of",
                            prm_words_text(prm_trend_periods, names,
                                           sizeof names));
}

/* A period with nothing in it is still a period: a chart that skipped it
 * would draw March next to November.  The store gives the periods that
 * have rows; these pass them on with the empty ones between them, and
 * after the last up to the window's end or today, whichever is sooner
 * (zeros in the period, the running totals unchanged). */
typedef struct trend_fill {
    prm_trend_fn fn;
    void *ctx;
    store_period by;
    /* the period after the last passed on; "" none */
    char next[STORE_PERIOD_SIZE];
    prm_metrics total;      /* the running totals at its end */
    bool stopped;           /* fn asked for no more */
} trend_fill;

/* Pass on the empty periods from next up to period, and period itself
 * when inclusive. */
static bool fill_until(trend_fill *f, const char *period, bool inclusive)
{
    while (f->next[0] != '\0' && !f->stopped) {
        int order = strcmp(f->next, period);
        if (order > 0 || (order == 0 && !inclusive))
            break;
        prm_trend_row empty = {.period = f->next, .total = f->total};
        f->stopped = !f->fn(f->ctx, &empty);
        if (!store_period_next(f->by, f->next))
            f->next[0] = '\0';
    }
    return !f->stopped;
}

static bool fill_row(void *ctx, const prm_trend_row *row)
{
    trend_fill *f = ctx;
    if (!fill_until(f, row->period, false))
        return false;
    f->total = row->total;
    f->stopped = !f->fn(f->ctx, row);
    snprintf(f->next, sizeof f->next, "%s", row->period);
    if (!store_period_next(f->by, f->next))
        f->next[0] = '\0';
    return !f->stopped;
}

static prm_code trend_filled(prm_db *db, const store_scope *scope,
                             store_period by, prm_trend_fn fn, void *ctx,
                             prm_error *err)
{
    trend_fill f = {.fn = fn, .ctx = ctx, .by = by, .next = ""};
    prm_code rc = store_trend(db, scope, by, fill_row, &f, err);
    const char *now = store_now(db);
    const char *end = scope->until != NULL && strcmp(scope->until, now) < 0
                          ? scope->until
                          : now;
    char last[STORE_PERIOD_SIZE];
    store_period_of(by, end, last);
    if (rc == PRM_OK)
        fill_until(&f, last, true);
    return rc;
}

prm_code prm_trend(prm_db *db, const prm_arg *filters, size_t nfilters,
                   prm_trend_fn fn, void *ctx, prm_error *err)
{
    prm_arg scope_args[16];
    size_t nscope = 0;
    store_period by = PERIOD_MONTH;
    for (size_t i = 0; i < nfilters; i++) {
        if (strcmp(filters[i].key, "by") == 0) {
            prm_code rc = period_arg(&filters[i], &by, err);
            if (rc != PRM_OK)
                return rc;
        } else if (nscope < sizeof scope_args / sizeof scope_args[0]) {
            scope_args[nscope++] = filters[i];
        } else {
            return prm_error_set(err, PRM_ESYNTAX, "too many filters");
        }
    }
    store_scope scope = {.has_partner = false};
    core_scope_text text;
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = core_parse_scope(db, scope_args, nscope, &scope, &text,
                          "report trend", err);
    if (rc == PRM_OK)
        rc = trend_filled(db, &scope, by, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}
