/*
 * funds.c - market development funds: the moves of a request (approve,
 * reject, cancel) and of a claim (approve, reject, pay), and the rules
 * every write of a fund, request or claim keeps.
 *
 * Money never overdraws: a fund's approved requests never add up to more
 * than its amount, a request's claims that are not rejected never to
 * more than its approved amount.  Each check runs after the row it
 * guards is locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite has one
 * writer at a time), so two admins approving at once on a team database
 * are checked one after the other, and the second sees the first's.
 * Amounts are whole cents throughout: exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

typedef struct money_move {
    prm_kind kind;
    const char *verb;      /* approve */
    const char *done;      /* "approved" */
    const char *from[2];   /* statuses it starts from */
    const char *from_text; /* "a submitted request" */
    const char *to;        /* the status stored */
    const char *key;       /* the KEY= it takes, or NULL */
    bool key_required;
} money_move;

static const money_move moves[PRM_MONEY_MOVES] = {
    [PRM_REQUEST_APPROVE] = {PRM_REQUEST, "approve", "approved", {"submitted"},
                             "a submitted request", "approved", "amount",
                             false},
    [PRM_REQUEST_REJECT] = {PRM_REQUEST, "reject", "rejected", {"submitted"},
                            "a submitted request", "rejected", "reason", true},
    [PRM_REQUEST_CANCEL] = {PRM_REQUEST, "cancel", "cancelled",
                            {"submitted", "approved"},
                            "a submitted or approved request", "cancelled",
                            NULL, false},
    [PRM_CLAIM_APPROVE] = {PRM_CLAIM, "approve", "approved", {"submitted"},
                           "a submitted claim", "approved", NULL, false},
    [PRM_CLAIM_REJECT] = {PRM_CLAIM, "reject", "rejected",
                          {"submitted", "approved"},
                          "a submitted or approved claim", "rejected",
                          "reason", true},
    [PRM_CLAIM_PAY] = {PRM_CLAIM, "pay", "paid", {"approved"},
                       "an approved claim", "paid", NULL, false},
};

bool prm_money_move_find(prm_kind kind, const char *verb,
                         prm_money_move *move)
{
    for (int m = 0; m < PRM_MONEY_MOVES; m++)
        if (moves[m].kind == kind && strcmp(moves[m].verb, verb) == 0) {
            *move = (prm_money_move)m;
            return true;
        }
    return false;
}

const char *prm_money_move_done(prm_money_move move)
{
    return moves[move].done;
}

/* --- what a move or a rule needs of a request and its fund ---------------- */

typedef struct request_now {
    char status[16];
    int64_t fund, partner, project; /* project 0: none */
    int64_t amount, approved;       /* cents; approved -1: none */
    char activity[200];
} request_now;

typedef struct fund_now {
    int64_t amount; /* cents */
    char name[200], currency[16];
    char request_by[PRM_TIME_SIZE], claim_by[PRM_TIME_SIZE]; /* "" none */
} fund_now;

typedef struct claim_now {
    char status[16];
    int64_t request, amount;
} claim_now;

static const prm_value *field(const prm_record *rec, const char *name)
{
    return &rec->v[prm_field_index(rec->info, name)];
}

static void copy_text(char *out, size_t size, const prm_value *v)
{
    if (v->type == PRM_V_TEXT)
        snprintf(out, size, "%.*s", (int)v->len, v->s);
    else
        out[0] = '\0';
}

static bool read_request(void *ctx, const prm_record *rec)
{
    request_now *r = ctx;
    const prm_value *approved = field(rec, "approved_amount");
    copy_text(r->status, sizeof r->status, field(rec, "status"));
    copy_text(r->activity, sizeof r->activity, field(rec, "activity"));
    r->fund = field(rec, "fund")->i;
    r->partner = field(rec, "partner")->i;
    r->project =
        field(rec, "project")->type == PRM_V_INT ? field(rec, "project")->i : 0;
    r->amount = field(rec, "amount")->i;
    r->approved = approved->type == PRM_V_MONEY ? approved->i : -1;
    return false;
}

