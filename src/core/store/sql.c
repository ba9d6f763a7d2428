/*
 * sql.c - SQL text both engines use: a bounded builder, the tables and
 * columns of the kinds, what refers to a record and what a cascade
 * deletes, and the helpers for a project's partner ids.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/engine.h"
#include "store/seal.h"

void sql_add(sqlbuf *b, const char *fmt, ...)
{
    if (b->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, sizeof b->text - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof b->text - b->len)
        b->overflow = true;
    else
        b->len += (size_t)n;
}

/* --- tables and columns, the same on every engine --------------------- */

const char *store_table(const prm_kind_info *info)
{
    return info->plural; /* the tables are named for the plurals */
}

/* --- SQL and helpers both engines use --------------------------------------
 * Parameters are written $1: PostgreSQL's form, which SQLite also reads
 * (as one named parameter, the first). */

static const store_derived derived_columns[] = {
    {PRM_DEAL, "customer_key", "prm_customer_key", "customer"},
    {PRM_DEAL, "domain_root", "prm_domain_root", "domain"},
};

size_t store_derived_of(const prm_kind_info *info, const store_derived **out)
{
    size_t n = 0;
    *out = NULL;
    for (size_t i = 0; i < sizeof derived_columns / sizeof *derived_columns;
         i++)
        if (derived_columns[i].kind == info->kind) {
            if (n++ == 0)
                *out = &derived_columns[i];
        }
    return n;
}

/* The counts of store_deps_sql: one per kind in prm_kind order, each the
 * records of that kind that refer to $1 (0 where none can). */
static const char *const deps_sql[PRM_KIND_COUNT] = {
    [PRM_PARTNER] =
        "SELECT 0, (SELECT count(*) FROM project_partners WHERE partner_id = "
        "$1), (SELECT count(*) FROM communications WHERE partner_id = $1), "
        "(SELECT count(*) FROM resources WHERE partner_id = $1), 0, (SELECT "
        "count(*) FROM deals WHERE partner_id = $1), (SELECT count(*) FROM "
        "tasks WHERE partner_id = $1), 0, (SELECT count(*) FROM requests "
        "WHERE partner_id = $1), 0, 0",
    [PRM_PROJECT] =
        "SELECT 0, 0, (SELECT count(*) FROM communications WHERE project_id "
        "= $1), (SELECT count(*) FROM resources WHERE project_id = $1), "
        "(SELECT count(*) FROM outcomes WHERE project_id = $1), 0, (SELECT "
        "count(*) FROM tasks WHERE project_id = $1), 0, (SELECT count(*) "
        "FROM requests WHERE project_id = $1), 0, 0",
    [PRM_RESOURCE] = "SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0, (SELECT count(*) FROM "
                     "claims WHERE resource_id = $1), 0",
    [PRM_DEAL] = "SELECT 0, 0, 0, 0, 0, 0, (SELECT count(*) FROM tasks WHERE "
                 "deal_id = $1), 0, 0, 0, 0",
    [PRM_FUND] = "SELECT 0, 0, 0, 0, 0, 0, 0, 0, (SELECT count(*) FROM "
                 "requests WHERE fund_id = $1), 0, 0",
    [PRM_REQUEST] = "SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0, (SELECT count(*) FROM "
                    "claims WHERE request_id = $1), 0",
};

const char *store_deps_sql(const prm_kind_info *info)
{
    return deps_sql[info->kind];
}

/* Projects whose only partner is $1: they cannot outlive it. */
#define SOLE_PROJECTS                                                        \
    "(SELECT pp.project_id FROM project_partners AS pp WHERE pp.partner_id " \
    "= $1 AND NOT EXISTS (SELECT 1 FROM project_partners AS o WHERE "        \
    "o.project_id = pp.project_id AND o.partner_id <> $1))"

