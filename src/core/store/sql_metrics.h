/*
 * sql_metrics.h - the SQL of metrics, report, trend and insights, written
 * once for both engines.
 *
 * The statements use only what SQLite and PostgreSQL both understand (and
 * julianday(), which the PostgreSQL schema defines as SQLite has it), with
 * named parameters: :partner, :type, :region, :status, :since, :until (the
 * scope), :asof and :recent_since (the report's date and 90 days before),
 * and the insight thresholds (:dormant_days, :stalled_days, :expand_rate,
 * :expand_efficiency, :expand_max_projects, :gap_max_partners).  SQLite
 * binds them by name; the PostgreSQL engine numbers them.
 */
#ifndef PRM_SQL_METRICS_H
#define PRM_SQL_METRICS_H

#include "store/store.h"

/* What differs between the engines' SQL. */
typedef struct sql_dialect {
    const char *name_order; /* ORDER BY names without regard to ASCII case */
    /* Ends a subquery in FROM that the planner must not merge into the
     * query around it, where each use of one of its columns would run that
     * column's correlated subquery again (" LIMIT -1 OFFSET 0": SQLite
     * merges a bare LIMIT when the outer query has none; " OFFSET 0"). */
    const char *fence;
    /* WHERE a record's name is $1 without regard to ASCII case. */
    const char *name_equals;
    /* A project's partner ids as text, ascending ("1,2,3"), for the
     * project t: what a record reads, and what store_ids_text makes of a
     * list to compare with it. */
    const char *partner_ids;
    /* The names of project t's partners, joined by ", " in ascending id. */
    const char *partner_names;
    /* WHERE t's name is parameter %zu without regard to ASCII case. */
    const char *name_is;
    /* Whether partners have an owner (team databases). */
    bool owners;
    /* The field %s of the JSON image $1, as text; with typed_images, cast
     * to its column's type (PostgreSQL reads JSON text as text). */
    const char *image_field;
    bool typed_images;
    /* An amount (field %s) of the image $1 as whole cents, exactly. */
    const char *image_cents;
    /* Whether a column and a value differ, NULL being a value: "IS NOT",
     * "IS DISTINCT FROM"; then what makes the comparison of text byte by
     * byte where the column has a collation of its own. */
    const char *distinct;
    const char *bytewise;
    /* Ends a SELECT of a row about to change: " FOR UPDATE" where row
     * security must see the user may change it. */
    const char *lock_row;
    /* In the message of a broken unique constraint. */
    const char *unique_failed;
    /* The ids %s (a SELECT of one column named id) gives, ascending, as
     * text ("3,5"), '' for none. */
    const char *ids_of;
    /* Ends a CREATE TEMP TABLE of a table with a primary key. */
    const char *temp_table_options;
    /* The timestamp %s plus the whole number of days %s, as a timestamp
     * ("YYYY-MM-DDTHH:MM:SSZ"). */
    const char *add_days;
    /* The counts kept for metrics, as a table of name and n (a file's
     * prm_tallies; a team database's with the changes not yet folded). */
    const char *kept_tallies;
    /* The same counts kept by day, as a table of name, day (the first
     * ten characters of what the kind is dated by) and n, so that
     * metrics over dates alone sum the window's whole days and count
     * the rows of its first and last day; NULL where they count every
     * row of the window. */
    const char *day_tallies;
    /* The table of each partner's figures kept (partner_id, projects,
     * succeeded, failed, communications, last_contact, resources,
     * outcomes, deals, deals_won, deals_lost, won_amount), NULL where
     * they are counted as they are read. */
    const char *partner_tallies;
    /* Where a figure is its row plus changes not yet folded (a team
     * database): the changes summed by partner, the same columns and
     * recount (a communication gone: the last contact read again), and
     * the partner p's last contact over the row t and the changes tc;
     * NULL on a file. */
    const char *partner_tally_changes;
    const char *kept_last_contact;
    /* Whether partner_tallies has indexes in the order of the dormant
     * and expand rules (prm_partner_tallies_dormant, _expand: a team
     * database's; on a file the dormant entry moved by every
     * communication added made an import of a million records 30%
     * slower, for 0.3 s saved on the rule). */
    bool insight_orders;
    /* Whether report trend over every record and all time counts each
     * period's rows in ranges of the date indexes (trend_ranges.c): on a
     * file, where grouping every row by its period sorts them all;
     * PostgreSQL groups them in parallel with a hash, as fast as the
     * ranges there. */
    bool trend_ranges;
    /* The agenda's items kept (a file's prm_agenda: date, kind, id,
     * partner, partner_name, label, extra, live_until, in date order,
     * for the quiet window of agenda_kept_quiet_days), which the agenda
     * of everyone reads in that window; NULL where every agenda is
     * worked out from the records (a team database, whose users each see
     * their own). */
    const char *agenda_kept;
    int agenda_kept_quiet_days;
} sql_dialect;

/* The dialects of the engines (sqlite/metrics.c, pg/metrics.c). */
extern const sql_dialect sqlm_sqlite_dialect;
extern const sql_dialect sqlm_pg_dialect;

/* The metrics are six counts: partners; projects (three columns: all,
 * succeeded, failed); communications; resources; outcomes; deals (eight
 * columns). */
enum { SQLM_PARTNERS, SQLM_PROJECTS, SQLM_COMMS, SQLM_RESOURCES,
       SQLM_OUTCOMES, SQLM_DEALS, SQLM_COUNT };
/* Whether a scope chooses partners (partner=, type=, region=, status=);
 * " AND ..." the window's conditions on col (since=, until=). */
