/*
 * test_oracle.c - metrics and report partners against a model.
 *
 * Seeded random data (partners with and without a type or region,
 * projects with one to three partners, dated by their start or, without
 * one, by when they were added, and dated communications, resources and
 * outcomes) goes into a fresh database through the core, and into plain C
 * arrays beside it.  Then, for many random scopes (partner, type, region,
 * status, since, until), every count metrics gives must be the one the
 * arrays give by the documented rules of metrics (doc/prm.1, METRICS), counted here the slow, obvious
 * way; each row of report partners must be what the same rules give for
 * that partner alone; and each month of report trend what they give for
 * that month, with totals that run on from month to month.  And the
 * agenda must list the items its rules give over the same model
 * (oracle_agenda.c; the model is in oracle.h).
 *
 *   test_oracle [DB]      (default: a database in memory; a postgresql://
 *                          URI runs it on an empty team database)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "oracle.h"
#include "seeded.h"



static const char *db_path = ":memory:";

static const char *pick(const char *const *from, unsigned n)
{
    return from[next(n)];
}

static const char *const types[] = {NULL, "reseller", "technology"};
static const char *const regions[] = {NULL, "EMEA", "APAC", "AMER"};
static const char *const partner_statuses[] = {"prospect", "active",
                                               "inactive"};
static const char *const project_statuses[] = {
    "planned", "active", "succeeded", "failed", "cancelled"};

model m;

/* A random moment of 2025 or 2026, whole minutes, as prm stores it; the
 * date alone, as a filter takes it, in day. */
static void random_stamp(char stamp[STAMP], char day[11])
{
    char d[11];
    snprintf(d, sizeof d, "%04u-%02u-%02u", 2025 + next(2), 1 + next(12),
             1 + next(28));
    snprintf(stamp, STAMP, "%sT%02u:%02u:00Z", d, next(24), next(60));
    if (day != NULL)
        memcpy(day, d, sizeof d);
}

static int64_t add(prm_db *db, prm_kind kind, const prm_arg *args, size_t n)
{
    prm_error err;
    int64_t id = 0;
    if (prm_add(db, kind, args, n, &id, &err) != PRM_OK)
        fail_msg("add failed: %s", err.message);
    return id;
}

static void load_partners(prm_db *db)
{
    for (int i = 0; i < NPARTNERS; i++) {
        model_partner *p = &m.partners[i];
        snprintf(p->name, sizeof p->name, "Partner %02d", i);
        p->type = pick(types, 3);
        p->region = pick(regions, 4);
        p->status = pick(partner_statuses, 3);
        prm_error err;
        random_stamp(p->added, NULL);
        assert_int_equal(prm_set_now(db, p->added, &err), PRM_OK);
        prm_arg args[4] = {{"name", p->name}, {"status", p->status}};
        size_t n = 2;
        if (p->type != NULL)
            args[n++] = (prm_arg){"type", p->type};
        if (p->region != NULL)
            args[n++] = (prm_arg){"region", p->region};
        p->id = add(db, PRM_PARTNER, args, n);
    }
}

static bool listed_before(const model_project *p, int k)
{
    for (int j = 0; j < k; j++)
        if (p->partners[j] == p->partners[k])
            return true;
    return false;
}

