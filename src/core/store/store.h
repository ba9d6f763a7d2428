/*
 * store.h - the storage layer: the only part of prm that speaks SQL.
 *
 * records.c validates what the user typed into typed rows and filters; the
 * functions here turn those into statements on the database.  A second
 * engine (PostgreSQL for team databases) implements this same interface.
 */
#ifndef PRM_STORE_H
#define PRM_STORE_H

#include <stdint.h>
#include <time.h>

#include "prm/prm.h"

/* The most fields a kind may have: the size of the rows below.  Not part
 * of the public API (a prm_record points at its values); kinds.c checks
 * every kind against it when it is compiled. */
#define STORE_MAX_FIELDS 32

/* The values of a record to write, by field index; set[i] says whether
 * field i was given (an update writes only those). */
typedef struct store_row {
    bool set[STORE_MAX_FIELDS];
    prm_value v[STORE_MAX_FIELDS];
} store_row;

/* A record being read: the values and reference names an engine fills,
 * and the prm_record handed on, which points at them. */
typedef struct store_record {
    prm_record rec;
    prm_value v[STORE_MAX_FIELDS];
    const char *ref_name[STORE_MAX_FIELDS];
} store_record;

static inline void store_record_init(store_record *r,
                                     const prm_kind_info *info)
{
    r->rec.info = info;
    r->rec.v = r->v;
    r->rec.ref_name = r->ref_name;
    r->rec.owner = NULL;
}

typedef enum store_filter_op {
    SF_EQ,           /* field = value */
    SF_NULL,         /* field has no value */
    SF_RANGE,        /* lo <= field <= hi (dates) */
    SF_HAS_PARTNER,  /* project has partner value.i */
    SF_HAS_PROJECT,  /* partner is in project value.i */
    SF_PARTNER_WORK, /* outcome of a project that partner value.i is in */
    SF_PARTNERS_ARE, /* project's partners are exactly value.ids (sorted) */
    SF_OWNER,        /* partner owned by value.s (team databases only) */
    SF_WINDOW,       /* lo <= the kind's date <= hi (store_date_sql) */
    /* Deals, against the clock lo (an approved deal whose expiry is at or
     * before it reads as expired): */
    SF_DEAL_STATUS,  /* status value.s, as it reads */
    SF_DEAL_ACTIVE,  /* active (value.i 1) or not (0): submitted, or
                        approved and not expired */
    SF_DEAL_EXPIRING, /* approved, expires after lo and at or before hi */
    SF_DEAL_CONFLICTS, /* in conflict with another (value.i 1) or not (0) */
    SF_TASK_OVERDUE,   /* open and due before lo (value.i 1), or not (0) */
    SF_SEALED_EQ       /* a sealed field's hash is value.s (seal.h) */
} store_filter_op;

typedef struct store_filter {
    store_filter_op op;
    int field;
    prm_value value;
    char lo[PRM_TIME_SIZE], hi[PRM_TIME_SIZE];
} store_filter;

/* A row of a read as text: its columns (NULL for NULL), at most
 * STORE_MAX_ROW_COLUMNS. */
enum { STORE_MAX_ROW_COLUMNS = 16 };
typedef bool (*store_text_row_fn)(void *ctx, const char *const *cols,
                                  size_t ncols);

/* What the agenda reads: items dated up to until; partners quiet since
 * before quiet_before (now less quiet_days); one partner's items, or
 * those of one owner (a team database's). */
typedef struct store_agenda_query {
    const char *now, *until, *quiet_before;
    int64_t quiet_days;
    bool has_partner;
    int64_t partner;
    const char *owner; /* NULL: everyone's */
    bool names;        /* the partners' names too */
} store_agenda_query;

/* The agenda's items in date, kind and id order, each a row of seven
 * columns: kind, date, id, partner (id), the partner's name, a label (a
 * task's title, a deal's customer, a project's or partner's name) and
 * extra (a quiet partner's last contact) (agenda.c). */
