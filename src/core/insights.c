/*
 * insights.c - opportunity mining: where a partner manager should act next.
 *
 * Five rules, ranked in this order (most urgent first), and within each by
 * the numbers that make a finding matter most:
 *   stalled_project  an active project past its due date, or not updated
 *                    for stalled_days (30)            - most overdue first
 *   dormant_partner  a partner with projects and no communication for
 *                    dormant_days (90), or ever       - most projects first
 *   idle_resources   resources committed to a project (not planned) that
 *                    has produced no outcome          - most resources first
 *   expand_partner   a partner with a closed success rate of expand_rate
 *                    (0.6) or more, or an efficiency of expand_efficiency
 *                    (1.0) or more, but expand_max_projects (2) projects or
 *                    fewer                            - best rate first
 *   coverage_gap     a region or partner type with activity (projects or
 *                    communications) but gap_max_partners (1) active
 *                    partners or fewer                - most activity first
 * and three of deals, ranked among them: deal_conflict (a submitted deal
 * in conflict: decide; first of all), deal_expiring (approved, protection
 * ending within expiring_days (14); after stalled projects) and
 * deal_past_close (approved, its close date passed).
 * Inactive partners are left out unless status= asks for them.  The SQL is
 * in store/sql_insights.c.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

static const struct threshold {
    const char *name;
    size_t offset;
    double fallback, max;
} thresholds[] = {
#define THRESHOLD(name, fallback, max)                                       \
    {#name, offsetof(store_thresholds, name), fallback, max},
    CORE_INSIGHT_THRESHOLDS(THRESHOLD)
#undef THRESHOLD
};
#define NTHRESHOLDS (sizeof thresholds / sizeof thresholds[0])

static const struct rule_info {
    const char *name, *subject;
    const char *numbers[4];
} rules[RULE_COUNT] = {
    [RULE_STALLED] = {"stalled_project", "project",
                      {"progress", "days_past_due", "days_since_update"}},
    [RULE_DORMANT] = {"dormant_partner", "partner",
                      {"projects", "days_since_contact"}},
    [RULE_IDLE] = {"idle_resources", "project", {"resources", "amount"}},
    [RULE_EXPAND] = {"expand_partner", "partner",
                     {"projects", "closed_success_rate",
                      "resource_efficiency"}},
    [RULE_GAP] = {"coverage_gap", "region",
                  {"active_partners", "partners", "projects",
                   "communications"}},
    [RULE_DEAL_CONFLICT] = {"deal_conflict", "deal", {"conflicts"}},
    [RULE_DEAL_EXPIRING] = {"deal_expiring", "deal", {"days_left"}},
    [RULE_DEAL_PAST_CLOSE] = {"deal_past_close", "deal", {"days_past_close"}},
};

/* A number of days, to four decimal places (under nine seconds): the
 * difference of two Julian days carries the noise of their magnitude
 * (122.55373842595145 for 122 days 13:17:23), which a program reading
 * the JSON should not see.  Other numbers are as computed. */
static double day_figure(const char *name, double v)
{
    if (strncmp(name, "days_", 5) != 0)
        return v;
    return round(v * 1e4) / 1e4;
}

typedef struct miner {
    prm_finding_fn fn;
    void *ctx;
    const store_thresholds *t;
    int rank;
} miner;

/* The plural's "s" for a count shown with %.0f: none when it reads "1"
 * (0.54 days reads "1 day"). */
static const char *plural(double shown)
{
    char n[32];
    snprintf(n, sizeof n, "%.0f", shown);
    return strcmp(n, "1") == 0 ? "" : "s";
}