static void load_projects(prm_db *db)
{
    for (int i = 0; i < NPROJECTS; i++) {
        model_project *p = &m.projects[i];
        char name[16], list[64] = "", start[11];
        snprintf(name, sizeof name, "Project %02d", i);
        p->npartners = 1 + (int)next(3);
        for (int k = 0; k < p->npartners; k++) {
            p->partners[k] = (int)next(NPARTNERS);
            while (listed_before(p, k)) /* a partner once */
                p->partners[k] = (p->partners[k] + 1) % NPARTNERS;
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%lld",
                     k ? "," : "", (long long)m.partners[p->partners[k]].id);
        }
        p->status = pick(project_statuses, 5);
        /* Without a start, a project is dated by when it was added. */
        prm_error err;
        random_stamp(p->dated, start);
        bool has_start = next(2) == 0;
        if (has_start) {
            snprintf(p->dated, STAMP, "%sT00:00:00Z", start);
            random_stamp(p->updated, NULL);
        } else {
            memcpy(p->updated, p->dated, STAMP);
        }
        assert_int_equal(prm_set_now(db, p->updated, &err), PRM_OK);
        prm_arg args[5] = {
            {"name", name}, {"partners", list}, {"status", p->status}};
        size_t n = 3;
        if (has_start)
            args[n++] = (prm_arg){"start", start};
        char due[11];
        if (next(2) == 0) {
            random_stamp(p->due, due);
            snprintf(p->due, STAMP, "%sT00:00:00Z", due);
            args[n++] = (prm_arg){"due", due};
        }
        p->id = add(db, PRM_PROJECT, args, n);
    }
}

static void load_events(prm_db *db, prm_kind kind, model_event *events,
                        int n)
{
    for (int i = 0; i < n; i++) {
        model_event *e = &events[i];
        char ref[24];
        random_stamp(e->at, NULL);
        bool of_project = kind == PRM_OUTCOME;
        e->of = (int)next(of_project ? NPROJECTS : NPARTNERS);
        snprintf(ref, sizeof ref, "%lld",
                 (long long)(of_project ? m.projects[e->of].id
                                        : m.partners[e->of].id));
        prm_arg args[4] = {{"at", e->at}};
        if (kind == PRM_COMMUNICATION) {
            args[1] = (prm_arg){"partner", ref};
            args[2] = (prm_arg){"method", "email"};
            args[3] = (prm_arg){"content", "c"};
        } else if (kind == PRM_RESOURCE) {
            args[1] = (prm_arg){"partner", ref};
            args[2] = (prm_arg){"kind", "people"};
            args[3] = (prm_arg){"amount", "2"};
        } else {
            args[1] = (prm_arg){"project", ref};
            args[2] = (prm_arg){"description", "d"};
            args[3] = (prm_arg){"value", "5"};
        }
        add(db, kind, args, 4);
    }
}