static void copy_col(char *out, size_t size, const char *col)
{
    snprintf(out, size, "%s", col ? col : "");
}

static bool read_fund(void *ctx, const char *const *cols, size_t ncols)
{
    fund_now *f = ctx;
    (void)ncols;
    copy_col(f->name, sizeof f->name, cols[0]);
    copy_col(f->currency, sizeof f->currency, cols[1]);
    copy_col(f->request_by, sizeof f->request_by, cols[2]);
    copy_col(f->claim_by, sizeof f->claim_by, cols[3]);
    f->amount = cols[4] ? strtoll(cols[4], NULL, 10) : 0;
    return false;
}

static bool read_claim(void *ctx, const prm_record *rec)
{
    claim_now *c = ctx;
    copy_text(c->status, sizeof c->status, field(rec, "status"));
    c->request = field(rec, "request")->i;
    c->amount = field(rec, "amount")->i;
    return false;
}

static prm_code fetch_request(prm_db *db, int64_t id, request_now *r,
                              prm_error *err)
{
    return store_fetch(db, prm_kind_get(PRM_REQUEST), id, read_request, r,
                       err);
}

/* The fund's terms only: its record would work out its sums, a read of
 * every request it has. */
static prm_code fetch_fund(prm_db *db, int64_t id, fund_now *f,
                           prm_error *err)
{
    *f = (fund_now){.name = ""};
    return store_fund_terms(db, id, read_fund, f, err);
}

static const char *money_text(char buf[PRM_MONEY_TEXT], int64_t cents)
{
    prm_format_money(cents, buf, PRM_MONEY_TEXT);
    return buf;
}

/* Whether the day of now is after the last day by (a date; "" is none). */
static bool past(prm_db *db, const char *by)
{
    return by[0] != '\0' && strncmp(store_now(db), by, 10) > 0;
}

/* --- currencies ------------------------------------------------------------ */

/* The ISO 4217 currencies without a minor unit: their amounts are whole.
 * (prm keeps two decimals at most, so a currency of three is kept to
 * the hundredth.) */
static const char *const whole_currencies[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
    "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};

static bool is_whole_currency(const char *currency)
{
    for (size_t i = 0; whole_currencies[i] != NULL; i++)
        if (strcmp(whole_currencies[i], currency) == 0)
            return true;
    return false;
}

static bool is_currency_code(const char *s)
{
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
           s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

/* An amount of cents in the fund's currency: whole where it has no
 * minor unit (what approves or claims it, said in what). */
static prm_code check_units(const fund_now *f, int64_t cents,
                            const char *what, prm_error *err)
{
    if (cents % 100 == 0 || !is_whole_currency(f->currency))
        return PRM_OK;
    char a[PRM_MONEY_TEXT];
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "invalid %s '%s': %s has no minor unit; give a "
                         "whole amount",
                         what, money_text(a, cents), f->currency);
}

static prm_code check_fund(prm_db *db, int64_t fund, prm_error *err);

/* A fund's currency is an ISO 4217 code, and its amounts fit it. */
static prm_code fund_written(prm_db *db, int64_t id, bool added,
                             prm_error *err)
{
    fund_now f;
    int64_t fractions;
    prm_code rc = fetch_fund(db, id, &f, err);
    if (rc != PRM_OK)
        return rc;
    if (f.currency[0] != '\0' && !is_currency_code(f.currency))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid currency '%s': a three-letter ISO 4217 "
                             "code in capitals, such as USD, EUR or JPY",
                             core_show_value(f.currency).text);
    rc = check_units(&f, f.amount, "amount", err);
    if (rc == PRM_OK && is_whole_currency(f.currency)) {
        rc = store_fund_fractions(db, id, &fractions, err);
        if (rc == PRM_OK && fractions > 0)
            rc = prm_error_set(err, PRM_EINVALID_VALUE,
                               "fund %lld has requests or claims of amounts "
                               "with cents, which %s has not",
                               (long long)id, f.currency);
    }
    if (rc == PRM_OK && !added)
        rc = check_fund(db, id, err);
    return rc;
}