prm_code store_agenda(prm_db *db, const store_agenda_query *q,
                      store_text_row_fn fn, void *ctx, prm_error *err);

/* Records that refer to one record; what blocks a plain delete. */
typedef struct store_deps {
    int64_t n[PRM_KIND_COUNT]; /* by kind; a partner's projects: its links */
} store_deps;

/* The partners metrics look at, and the date window (doc/prm.1, METRICS). */
typedef struct store_scope {
    bool has_partner;
    int64_t partner;
    const char *type, *region, *status;
    const char *since, *until; /* normalised timestamps or NULL */
} store_scope;

/* tier review (tiers.c): a row per partner in scope and tier, partners in
 * id order, each one's tiers from the highest rank down: the partner's
 * id, name and tier; the tier's id; then over that tier's window back
 * from now, the partner's won deals' amounts (cents) and count, its
 * succeeded and failed projects, its communications. */
prm_code store_tier_rows(prm_db *db, const store_scope *s, const char *now,
                         store_text_row_fn fn, void *ctx, prm_error *err);

/* What a command does to the database, which decides what protects it. */
typedef enum store_access {
    STORE_READ,      /* reads only */
    STORE_SCAN,      /* reads only, each page once: counts over whole
                        indexes, which a small page cache serves */
    STORE_WRITE_ONE, /* at most one writing statement */
    STORE_WRITE_MANY /* several writing statements */
} store_access;

static inline bool store_writes(store_access access)
{
    return access == STORE_WRITE_ONE || access == STORE_WRITE_MANY;
}

/*
 * Every command runs between store_cmd_begin and store_cmd_end: a
 * transaction of its own, or inside the caller's transaction a savepoint.
 * A command that writes with one statement needs no savepoint there:
 * SQLite makes each statement atomic, and savepoints cost a copy of every
 * page they touch.  store_cmd_end keeps the command's changes when rc is
 * PRM_OK and undoes them otherwise; it returns rc, or the error that
 * ending it caused.
 */
prm_code store_cmd_begin(prm_db *db, store_access access, prm_error *err);
prm_code store_cmd_end(prm_db *db, prm_code rc, prm_error *err);
/* Said before store_cmd_begin of a command that only adds records: the
 * references its transaction has looked up stay good (refs.c). */
void store_cmd_adds(prm_db *db);

/* A bounded builder for generated SQL; overflow is a bug, reported as one. */
typedef struct sqlbuf {
    char text[16384]; /* the audit log's whole images, for every kind */
    size_t len;
    bool overflow;
} sqlbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sql_add(sqlbuf *b, const char *fmt, ...);

/* The table a kind is stored in, and the column of a field (NULL for a
 * project's partners, which live in project_partners).  Inline: adding a
 * record asks it of every field several times. */
const char *store_table(const prm_kind_info *info);
/* The date since= and until= limit a list of a kind by: when it happened
 * (at), a project's start or else when it was added (as metrics count
 * them), when a partner was added.  SQL over the table as t. */
const char *store_date_sql(const prm_kind_info *info);
/* The kinds whose records have an owner on a team database (a column
 * beside the fields, not one of them): partners and tasks. */
static inline bool store_owned(const prm_kind_info *info)
{
    return info->kind == PRM_PARTNER || info->kind == PRM_TASK;
}
/* Whether a record read shows its owner (a task's, on a team database):
 * a column after the fields, before the names. */
static inline bool store_shows_owner(const prm_kind_info *info, bool owners)
{
    return owners && info->kind == PRM_TASK;
}
static inline bool store_is_ref(const prm_field *f)
{
    return f->type == PRM_F_PARTNER_REF || f->type == PRM_F_PROJECT_REF ||
           f->type == PRM_F_REF || f->type == PRM_F_PARTNER_LIST;
}
/* After a select list of a kind's fields, a column for each reference: the
 * name of what it refers to.  partners_names is the engine's expression
 * for a project's partners' names, joined by ", " in ascending id. */