bool sqlm_scoped(const store_scope *s);
void sqlm_add_window(sqlbuf *b, const store_scope *s, const char *col);
/* Metrics over dates alone where the dialect keeps counts by day
 * (sql_days.c): whether they apply, and the statements of a kind dated
 * by col (one count), of projects (all, succeeded, failed) and of deals
 * (the eight columns of count_deals). */
bool sqlm_by_days(const store_scope *s, const sql_dialect *d);
void sqlm_days_dated(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                     const char *table, const char *col);
void sqlm_days_projects(sqlbuf *b, const store_scope *s, const sql_dialect *d);
void sqlm_days_deals(sqlbuf *b, const store_scope *s, const sql_dialect *d);
/* Filtered metrics: every count in one statement into b, one row, and
 * where its columns go in m, in turn (returns how many, at most
 * SQLM_ALL_COLUMNS).  Each count is a derived table of its own. */
enum { SQLM_ALL_COLUMNS = 24 };
size_t sqlm_metrics(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                    prm_metrics *m, int64_t *out[SQLM_ALL_COLUMNS]);
/* The counts kept for metrics (tallies.c; sqlm_unfiltered in
 * sql_metrics.c).  Metrics of everything (no scope, no window) from the
 * counts kept in prm_tallies, and the deals live at :asof from the deals_status
 * index: one row of SQLM_TALLIED columns in prm_metrics's order. */
bool sqlm_unfiltered(const store_scope *s);
void sqlm_metrics_tallied(sqlbuf *b, const sql_dialect *d);
enum { SQLM_TALLIED = 15 };
void sqlm_tallied_outputs(prm_metrics *m, int64_t *out[SQLM_TALLIED]);
/* The counts kept and the same counted again, a row of name, kept and
 * counted for each that differs (check). */
void sqlm_tally_recount(sqlbuf *b, const sql_dialect *d);
/* The statement that counts the record $1 of the kind just added into
 * prm_tallies, NULL for a kind no count covers: on a file adds are
 * counted by prm as it adds, changes and deletes by triggers (a team
 * database counts all three by triggers). */
const char *sqlm_tally_added(const prm_kind_info *info);
/* The statement that counts the record $1 of the kind just added into
 * prm_day_tallies on a file (a team database's triggers count it), NULL
 * for a kind not dated there. */
const char *sqlm_day_tally_added(const prm_kind_info *info);
/* The statement that raises the existing count of the day of the record
 * $1 just added, for a kind added one row of the day at a time; NULL
 * for the others, whose adds run sqlm_day_tally_added alone. */
const char *sqlm_day_tally_raised(const prm_kind_info *info);
/* The statement that counts the record $1 just added into its partners'
 * figures (partner_tallies.c), NULL for a kind with none. */
const char *sqlm_partner_tally_added(const prm_kind_info *info);
/* Every count counted again into an empty prm_tallies; and by day into
 * an empty prm_day_tallies, where the dialect keeps them (day_tallies). */
void sqlm_tally_refill(sqlbuf *b);
void sqlm_day_tally_refill(sqlbuf *b);

/* " AND ..." conditions on partners AS p that choose the partners in a
 * scope; with active_only and no status=, inactive partners are left
 * out. */
void sqlm_add_scope_where(sqlbuf *b, const store_scope *s, bool active_only);
/* FROM the partners p, with their kept figures t when kept (a partner
 * without a row reads as zeros). */
void sqlm_add_partners_from(sqlbuf *b, const sql_dialect *d, bool kept);
/* The partner p's kept figures joined as t (and their changes not yet
 * folded as tc), when kept. */
void sqlm_add_kept_join(sqlbuf *b, const sql_dialect *d, bool kept);
/* A figure of the partner p (a column of prm_partner_tallies): kept in
 * t (plus tc), else counted (sqlm_partner_figure: a SELECT over p.id, in
 * partner_tallies.c, which check's recount uses too). */
void sqlm_add_figure(sqlbuf *b, const sql_dialect *d, bool kept,
                     const char *column);
/* Each of n figures (a column, then the name it is given), as
 * ", FIGURE AS NAME". */
void sqlm_add_figures(sqlbuf *b, const sql_dialect *d, bool kept,
                      const char *const (*figures)[2], size_t n);
const char *sqlm_partner_figure(const char *column);
/* The day number of :asof, worked out once a statement (a subquery
 * without correlation: PostgreSQL's julianday is only STABLE, so a bare
 * call ran again on each row, a tenth of a million partners' dormancy). */
#define ASOF_DAY "(SELECT julianday(:asof))"
/* Days from the timestamp col to :asof. */
#define DAYS_SINCE(col) "(" ASOF_DAY " - julianday(" col "))"

/* report partners: columns id, name, projects, succeeded, failed,
 * communications, last_contact, resources, outcomes, recent, deals,
 * deals_won, deals_lost, won_value, days, recency, frequency, success,
 * efficiency, health. */
void sqlm_report(sqlbuf *b, const store_scope *s, const char *sort,
                 int64_t limit, const sql_dialect *d);

/* report trend: period, then the seven counts of what began in it. */
void sqlm_trend(sqlbuf *b, const store_scope *s, store_period by);

/* Add a period's counts (row->in) to the running totals (row->total). */
void sqlm_trend_accumulate(prm_trend_row *row);

/* An insight rule: id (a gap's dimension), name, up to four numbers. */
void sqlm_insight(sqlbuf *b, store_rule rule, const store_scope *s,
                  int64_t limit, const sql_dialect *d);

/* The timestamp 90 days before asof (the report's "recent"). */
void sqlm_recent_since(const char *asof, char out[PRM_TIME_SIZE]);

#endif
