/*
 * records.h - what the rest of the core uses of records.c.
 */
#ifndef PRM_RECORDS_H
#define PRM_RECORDS_H

#include "store/store.h"

/* --- record_values.c: the words of a command as typed values --------- */

/* What the words of one command parse into: the row to write (a date's
 * text and a project's partner ids live here too). */
typedef struct core_parsed {
    store_row row;
    char dates[STORE_MAX_FIELDS][PRM_TIME_SIZE];
    char domain[PRM_DOMAIN_SIZE]; /* a kind has at most one domain */
    int64_t *ids; /* a project's partners, sorted, no duplicates */
    size_t nids, cap;
} core_parsed;

void core_parsed_free(core_parsed *p);
/* The fields of a kind as "a, b, c" for a message. */
void core_field_names(const prm_kind_info *info, char *buf, size_t size);
bool core_all_digits(const char *s);
/* A non-empty reference that is no record's id, as prm_resolve reads it
 * then: a name, or not found (with names that start with it). */
prm_code core_resolve_name(prm_db *db, const prm_kind_info *info,
                           const char *ref, int64_t *id, prm_error *err);
/* A project's partners, "A,B" or one of them at a time (split false). */
prm_code core_parse_partner_list(prm_db *db, core_parsed *p,
                                 const char *value, bool split,
                                 prm_error *err);
/* One value of field f (index i) into p. */
prm_code core_parse_value(prm_db *db, const prm_kind_info *info,
                          const prm_field *f, int i, const char *value,
                          core_parsed *p, prm_error *err);
/* Every FIELD=VALUE word of verb (add, update) into p. */
prm_code core_parse_args(prm_db *db, const prm_kind_info *info,
                         const prm_arg *args, size_t nargs, const char *verb,
                         core_parsed *p, prm_error *err);
/* The required fields present, and the defaults an add gives. */
prm_code core_complete_for_add(prm_db *db, const prm_kind_info *info,
                               core_parsed *p, prm_error *err);
/* Point the row's partner list at p's ids. */
void core_attach_partner_list(const prm_kind_info *info, core_parsed *p);

/* A deal just added: refused (PRM_ECONFLICT) when its partner holds an
 * active deal for the same customer and product already (deals.c). */
/* The rules a kind keeps (funds.c): after a fund, request, claim or tier
 * is written (added: a new one), what it must keep (no overdrawn fund,
 * no over-claimed request, no request after request_by, a tier with a
 * minimum...); before an update, the fields of a request or claim that
 * change only while it is submitted. */
prm_code core_rules_written(prm_db *db, const prm_kind_info *info,
                            int64_t id, bool added, prm_error *err);
prm_code core_money_update(prm_db *db, const prm_kind_info *info, int64_t id,
                           const store_row *row, prm_error *err);
/* What an import brought keeps the rules of money (store_money_check):
 * PRM_ECONFLICT naming the first rule broken. */
prm_code core_money_imported(prm_db *db, prm_error *err);
/* A tier sets at least one minimum (tiers.c). */
prm_code core_tier_written(prm_db *db, int64_t id, prm_error *err);
prm_code core_deal_registered(prm_db *db, int64_t deal, prm_error *err);

/* A deal list's filters of its own: status= as it reads against the
 * clock, active=yes|no, expiring=N, conflicts=yes|no; *handled false
 * for any other key (deals.c). */
prm_code core_deal_filter(prm_db *db, const prm_kind_info *info,
                          const prm_arg *arg, store_filter *f, core_parsed *p,
                          bool *handled, prm_error *err);

/* A task list's filters of its own: due_before=, due_after=, overdue=;
 * *handled false for any other key (tasks.c). */
prm_code core_task_filter(prm_db *db, const prm_kind_info *info,
                          const prm_arg *arg, store_filter *f, bool *handled,
                          prm_error *err);
/* The start of the clock's day, UTC: what is due before it is overdue. */
void core_today(prm_db *db, char out[PRM_TIME_SIZE]);

/* prm_add without a transaction of its own: for callers that add many
 * records as one command (import csv). */
prm_code records_add(prm_db *db, const prm_kind_info *info,
                     const prm_arg *args, size_t nargs, int64_t *id,
                     prm_error *err);

/* A value as an error message quotes it: cut short when it is long, at a
 * character boundary, so a 1 MiB mistake makes a one-line message
 * (value.c). */
typedef struct core_shown {
    char text[72];
} core_shown;

core_shown core_show_value(const char *v);

/* Whether s is a whole number of at most 18 digits (no sign), and its
 * value (value.c). */
bool core_whole(const char *s, int64_t *out);
/* The value of a KEY=N option that takes a whole number (limit=, id=):
 * "invalid KEY 'V': a whole number" when it is not. */
prm_code core_parse_whole(const prm_arg *a, int64_t *out, prm_error *err);

/* A since= or until= filter as a timestamp; a date alone as until takes
 * in that whole day (value.c). */
prm_code core_window_date(const prm_arg *a, char out[PRM_TIME_SIZE], bool until,
                          prm_error *err);

/* A window whose since comes after its until (either may be NULL): no
 * record could match, which is a mistake worth saying (value.c). */
prm_code core_window_check(const char *since, const char *until,
                           prm_error *err);

/* The thresholds of insights, once: X(name, default, largest allowed), in
 * the order messages list them (insights.c, keys.c). */
#define CORE_INSIGHT_THRESHOLDS(X)                                           \
    X(dormant_days, 90, 36500)                                               \
    X(stalled_days, 30, 36500)                                               \
    X(expand_rate, 0.6, 1)                                                   \
    X(expand_efficiency, 1.0, 1e9)                                           \
    X(expand_max_projects, 2, 1e9)                                           \
    X(gap_max_partners, 1, 1e9)                                              \
    X(expiring_days, 14, 36500)

/* The partners in scope and the date window of metrics and report, from
 * their filters (metrics.c); the window's timestamps live in t.  cmd names
 * the command in messages. */
typedef struct core_scope_text {
    char since[PRM_TIME_SIZE], until[PRM_TIME_SIZE];
} core_scope_text;

prm_code core_parse_scope(prm_db *db, const prm_arg *filters, size_t n,
                          store_scope *s, core_scope_text *t, const char *cmd,
                          prm_error *err);

#endif