void store_add_ref_names(sqlbuf *b, const prm_kind_info *info,
                         const char *partners_names);
/* A fund's figure worked out when read (approved, claimed, paid,
 * available) as SQL over the fund t: whole hundredths (sql.c). */
const char *store_fund_sql(const char *field);
/* The column of a reference of type PRM_F_REF: "deal_id" (sql.c). */
const char *store_ref_column(const prm_field *f);
static inline const char *store_column(const prm_field *f)
{
    switch (f->type) {
    case PRM_F_PARTNER_REF:
        return "partner_id";
    case PRM_F_PROJECT_REF:
        return "project_id";
    case PRM_F_REF:
        return store_ref_column(f);
    case PRM_F_PARTNER_LIST:
    case PRM_F_ID_LIST: /* computed when read */
        return NULL;
    default:
        /* a field worked out when read has no column */
        return (f->flags & PRM_FF_COMPUTED) ? NULL : f->name;
    }
}

/* Columns the store keeps beside a kind's fields, each a function of one
 * field, written with it by every path (add, update, import, undo): a
 * deal's customer key and domain root, by which the deals that may
 * conflict with one are found through an index.  The function is SQL
 * both engines have (SQLite's registered from C, PostgreSQL's in its
 * schema).  A kind's are consecutive; how many (sql.c). */
typedef struct store_derived {
    prm_kind kind;
    const char *column, *function, *field;
} store_derived;
size_t store_derived_of(const prm_kind_info *info, const store_derived **out);

/* What refers to a partner or project: five counts (projects,
 * communications, resources, outcomes, deals, tasks: a count for each kind
 * in prm_kind order, the record's own kind 0) of the one with id $1; NULL
 * for kinds nothing refers to. */
const char *store_deps_sql(const prm_kind_info *info);
/* The deletes a --cascade runs before the record's own, each of $1;
 * NULL-terminated, or NULL when the kind has none. */
const char *const *store_cascade_sql(const prm_kind_info *info);
/* The ORDER BY (over the audit table's columns) of the entries of one
 * change, as undo reverts them: the same on both engines. */
extern const char store_undo_order[];
/* A LIKE pattern (escape character \) for names that start with prefix;
 * free it.  NULL when out of memory. */
char *store_like_prefix(const char *prefix);
/* Sorted ids as the text "1,2,3" both engines make of a project's
 * partners to compare it whole; malloc'd, NULL when out of memory. */
char *store_ids_text(const int64_t *ids, size_t n);
/* "3,1,2" (a project's partner ids as text) into *ids (grown as needed,
 * *cap entries), *n of them. */
prm_code store_parse_ids(const char *text, int64_t **ids, size_t *cap,
                         size_t *n, prm_error *err);

/* A project's partner ids as an array literal for SQL, between open and
 * close ("[1,2]" for SQLite's json_each, "{1,2}" for PostgreSQL); free
 * it.  NULL when out of memory. */
char *store_id_array(const prm_value *list, char open, char close);

/* The text of s as a JSON string's inside, escaped as SQLite and
 * PostgreSQL write one (quote, backslash and control characters; every
 * other byte as it is), at out, which has room for 6 * len bytes; returns
 * the end. */
char *store_json_escape(char *out, const char *s, size_t len);

/* A database other (a backup being read) with encryption on unlocked
 * with the passphrase db's front end gives (prm_set_passphrase_fn)
 * (keyring.c). */
prm_code store_unlock_from(prm_db *other, prm_db *db, prm_error *err);
/* The new, empty database to (a team database's backup) keeps what it is
 * given sealed as from does: the same wrapped key, so the same
 * passphrase opens it (keyring.c). */
prm_code store_keyring_share(prm_db *from, prm_db *to, prm_error *err);

/* Whether a byte may stand bare in a FIELD=VALUE word of a command an
 * add's image gives back (letters, digits and -_.:@/+), else the value
 * is quoted: bits of two words (bytes 0-63 and 64-127), inline, since
 * every byte of every add passes here. */