/* --- the rules ---------------------------------------------------------- */

/* The fund's approved requests fit in its amount (the fund locked). */
static prm_code check_fund(prm_db *db, int64_t fund, prm_error *err)
{
    int64_t available;
    prm_code rc = store_lock(db, prm_kind_get(PRM_FUND), fund, err);
    if (rc == PRM_OK)
        rc = store_fund_available(db, fund, &available, err);
    if (rc != PRM_OK || available >= 0)
        return rc;
    char a[PRM_MONEY_TEXT];
    return prm_error_set(err, PRM_ECONFLICT,
                         "fund %lld would be overdrawn by %s: its approved "
                         "requests cannot add up to more than its amount",
                         (long long)fund, money_text(a, -available));
}

/* The request's claims not rejected fit in its approved amount (the
 * request locked). */
static prm_code check_claims(prm_db *db, int64_t request, prm_error *err)
{
    request_now r;
    int64_t sums[2];
    prm_code rc = store_lock(db, prm_kind_get(PRM_REQUEST), request, err);
    if (rc == PRM_OK)
        rc = fetch_request(db, request, &r, err);
    if (rc == PRM_OK)
        rc = store_request_claims(db, request, sums, err);
    if (rc != PRM_OK)
        return rc;
    int64_t approved = r.approved < 0 ? 0 : r.approved;
    if (sums[0] <= approved)
        return PRM_OK;
    char a[PRM_MONEY_TEXT], c[PRM_MONEY_TEXT];
    return prm_error_set(err, PRM_ECONFLICT,
                         "request %lld's claims would come to %s, over the "
                         "%s approved: claims never add up to more than "
                         "their request's approved amount",
                         (long long)request, money_text(c, sums[0]),
                         money_text(a, approved));
}

static prm_code request_units(prm_db *db, int64_t id, prm_error *err)
{
    request_now r;
    fund_now f;
    prm_code rc = fetch_request(db, id, &r, err);
    if (rc == PRM_OK)
        rc = fetch_fund(db, r.fund, &f, err);
    return rc == PRM_OK ? check_units(&f, r.amount, "amount", err) : rc;
}

/* A new request: its fund still takes requests. */
static prm_code request_added(prm_db *db, int64_t id, prm_error *err)
{
    request_now r;
    fund_now f;
    prm_code rc = fetch_request(db, id, &r, err);
    if (rc == PRM_OK)
        rc = fetch_fund(db, r.fund, &f, err);
    if (rc == PRM_OK)
        rc = check_units(&f, r.amount, "amount", err);
    if (rc == PRM_OK && past(db, f.request_by))
        rc = prm_error_set(err, PRM_ECONFLICT,
                           "fund %s took requests until %.10s; it takes no "
                           "more",
                           f.name, f.request_by);
    return rc;
}

/* A new claim: against an approved request, before its fund's claim_by,
 * and within what the request has left. */
static prm_code claim_added(prm_db *db, int64_t id, prm_error *err)
{
    claim_now c;
    request_now r;
    fund_now f;
    prm_code rc = store_fetch(db, prm_kind_get(PRM_CLAIM), id, read_claim,
                              &c, err);
    if (rc == PRM_OK)
        rc = fetch_request(db, c.request, &r, err);
    if (rc == PRM_OK)
        rc = fetch_fund(db, r.fund, &f, err);
    if (rc != PRM_OK)
        return rc;
    if (strcmp(r.status, "approved") != 0)
        return prm_error_set(err, PRM_ECONFLICT,
                             "request %lld is %s; claims are made against an "
                             "approved request",
                             (long long)c.request, r.status);
    rc = check_units(&f, c.amount, "amount", err);
    if (rc != PRM_OK)
        return rc;
    if (past(db, f.claim_by))
        return prm_error_set(err, PRM_ECONFLICT,
                             "fund %s took claims until %.10s; it takes no "
                             "more",
                             f.name, f.claim_by);
    return check_claims(db, c.request, err);
}

