/*
 * prm.h - the public API of the prm core library.
 *
 * The core keeps partners, projects, communications, resources and outcomes
 * in a database and computes the partnership metrics.  It knows nothing of
 * terminals, colours or command lines: a front end turns what a person or a
 * script typed into calls on this API and formats what comes back.
 *
 * Conventions: every function that can fail returns a prm_code (PRM_OK on
 * success) and fills the prm_error it is given with a message a person can
 * act on.  Record values handed to callbacks point into the core's own
 * buffers and are valid only for the duration of the callback.
 *
 * Past 700 lines on purpose: the front end includes this header and no
 * other, so the whole public API, a section per module, is here.
 */
#ifndef PRM_PRM_H
#define PRM_PRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRM_VERSION "0.1.0"

/* --- Errors ------------------------------------------------------------ */

/* The error codes a failed command reports (doc/prm.1, ERRORS). */
typedef enum prm_code {
    PRM_OK = 0,
    PRM_ESYNTAX,
    PRM_EUNKNOWN_COMMAND,
    PRM_EMISSING_FIELD,
    PRM_EUNKNOWN_FIELD,
    PRM_EINVALID_VALUE,
    PRM_ENOT_FOUND,
    PRM_ECONFLICT,
    PRM_EFORBIDDEN,
    PRM_EIO,
    PRM_EDB
} prm_code;

typedef struct prm_error {
    prm_code code;
    char message[1024];
} prm_error;

/* The name of a code as errors show it: "syntax", "not_found", ... */
const char *prm_code_name(prm_code code);

/* Fill err with code and a printf-style message; returns code.  The
 * arguments may include err->message itself, to reword it: "%s: %s",
 * file, err->message puts the file before what went wrong. */