static void message(const store_insight_row *r, const store_thresholds *t,
                    char *buf, size_t size)
{
    const double *v = r->v;
    switch (r->rule) {
    case RULE_STALLED:
        if (r->has[1])
            snprintf(buf, size, "active, %.0f%% done, %.0f day%s past due",
                     v[0], v[1], plural(v[1]));
        else
            snprintf(buf, size,
                     "active, %.0f%% done, not updated for %.0f day%s "
                     "(threshold %.0f)",
                     v[0], v[2], plural(v[2]), t->stalled_days);
        break;
    case RULE_DORMANT:
        if (r->has[1])
            snprintf(buf, size,
                     "%.0f project%s but no contact for %.0f day%s "
                     "(threshold %.0f): worth a call",
                     v[0], plural(v[0]), v[1], plural(v[1]), t->dormant_days);
        else
            snprintf(buf, size,
                     "%.0f project%s but never contacted: worth a call",
                     v[0], plural(v[0]));
        break;
    case RULE_IDLE:
        snprintf(buf, size,
                 "%.0f resource%s committed, no outcome yet: review them",
                 v[0], plural(v[0]));
        break;
    case RULE_DEAL_CONFLICT:
        snprintf(buf, size,
                 "submitted and in conflict with %.0f other deal%s: approve "
                 "one, reject the rest",
                 v[0], plural(v[0]));
        break;
    case RULE_DEAL_EXPIRING:
        snprintf(buf, size,
                 "approved; its protection ends in %.1f days (threshold "
                 "%.0f): extend it or close it",
                 v[0], t->expiring_days);
        break;
    case RULE_DEAL_PAST_CLOSE:
        snprintf(buf, size,
                 "approved, expected to close %.0f day%s ago: mark it won or "
                 "lost",
                 v[0], plural(v[0]));
        break;
    case RULE_EXPAND:
        snprintf(buf, size,
                 "does well (closed success %s, efficiency %s) with only "
                 "%.0f project%s: propose more",
                 r->has[1] ? (v[1] >= t->expand_rate ? "high" : "low") : "n/a",
                 r->has[2] ? (v[2] >= t->expand_efficiency ? "high" : "low")
                           : "n/a",
                 v[0], plural(v[0]));
        break;
    default:
        snprintf(buf, size,
                 "%.0f project%s and %.0f communication%s but %.0f active "
                 "partner%s: recruit more",
                 v[2], plural(v[2]), v[3], plural(v[3]), v[0],
                 plural(v[0]));
    }
}

static bool emit(void *ctx, const store_insight_row *r)
{
    miner *m = ctx;
    const struct rule_info *info = &rules[r->rule];
    char text[256];
    message(r, m->t, text, sizeof text);
    prm_finding f = {
        .rank = ++m->rank,
        .rule = info->name,
        .subject = r->rule == RULE_GAP && r->dimension ? "type" : info->subject,
        .id = r->id,
        .name = r->name ? r->name : "",
        .message = text,
    };
    for (size_t i = 0; i < 4 && info->numbers[i]; i++) {
        f.number_names[i] = info->numbers[i];
        f.numbers[i] = day_figure(info->numbers[i], r->v[i]);
        f.has_number[i] = r->has[i];
        f.nnumbers++;
    }
    return m->fn(m->ctx, &f);
}

static prm_code threshold_arg(const prm_arg *a, store_thresholds *t,
                              int64_t *limit, bool *taken, prm_error *err)
{
    *taken = true;
    if (strcmp(a->key, "limit") == 0)
        return core_parse_whole(a, limit, err);
    for (size_t i = 0; i < NTHRESHOLDS; i++) {
        if (strcmp(a->key, thresholds[i].name) != 0)
            continue;
        double v;
        if (!prm_parse_number(a->value, &v) || v > thresholds[i].max)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%.40s': a number from 0 to %g",
                                 a->key, a->value, thresholds[i].max);
        *(double *)((char *)t + thresholds[i].offset) = v;
        return PRM_OK;
    }
    *taken = false;
    return PRM_OK;
}

prm_code prm_insights(prm_db *db, const prm_arg *filters, size_t nfilters,
                      prm_finding_fn fn, void *ctx, prm_error *err)
{
    store_thresholds t;
    for (size_t i = 0; i < NTHRESHOLDS; i++)
        *(double *)((char *)&t + thresholds[i].offset) = thresholds[i].fallback;
    int64_t limit = 10;
    prm_arg scope_args[16];
    size_t nscope = 0;
    for (size_t i = 0; i < nfilters; i++) {
        bool taken;
        prm_code rc = threshold_arg(&filters[i], &t, &limit, &taken, err);
        if (rc != PRM_OK)
            return rc;
        if (taken)
            continue;
        if (nscope == sizeof scope_args / sizeof scope_args[0])
            return prm_error_set(err, PRM_ESYNTAX, "too many filters");
        scope_args[nscope++] = filters[i];
    }
    store_scope scope = {.has_partner = false};
    core_scope_text text;
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = core_parse_scope(db, scope_args, nscope, &scope, &text, "insights",
                          err);
    miner m = {fn, ctx, &t, 0};
    for (int r = 0; r < RULE_COUNT && rc == PRM_OK; r++)
        rc = store_insights(db, (store_rule)r, &scope, &t, limit, emit, &m,
                            err);
    return store_cmd_end(db, rc, err);
}
