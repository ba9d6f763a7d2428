/*
 * report.c - report partners: every partner in scope side by side.
 *
 * Each row's figures are metrics partner=ID's, with the same date window;
 * they come from one SQL statement of indexed per-partner aggregates
 * (store_metrics.c), streamed a row at a time.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

/* The fields sort= may name. */
static const char *const sort_fields[] = {
    "partner",        "name",          "projects",
    "succeeded",      "failed",        "project_success_rate",
    "communications", "last_contact",  "resources",
    "outcomes",       "resource_efficiency", "health", NULL};

static prm_code report_option(const prm_arg *a, const char **sort,
                              int64_t *limit, prm_error *err)
{
    if (strcmp(a->key, "limit") == 0) {
        const char *v = a->value;
        bool digits = *v != '\0' && strlen(v) <= 18;
        for (const char *p = v; *p && digits; p++)
            digits = isdigit((unsigned char)*p);
        if (!digits)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid limit '%.40s': a whole number", v);
        *limit = strtoll(v, NULL, 10);
        return PRM_OK;
    }
    for (size_t i = 0; sort_fields[i] != NULL; i++)
        if (strcmp(sort_fields[i], a->value) == 0) {
            *sort = sort_fields[i];
            return PRM_OK;
        }
    return prm_error_choice(
        err, PRM_EINVALID_VALUE, "invalid sort", a->value, "", "sort by",
        "partner, name, projects, succeeded, failed, project_success_rate, "
        "communications, last_contact, resources, outcomes, "
        "resource_efficiency, health");
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
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
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
    static const char *const names[] = {"month", "quarter", "year"};
    for (int i = 0; i < 3; i++)
        if (strcmp(a->value, names[i]) == 0) {
            *by = (store_period)i;
            return PRM_OK;
        }
    return prm_error_choice(err, PRM_EINVALID_VALUE, "invalid by", a->value,
                            "", "by is one of", "month, quarter, year");
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
        rc = store_trend(db, &scope, by, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}