void oracle_plus_days(const char *stamp, int days, char out[STAMP])
{
    struct tm tm = {0};
    sscanf(stamp, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += days;
    time_t t = timegm(&tm);
    strftime(out, STAMP, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static void move(prm_db *db, prm_deal_move mv, int64_t id, const char *key,
                 const char *value)
{
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    prm_arg arg = {key, value};
    prm_error err;
    int64_t got;
    if (prm_deal_move_run(db, mv, ref, &arg, key ? 1 : 0, &got, &err) !=
        PRM_OK)
        fail_msg("deal %s failed: %s", prm_deal_move_name(mv), err.message);
}

/* Deals registered at random moments, each then left submitted,
 * approved for a random time (expired or not at ORACLE_NOW), rejected,
 * won, lost or cancelled, all at the moment it was registered. */
static void load_deals(prm_db *db)
{
    for (int i = 0; i < NDEALS; i++) {
        model_deal *d = &m.deals[i];
        prm_error err;
        random_stamp(d->created, NULL);
        assert_int_equal(prm_set_now(db, d->created, &err), PRM_OK);
        d->of = (int)next(NPARTNERS);
        d->cents = (int64_t)next(100000000);
        char ref[24], amount[32], days[16], customer[16];
        snprintf(customer, sizeof customer, "c%d", i); /* never its own again */
        snprintf(ref, sizeof ref, "%lld", (long long)m.partners[d->of].id);
        snprintf(amount, sizeof amount, "%lld.%02lld",
                 (long long)(d->cents / 100), (long long)(d->cents % 100));
        prm_arg args[4] = {{"partner", ref}, {"customer", customer},
                           {"amount", amount}};
        char close[11];
        bool has_close = next(2) == 0;
        if (has_close) {
            random_stamp(d->close, close);
            snprintf(d->close, STAMP, "%sT00:00:00Z", close);
            args[3] = (prm_arg){"close", close};
        }
        int64_t id = add(db, PRM_DEAL, args, has_close ? 4 : 3);
        unsigned fate = next(7);
        d->status = "submitted";
        if (fate == 1 || fate >= 3) {
            int n = 1 + (int)next(600);
            snprintf(days, sizeof days, "%d", n);
            move(db, PRM_DEAL_APPROVE, id, "days", days);
            d->approved = true;
            d->status = "approved";
            oracle_plus_days(d->created, n, d->expires);
        }
        if (fate == 3 || fate == 4) { /* won or lost some days later */
            oracle_plus_days(d->created, i * 37 % 200, d->closed);
            assert_int_equal(prm_set_now(db, d->closed, &err), PRM_OK);
        }
        if (fate == 2) {
            move(db, PRM_DEAL_REJECT, id, "reason", "r");
            d->status = "rejected";
        } else if (fate == 3) {
            move(db, PRM_DEAL_WON, id, NULL, NULL);
            d->status = "won";
        } else if (fate == 4) {
            move(db, PRM_DEAL_LOST, id, NULL, NULL);
            d->status = "lost";
        } else if (fate >= 5) {
            move(db, PRM_DEAL_CANCEL, id, NULL, NULL);
            d->status = "cancelled";
        }
    }
}

/* Tasks for a random partner, project and deal (each or none), due or
 * not, left open, done or cancelled. */
static void load_tasks(prm_db *db)
{
    for (int i = 0; i < NTASKS; i++) {
        model_task *t = &m.tasks[i];
        char refs[3][24], due[11], id[24];
        prm_arg args[5] = {{"title", "t"}};
        size_t n = 1;
        t->partner = next(2) ? (int)next(NPARTNERS) : -1;
        t->project = next(3) == 0 ? (int)next(NPROJECTS) : -1;
        t->deal = next(3) == 0 ? (int)next(NDEALS) : -1;
        if (t->partner >= 0) {
            snprintf(refs[0], 24, "%lld", (long long)m.partners[t->partner].id);
            args[n++] = (prm_arg){"partner", refs[0]};
        }
        if (t->project >= 0) {
            snprintf(refs[1], 24, "%lld", (long long)m.projects[t->project].id);
            args[n++] = (prm_arg){"project", refs[1]};
        }
        if (t->deal >= 0) {
            snprintf(refs[2], 24, "%d", t->deal + 1); /* deals are 1... */
            args[n++] = (prm_arg){"deal", refs[2]};
        }
        if (next(5) > 0) {
            random_stamp(t->due, due);
            snprintf(t->due, STAMP, "%sT00:00:00Z", due);
            args[n++] = (prm_arg){"due", due};
        }
        int64_t task = add(db, PRM_TASK, args, n);
        unsigned fate = next(4);
        t->open = fate < 2;
        snprintf(id, sizeof id, "%lld", (long long)task);
        prm_error err;
        int64_t got;
        if (!t->open &&
            prm_task_move_run(db, fate == 2 ? PRM_TASK_DONE : PRM_TASK_CANCEL,
                              id, &got, &err) != PRM_OK)
            fail_msg("task move failed: %s", err.message);
    }
}

/* --- the rules, counted the obvious way --------------------------------- */

typedef struct scope {
    int partner; /* an index, or -1 */
    const char *type, *region, *status;
    char since[11], until[11]; /* "" for none */
} scope;

bool oracle_same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool partner_in(const scope *s, int i)
{
    const model_partner *p = &m.partners[i];
    return (s->partner < 0 || s->partner == i) &&
           (s->type == NULL || oracle_same(s->type, p->type)) &&
           (s->region == NULL || oracle_same(s->region, p->region)) &&
           (s->status == NULL || oracle_same(s->status, p->status));
}

/* Both ends included; a date alone as until takes in that whole day. */
static bool in_window(const scope *s, const char *stamp)
{
    if (s->since[0] && strncmp(stamp, s->since, 10) < 0)
        return false;
    return !s->until[0] || strncmp(stamp, s->until, 10) <= 0;
}

static bool project_in(const scope *s, int i)
{
    const model_project *p = &m.projects[i];
    for (int k = 0; k < p->npartners; k++)
        if (partner_in(s, p->partners[k]))
            return true;
    return false;
}

static int64_t partners_added_in(const scope *s, const char *month);

/* Whether a record dated stamp counts: in the window and, when month is
 * not NULL, in that month of it. */
static bool dated_in(const scope *s, const char *stamp, const char *month)
{
    return in_window(s, stamp) &&
           (month == NULL || strncmp(stamp, month, 7) == 0);
}

/* What the rules give over the window (month NULL: dates never limit the
 * partners) or in one month of it (the partners added in it). */
static prm_metrics counted(const scope *s, const char *month)
{
    prm_metrics e = {0};
    for (int i = 0; i < NPARTNERS && month == NULL; i++)
        e.partners += partner_in(s, i);
    if (month != NULL)
        e.partners = partners_added_in(s, month);
    for (int i = 0; i < NPROJECTS; i++) {
        const model_project *p = &m.projects[i];
        if (!project_in(s, i) || !dated_in(s, p->dated, month))
            continue;
        e.projects++;
        e.succeeded += strcmp(p->status, "succeeded") == 0;
        e.failed += strcmp(p->status, "failed") == 0;
    }
    for (int i = 0; i < NCOMMS; i++)
        e.communications += partner_in(s, m.comms[i].of) &&
                            dated_in(s, m.comms[i].at, month);
    for (int i = 0; i < NRESOURCES; i++)
        e.resources += partner_in(s, m.resources[i].of) &&
                       dated_in(s, m.resources[i].at, month);
    /* an outcome counts by its own date, whenever its project started */
    for (int i = 0; i < NOUTCOMES; i++)
        e.outcomes += project_in(s, m.outcomes[i].of) &&
                      dated_in(s, m.outcomes[i].at, month);
    /* a deal is its partner's, dated when it was registered; whether it
     * is active is read at the window's end, or now */
    char asof[STAMP];
    snprintf(asof, sizeof asof, "%s", ORACLE_NOW);
    if (s->until[0])
        snprintf(asof, sizeof asof, "%sT23:59:59Z", s->until);
    for (int i = 0; i < NDEALS && month == NULL; i++) {
        const model_deal *d = &m.deals[i];
        if (!partner_in(s, d->of) || !in_window(s, d->created))
            continue;
        bool live = strcmp(d->status, "approved") == 0 &&
                    strcmp(d->expires, asof) > 0;
        e.deals++;
        e.deals_won += strcmp(d->status, "won") == 0;
        e.deals_lost += strcmp(d->status, "lost") == 0;
        e.deals_active += strcmp(d->status, "submitted") == 0 || live;
        e.deals_approved += d->approved;
        e.deals_rejected += strcmp(d->status, "rejected") == 0;
        e.pipeline_value += live ? d->cents : 0;
        e.won_value += strcmp(d->status, "won") == 0 ? d->cents : 0;
    }
    return e;
}

static prm_metrics expected(const scope *s)
{
    return counted(s, NULL);
}

/* --- what prm says -------------------------------------------------------- */

typedef struct filters {
    prm_arg args[6];
    size_t n;
    char partner[24];
} filters;

static void to_filters(const scope *s, filters *f, bool partner_by_name)
{
    f->n = 0;
    if (s->partner >= 0) {
        const model_partner *p = &m.partners[s->partner];
        if (partner_by_name)
            snprintf(f->partner, sizeof f->partner, "%s", p->name);
        else
            snprintf(f->partner, sizeof f->partner, "%lld", (long long)p->id);
        f->args[f->n++] = (prm_arg){"partner", f->partner};
    }
    if (s->type != NULL)
        f->args[f->n++] = (prm_arg){"type", s->type};
    if (s->region != NULL)
        f->args[f->n++] = (prm_arg){"region", s->region};
    if (s->status != NULL)
        f->args[f->n++] = (prm_arg){"status", s->status};
    if (s->since[0])
        f->args[f->n++] = (prm_arg){"since", s->since};
    if (s->until[0])
        f->args[f->n++] = (prm_arg){"until", s->until};
}

static void assert_same_metrics(const prm_metrics *got, const prm_metrics *want)
{
    assert_int_equal(got->partners, want->partners);
    assert_int_equal(got->projects, want->projects);
    assert_int_equal(got->succeeded, want->succeeded);
    assert_int_equal(got->failed, want->failed);
    assert_int_equal(got->communications, want->communications);
    assert_int_equal(got->resources, want->resources);
    assert_int_equal(got->outcomes, want->outcomes);
}

/* The deal figures metrics gives (report partners gives four of them). */
static void assert_same_deals(const prm_metrics *got, const prm_metrics *want)
{
    assert_int_equal(got->deals, want->deals);
    assert_int_equal(got->deals_won, want->deals_won);
    assert_int_equal(got->deals_lost, want->deals_lost);
    assert_int_equal(got->deals_active, want->deals_active);
    assert_int_equal(got->deals_approved, want->deals_approved);
    assert_int_equal(got->deals_rejected, want->deals_rejected);
    assert_int_equal(got->pipeline_value, want->pipeline_value);
    assert_int_equal(got->won_value, want->won_value);
}

static void random_scope(scope *s)
{
    static const char *const other_types[] = {"reseller", "technology",
                                              "referral"};
    static const char *const other_regions[] = {"EMEA", "APAC", "AMER",
                                                "LATAM"};
    *s = (scope){.partner = next(5) == 0 ? (int)next(NPARTNERS) : -1};
    if (next(3) == 0)
        s->type = pick(other_types, 3);
    if (next(3) == 0)
        s->region = pick(other_regions, 4);
    if (next(3) == 0)
        s->status = pick(partner_statuses, 3);
    char stamp[STAMP];
    if (next(5) < 2)
        random_stamp(stamp, s->since);
    if (next(5) < 2)
        random_stamp(stamp, s->until);
    if (s->since[0] && s->until[0] && strcmp(s->since, s->until) > 0) {
        char t[11]; /* prm refuses a window that ends before it starts */
        memcpy(t, s->since, sizeof t);
        memcpy(s->since, s->until, sizeof t);
        memcpy(s->until, t, sizeof t);
    }
}

typedef struct report_check {
    const scope *s;
    int64_t rows;
} report_check;

static bool check_row(void *ctx, const prm_report_row *row)
{
    report_check *c = ctx;
    scope alone = *c->s;
    alone.partner = -1;
    for (int i = 0; i < NPARTNERS; i++)
        if (m.partners[i].id == row->partner)
            alone.partner = i;
    assert_true(alone.partner >= 0);
    assert_true(partner_in(c->s, alone.partner));
    prm_metrics want = expected(&alone);
    assert_same_metrics(&row->m, &want);
    assert_int_equal(row->m.deals, want.deals);
    assert_int_equal(row->m.deals_won, want.deals_won);
    assert_int_equal(row->m.deals_lost, want.deals_lost);
    assert_int_equal(row->m.won_value, want.won_value);
    c->rows++;
    return true;
}

/* report trend by month: what each month holds by the same rules, a
 * partner counted in the month it was added (or the window's first, when
 * added before it), the totals running on from month to month. */
typedef struct trend_check {
    const scope *s;
    prm_metrics sum; /* of every row's month */
    char last[8];
} trend_check;

static int64_t partners_added_in(const scope *s, const char *month)
{
    int64_t n = 0;
    for (int i = 0; i < NPARTNERS; i++) {
        const char *added = m.partners[i].added;
        if (!partner_in(s, i) || (s->until[0] && strncmp(added, s->until, 10) > 0))
            continue;
        if (s->since[0] && strncmp(added, s->since, 10) < 0)
            added = s->since;
        n += strncmp(added, month, 7) == 0;
    }
    return n;
}

static void add_metrics(prm_metrics *to, const prm_metrics *m_)
{
    to->partners += m_->partners;
    to->projects += m_->projects;
    to->succeeded += m_->succeeded;
    to->failed += m_->failed;
    to->communications += m_->communications;
    to->resources += m_->resources;
    to->outcomes += m_->outcomes;
}

static bool check_month(void *ctx, const prm_trend_row *row)
{
    trend_check *c = ctx;
    assert_int_equal(strlen(row->period), 7);
    /* months in order, none skipped */
    if (c->last[0]) {
        int y = atoi(c->last), mo = atoi(c->last + 5) + 1;
        char want[32];
        snprintf(want, sizeof want, "%04d-%02d", mo > 12 ? y + 1 : y,
                 mo > 12 ? 1 : mo);
        assert_string_equal(row->period, want);
    }
    snprintf(c->last, sizeof c->last, "%s", row->period);
    prm_metrics want = counted(c->s, row->period);
    assert_same_metrics(&row->in, &want);
    add_metrics(&c->sum, &want);
    assert_same_metrics(&row->total, &c->sum);
    return true;
}

static void check_trend(prm_db *db, const scope *s, const filters *f)
{
    prm_error err;
    trend_check c = {.s = s};
    if (prm_trend(db, f->args, f->n, check_month, &c, &err) != PRM_OK)
        fail_msg("trend failed: %s", err.message);
    /* every record in the window is in some month of it */
    prm_metrics all = expected(s);
    all.partners = 0;
    for (int i = 0; i < NPARTNERS; i++)
        all.partners += partner_in(s, i) &&
                        (!s->until[0] ||
                         strncmp(m.partners[i].added, s->until, 10) <= 0);
    assert_same_metrics(&c.sum, &all);
}

static void test_metrics_and_report_follow_the_rules(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        seeded_start(seed);
        prm_db *db;
        prm_error err;
        assert_int_equal(prm_open(db_path, &db, &err), PRM_OK);
        memset(&m, 0, sizeof m);
        load_partners(db);
        load_projects(db);
        load_events(db, PRM_COMMUNICATION, m.comms, NCOMMS);
        load_events(db, PRM_RESOURCE, m.resources, NRESOURCES);
        load_events(db, PRM_OUTCOME, m.outcomes, NOUTCOMES);
        load_deals(db);
        load_tasks(db);
        assert_int_equal(prm_set_now(db, ORACLE_NOW, &err), PRM_OK);
        for (int i = 0; i < NSCOPES; i++) {
            scope s;
            filters f;
            random_scope(&s);
            to_filters(&s, &f, i % 2 == 0);
            prm_metrics got, want = expected(&s);
            if (prm_metrics_compute(db, f.args, f.n, &got, &err) != PRM_OK)
                fail_msg("metrics failed: %s", err.message);
            assert_same_metrics(&got, &want);
            assert_same_deals(&got, &want);
            report_check c = {.s = &s};
            if (prm_report_partners(db, f.args, f.n, check_row, &c, &err) !=
                PRM_OK)
                fail_msg("report failed: %s", err.message);
            assert_int_equal(c.rows, want.partners);
            check_trend(db, &s, &f);
        }
        oracle_check_agenda(db, seed);
        oracle_check_tiers(db, seed);
        prm_close(db);
        /* A team database is used once: the next seed would find its
         * records. */
        if (strcmp(db_path, ":memory:") != 0)
            break;
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        db_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_and_report_follow_the_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