static inline bool store_bare_char(unsigned char c)
{
#define STORE_BIT(n) ((uint64_t)1 << (n))
    const uint64_t low = STORE_BIT('+') | STORE_BIT('-') | STORE_BIT('.') |
                         STORE_BIT('/') | ((STORE_BIT(10) - 1) << '0') |
                         STORE_BIT(':');
    const uint64_t high = STORE_BIT('@' - 64) |
                          ((STORE_BIT(26) - 1) << ('A' - 64)) |
                          STORE_BIT('_' - 64) |
                          ((STORE_BIT(26) - 1) << ('a' - 64));
#undef STORE_BIT
    return c < 64 ? (low >> c) & 1 : c < 128 && (high >> (c - 64)) & 1;
}

/* The current time as "YYYY-MM-DDTHH:MM:SSZ". */
const char *store_now(prm_db *db);

/* The first deal (lowest id) in conflict with deal (own: its own
 * partner's active deal for the same customer and product;
 * protected_only: another partner's approved unexpired one), 0 for none
 * (shared.c). */
prm_code store_deal_conflict(prm_db *db, int64_t deal, bool own,
                             bool protected_only, int64_t *other,
                             prm_error *err);

/* The deals o that pair with deal t (the table alias of the query around
 * it) as conflicts (own: its partner's own; protected_only: approved
 * unexpired, t active or not): a SELECT of o.id (sql.c). */
void store_deal_pairs(sqlbuf *b, bool own, bool protected_only);

/* Whether a deal with this stored status and expiry reads as expired
 * now (store.c). */
bool store_deal_expired(prm_db *db, const char *status, const char *expires);

/* Money (shared.c): lock a record's row until the transaction ends
 * (PostgreSQL: FOR UPDATE; a file has one writer at a time); a fund's
 * available (amount less approved) in cents; a request's claims in
 * cents, sums[0] those not rejected and sums[1] those paid. */
prm_code store_lock(prm_db *db, const prm_kind_info *info, int64_t id,
                    prm_error *err);
prm_code store_fund_available(prm_db *db, int64_t fund, int64_t *cents,
                              prm_error *err);
prm_code store_request_claims(prm_db *db, int64_t request, int64_t sums[2],
                              prm_error *err);
/* A fund's terms as they are stored, without the sums a fund's record
 * works out when read: its name, currency, request_by, claim_by (NULL
 * for none) and amount (cents), to fn as one row. */
prm_code store_fund_terms(prm_db *db, int64_t fund, store_text_row_fn fn,
                          void *ctx, prm_error *err);
/* How many of a fund's requests and claims have amounts with cents. */
prm_code store_fund_fractions(prm_db *db, int64_t fund, int64_t *n,
                              prm_error *err);

/* The rules of money as check and import hold a database to: funds
 * overdrawn (approved requests over the amount), requests over-claimed
 * (claims not rejected over the approved amount), paid claims without
 * the resource of their payment.  For each, how many and the first id;
 * what[i] says it with those two (%lld the first, %lld how many). */
enum { STORE_MONEY_RULES = 3 };
typedef struct store_money_problems {
    int64_t count[STORE_MONEY_RULES], first[STORE_MONEY_RULES];
    const char *what[STORE_MONEY_RULES];
} store_money_problems;
prm_code store_money_check(prm_db *db, store_money_problems *p,
                           prm_error *err);

prm_code store_insert(prm_db *db, const prm_kind_info *info,
                      const store_row *row, int64_t *id, prm_error *err);
prm_code store_update(prm_db *db, const prm_kind_info *info, int64_t id,
                      const store_row *row, prm_error *err);
prm_code store_differs(prm_db *db, const prm_kind_info *info, int64_t id,
                       const store_row *row, bool *differs, prm_error *err);
void store_unchanged(prm_db *db);
prm_code store_exists(prm_db *db, const prm_kind_info *info, int64_t id,
                      bool *found, prm_error *err);