prm_code prm_error_set(prm_error *err, prm_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A value that is none of a fixed list, said the same way everywhere:
 * "WHAT 'VALUE'WHERE (did you mean 'X'?); INTRO: LIST", e.g.
 * "invalid sort 'helth' (did you mean 'health'?); sort by: name, ...".
 * VALUE is cut at a character boundary when long; LIST is "a, b, c". */
prm_code prm_error_choice(prm_error *err, prm_code code, const char *what,
                          const char *value, const char *where,
                          const char *intro, const char *list);

/* Memory ran out: one code (io, as for any resource the system could not
 * give) and one message everywhere; returns PRM_EIO. */
prm_code prm_error_nomem(prm_error *err);

/* The message of an error, or the code's name when it has none. */
const char *prm_error_message(const prm_error *err);

/* --- Record kinds and their fields ------------------------------------ */

typedef enum prm_kind {
    PRM_PARTNER,
    PRM_PROJECT,
    PRM_COMMUNICATION,
    PRM_RESOURCE,
    PRM_OUTCOME,
    PRM_DEAL,
    PRM_TASK,
    PRM_FUND,
    PRM_REQUEST,
    PRM_CLAIM,
    PRM_TIER,
    PRM_KIND_COUNT
} prm_kind;

typedef enum prm_field_type {
    PRM_F_ID,           /* the record's own id */
    PRM_F_TEXT,         /* any UTF-8 text */
    PRM_F_ENUM,         /* one of field->choices */
    PRM_F_PERCENT,      /* integer 0..100 */
    PRM_F_COUNT,        /* a whole number, 0 or more */
    PRM_F_NUMBER,       /* non-negative decimal */
    PRM_F_RATIO,        /* a decimal from 0 to 1 (a rate) */
    PRM_F_MONEY,        /* non-negative amount, exact to the hundredth */
    PRM_F_DOMAIN,       /* an internet domain, stored lower-case */
    PRM_F_DATE,         /* ISO 8601 UTC timestamp */
    PRM_F_PARTNER_REF,  /* a partner, by id or name */
    PRM_F_PROJECT_REF,  /* a project, by id or name */
    /* A record of the kind the field is named for (deal, fund, request,
     * resource), by id, or by name where that kind has names. */
    PRM_F_REF,
    PRM_F_PARTNER_LIST, /* one or more partners (a project's partners) */
    PRM_F_ID_LIST       /* records of the same kind, computed (conflicts) */
} prm_field_type;

enum {
    PRM_FF_REQUIRED = 1 << 0, /* must be given on add */
    PRM_FF_READONLY = 1 << 1, /* set by prm, never by the user */
    PRM_FF_COLUMN = 1 << 2,   /* shown as a column of a text list */
    PRM_FF_NOW = 1 << 3,      /* a date that defaults to the current time */
    /* Personal or confidential text: a person's contact details, what
     * was said.  What encryption at rest covers, and what prm never puts
     * in its own messages. */
    PRM_FF_SENSITIVE = 1 << 4,
    /* Worked out when the record is read, never stored: no column, not
     * settable, left out of exports. */
    PRM_FF_COMPUTED = 1 << 5,
    /* A time stamp the store keeps (created_at, updated_at): now when a
     * record is added, never changed but by the store. */
    PRM_FF_STAMP = 1 << 6
};

typedef struct prm_field {
    const char *name;
    prm_field_type type;
    unsigned flags;
    const char *const *choices; /* NULL-terminated, for PRM_F_ENUM */
    const char *default_value;  /* the value an add gives it, or NULL */
    const char *help;           /* one line: what the field means */
} prm_field;

typedef struct prm_kind_info {
    prm_kind kind;
    const char *name;   /* "partner" */
    const char *plural; /* "partners" */
    const char *alias;  /* another accepted name ("comm"), or NULL */
    const char *summary;
    const prm_field *fields;
    size_t nfields;
    /* The field a record of this kind is known by where another refers
     * to it, for people ("name"; a deal's "customer"), or NULL: its id. */
    const char *label;
} prm_kind_info;

const prm_kind_info *prm_kind_get(prm_kind kind);
/* Look a kind up by name, plural or alias; NULL when there is none. */
const prm_kind_info *prm_kind_find(const char *name);
/* The kind a reference field (partner, project, deal, fund...) refers to. */
prm_kind prm_ref_kind(const prm_field *f);
/* A kind by its plural ("partners"), or NULL. */
const prm_kind_info *prm_kind_find_plural(const char *plural);
/* The field of a kind called name, or NULL. */
const prm_field *prm_field_find(const prm_kind_info *kind, const char *name);
/* The position of a field in its kind's table, or -1. */
int prm_field_index(const prm_kind_info *kind, const char *name);

/* --- Values and records ----------------------------------------------- */

typedef enum prm_value_type {
    PRM_V_NULL,
    PRM_V_INT,
    PRM_V_REAL,
    PRM_V_TEXT,
    PRM_V_IDS,
    PRM_V_MONEY /* i: whole hundredths (prm_parse_money) */
} prm_value_type;

typedef struct prm_value {
    prm_value_type type;
    int64_t i;
    double r;
    const char *s;
    size_t len;
    const int64_t *ids;
    size_t nids;
} prm_value;

/*
 * A record: one value per field of its kind, in the kind's field order.
 * Records from prm_get and prm_list also carry, for each reference (a
 * partner, a project, a project's partners), the name of what it refers to,
 * for output meant for people: ref_name[i] for field i, a project's
 * partners' names joined by ", " in ascending id; NULL for any other field
 * and where there is none.
 */
typedef struct prm_record {
    const prm_kind_info *info;
    const prm_value *v;          /* info->nfields values */
    const char *const *ref_name; /* info->nfields names, or NULLs */
    /* A task's owner on a team database (who it belongs to), shown after
     * its fields and never exported; NULL on a file. */
    const char *owner;
} prm_record;

/* Called once per record; return false to stop early. */
typedef bool (*prm_record_fn)(void *ctx, const prm_record *rec);

/* One FIELD=VALUE word of a command, as typed. */
typedef struct prm_arg {
    const char *key;
    const char *value;
} prm_arg;

/* --- Opening a database ----------------------------------------------- */

typedef struct prm_db prm_db;

/*
 * Open (creating when missing) the prm database at path; ":memory:" gives a
 * private in-memory database.  A new file is created mode 0600 in folders
 * created mode 0700.  Fails with PRM_EIO when the file cannot be opened or
 * created and PRM_EDB when it is not a prm database.
 */
prm_code prm_open(const char *path, prm_db **out, prm_error *err);
void prm_close(prm_db *db);
/* Call before waiting for input (a prompt, a pipe with nothing yet): a team
 * database's last read is ended then rather than after each command, a
 * round trip less for each. */
void prm_idle(prm_db *db);

/* Whether path names a team database (a postgresql:// or postgres://
 * URI) rather than a file. */
bool prm_is_team_uri(const char *path);
/* Whether db is a team database, and the database user prm acts as there
 * (the login name on a file). */
bool prm_is_team(const prm_db *db);
const char *prm_user(const prm_db *db);

/* --- Users of a team database ---------------------------------------------
 * Roles: admin (everything, and users), manager (adds records; changes the
 * partners they own and what belongs to them), viewer (reads).  On a file
 * these fail with PRM_EUNKNOWN_COMMAND; the database itself refuses what a
 * user's role does not allow (PRM_EFORBIDDEN). */
typedef struct prm_user_info {
    const char *name;
    const char *role;
    int64_t partners; /* partners they own */
} prm_user_info;
typedef bool (*prm_user_fn)(void *ctx, const prm_user_info *u);
/* password may be NULL: the server's authentication decides then. */
prm_code prm_user_add(prm_db *db, const char *name, const char *role,
                      const char *password, prm_error *err);
prm_code prm_user_role(prm_db *db, const char *name, const char *role,
                       prm_error *err);
prm_code prm_user_list(prm_db *db, prm_user_fn fn, void *ctx, prm_error *err);

/*
 * The default database path: $PRM_DB, else $XDG_DATA_HOME/prm/prm.db, else
 * ~/.local/share/prm/prm.db.  Writes into buf; false when it does not fit
 * or no home folder is known.
 */
bool prm_default_db_path(char *buf, size_t size);

/* Fix the clock at an ISO 8601 time (tests, reproducible scripts); NULL
 * returns to the real clock. */
prm_code prm_set_now(prm_db *db, const char *when, prm_error *err);
/* The clock as commands read it ("YYYY-MM-DDTHH:MM:SSZ"), valid until the
 * next call. */
const char *prm_now(prm_db *db);

/* --- Transactions ------------------------------------------------------ */
/*
 * Every command is atomic on its own.  A front end may group commands into
 * one transaction for speed (prm_begin/prm_commit) or to keep all or nothing
 * of an input (prm_rollback).
 */
prm_code prm_begin(prm_db *db, prm_error *err);
prm_code prm_commit(prm_db *db, prm_error *err);
prm_code prm_rollback(prm_db *db, prm_error *err);
bool prm_in_transaction(const prm_db *db);

/* --- Records ------------------------------------------------------------ */

/* Add a record from FIELD=VALUE args; its id goes to *id. */
prm_code prm_add(prm_db *db, prm_kind kind, const prm_arg *args, size_t nargs,
                 int64_t *id, prm_error *err);

/* Hints from a script's reader, which holds lines before they run, so that
 * work for them starts on a second thread while the lines before them run
 * (with encryption on: sealing the adds' sensitive values).
 * prm_hints_begin starts a look-ahead, once every line hinted before has
 * run, and says whether hints are of use; prm_hint_add then tells of each
 * add (every one, with or without such values: they are numbered in turn)
 * in the order the lines will run.  Hints change nothing and may be wrong:
 * an add uses what was done ahead only when it is exactly what it needs. */
bool prm_hints_begin(prm_db *db);
void prm_hint_add(prm_db *db, prm_kind kind, const prm_arg *args,
                  size_t nargs);

/* --- Deal registration (deals.c) ---------------------------------------
 *
 * A deal's status moves only by these: approve (submitted; days=N, 90 by
 * default, sets approved_at and expires), reject (submitted; reason=
 * required), extend (approved or expired; days=N required: expires from
 * the later of its expiry and now), won (approved or expired; amount=
 * may set the final amount), lost (approved or expired; reason=), cancel
 * (submitted or approved).  Any other move is PRM_ECONFLICT, naming the
 * deal's status and what the move needs, and changes nothing.
 */
typedef enum prm_deal_move {
    PRM_DEAL_APPROVE,
    PRM_DEAL_REJECT,
    PRM_DEAL_EXTEND,
    PRM_DEAL_WON,
    PRM_DEAL_LOST,
    PRM_DEAL_CANCEL,
    PRM_DEAL_MOVES
} prm_deal_move;

/* The move's verb ("approve"), what it makes the deal ("approved"), the
 * one KEY= it takes (NULL for none), and the move a verb names. */
const char *prm_deal_move_name(prm_deal_move move);
const char *prm_deal_move_done(prm_deal_move move);
const char *prm_deal_move_key(prm_deal_move move);
bool prm_deal_move_find(const char *verb, prm_deal_move *move);
prm_code prm_deal_move_run(prm_db *db, prm_deal_move move, const char *ref,
                           const prm_arg *args, size_t nargs, int64_t *id,
                           prm_error *err);
/* "conflicts with deal 3 of Acme, deal 5 of Globex" when deal is in
 * conflict, "" when not (cut short with "..." when long). */
prm_code prm_deal_conflict_note(prm_db *db, int64_t deal, char *out,
                                size_t size, prm_error *err);

/* --- Follow-ups (tasks.c) ------------------------------------------------
 *
 * A task's status moves only by these: done (open; sets done_at), cancel
 * (open), reopen (done or cancelled; clears done_at).  Any other move is
 * PRM_ECONFLICT and changes nothing.
 */
typedef enum prm_task_move {
    PRM_TASK_DONE,
    PRM_TASK_CANCEL,
    PRM_TASK_REOPEN,
    PRM_TASK_MOVES
} prm_task_move;

bool prm_task_move_find(const char *verb, prm_task_move *move);
/* comm add: a communication and, with next=TEXT [next_due=DATE], its
 * follow-up task (for the same partner and project, due a week on by
 * default) in one command, both or neither; *task 0 without next=. */
prm_code prm_comm_add(prm_db *db, const prm_arg *args, size_t nargs,
                      int64_t *comm, int64_t *task, prm_error *err);
/* What the move makes the task ("done", "cancelled", "reopened"). */
const char *prm_task_move_done(prm_task_move move);
prm_code prm_task_move_run(prm_db *db, prm_task_move move, const char *ref,
                           int64_t *id, prm_error *err);

/* --- Market development funds (funds.c) ----------------------------------
 *
 * A request's status moves only by approve (submitted; amount=N, at most
 * what it asked for and what its fund has available, all of it by
 * default), reject (submitted; reason= required) and cancel (submitted,
 * or approved without claims); it is completed when its paid claims
 * reach its approved amount.  A claim's by approve (submitted), reject
 * (submitted or approved; reason= required) and pay (approved: adds the
 * funding resource of the payment in the same command).  Any other move
 * is PRM_ECONFLICT and changes nothing.
 */
typedef enum prm_money_move {
    PRM_REQUEST_APPROVE,
    PRM_REQUEST_REJECT,
    PRM_REQUEST_CANCEL,
    PRM_CLAIM_APPROVE,
    PRM_CLAIM_REJECT,
    PRM_CLAIM_PAY,
    PRM_MONEY_MOVES
} prm_money_move;

/* The move a verb names for a kind (request or claim). */
bool prm_money_move_find(prm_kind kind, const char *verb,
                         prm_money_move *move);
/* What the move makes the record ("approved", "paid"). */
const char *prm_money_move_done(prm_money_move move);
prm_code prm_money_move_run(prm_db *db, prm_money_move move, const char *ref,
                            const prm_arg *args, size_t nargs, int64_t *id,
                            prm_error *err);

/* --- Partner tiers (tiers.c) ---------------------------------------------
 *
 * A partner qualifies for a tier when it meets every minimum the tier
 * sets, each counted over the tier's window_days back from now: won
 * deals' amounts and count (by closed_at), succeeded projects, the closed
 * success rate of its projects (succeeded and failed ones by updated_at;
 * none closed: no rate, which meets no minimum), communications (by at).
 * It qualifies for the highest-ranked such tier, or none.
 */
enum { PRM_TIER_CRITERIA = 5 };

typedef struct prm_tier_missing {
    const char *criterion; /* "min_deals_won" */
    prm_value have, need;  /* PRM_V_MONEY, PRM_V_INT or PRM_V_REAL; have
                              PRM_V_NULL: no closed project, no rate */
} prm_tier_missing;

typedef struct prm_tier_row {
    int64_t partner;
    const char *name;
    const char *tier;      /* its tier now, or NULL */
    const char *qualifies; /* the tier it qualifies for, or NULL */
    const char *change;    /* "promote", "demote" or "keep" */
    const char *next;      /* the tier ranked just above, or NULL */
    prm_tier_missing missing[PRM_TIER_CRITERIA];
    size_t nmissing;       /* what next needs that the partner lacks */
} prm_tier_row;

typedef bool (*prm_tier_fn)(void *ctx, const prm_tier_row *row);

/* A row per partner in scope (partner=, type=, region=, status=), in id
 * order.  PRM_ENOT_FOUND when there are no tiers. */
prm_code prm_tier_review(prm_db *db, const prm_arg *filters, size_t n,
                         prm_tier_fn fn, void *ctx, prm_error *err);
/* Set each partner in scope's tier to the one it qualifies for (NULL:
 * none), only where it changes: one audit entry each, one change that
 * undo reverts.  fn sees each partner changed, as review shows it
 * (before the change); *changed counts them. */
prm_code prm_tier_apply(prm_db *db, const prm_arg *filters, size_t n,
                        prm_tier_fn fn, void *ctx, int64_t *changed,
                        prm_error *err);
/* "needs 2 more won deals, 120000 more won value" for people, or "" when
 * nothing is missing. */
void prm_tier_missing_text(const prm_tier_row *row, char *out, size_t size);

/* --- The agenda (agenda.c) ----------------------------------------------
 *
 * What needs doing from the past up to the end of the day `days=` ahead
 * (7 by default): open tasks by due, approved deals by expires and by
 * close, planned or active projects by due, and active partners with an
 * active project or deal not contacted for quiet_days= (90) days, dated
 * their last contact plus those days; partner=REF and (a team database's)
 * owner=USER narrow it.  In date, kind and id order.
 */
typedef struct prm_agenda_item {
    const char *kind; /* task, deal_expiring, deal_close, project_due,
                         partner_quiet */
    const char *date; /* a timestamp */
    int64_t day;      /* days from today to date: < 0 is overdue */
    int64_t days;     /* the days= asked for */
    bool overdue;
    int64_t id; /* the task's, deal's, project's or partner's */
    bool has_partner;
    int64_t partner;
    const char *partner_name; /* NULL without a partner */
    const char *text;         /* one sentence: a task's title, ... */
} prm_agenda_item;

typedef bool (*prm_agenda_fn)(void *ctx, const prm_agenda_item *item);

/* names: each item's partner_name too (a lookup an item, for people). */
prm_code prm_agenda(prm_db *db, const prm_arg *filters, size_t n,
                    bool names, prm_agenda_fn fn, void *ctx, prm_error *err);
/* The same items as an iCalendar file (RFC 5545) written to out; *items
 * how many. */
prm_code prm_agenda_ics(prm_db *db, const prm_arg *filters, size_t n,
                        FILE *out, int64_t *items, prm_error *err);

/* When two deals name the same customer (deal_match.c).  A customer key
 * is the name without ASCII case, punctuation, spacing (CJK and
 * full-width punctuation included) and one trailing legal form (Inc, LLC,
 * Ltd, Limited, GmbH, AG, SA, SAS, SRL, BV, NV, Co, Corp, Corporation,
 * PLC, Pty Ltd, KK, 有限公司), into out; false when it does not fit.  A
 * domain covers another when they are equal or one is a subdomain of the
 * other; a domain's root is its last two labels, which a domain and its
 * subdomains share.  Products overlap when either is NULL or they are
 * equal without regard to ASCII case.  Two deals name the same customer
 * when their domains cover each other, or, when either has no domain,
 * their customer keys are equal (and not empty). */
bool prm_customer_key(const char *name, char *out, size_t size);
bool prm_domain_covers(const char *a, const char *b);
void prm_domain_root(const char *domain, char *out); /* PRM_DOMAIN_SIZE */
bool prm_products_overlap(const char *a, const char *b);
bool prm_same_customer(const char *domain_a, const char *name_a,
                       const char *domain_b, const char *name_b);

/* Change the fields named in args of the record ref refers to.  When
 * they hold those values already, nothing is written (no audit entry, no
 * new updated_at) and *changed (if not NULL) is false. */
prm_code prm_update(prm_db *db, prm_kind kind, const char *ref,
                    const prm_arg *args, size_t nargs, int64_t *id,
                    bool *changed, prm_error *err);

/*
 * Delete the record ref refers to.  When other records refer to it, fails
 * with PRM_ECONFLICT unless cascade is set; see doc/guide.md for what goes with it.
 */
prm_code prm_delete(prm_db *db, prm_kind kind, const char *ref, bool cascade,
                    int64_t *id, prm_error *err);

/* Resolve a reference (numeric id or case-insensitive name) to an id. */
prm_code prm_resolve(prm_db *db, prm_kind kind, const char *ref, int64_t *id,
                     prm_error *err);

/* Call fn with the record of this id. */
prm_code prm_get(prm_db *db, prm_kind kind, int64_t id, prm_record_fn fn,
                 void *ctx, prm_error *err);

/* Call fn with the record a reference names (an id, else a name, as
 * prm_resolve reads it): the lookup and the read in one transaction. */
prm_code prm_get_ref(prm_db *db, prm_kind kind, const char *ref,
                     prm_record_fn fn, void *ctx, prm_error *err);

/* Call fn for every record matching all filters, in ascending id; with
 * names, each record carries the names of what it refers to (ref_name), at
 * the cost of a lookup per reference. */
prm_code prm_list(prm_db *db, prm_kind kind, const prm_arg *filters,
                  size_t nfilters, bool names, prm_record_fn fn, void *ctx,
                  prm_error *err);

/* The names of records of a kind starting with prefix (for completion). */
prm_code prm_names(prm_db *db, prm_kind kind, const char *prefix,
                   bool (*fn)(void *ctx, const char *name), void *ctx,
                   prm_error *err);

/* --- Metrics ------------------------------------------------------------ */

typedef struct prm_metrics {
    int64_t partners, projects, succeeded, failed;
    int64_t communications, resources, outcomes;
    /* Deals of the partners in scope, dated by created_at: registered,
     * won, lost, active (submitted, or approved and not expired at the
     * window's end or now), ever approved, rejected; and in cents the
     * amounts of the approved unexpired (the pipeline) and of the won. */
    int64_t deals, deals_won, deals_lost, deals_active, deals_approved,
        deals_rejected;
    int64_t pipeline_value, won_value;
} prm_metrics;

/* Filters: partner, type, region, status (partners in scope) and since,
 * until (each kind by its own date).  See doc/prm.1, METRICS. */
prm_code prm_metrics_compute(prm_db *db, const prm_arg *filters,
                             size_t nfilters, prm_metrics *out,
                             prm_error *err);

/* The ratios; false (no value) when the denominator is 0. */
bool prm_relationship_degree(const prm_metrics *m, double *out);
bool prm_project_success_rate(const prm_metrics *m, double *out);
bool prm_closed_success_rate(const prm_metrics *m, double *out);
bool prm_resource_efficiency(const prm_metrics *m, double *out);
/* won / (won + lost); ever approved / (ever approved + rejected). */
bool prm_deal_win_rate(const prm_metrics *m, double *out);
bool prm_deal_approval_rate(const prm_metrics *m, double *out);

/* --- Report (report.c) ------------------------------------------------- */

/* One partner's figures, each the same as metrics partner=ID gives (its
 * m.partners is 1); last_contact is its latest communication's date. */
typedef struct prm_report_row {
    int64_t partner;
    const char *name;
    prm_metrics m;
    const char *last_contact; /* or NULL */
    /* The health score, 0 to 100, and its terms (doc/guide.md: Health). */
    int64_t health;
    double recency, frequency, success, efficiency; /* each 0..1 */
    bool has_days;
    double days;    /* since the last contact, when there was one */
    int64_t recent; /* communications in the 90 days before the date */
} prm_report_row;

typedef bool (*prm_report_fn)(void *ctx, const prm_report_row *row);

/* The fields report partners' sort= may name, NULL-terminated. */
extern const char *const prm_report_sort_fields[];

/* A row per partner in scope: the filters of metrics, plus sort=FIELD
 * (a report field; figures largest first, name from A) and limit=N. */
prm_code prm_report_partners(prm_db *db, const prm_arg *filters,
                             size_t nfilters, prm_report_fn fn, void *ctx,
                             prm_error *err);

/* One period of report trend: what happened in it (projects started,
 * succeeded and failed among them, communications, resources, outcomes,
 * partners added) and the running totals up to its end, from which the
 * ratios "as of" the period come. */
typedef struct prm_trend_row {
    const char *period; /* 2026-03, 2026-Q1 or 2026 */
    prm_metrics in;     /* in the period; partners: added in it */
    prm_metrics total;  /* up to the period's end */
} prm_trend_row;

typedef bool (*prm_trend_fn)(void *ctx, const prm_trend_row *row);

/* Periods by=month (default), quarter or year, over the partners in
 * scope and the window (the filters of metrics). */
prm_code prm_trend(prm_db *db, const prm_arg *filters, size_t nfilters,
                   prm_trend_fn fn, void *ctx, prm_error *err);

/* --- Insights (insights.c) ---------------------------------------------- */

/* One finding of opportunity mining: the rule that fired, its subject and
 * the numbers behind it, in rank order (doc/guide.md: Insights). */
typedef struct prm_finding {
    int rank;
    const char *rule;    /* stalled_project, dormant_partner, ... */
    const char *subject; /* partner, project, region or type */
    int64_t id;          /* the partner or project; 0 for a region or type */
    const char *name;
    const char *message; /* one sentence: what was found, and why */
    size_t nnumbers;
    const char *number_names[4];
    double numbers[4];
    bool has_number[4]; /* false: no value (never contacted, say) */
} prm_finding;

typedef bool (*prm_finding_fn)(void *ctx, const prm_finding *f);

/* Findings of every rule over the partners in scope (partner=, type=,
 * region=, status=; until= dates the analysis), with the thresholds
 * dormant_days=, stalled_days=, expand_rate=, expand_efficiency=,
 * expand_max_projects=, gap_max_partners= and limit= (per rule). */
prm_code prm_insights(prm_db *db, const prm_arg *filters, size_t nfilters,
                      prm_finding_fn fn, void *ctx, prm_error *err);

/* --- Value syntax (shared with front ends for completion and help) ----- */

/* A time as prm stores and prints it, "YYYY-MM-DDTHH:MM:SSZ", with its
 * NUL. */
#define PRM_TIME_SIZE 21
/* Parse a date as the command language takes it (YYYY-MM-DD or
 * YYYY-MM-DDTHH:MM[:SS][Z]) into "YYYY-MM-DDTHH:MM:SSZ".  *date_only
 * tells whether only a date was given. */
bool prm_parse_date(const char *s, char out[PRM_TIME_SIZE], bool *date_only);
/* The timestamp stamp ("YYYY-MM-DDTHH:MM:SSZ") moved by seconds, which
 * may be negative, into out; stamp copied as it is when it is not one. */
void prm_time_add(const char *stamp, int64_t seconds,
                  char out[PRM_TIME_SIZE]);
/* A non-negative decimal number, finite. */
bool prm_parse_number(const char *s, double *out);
/* Money is exact: whole hundredths (cents) in an integer, never a binary
 * fraction.  prm_parse_money reads digits [. digits] with at most two
 * decimals that are not zero (12, 12.5, 12.50, 12.500), below
 * PRM_MONEY_MAX_UNITS; prm_format_money writes the shortest form that
 * reads back (1250 cents: "12.5"; 5: "0.05") into a PRM_MONEY_TEXT
 * buffer. */
#define PRM_MONEY_MAX_UNITS 1000000000000000LL /* 10^15 */
#define PRM_MONEY_TEXT 32
/* The largest whole number a count field (PRM_F_COUNT) takes. */
#define PRM_COUNT_MAX 1000000000LL
bool prm_parse_money(const char *s, int64_t *cents);
/* An internet domain as prm keeps it: lower-case ASCII labels of letters,
 * digits and inner hyphens, at least two, joined by dots (a final dot
 * dropped), at most 253 characters; no scheme, path, port or address.
 * False when s is none. */
#define PRM_DOMAIN_SIZE 254
bool prm_parse_domain(const char *s, char out[PRM_DOMAIN_SIZE]);
void prm_format_money(int64_t cents, char *buf, size_t size);
/* Whether s is valid UTF-8 of len bytes with no NUL byte. */
bool prm_utf8_valid(const char *s, size_t len);
/* n in decimal, as "%lld" writes it, at the end of buf; returns where it
 * starts.  Without printf: a bulk load formats an id for every line. */
#define PRM_INT_TEXT 24
const char *prm_int_text(char buf[PRM_INT_TEXT], int64_t n);

/* The one of names[] nearest to word (two edits or fewer), or NULL: for
 * "did you mean ...?" in messages. */
const char *prm_suggest(const char *word, const char *const *names, size_t n);
/* " (did you mean 'region'?)" when word is near one of the words of list
 * ("id, name, region"), else ""; written into buf (size bytes). */
#define PRM_DID_YOU_MEAN 64
const char *prm_did_you_mean(const char *word, const char *list, char *buf,
                             size_t size);

/* --- Export and import (transfer.c, import.c, csv.c) ----------------- */

typedef enum prm_format { PRM_FORMAT_JSON, PRM_FORMAT_JSONL } prm_format;

/* Records per kind that an export wrote or an import added. */
typedef struct prm_counts {
    int64_t n[PRM_KIND_COUNT];
} prm_counts;

/* Whether an export may write the file path: not the database itself
 * (nor its journal), nor another database, which it would destroy. */
prm_code prm_export_target(prm_db *db, const char *path, prm_error *err);

/* Write every record to out: JSON, prm's export object, or JSON
 * Lines, a record a line (doc/guide.md: Formats). */
prm_code prm_export(prm_db *db, prm_format format, FILE *out,
                    prm_counts *counts, prm_error *err);
/* Add every record of an export; all or nothing.  Into an empty database
 * the records keep their ids, else they get new ones. */
prm_code prm_import(prm_db *db, prm_format format, FILE *in,
                    prm_counts *counts, prm_error *err);

/* One kind's records as CSV (RFC 4180) with a header row of field names;
 * *rows gets the number of records written or added.  Import adds each
 * row as `KIND add` would, all or nothing (doc/guide.md: Formats). */
prm_code prm_export_csv(prm_db *db, prm_kind kind, FILE *out, int64_t *rows,
                        prm_error *err);
prm_code prm_import_csv(prm_db *db, prm_kind kind, FILE *in, int64_t *rows,
                        prm_error *err);

/* Encrypted files (crypt.c): a passphrase, Argon2id, XChaCha20-Poly1305
 * secretstream chunks with a FINAL tag (doc/guide.md: Encryption).
 * prm_seal_open writes the header to out and gives a stream that seals
 * what is written to it; closing it writes the last chunk (EOF when
 * that fails).  prm_is_sealed says whether a seekable file is one (or a
 * damaged one: six of its eight magic bytes are enough).
 * prm_sealed_open checks every chunk of in first ("wrong passphrase or
 * damaged file", PRM_EINVALID_VALUE, when one fails, the file is cut or
 * something follows its end), then gives a stream of its text. */
prm_code prm_seal_open(FILE *out, const char *pass, size_t passlen,
                       FILE **sealed, prm_error *err);
bool prm_is_sealed(FILE *in);
prm_code prm_sealed_open(FILE *in, const char *pass, size_t passlen,
                         FILE **text, prm_error *err);
/* Zero memory that held a secret, in a way the compiler keeps. */
void prm_wipe(void *p, size_t len);

/*
 * Sensitive fields at rest (store/seal.c; doc/guide.md: Encryption).  With
 * encryption on, every value of a PRM_FF_SENSITIVE field and every command
 * in the audit log is sealed (XChaCha20-Poly1305, the record's kind, id
 * and field bound in) with a random data key, which the database keeps
 * wrapped under a key derived from the passphrase.  Records read come
 * back opened; nothing above the store sees a sealed value.
 *
 * prm_encrypted: whether the database has encryption on, so that it must
 * be unlocked before any command.  prm_unlock: the passphrase, checked
 * against the wrapped key ("wrong passphrase, or the database's key row
 * was changed": PRM_EINVALID_VALUE).  prm_set_passphrase_fn: where the
 * core asks for a passphrase it needs later (a backup of an encrypted
 * database being restored); fn fills buf and *len, or fails.
 */
bool prm_encrypted(const prm_db *db);
prm_code prm_unlock(prm_db *db, const char *pass, size_t passlen,
                    prm_error *err);
typedef prm_code (*prm_passphrase_fn)(void *ctx, char *buf, size_t size,
                                      size_t *len, prm_error *err);
void prm_set_passphrase_fn(prm_db *db, prm_passphrase_fn fn, void *ctx);
/* encrypt on: seal every sensitive value and audit entry, keep the key
 * under pass; encrypt off: open them all and drop the key; encrypt
 * passphrase: wrap the same key under a new one (one row).  An admin's
 * on a team database.  A file is then vacuumed, and its WAL emptied, so
 * that no page keeps the text it held. */
prm_code prm_encrypt_on(prm_db *db, const char *pass, size_t passlen,
                        prm_error *err);
prm_code prm_encrypt_off(prm_db *db, prm_error *err);
prm_code prm_encrypt_passphrase(prm_db *db, const char *pass, size_t passlen,
                                prm_error *err);

/* Called now and then (every 1,000 records) while an import runs, with the
 * number of records read so far; NULL stops it. */
void prm_set_progress(prm_db *db, void (*fn)(void *ctx, int64_t done),
                      void *ctx);

/* --- What each command takes (keys.c) ------------------------------- */

/* The KEY= words a command that is not a record kind takes (filters,
 * thresholds, options), in the order messages list them: command is
 * "metrics", "report partners", "report trend", "insights" or "audit";
 * NULL for any other.  Each list ends with NULL. */
const char *const *prm_command_keys(const char *command);
/* The filters a kind's list takes beyond the fields add takes (since=,
 * until=, a status set by prm, a deal's active= or a task's overdue=
 * ...), NULL-terminated. */
const char *const *prm_list_keys(prm_kind kind);
/* The KEY= words a verb of a kind's own takes (deal approve: days; tier
 * review: partner, type, region, status), NULL-terminated; NULL for the
 * record verbs (add, list ...), which take fields. */
const char *const *prm_verb_keys(prm_kind kind, const char *verb);
/* The values KEY= of command takes when they are a fixed list (by=,
 * metric=, sort=, an audit's kind=, a scope's status=, a user's role=);
 * NULL when it takes any value. */
const char *const *prm_key_values(const char *command, const char *key);
/* The columns report trend counts or computes per period, the periods it
 * counts by, the kinds of record the audit log names, a team database's
 * roles. */
extern const char *const prm_trend_metrics[];
extern const char *const prm_trend_periods[];
extern const char *const prm_audit_kinds[];
extern const char *const prm_roles[];
/* words as one line for a person, "a, b, c", in buf; returns buf. */
const char *prm_words_text(const char *const *words, char *buf, size_t size);

/* --- Keeping it safe (audit.c, backup.c; check in the engines) ------- */

/* The text of the command about to run (len bytes), as the audit log
 * records it.  Copied into a buffer the database handle reuses, so a
 * script of a million lines does not allocate for each. */
void prm_set_command(prm_db *db, const char *command, size_t len);

typedef struct prm_audit_entry {
    int64_t id, change;
    const char *at, *user, *command;
    const char *action; /* add, update, delete */
    const char *kind;   /* partner, ..., or project_partner (a link) */
    int64_t record;
    const char *before, *after; /* JSON images, or NULL */
    int64_t undoes;             /* the change an undo reverted, or 0 */
} prm_audit_entry;

typedef bool (*prm_audit_fn)(void *ctx, const prm_audit_entry *e);

/* The audit log, oldest first, of the newest limit= entries (default 50,
 * 0 for all) matching kind=, id=, user=, since=, until=. */
prm_code prm_audit(prm_db *db, const prm_arg *filters, size_t nfilters,
                   prm_audit_fn fn, void *ctx, prm_error *err);

/* Revert the last n changes (commands) not yet undone, all or nothing;
 * fn (when not NULL) hears of each, newest first, once all have
 * succeeded. */
prm_code prm_undo(prm_db *db, int n,
                  void (*fn)(void *ctx, int64_t change, const char *command),
                  void *ctx, prm_error *err);

/* A consistent copy of the database at path, mode 0600, made while others
 * may be using the database: a file's pages (SQLite's online backup), or a
 * team database's records from one snapshot in a new prm file. */
prm_code prm_backup(prm_db *db, const char *path, prm_error *err);
/* The records of the backup at path (a prm database file) in place of
 * db's: into an empty database; into one with records PRM_ECONFLICT
 * unless force, which replaces them, all in one transaction. */
prm_code prm_restore(prm_db *db, const char *path, bool force,
                     prm_counts *counts, prm_error *err);

typedef struct prm_check_report {
    char integrity[256];     /* "ok", or the first problem found */
    int64_t foreign_key_errors;
    int64_t schema_version;
    bool on_file;            /* a file (not in memory, not a server) */
    unsigned file_mode, folder_mode; /* its permission bits, and its folder's */
    bool encrypted;          /* sensitive fields sealed at rest */
    int64_t sealed_values;   /* how many open, and how many do not */
    int64_t sealed_failed;
    int problems;            /* how many of the above are wrong */
    char summary[768];       /* the problems, one sentence each */
} prm_check_report;

/* Integrity, foreign keys, schema version, whether others may read the
 * file or its folder, and with encryption on that every sealed value
 * opens. */
prm_code prm_check(prm_db *db, prm_check_report *report, prm_error *err);
/* What check can put right: the counts a file keeps for metrics, counted
 * again from the records (one transaction; nothing else changes). */
prm_code prm_check_repair(prm_db *db, prm_error *err);

/* --- JSON text (json_write.c) ------------------------------------------- */

/* A number as prm prints it: whole numbers plainly (25000), others in the
 * shortest form that reads back exactly (0.1, 0.3333333333333333). */
void prm_format_number(double v, char *buf, size_t size);
void prm_json_string(FILE *f, const char *s, size_t len);
/* The same without the quotes around it: a string written in pieces, each
 * ending on a character boundary. */
void prm_json_chars(FILE *f, const char *s, size_t len);
void prm_json_cstring(FILE *f, const char *s);
void prm_json_number(FILE *f, double v);
/* A record as a JSON object with exactly its kind's fields, in order. */
void prm_json_record(FILE *f, const prm_record *rec);
/* The same without the fields worked out when read (an export's record). */
void prm_json_record_stored(FILE *f, const prm_record *rec);

#ifdef __cplusplus
}
#endif

#endif /* PRM_PRM_H */