/* Which fields of a request or claim change only while it is submitted:
 * what was approved stays what was asked for. */
static const char *const fixed_once_moved[PRM_KIND_COUNT][4] = {
    [PRM_REQUEST] = {"fund", "partner", "amount", NULL},
    [PRM_CLAIM] = {"request", "amount", NULL},
};

static bool read_status(void *ctx, const prm_record *rec)
{
    copy_text(ctx, 16, field(rec, "status"));
    return false;
}

prm_code core_money_update(prm_db *db, const prm_kind_info *info, int64_t id,
                           const store_row *row, prm_error *err)
{
    const char *const *fixed = fixed_once_moved[info->kind];
    const char *given = NULL;
    for (size_t i = 0; fixed[0] != NULL && fixed[i] != NULL; i++)
        if (row->set[prm_field_index(info, fixed[i])])
            given = fixed[i];
    if (given == NULL)
        return PRM_OK;
    char status[16];
    prm_code rc = store_fetch(db, info, id, read_status, status, err);
    if (rc != PRM_OK || strcmp(status, "submitted") == 0)
        return rc;
    return prm_error_set(err, PRM_ECONFLICT,
                         "%s %lld is %s: its %s changes only while it is "
                         "submitted",
                         info->name, (long long)id, status, given);
}

prm_code core_rules_written(prm_db *db, const prm_kind_info *info,
                            int64_t id, bool added, prm_error *err)
{
    switch (info->kind) {
    case PRM_FUND:
        return fund_written(db, id, added, err);
    case PRM_REQUEST:
        /* An update changes no approved amount: what could is fixed
         * once it is approved (core_money_update); its amount still fits
         * its fund's currency. */
        return added ? request_added(db, id, err) : request_units(db, id, err);
    case PRM_CLAIM: {
        if (added)
            return claim_added(db, id, err);
        claim_now c;
        request_now r;
        fund_now f;
        prm_code rc = store_fetch(db, info, id, read_claim, &c, err);
        if (rc == PRM_OK)
            rc = fetch_request(db, c.request, &r, err);
        if (rc == PRM_OK)
            rc = fetch_fund(db, r.fund, &f, err);
        if (rc == PRM_OK)
            rc = check_units(&f, c.amount, "amount", err);
        return rc == PRM_OK ? check_claims(db, c.request, err) : rc;
    }
    case PRM_TIER:
        return core_tier_written(db, id, err);
    default:
        return PRM_OK;
    }
}

prm_code core_money_imported(prm_db *db, prm_error *err)
{
    store_money_problems p;
    prm_code rc = store_money_check(db, &p, err);
    for (int i = 0; rc == PRM_OK && i < STORE_MONEY_RULES; i++)
        if (p.count[i] > 0) {
            char what[200];
            snprintf(what, sizeof what, p.what[i], (long long)p.first[i],
                     (long long)p.count[i]);
            rc = prm_error_set(err, PRM_ECONFLICT, "%s", what);
        }
    return rc;
}

/* --- the moves ---------------------------------------------------------- */

static bool starts_from(const money_move *m, const char *status)
{
    for (size_t i = 0; i < 2 && m->from[i] != NULL; i++)
        if (strcmp(m->from[i], status) == 0)
            return true;
    return false;
}

