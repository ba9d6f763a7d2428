/*
 * sql_list.c - the SQL of a list: the records of a kind that match every
 * filter, each filter a condition over the kind's columns (or over what
 * works a computed field out), its values bound as parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "store/engine.h"
#include "store/seal.h"

/* Bind v as the next parameter; its number. */
static size_t where_value(store_where *w, prm_value v)
{
    w->params[w->n++] = v;
    return w->n;
}

static size_t where_text(store_where *w, const char *s)
{
    return where_value(w, (prm_value){.type = PRM_V_TEXT, .s = s,
                                      .len = strlen(s)});
}

/* A project's partners are exactly those of v: the first partner's
 * projects (indexed), then the whole list as text in ascending order. */
static void partners_are(sqlbuf *b, const prm_value *v, const sql_dialect *d,
                         store_where *w)
{
    if (v->nids == 0) {
        sql_add(b, "FALSE");
        return;
    }
    char *text = store_ids_text(v->ids, v->nids);
    if (text == NULL) {
        w->failed = true;
        return;
    }
    w->owned[w->nowned++] = text;
    size_t first = where_value(w, (prm_value){.type = PRM_V_INT,
                                               .i = v->ids[0]});
    size_t list = where_text(w, text);
    sql_add(b, "t.id IN (SELECT project_id FROM project_partners WHERE "
               "partner_id = $%zu) AND %s = $%zu",
            first, d->partner_ids, list);
}

/* A deal's status as it reads at the clock f->lo (store_deal_expired),
 * whether it is active, whether it expires soon. */
static void deal_filter_sql(sqlbuf *b, const store_filter *f, store_where *w)
{
    bool stored = f->op == SF_DEAL_STATUS &&
                  strcmp(f->value.s, "expired") != 0 &&
                  strcmp(f->value.s, "approved") != 0;
    if (stored) { /* never read otherwise: no clock */
        sql_add(b, "t.status = $%zu", where_value(w, f->value));
        return;
    }
    size_t now = where_text(w, f->lo);
    if (f->op == SF_DEAL_EXPIRING)
        sql_add(b, "(t.status = 'approved' AND t.expires > $%zu AND "
                   "t.expires <= $%zu)", now, where_text(w, f->hi));
    else if (f->op == SF_DEAL_ACTIVE)
        sql_add(b, "%s(t.status = 'submitted' OR (t.status = 'approved' AND "
                   "(t.expires IS NULL OR t.expires > $%zu)))",
                f->value.i ? "" : "NOT ", now);
    else if (strcmp(f->value.s, "expired") == 0)
        sql_add(b, "(t.status = 'approved' AND t.expires <= $%zu)", now);
    else
        sql_add(b, "(t.status = 'approved' AND (t.expires IS NULL OR "
                   "t.expires > $%zu))", now);
}

static void filter_sql(sqlbuf *b, const prm_kind_info *info,
                       const store_filter *f, const sql_dialect *d,
                       store_where *w)
{
    /* A field's column, or the SQL that works a computed one out. */
    char lhs[600] = "";
    bool on_field = f->op <= SF_RANGE || f->op == SF_SEALED_EQ;
    const char *col = on_field ? store_column(&info->fields[f->field]) : NULL;
    if (col != NULL)
        snprintf(lhs, sizeof lhs, "t.\"%s\"", col);
    else if (on_field)
        snprintf(lhs, sizeof lhs, "%s",
                 store_fund_sql(info->fields[f->field].name));
    switch (f->op) {
    case SF_EQ:
        if (col != NULL && strcmp(col, "name") == 0) /* without regard to case */
            sql_add(b, d->name_is, where_value(w, f->value));
        else
            sql_add(b, "%s = $%zu", lhs, where_value(w, f->value));
        break;
    case SF_SEALED_EQ:
        sql_add(b, "substr(%s, 1, %d) = $%zu", lhs, STORE_SEAL_PREFIX_LEN,
                where_value(w, f->value));
        break;
    case SF_NULL:
        sql_add(b, "%s IS NULL", lhs);
        break;
    case SF_RANGE: {
        size_t lo = where_text(w, f->lo), hi = where_text(w, f->hi);
        sql_add(b, "%s BETWEEN $%zu AND $%zu", lhs, lo, hi);
        break;
    }
    case SF_DEAL_STATUS:
    case SF_DEAL_ACTIVE:
    case SF_DEAL_EXPIRING:
        deal_filter_sql(b, f, w);
        break;
    case SF_DEAL_CONFLICTS:
        sql_add(b, "%sEXISTS (", f->value.i ? "" : "NOT ");
        store_deal_pairs(b, false, false);
        sql_add(b, ")");
        break;
    case SF_TASK_OVERDUE:
        sql_add(b, "%s(t.status = 'open' AND t.due IS NOT NULL AND t.due < $%zu)",
                f->value.i ? "" : "NOT ", where_text(w, f->lo));
        break;
    case SF_WINDOW: {
        size_t lo = where_text(w, f->lo), hi = where_text(w, f->hi);
        sql_add(b, "%s BETWEEN $%zu AND $%zu", store_date_sql(info), lo, hi);
        break;
    }
    case SF_HAS_PARTNER:
        sql_add(b, "t.id IN (SELECT project_id FROM project_partners WHERE "
                   "partner_id = $%zu)", where_value(w, f->value));
        break;
    case SF_HAS_PROJECT:
        sql_add(b, "t.id IN (SELECT partner_id FROM project_partners WHERE "
                   "project_id = $%zu)", where_value(w, f->value));
        break;
    case SF_PARTNER_WORK:
        sql_add(b, "t.project_id IN (SELECT project_id FROM project_partners "
                   "WHERE partner_id = $%zu)", where_value(w, f->value));
        break;
    case SF_PARTNERS_ARE:
        partners_are(b, &f->value, d, w);
        break;
    case SF_OWNER: /* records.c refuses owner= where there are none */
        if (d->owners)
            sql_add(b, "t.owner = $%zu", where_value(w, f->value));
        else
            sql_add(b, "FALSE");
        break;
    }
}

prm_code store_list_sql(sqlbuf *b, const prm_kind_info *info,
                        const store_filter *filters, size_t nfilters,
                        bool names, const sql_dialect *d, store_where *w,
                        prm_error *err)
{
    *w = (store_where){.n = 0};
    /* At most two values and one text of its own a filter. */
    w->params = malloc((2 * nfilters + 1) * sizeof *w->params);
    w->owned = malloc((nfilters + 1) * sizeof *w->owned);
    if (w->params == NULL || w->owned == NULL) {
        store_where_free(w);
        return prm_error_nomem(err);
    }
    store_select_list(b, info, names, d);
    for (size_t i = 0; i < nfilters; i++) {
        sql_add(b, i ? " AND " : " WHERE ");
        filter_sql(b, info, &filters[i], d, w);
    }
    sql_add(b, " ORDER BY t.id");
    prm_code rc = PRM_OK;
    if (w->failed)
        rc = prm_error_nomem(err);
    else if (b->overflow)
        rc = prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    if (rc != PRM_OK)
        store_where_free(w);
    return rc;
}

void store_where_free(store_where *w)
{
    for (size_t i = 0; w->owned != NULL && i < w->nowned; i++)
        free(w->owned[i]);
    free(w->owned);
    free(w->params);
    *w = (store_where){.n = 0};
}