prm_code store_find_name(prm_db *db, const prm_kind_info *info,
                         const char *name, int64_t *id, bool *found,
                         prm_error *err);
prm_code store_fetch(prm_db *db, const prm_kind_info *info, int64_t id,
                     prm_record_fn fn, void *ctx, prm_error *err);
/* names: with the names of what each record refers to (prm_record's
 * ref_name), a lookup per reference that an export does without. */
prm_code store_list(prm_db *db, const prm_kind_info *info,
                    const store_filter *filters, size_t nfilters, bool names,
                    prm_record_fn fn, void *ctx, prm_error *err);
prm_code store_names(prm_db *db, const prm_kind_info *info,
                     const char *prefix,
                     bool (*fn)(void *ctx, const char *name), void *ctx,
                     prm_error *err);
prm_code store_deps_of(prm_db *db, const prm_kind_info *info, int64_t id,
                       store_deps *deps, prm_error *err);
prm_code store_delete(prm_db *db, const prm_kind_info *info, int64_t id,
                      bool cascade, prm_error *err);
prm_code store_metrics(prm_db *db, const store_scope *scope, prm_metrics *out,
                       prm_error *err);

/* Tell the front end how far a long import has got: done records. */
void store_progress(prm_db *db, int64_t done);

/* Import: whether the database holds no records yet, and the map from the
 * ids an import file uses to the ids its records got. */
prm_code store_is_empty(prm_db *db, bool *empty, prm_error *err);
prm_code store_map_reset(prm_db *db, prm_error *err);
prm_code store_map_put(prm_db *db, prm_kind kind, int64_t old, int64_t new_id,
                       prm_error *err);
prm_code store_map_get(prm_db *db, prm_kind kind, int64_t old,
                       int64_t *new_id, bool *found, prm_error *err);
/* A bulk load: where the engine has one (a team database), store_insert
 * may only hold the rows it is given until store_bulk_flush writes them
 * all, or none: a failure leaves the database as it was before the flush,
 * and names no row (add them one by one to learn which).  Any other query
 * flushes first.  store_bulk_begin says whether the engine holds rows;
 * store_bulk_end drops what it holds and ends the load. */
bool store_bulk_begin(prm_db *db);
prm_code store_bulk_flush(prm_db *db, prm_error *err);
void store_bulk_end(prm_db *db);

/* report partners (sqlite/metrics.c, pg/metrics.c): rows of the partners in scope in the
 * order of sort (a report field name, or NULL for id), at most limit (0:
 * all). */
prm_code store_report(prm_db *db, const store_scope *scope, const char *sort,
                      int64_t limit, prm_report_fn fn, void *ctx,
                      prm_error *err);

/* report trend (sqlite/metrics.c, pg/metrics.c): per-period counts, periods in order. */
typedef enum store_period { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR } store_period;

/* Room for a period's name (2026-03, 2026-Q1, 2026), with room to spare
 * for what the compiler cannot prove of the numbers printed into it. */
enum { STORE_PERIOD_SIZE = 24 };

/* periods.c: the period an ISO 8601 date falls in; the period after p
 * (false after 9999, where dates end); and the dates period p takes in,
 * as text bounds (from <= date < before: "2026-01" and "2026-04" for
 * 2026-Q1), false for the last period there is. */
void store_period_of(store_period by, const char *date,
                     char out[STORE_PERIOD_SIZE]);
bool store_period_next(store_period by, char p[STORE_PERIOD_SIZE]);
bool store_period_range(store_period by, const char *p,
                        char from[STORE_PERIOD_SIZE],
                        char before[STORE_PERIOD_SIZE]);
/* trend_ranges.c: whether the trend covers every record and all time
 * on an engine that counts it in ranges of the date indexes, and then the
 * counts (done false when its dates do not allow: the engine's grouping
 * then). */