/* The move's KEY=VALUE, if given: at most the one key it takes. */
static prm_code move_arg(const money_move *m, const prm_arg *args,
                         size_t nargs, const prm_arg **arg, prm_error *err)
{
    const char *kind = prm_kind_get(m->kind)->name;
    *arg = NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (m->key == NULL || strcmp(args[i].key, m->key) != 0)
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "%s %s takes %s%s%s, not %s=", kind, m->verb,
                                 m->key ? "only " : "no KEY=VALUE",
                                 m->key ? m->key : "", m->key ? "=" : "",
                                 args[i].key);
        if (*arg != NULL)
            return prm_error_set(err, PRM_ESYNTAX, "%s= is given twice",
                                 m->key);
        *arg = &args[i];
    }
    if (*arg == NULL && m->key_required)
        return prm_error_set(err, PRM_EMISSING_FIELD, "%s %s needs %s=...",
                             kind, m->verb, m->key);
    if (*arg != NULL && (*arg)->value[0] == '\0')
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s= cannot be empty", m->key);
    return PRM_OK;
}

static void set_text(const prm_kind_info *info, store_row *row,
                     const char *name, const char *text)
{
    int i = prm_field_index(info, name);
    row->set[i] = true;
    row->v[i] = (prm_value){.type = PRM_V_TEXT, .s = text, .len = strlen(text)};
}

static void set_int(const prm_kind_info *info, store_row *row,
                    const char *name, prm_value_type type, int64_t n)
{
    int i = prm_field_index(info, name);
    row->set[i] = true;
    row->v[i] = (prm_value){.type = type, .i = n};
}

/* request approve [amount=N]: N no more than asked, and the fund has it. */
static prm_code approve_request(prm_db *db, int64_t id, const request_now *r,
                                const prm_arg *arg, store_row *row,
                                prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_REQUEST);
    int64_t amount = r->amount, available;
    char a[PRM_MONEY_TEXT], b[PRM_MONEY_TEXT];
    if (arg != NULL && !prm_parse_money(arg->value, &amount))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid amount '%s': an amount such as 12000 "
                             "or 99.95 (at most two decimals)",
                             core_show_value(arg->value).text);
    if (amount > r->amount)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "amount %s is more than the %s request %lld "
                             "asked for; approve at most that",
                             money_text(a, amount), money_text(b, r->amount),
                             (long long)id);
    fund_now f;
    prm_code rc = store_lock(db, prm_kind_get(PRM_FUND), r->fund, err);
    if (rc == PRM_OK)
        rc = fetch_fund(db, r->fund, &f, err);
    if (rc == PRM_OK)
        rc = check_units(&f, amount, "amount", err);
    if (rc == PRM_OK)
        rc = store_fund_available(db, r->fund, &available, err);
    if (rc != PRM_OK)
        return rc;
    if (available < amount)
        return prm_error_set(err, PRM_ECONFLICT,
                             "fund %lld has %s available; approving %s would "
                             "overdraw it",
                             (long long)r->fund, money_text(a, available),
                             money_text(b, amount));
    set_int(info, row, "approved_amount", PRM_V_MONEY, amount);
    return PRM_OK;
}

static prm_code request_move(prm_db *db, prm_money_move move, int64_t id,
                             const prm_arg *arg, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_REQUEST);
    const money_move *m = &moves[move];
    request_now r;
    prm_code rc = fetch_request(db, id, &r, err);
    if (rc != PRM_OK)
        return rc;
    if (!starts_from(m, r.status))
        return prm_error_set(err, PRM_ECONFLICT,
                             "request %lld is %s; only %s can be %s",
                             (long long)id, r.status, m->from_text, m->done);
    store_row row = {.set = {false}};
    if (move == PRM_REQUEST_APPROVE)
        rc = approve_request(db, id, &r, arg, &row, err);
    if (move == PRM_REQUEST_CANCEL) {
        int64_t sums[2];
        rc = store_request_claims(db, id, sums, err);
        if (rc == PRM_OK && sums[0] > 0)
            rc = prm_error_set(err, PRM_ECONFLICT,
                               "request %lld has claims; reject them before "
                               "cancelling it",
                               (long long)id);
    }
    if (rc != PRM_OK)
        return rc;
    if (arg != NULL && strcmp(arg->key, "reason") == 0)
        set_text(info, &row, "reason", arg->value);
    set_text(info, &row, "status", m->to);
    return store_update(db, info, id, &row, err);
}