/* A request's claims go first: a paid one names its resource. */
static const char *const partner_cascade[] = {
    "DELETE FROM tasks WHERE partner_id = $1 OR project_id IN " SOLE_PROJECTS
    " OR deal_id IN (SELECT id FROM deals WHERE partner_id = $1)",
    "DELETE FROM claims WHERE request_id IN (SELECT id FROM requests WHERE "
    "partner_id = $1 OR project_id IN " SOLE_PROJECTS ")",
    "DELETE FROM requests WHERE partner_id = $1 OR project_id IN "
    SOLE_PROJECTS,
    "DELETE FROM outcomes WHERE project_id IN " SOLE_PROJECTS,
    "DELETE FROM communications WHERE partner_id = $1 OR project_id IN "
    SOLE_PROJECTS,
    "DELETE FROM resources WHERE partner_id = $1 OR project_id IN "
    SOLE_PROJECTS,
    "DELETE FROM projects WHERE id IN " SOLE_PROJECTS,
    "DELETE FROM project_partners WHERE partner_id = $1",
    "DELETE FROM deals WHERE partner_id = $1",
    NULL,
};

static const char *const project_cascade[] = {
    "DELETE FROM tasks WHERE project_id = $1",
    "DELETE FROM claims WHERE request_id IN (SELECT id FROM requests WHERE "
    "project_id = $1)",
    "DELETE FROM requests WHERE project_id = $1",
    "DELETE FROM outcomes WHERE project_id = $1",
    "DELETE FROM communications WHERE project_id = $1",
    "DELETE FROM resources WHERE project_id = $1",
    NULL,
};

static const char *const deal_cascade[] = {
    "DELETE FROM tasks WHERE deal_id = $1",
    NULL,
};

static const char *const resource_cascade[] = {
    "DELETE FROM claims WHERE resource_id = $1",
    NULL,
};

static const char *const fund_cascade[] = {
    "DELETE FROM claims WHERE request_id IN (SELECT id FROM requests WHERE "
    "fund_id = $1)",
    "DELETE FROM requests WHERE fund_id = $1",
    NULL,
};

static const char *const request_cascade[] = {
    "DELETE FROM claims WHERE request_id = $1",
    NULL,
};

static const char *const *const cascades[PRM_KIND_COUNT] = {
    [PRM_PARTNER] = partner_cascade, [PRM_PROJECT] = project_cascade,
    [PRM_RESOURCE] = resource_cascade, [PRM_DEAL] = deal_cascade,
    [PRM_FUND] = fund_cascade,       [PRM_REQUEST] = request_cascade,
};

const char *const *store_cascade_sql(const prm_kind_info *info)
{
    return cascades[info->kind];
}

const char *store_ref_column(const prm_field *f)
{
    switch (prm_ref_kind(f)) {
    case PRM_DEAL:
        return "deal_id";
    case PRM_FUND:
        return "fund_id";
    case PRM_REQUEST:
        return "request_id";
    case PRM_RESOURCE:
        return "resource_id";
    default:
        return NULL;
    }
}

char *store_like_prefix(const char *prefix)
{
    size_t n = strlen(prefix);
    char *pattern = malloc(2 * n + 2);
    if (pattern == NULL)
        return NULL;
    char *p = pattern;
    for (size_t i = 0; i < n; i++) {
        if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '\\')
            *p++ = '\\';
        *p++ = prefix[i];
    }
    *p++ = '%';
    *p = '\0';
    return pattern;
}

char *store_ids_text(const int64_t *ids, size_t n)
{
    char *text = malloc(n * PRM_INT_TEXT + 1);
    if (text == NULL)
        return NULL;
    char *p = text, digits[PRM_INT_TEXT];
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *d = prm_int_text(digits, ids[i]);
        size_t len = strlen(d);
        if (i > 0)
            *p++ = ',';
        memcpy(p, d, len + 1);
        p += len;
    }
    return text;
}

prm_code store_parse_ids(const char *text, int64_t **ids, size_t *cap,
                         size_t *n, prm_error *err)
{
    *n = 0;
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (*n == *cap) {
            size_t grown = *cap ? *cap * 2 : 8;
            int64_t *more = realloc(*ids, grown * sizeof *more);
            if (more == NULL)
                return prm_error_nomem(err);
            *ids = more;
            *cap = grown;
        }
        char *end;
        (*ids)[(*n)++] = strtoll(p, &end, 10);
        p = *end == ',' ? end + 1 : NULL;
    }
    return PRM_OK;
}

