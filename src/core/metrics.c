/*
 * metrics.c - the partnership metrics (doc/prm.1, METRICS).
 *
 * The counts come from SQL aggregates in the storage layer; this file only
 * reads the filters and divides.  A ratio with nothing to divide by has no
 * value (null in JSON, n/a in text): never 0, NaN or infinity.
 */
#include <string.h>
#include <strings.h>

#include "records.h"
#include "store/store.h"

static prm_code partner_status(const prm_arg *a, const char **out,
                               prm_error *err)
{
    const prm_field *f = prm_field_find(prm_kind_get(PRM_PARTNER), "status");
    for (size_t i = 0; f->choices[i] != NULL; i++)
        if (strcasecmp(f->choices[i], a->value) == 0) {
            *out = f->choices[i];
            return PRM_OK;
        }
    char allowed[128];
    return prm_error_choice(err, PRM_EINVALID_VALUE, "invalid status",
                            a->value, "", "allowed",
                            prm_words_text(f->choices, allowed,
                                           sizeof allowed));
}

static prm_code scope_arg(prm_db *db, const prm_arg *a, store_scope *s,
                          core_scope_text *t, const char *cmd,
                          prm_error *err)
{
    const char *k = a->key;
    if (strcmp(k, "partner") == 0) {
        s->has_partner = true;
        return prm_resolve(db, PRM_PARTNER, a->value, &s->partner, err);
    }
    if (strcmp(k, "type") == 0)
        s->type = a->value;
    else if (strcmp(k, "region") == 0)
        s->region = a->value;
    else if (strcmp(k, "status") == 0)
        return partner_status(a, &s->status, err);
    else if (strcmp(k, "since") == 0) {
        s->since = t->since;
        return core_window_date(a, t->since, false, err);
    } else if (strcmp(k, "until") == 0) {
        s->until = t->until;
        return core_window_date(a, t->until, true, err);
    } else {
        char names[512], where[64];
        prm_words_text(prm_command_keys(cmd), names, sizeof names);
        snprintf(where, sizeof where, " for %s", cmd);
        return prm_error_choice(err, PRM_EUNKNOWN_FIELD, "unknown filter", k,
                                where, "filters are", names);
    }
    return PRM_OK;
}

prm_code core_parse_scope(prm_db *db, const prm_arg *filters, size_t n,
                          store_scope *s, core_scope_text *t, const char *cmd,
                          prm_error *err)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(filters[i].key, filters[j].key) == 0)
                return prm_error_set(err, PRM_ESYNTAX,
                                     "%s is given twice; give each filter "
                                     "once",
                                     filters[i].key);
        prm_code rc = scope_arg(db, &filters[i], s, t, cmd, err);
        if (rc != PRM_OK)
            return rc;
    }
    return core_window_check(s->since, s->until, err);
}

prm_code prm_metrics_compute(prm_db *db, const prm_arg *filters,
                             size_t nfilters, prm_metrics *out,
                             prm_error *err)
{
    store_scope scope = {.has_partner = false};
    core_scope_text text;
    *out = (prm_metrics){0};
    /* One read transaction, so that every count sees the same state even
     * while another process writes; counts read each page once. */
    prm_code rc = store_cmd_begin(db, STORE_SCAN, err);
    if (rc != PRM_OK)
        return rc;
    rc = core_parse_scope(db, filters, nfilters, &scope, &text, "metrics",
                          err);
    if (rc == PRM_OK)
        rc = store_metrics(db, &scope, out, err);
    return store_cmd_end(db, rc, err);
}

static bool ratio(int64_t num, int64_t den, double *out)
{
    if (den == 0)
        return false;
    *out = (double)num / (double)den;
    return true;
}

bool prm_relationship_degree(const prm_metrics *m, double *out)
{
    return ratio(m->projects, m->partners, out);
}

bool prm_project_success_rate(const prm_metrics *m, double *out)
{
    return ratio(m->succeeded, m->projects, out);
}

bool prm_closed_success_rate(const prm_metrics *m, double *out)
{
    return ratio(m->succeeded, m->succeeded + m->failed, out);
}

bool prm_resource_efficiency(const prm_metrics *m, double *out)
{
    return ratio(m->outcomes, m->resources, out);
}

bool prm_deal_win_rate(const prm_metrics *m, double *out)
{
    return ratio(m->deals_won, m->deals_won + m->deals_lost, out);
}

bool prm_deal_approval_rate(const prm_metrics *m, double *out)
{
    return ratio(m->deals_approved, m->deals_approved + m->deals_rejected,
                 out);
}