bool store_trend_ranged(const prm_db *db, const store_scope *s);
prm_code store_trend_by_ranges(prm_db *db, store_period by, prm_trend_fn fn,
                               void *ctx, bool *done, prm_error *err);
prm_code store_trend(prm_db *db, const store_scope *scope, store_period by,
                     prm_trend_fn fn, void *ctx, prm_error *err);

/* insights (sqlite/insights.c, pg/metrics.c): the rules, in the order they are ranked. */
typedef enum store_rule {
    RULE_DEAL_CONFLICT,   /* submitted deals in conflict: decide */
    RULE_STALLED, /* active projects past due or not updated for long */
    RULE_DEAL_EXPIRING,   /* approved deals whose protection ends soon */
    RULE_DEAL_PAST_CLOSE, /* approved deals past their close date */
    RULE_DORMANT, /* partners with projects but no recent contact */
    RULE_IDLE,    /* resources on projects that produced nothing */
    RULE_EXPAND,  /* partners that do well but have few projects */
    RULE_GAP,     /* regions and types with activity, few active partners */
    RULE_COUNT
} store_rule;

typedef struct store_thresholds {
    double dormant_days, stalled_days;
    double expand_rate, expand_efficiency, expand_max_projects;
    double gap_max_partners;
    double expiring_days;
} store_thresholds;

/* One finding's row: the subject (id and name; a gap's name is the region
 * or type, dimension 0 or 1) and up to four numbers, by rule:
 *   STALLED progress, days past due, days since the last update
 *   DORMANT projects, days since the last contact
 *   IDLE    resources, their total amount
 *   EXPAND  projects, closed success rate, resource efficiency
 *   GAP     active partners, partners, projects, communications
 *   DEAL_CONFLICT   the deals it conflicts with
 *   DEAL_EXPIRING   days until its protection ends
 *   DEAL_PAST_CLOSE days since its expected close */
typedef struct store_insight_row {
    store_rule rule;
    int dimension;
    int64_t id;
    const char *name;
    double v[4];
    bool has[4];
} store_insight_row;

prm_code store_insights(prm_db *db, store_rule rule, const store_scope *s,
                        const store_thresholds *t, int64_t limit,
                        bool (*fn)(void *ctx, const store_insight_row *row),
                        void *ctx, prm_error *err);

/* The audit log (sqlite/audit.c, pg/audit.c). */
typedef struct store_audit_filter {
    const char *kind, *user, *since, *until;
    bool has_record;
    int64_t record;
    int64_t limit; /* 0: all */
} store_audit_filter;

prm_code store_audit_list(prm_db *db, const store_audit_filter *f,
                          prm_audit_fn fn, void *ctx, prm_error *err);
/* Revert the newest change not yet undone; *undone is its number and
 * command (size bytes) its text.  PRM_ENOT_FOUND when there is none. */
prm_code store_undo_last(prm_db *db, int64_t *undone, char *command,
                         size_t size, prm_error *err);

/* Team databases only: make user the owner of a partner or a task;
 * *changed false when it was the owner already (an update that changes
 * nothing). */
/* Whether path may be restored from: a database file that is not db's
 * own (restore reads it). */
prm_code store_restore_source(prm_db *db, const char *path, prm_error *err);
/* Delete every record, children first (restore force=yes). */
prm_code store_clear(prm_db *db, prm_error *err);
prm_code store_set_owner(prm_db *db, const prm_kind_info *info, int64_t id,
                         const char *user, bool *changed, prm_error *err);

/* Backup (backup.c).  Whether path may take a backup: a new file, or a
 * database (last night's backup) to be replaced; not the open database, a
 * folder, or a file that holds something else, which the backup would
 * destroy. */
prm_code store_backup_target(prm_db *db, const char *path, prm_error *err);
/* Copy the database into the new file path, when its engine can copy
 * itself (*copied); a team database cannot, and is exported instead. */
prm_code store_copy_to(prm_db *db, const char *path, bool *copied,
                       prm_error *err);


#endif /* PRM_STORE_H */