char *store_id_array(const prm_value *list, char open, char close)
{
    size_t len = 3 + list->nids * PRM_INT_TEXT; /* each with a comma */
    char *array = malloc(len);
    if (array == NULL)
        return NULL;
    size_t at = 0;
    array[at++] = open;
    for (size_t i = 0; i < list->nids; i++)
        at += (size_t)snprintf(array + at, len - at, "%s%" PRId64,
                               i ? "," : "", list->ids[i]);
    snprintf(array + at, len - at, "%c", close);
    return array;
}

const char *store_date_sql(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_PARTNER:
    case PRM_DEAL:
    case PRM_TASK:
    case PRM_REQUEST:
    case PRM_CLAIM:
        return "t.created_at";
    case PRM_PROJECT:
        return "coalesce(t.start, t.created_at)";
    case PRM_FUND:
        return "t.start";
    case PRM_TIER:
        return NULL;
    default:
        return "t.at";
    }
}

void store_add_ref_names(sqlbuf *b, const prm_kind_info *info,
                         const char *partners_names)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        if (f->type == PRM_F_PARTNER_LIST)
            sql_add(b, ", %s", partners_names);
        else if (f->type == PRM_F_REF) {
            const prm_kind_info *k = prm_kind_get(prm_ref_kind(f));
            if (k->label == NULL)
                sql_add(b, ", NULL");
            else
                sql_add(b, ", (SELECT \"%s\" FROM %s WHERE id = t.\"%s\")",
                        k->label, store_table(k), store_column(f));
        } else if (store_is_ref(f))
            sql_add(b, ", (SELECT name FROM %s WHERE id = t.\"%s\")",
                    f->type == PRM_F_PARTNER_REF ? "partners" : "projects",
                    store_column(f));
    }
}

/* What a change added goes first, children before parents; then what it
 * deleted comes back, parents before children; then what it updated (a
 * reference it cleared may name a record put back); within each, newest
 * first.  Not simply newest first: PostgreSQL logs a project's links
 * after the project when a delete cascades to them, and putting the
 * links back before the project broke their foreign key.  A claim's
 * update goes before all: paying one points it at the resource the
 * payment added, which cannot go while the claim names it. */
const char store_undo_order[] =
    "CASE WHEN kind = 'claim' AND action = 'update' THEN -1 WHEN action = "
    "'add' THEN 0 WHEN action = 'delete' THEN 1 ELSE 2 END, "
    "CASE kind WHEN 'partner' THEN 0 WHEN 'project' THEN 1 WHEN "
    "'project_partner' THEN 2 WHEN 'task' THEN 4 WHEN 'request' THEN 4 "
    "WHEN 'claim' THEN 5 ELSE 3 END * CASE action WHEN 'delete' THEN 1 "
    "ELSE -1 END, id DESC";

static prm_value text_value(const char *s)
{
    return (prm_value){.type = PRM_V_TEXT, .s = s, .len = strlen(s)};
}

size_t store_audit_select(sqlbuf *b, const store_audit_filter *f,
                          prm_value params[STORE_AUDIT_PARAMS])
{
    size_t n = 0;
    sql_add(b, "SELECT id, change, at, \"user\", command, action, kind, "
               "record, before, after, undoes FROM audit WHERE TRUE");
    if (f->kind != NULL) {
        params[n++] = text_value(f->kind);
        sql_add(b, " AND kind = $%zu", n);
    }
    if (f->has_record) {
        params[n++] = (prm_value){.type = PRM_V_INT, .i = f->record};
        sql_add(b, " AND record = $%zu", n);
    }
    if (f->user != NULL) {
        params[n++] = text_value(f->user);
        sql_add(b, " AND \"user\" = $%zu", n);
    }
    if (f->since != NULL) {
        params[n++] = text_value(f->since);
        sql_add(b, " AND at >= $%zu", n);
    }
    if (f->until != NULL) {
        params[n++] = text_value(f->until);
        sql_add(b, " AND at <= $%zu", n);
    }
    sql_add(b, " ORDER BY id DESC");
    if (f->limit > 0) {
        params[n++] = (prm_value){.type = PRM_V_INT, .i = f->limit};
        sql_add(b, " LIMIT $%zu", n);
    }
    return n;
}