/* claim pay: the payment is a funding resource of the request's partner
 * and project, in the fund's currency; a request whose paid claims reach
 * its approved amount is completed. */
static prm_code pay_claim(prm_db *db, int64_t id, const claim_now *c,
                          store_row *row, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_CLAIM);
    request_now r;
    fund_now f;
    prm_code rc = fetch_request(db, c->request, &r, err);
    if (rc == PRM_OK)
        rc = fetch_fund(db, r.fund, &f, err);
    if (rc != PRM_OK)
        return rc;
    char partner[PRM_INT_TEXT], project[PRM_INT_TEXT], amount[PRM_MONEY_TEXT];
    char description[300];
    snprintf(description, sizeof description, "claim %lld of request %lld: %s",
             (long long)id, (long long)c->request, r.activity);
    prm_arg args[6] = {{"partner", prm_int_text(partner, r.partner)},
                       {"kind", "funding"},
                       {"amount", money_text(amount, c->amount)},
                       {"unit", f.currency[0] ? f.currency : "USD"},
                       {"description", description},
                       {"project", prm_int_text(project, r.project)}};
    int64_t resource;
    rc = records_add(db, prm_kind_get(PRM_RESOURCE), args, r.project ? 6 : 5,
                     &resource, err);
    if (rc != PRM_OK)
        return rc;
    set_text(info, row, "paid_at", store_now(db));
    set_int(info, row, "resource", PRM_V_INT, resource);
    return PRM_OK;
}

static prm_code complete_request(prm_db *db, int64_t request, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_REQUEST);
    request_now r;
    int64_t sums[2];
    prm_code rc = fetch_request(db, request, &r, err);
    if (rc == PRM_OK)
        rc = store_request_claims(db, request, sums, err);
    if (rc != PRM_OK || r.approved < 0 || sums[1] < r.approved ||
        strcmp(r.status, "approved") != 0)
        return rc;
    store_row row = {.set = {false}};
    set_text(info, &row, "status", "completed");
    return store_update(db, info, request, &row, err);
}

static prm_code claim_move(prm_db *db, prm_money_move move, int64_t id,
                           const prm_arg *arg, prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(PRM_CLAIM);
    const money_move *m = &moves[move];
    claim_now c;
    prm_code rc = store_fetch(db, info, id, read_claim, &c, err);
    if (rc != PRM_OK)
        return rc;
    if (!starts_from(m, c.status))
        return prm_error_set(err, PRM_ECONFLICT,
                             "claim %lld is %s; only %s can be %s",
                             (long long)id, c.status, m->from_text, m->done);
    store_row row = {.set = {false}};
    if (move == PRM_CLAIM_PAY)
        rc = pay_claim(db, id, &c, &row, err);
    if (rc != PRM_OK)
        return rc;
    if (arg != NULL && strcmp(arg->key, "reason") == 0)
        set_text(info, &row, "reason", arg->value);
    set_text(info, &row, "status", m->to);
    rc = store_update(db, info, id, &row, err);
    if (rc == PRM_OK && move == PRM_CLAIM_PAY)
        rc = complete_request(db, c.request, err);
    return rc;
}

prm_code prm_money_move_run(prm_db *db, prm_money_move move, const char *ref,
                            const prm_arg *args, size_t nargs, int64_t *id,
                            prm_error *err)
{
    const money_move *m = &moves[move];
    const prm_arg *arg;
    prm_code rc = move_arg(m, args, nargs, &arg, err);
    if (rc != PRM_OK)
        return rc;
    rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc != PRM_OK)
        return rc;
    rc = prm_resolve(db, m->kind, ref, id, err);
    if (rc == PRM_OK)
        rc = m->kind == PRM_REQUEST ? request_move(db, move, *id, arg, err)
                                    : claim_move(db, move, *id, arg, err);
    return store_cmd_end(db, rc, err);
}