/* --- deals that conflict ----------------------------------------------------
 * Two deals conflict when they are of different partners, both active
 * (against prm_now(), the command's clock on both engines), name the same
 * customer and their products overlap (deal_match.c says the same in C).
 * The same customer: domains of the same root, equal or one a subdomain of
 * the other; or, when either has no domain, the same customer key.  Each
 * half is one index lookup (deals_domain_root, deals_customer_key), and
 * the halves never share a deal (the first needs both domains, the
 * second one of them missing): UNION ALL, with no set to build. */

#define DEAL_ACTIVE(x)                                                       \
    "(" x ".status = 'submitted' OR (" x ".status = 'approved' AND (" x      \
    ".expires IS NULL OR " x ".expires > prm_now())))"

/* The deals o of the pair (t, o) that conflict, or (own) that t's own
 * partner holds for the same customer and product; with protected_only,
 * the approved unexpired ones of other partners whether or not t is
 * active (first approved, first protected: an expired deal extended is
 * refused as its approval would be). */
void store_deal_pairs(sqlbuf *b, bool own, bool protected_only)
{
    static const char *const same_customer[2] = {
        "o.domain_root = t.domain_root AND (o.domain = t.domain OR o.domain "
        "LIKE '%.' || t.domain OR t.domain LIKE '%.' || o.domain)",
        "o.customer_key = t.customer_key AND t.customer_key <> '' AND "
        "(o.domain IS NULL OR t.domain IS NULL)"};
    for (int half = 0; half < 2; half++) {
        sql_add(b, "%sSELECT o.id FROM deals AS o WHERE %s AND o.id <> t.id "
                   "AND o.partner_id %s t.partner_id AND " DEAL_ACTIVE("o")
                   " AND (o.product IS NULL OR t.product IS NULL OR "
                   "lower(o.product) = lower(t.product))",
                half ? " UNION ALL " : "", same_customer[half], own ? "=" : "<>");
        if (protected_only)
            sql_add(b, " AND o.status = 'approved'");
        else
            sql_add(b, " AND " DEAL_ACTIVE("t"));
    }
}

static void deal_conflict_ids(sqlbuf *b, const sql_dialect *d)
{
    sqlbuf pairs = {.len = 0};
    store_deal_pairs(&pairs, false, false);
    sql_add(b, d->ids_of, pairs.text);
    b->overflow |= pairs.overflow;
}

void store_deal_conflict_sql(sqlbuf *b, bool own, bool protected_only)
{
    sql_add(b, "SELECT (");
    store_deal_pairs(b, own, protected_only);
    sql_add(b, " ORDER BY 1 LIMIT 1) FROM deals AS t WHERE t.id = $1");
}

/* --- a fund's figures, worked out when read ------------------------------
 * Over its requests and their claims, for the fund t. */

#define FUND_APPROVED                                                        \
    "(SELECT CAST(coalesce(sum(r.approved_amount), 0) AS bigint) FROM "     \
    "requests AS r WHERE r.fund_id = t.id AND r.status <> 'cancelled')"
#define FUND_CLAIMS(which)                                                   \
    "(SELECT CAST(coalesce(sum(c.amount), 0) AS bigint) FROM claims AS c "  \
    "JOIN requests AS r ON r.id = c.request_id WHERE r.fund_id = t.id AND " \
    "c.status " which ")"

const char *store_fund_sql(const char *field)
{
    static const struct {
        const char *field, *sql;
    } sums[] = {
        {"approved", FUND_APPROVED},
        {"claimed", FUND_CLAIMS("<> 'rejected'")},
        {"paid", FUND_CLAIMS("= 'paid'")},
        {"available", "(t.amount - " FUND_APPROVED ")"},
    };
    for (size_t i = 0; i < sizeof sums / sizeof *sums; i++)
        if (strcmp(sums[i].field, field) == 0)
            return sums[i].sql;
    return "NULL";
}

void store_select_list(sqlbuf *b, const prm_kind_info *info, bool names,
                       const sql_dialect *d)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        sql_add(b, i ? ", " : "SELECT ");
        if (col != NULL)
            sql_add(b, "t.\"%s\"", col);
        else if (f->type == PRM_F_ID_LIST)
            deal_conflict_ids(b, d);
        else if (f->type == PRM_F_MONEY)
            sql_add(b, "%s", store_fund_sql(f->name));
        else
            sql_add(b, "%s", d->partner_ids);
    }
    if (store_shows_owner(info, d->owners))
        sql_add(b, ", t.owner");
    if (names)
        store_add_ref_names(b, info, d->partner_names);
    sql_add(b, " FROM %s AS t", store_table(info));
}

/* The value of field f (a column's type) read from the image $1. */
static void image_value(sqlbuf *b, const sql_dialect *d, const char *name,
                        prm_field_type type)
{
    if (type == PRM_F_MONEY) {
        sql_add(b, d->image_cents, name);
        return;
    }
    sql_add(b, d->image_field, name);
    if (!d->typed_images)
        return;
    if (type == PRM_F_ID || type == PRM_F_PERCENT || type == PRM_F_COUNT ||
        type == PRM_F_PARTNER_REF || type == PRM_F_PROJECT_REF ||
        type == PRM_F_REF)
        sql_add(b, "::bigint");
    else if (type == PRM_F_NUMBER || type == PRM_F_RATIO)
        sql_add(b, "::double precision");
}

/* A project's link put back ($1: its image) or taken away. */
static void revert_link_sql(sqlbuf *b, bool reinsert, const sql_dialect *d)
{
    if (reinsert) {
        sql_add(b, "INSERT INTO project_partners (project_id, partner_id) "
                   "VALUES (");
        image_value(b, d, "project", PRM_F_ID);
        sql_add(b, ", ");
        image_value(b, d, "partner", PRM_F_ID);
        sql_add(b, ")");
        return;
    }
    sql_add(b, "DELETE FROM project_partners WHERE project_id = ");
    image_value(b, d, "project", PRM_F_ID);
    sql_add(b, " AND partner_id = ");
    image_value(b, d, "partner", PRM_F_ID);
}

void store_revert_sql(sqlbuf *b, const prm_kind_info *info, bool reinsert,
                      const sql_dialect *d)
{
    if (info == NULL) {
        revert_link_sql(b, reinsert, d);
        return;
    }
    bool owner = d->owners && store_owned(info);
    size_t n = 0;
    sql_add(b, reinsert ? "INSERT INTO %s (" : "UPDATE %s SET ",
            store_table(info));
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL || (!reinsert && f->type == PRM_F_ID))
            continue;
        sql_add(b, "%s\"%s\"", n++ ? ", " : "", col);
        if (!reinsert) {
            sql_add(b, " = ");
            image_value(b, d, f->name, f->type);
        }
    }
    const store_derived *dv;
    size_t nd = store_derived_of(info, &dv);
    for (size_t k = 0; k < nd && !reinsert; k++) {
        sql_add(b, ", \"%s\" = %s(", dv[k].column, dv[k].function);
        image_value(b, d, dv[k].field, PRM_F_TEXT);
        sql_add(b, ")");
    }
    for (size_t k = 0; k < nd && reinsert; k++)
        sql_add(b, ", \"%s\"", dv[k].column);
    if (!reinsert) {
        /* An owner handed over since stays with the record. */
        if (owner)
            sql_add(b, ", owner = coalesce($1::json->>'owner', owner)");
        sql_add(b, " WHERE id = $2");
        return;
    }
    if (owner)
        sql_add(b, ", owner");
    sql_add(b, ") VALUES (");
    n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        if (store_column(f) == NULL)
            continue;
        sql_add(b, n++ ? ", " : "");
        image_value(b, d, f->name, f->type);
    }
    for (size_t k = 0; k < nd; k++) {
        sql_add(b, ", %s(", dv[k].function);
        image_value(b, d, dv[k].field, PRM_F_TEXT);
        sql_add(b, ")");
    }
    if (owner)
        sql_add(b, ", coalesce($1::json->>'owner', current_user)");
    sql_add(b, ")");
}
