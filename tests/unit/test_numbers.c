/*
 * test_numbers.c - metrics with their null cases and filters, report
 * partners and its health score, report trend, and every insight rule on
 * hand-built data.
 */
#include "core_fixture.h"

/* --- metrics ------------------------------------------------------------ */

static prm_metrics metrics(prm_db *db, const prm_arg *f, size_t n)
{
    prm_metrics m;
    assert_int_equal(prm_metrics_compute(db, f, n, &m, &err), PRM_OK);
    return m;
}

static void test_metrics_of_empty_database_have_no_ratios(void **state)
{
    prm_metrics m = metrics(*state, NULL, 0);
    double v;
    assert_int_equal(m.partners + m.projects + m.outcomes, 0);
    assert_false(prm_relationship_degree(&m, &v));
    assert_false(prm_project_success_rate(&m, &v));
    assert_false(prm_closed_success_rate(&m, &v));
    assert_false(prm_resource_efficiency(&m, &v));
}

/* Two partners, three projects (one succeeded, one failed, one active),
 * two resources (one of 1000 USD), one outcome. */
static void build_programme(prm_db *db)
{
    ADD(db, PRM_PARTNER, {"name", "A"}, {"region", "EMEA"},
        {"type", "reseller"});
    ADD(db, PRM_PARTNER, {"name", "B"}, {"region", "APAC"});
    ADD(db, PRM_PROJECT, {"name", "P1"}, {"partner", "A"},
        {"status", "succeeded"}, {"start", "2026-01-10"});
    ADD(db, PRM_PROJECT, {"name", "P2"}, {"partners", "A,B"},
        {"status", "failed"}, {"start", "2026-02-10"});
    ADD(db, PRM_PROJECT, {"name", "P3"}, {"partner", "B"},
        {"status", "active"});
    ADD(db, PRM_RESOURCE, {"partner", "A"}, {"kind", "funding"},
        {"amount", "1000"}, {"at", "2026-01-05"});
    ADD(db, PRM_RESOURCE, {"partner", "B"}, {"kind", "people"},
        {"at", "2026-02-05"});
    ADD(db, PRM_OUTCOME, {"project", "P1"}, {"description", "deal"},
        {"at", "2026-02-20"});
    ADD(db, PRM_COMMUNICATION, {"partner", "A"}, {"method", "email"},
        {"content", "hi"}, {"at", "2026-01-31T23:59:59"});
}

static void test_metrics_ratios(void **state)
{
    prm_db *db = *state;
    build_programme(db);
    prm_metrics m = metrics(db, NULL, 0);
    double v;
    assert_int_equal(m.partners, 2);
    assert_int_equal(m.projects, 3);
    assert_int_equal(m.succeeded, 1);
    assert_int_equal(m.failed, 1);
    assert_int_equal(m.resources, 2); /* records, not amounts */
    assert_int_equal(m.outcomes, 1);
    assert_true(prm_relationship_degree(&m, &v) && v == 1.5);
    assert_true(prm_project_success_rate(&m, &v) && v == 1.0 / 3.0);
    assert_true(prm_closed_success_rate(&m, &v) && v == 0.5);
    assert_true(prm_resource_efficiency(&m, &v) && v == 0.5);
}

static void test_metrics_scope_by_partner_fields(void **state)
{
    prm_db *db = *state;
    build_programme(db);
    prm_arg emea[] = {{"region", "EMEA"}};
    prm_metrics m = metrics(db, emea, 1);
    assert_int_equal(m.partners, 1);
    assert_int_equal(m.projects, 2); /* P1 and the shared P2 */
    assert_int_equal(m.communications, 1);
    assert_int_equal(m.resources, 1);
    assert_int_equal(m.outcomes, 1);
    prm_arg b[] = {{"partner", "B"}};
    m = metrics(db, b, 1);
    assert_int_equal(m.projects, 2);
    assert_int_equal(m.outcomes, 0);
    double v;
    assert_true(prm_resource_efficiency(&m, &v) && v == 0.0);
    prm_arg none[] = {{"type", "distributor"}};
    m = metrics(db, none, 1);
    assert_int_equal(m.partners, 0);
    assert_false(prm_relationship_degree(&m, &v));
}

static void test_metrics_date_window_limits_each_kind(void **state)
{
    prm_db *db = *state;
    build_programme(db);
    prm_arg jan[] = {{"since", "2026-01-01"}, {"until", "2026-01-31"}};
    prm_metrics m = metrics(db, jan, 2);
    assert_int_equal(m.partners, 2); /* dates never limit partners */
    assert_int_equal(m.projects, 1); /* P1 by start */
    assert_int_equal(m.communications, 1); /* until takes in the day */
    assert_int_equal(m.resources, 1);
    assert_int_equal(m.outcomes, 0);
    /* an outcome in the window counts though its project started before */
    prm_arg feb[] = {{"since", "2026-02-15"}};
    m = metrics(db, feb, 1);
    assert_int_equal(m.outcomes, 1);
    assert_int_equal(m.projects, 1); /* P3, started (created) 2026-03-01 */
}

static void test_metrics_filters_are_checked(void **state)
{
    prm_db *db = *state;
    prm_metrics m;
    prm_arg bad_date[] = {{"since", "2026-02-30"}};
    assert_int_equal(prm_metrics_compute(db, bad_date, 1, &m, &err),
                     PRM_EINVALID_VALUE);
    prm_arg bad_key[] = {{"tier", "gold"}};
    assert_int_equal(prm_metrics_compute(db, bad_key, 1, &m, &err),
                     PRM_EUNKNOWN_FIELD);
    prm_arg ghost[] = {{"partner", "ghost"}};
    assert_int_equal(prm_metrics_compute(db, ghost, 1, &m, &err),
                     PRM_ENOT_FOUND);
}

/* report partners: each row's figures are metrics partner=ID's. */
typedef struct report_check {
    prm_db *db;
    const prm_arg *extra;
    size_t nextra;
    int rows;
} report_check;

static bool compare_with_metrics(void *ctx, const prm_report_row *r)
{
    report_check *c = ctx;
    char partner[24];
    snprintf(partner, sizeof partner, "%lld", (long long)r->partner);
    prm_arg f[4] = {{"partner", partner}};
    for (size_t i = 0; i < c->nextra; i++)
        f[i + 1] = c->extra[i];
    prm_metrics m = metrics(c->db, f, 1 + c->nextra);
    assert_int_equal(r->m.projects, m.projects);
    assert_int_equal(r->m.succeeded, m.succeeded);
    assert_int_equal(r->m.failed, m.failed);
    assert_int_equal(r->m.communications, m.communications);
    assert_int_equal(r->m.resources, m.resources);
    assert_int_equal(r->m.outcomes, m.outcomes);
    c->rows++;
    return true;
}

static void test_report_rows_equal_metrics_of_each_partner(void **state)
{
    prm_db *db = *state;
    build_programme(db);
    prm_arg windows[][2] = {{{"since", "2026-01-01"}, {"until", "2026-01-31"}},
                            {{"since", "2026-02-15"}, {"until", "2026-12-31"}}};
    for (size_t w = 0; w < 3; w++) {
        report_check c = {db, w < 2 ? windows[w] : NULL, w < 2 ? 2 : 0, 0};
        assert_int_equal(prm_report_partners(db, c.extra, c.nextra,
                                             compare_with_metrics, &c, &err),
                         PRM_OK);
        assert_int_equal(c.rows, 2);
    }
}

static bool first_name(void *ctx, const prm_report_row *r)
{
    snprintf(ctx, 32, "%s", r->name);
    return false;
}

static void test_report_sorts_and_limits(void **state)
{
    prm_db *db = *state;
    build_programme(db);
    char name[32];
    prm_arg by_outcomes[] = {{"sort", "outcomes"}, {"limit", "1"}};
    assert_int_equal(prm_report_partners(db, by_outcomes, 2, first_name, name,
                                         &err),
                     PRM_OK);
    assert_string_equal(name, "A");
    prm_arg by_rate[] = {{"sort", "project_success_rate"}};
    assert_int_equal(prm_report_partners(db, by_rate, 1, first_name, name,
                                         &err),
                     PRM_OK);
    assert_string_equal(name, "A"); /* 1/2 beats B's 0/2 */
    prm_arg bad[] = {{"sort", "colour"}};
    assert_int_equal(prm_report_partners(db, bad, 1, first_name, name, &err),
                     PRM_EINVALID_VALUE);
    prm_arg unknown[] = {{"tier", "gold"}};
    assert_int_equal(prm_report_partners(db, unknown, 1, first_name, name,
                                         &err),
                     PRM_EUNKNOWN_FIELD);
}

static bool take_row(void *ctx, const prm_report_row *r)
{
    *(prm_report_row *)ctx = *r;
    return false;
}

static void test_health_score_from_its_terms(void **state)
{
    prm_db *db = *state;
    prm_report_row r;
    ADD(db, PRM_PARTNER, {"name", "Lonely"});
    assert_int_equal(prm_report_partners(db, NULL, 0, take_row, &r, &err),
                     PRM_OK);
    /* never contacted, nothing closed, no resources: 0.3*0.5 + 0.2*0.5 */
    assert_int_equal(r.health, 25);
    assert_false(r.has_days);
    build_programme(db); /* A: contact 2026-01-31T23:59:59, 1 of 2 closed */
    prm_arg a[] = {{"partner", "A"}};
    assert_int_equal(prm_report_partners(db, a, 1, take_row, &r, &err),
                     PRM_OK);
    assert_true(r.has_days);
    assert_true(r.days > 28.5 && r.days < 28.6); /* to 2026-03-01T12:00 */
    assert_int_equal(r.recent, 1);
    double expect = 0.3 * (1 - r.days / 180) + 0.2 * (1.0 / 6) + 0.3 * 0.5 +
                    0.2 * 1.0;
    assert_int_equal(r.health, (int64_t)(100 * expect + 0.5));
}

typedef struct trend_rows {
    int n;
    char periods[8][16];
    prm_trend_row rows[8];
} trend_rows;

static bool take_trend(void *ctx, const prm_trend_row *r)
{
    trend_rows *t = ctx;
    snprintf(t->periods[t->n], 16, "%s", r->period);
    t->rows[t->n++] = *r;
    return t->n < 8;
}

static void test_trend_counts_each_kind_in_its_period(void **state)
{
    prm_db *db = *state;
    trend_rows t = {.n = 0};
    assert_int_equal(prm_trend(db, NULL, 0, take_trend, &t, &err), PRM_OK);
    assert_int_equal(t.n, 0); /* empty data: no periods */
    build_programme(db);
    prm_arg by_month[] = {{"by", "month"}};
    assert_int_equal(prm_trend(db, by_month, 1, take_trend, &t, &err), 0);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.periods[0], "2026-01");
    assert_int_equal(t.rows[0].in.projects, 1);  /* P1 started 01-10 */
    assert_int_equal(t.rows[0].in.resources, 1);
    assert_int_equal(t.rows[0].in.communications, 1);
    assert_int_equal(t.rows[1].in.outcomes, 1);  /* 02-20 */
    assert_int_equal(t.rows[2].in.partners, 2);  /* added 03-01 */
    assert_int_equal(t.rows[2].total.projects, 3);
    double v;
    assert_false(prm_relationship_degree(&t.rows[0].total, &v));
    assert_true(prm_project_success_rate(&t.rows[1].total, &v) && v == 0.5);
    t.n = 0;
    prm_arg by_year[] = {{"by", "year"}};
    assert_int_equal(prm_trend(db, by_year, 1, take_trend, &t, &err), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.periods[0], "2026");
    prm_arg bad[] = {{"by", "week"}};
    assert_int_equal(prm_trend(db, bad, 1, take_trend, &t, &err),
                     PRM_EINVALID_VALUE);
}

/* Months with nothing in them are passed on as periods of zeros, up to
 * today (the clock is at 2026-03-01) or the window's end. */
static void test_trend_passes_on_empty_periods(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_COMMUNICATION, {"partner", "A"}, {"method", "email"},
        {"content", "c"}, {"at", "2025-10-05"});
    trend_rows t = {.n = 0};
    assert_int_equal(prm_trend(db, NULL, 0, take_trend, &t, &err), PRM_OK);
    assert_int_equal(t.n, 6);
    const char *months[] = {"2025-10", "2025-11", "2025-12",
                            "2026-01", "2026-02", "2026-03"};
    for (int i = 0; i < 6; i++)
        assert_string_equal(t.periods[i], months[i]);
    assert_int_equal(t.rows[0].in.communications, 1);
    assert_int_equal(t.rows[1].in.communications, 0);
    assert_int_equal(t.rows[4].total.communications, 1); /* carried on */
    assert_int_equal(t.rows[5].in.partners, 1);
    t.n = 0;
    prm_arg quarters[] = {{"by", "quarter"}, {"until", "2025-12-31"}};
    assert_int_equal(prm_trend(db, quarters, 2, take_trend, &t, &err), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.periods[0], "2025-Q4");
    t.n = 0;
    prm_arg years[] = {{"by", "year"}, {"until", "2031-01-01"}};
    assert_int_equal(prm_trend(db, years, 2, take_trend, &t, &err), 0);
    assert_int_equal(t.n, 2); /* to today, not to 2031 */
    assert_string_equal(t.periods[1], "2026");
    t.n = 5; /* room for three more: the callback stops a gap midway */
    assert_int_equal(prm_trend(db, NULL, 0, take_trend, &t, &err), PRM_OK);
    assert_int_equal(t.n, 8);
    assert_string_equal(t.periods[7], "2025-12");
}


typedef struct findings {
    int n;
    char rules[16][32];
    char names[16][32];
} findings;

static bool take_finding(void *ctx, const prm_finding *f)
{
    findings *fs = ctx;
    assert_int_equal(f->rank, fs->n + 1);
    snprintf(fs->rules[fs->n], 32, "%s", f->rule);
    snprintf(fs->names[fs->n], 32, "%s", f->name);
    fs->n++;
    return fs->n < 16;
}

static void test_insight_rules_fire_on_known_data(void **state)
{
    prm_db *db = *state;
    findings fs = {.n = 0};
    assert_int_equal(prm_insights(db, NULL, 0, take_finding, &fs, &err), 0);
    assert_int_equal(fs.n, 0); /* empty data: nothing to say */
    ADD(db, PRM_PARTNER, {"name", "Quiet"}, {"region", "EMEA"});
    ADD(db, PRM_PARTNER, {"name", "Star"}, {"region", "EMEA"});
    ADD(db, PRM_PROJECT, {"name", "Late"}, {"partner", "Quiet"},
        {"status", "active"}, {"due", "2026-01-01"});
    ADD(db, PRM_PROJECT, {"name", "Win"}, {"partner", "Star"},
        {"status", "succeeded"});
    ADD(db, PRM_RESOURCE, {"partner", "Quiet"}, {"project", "Late"},
        {"kind", "funding"});
    ADD(db, PRM_COMMUNICATION, {"partner", "Star"}, {"method", "email"},
        {"content", "x"});
    assert_int_equal(prm_insights(db, NULL, 0, take_finding, &fs, &err), 0);
    assert_int_equal(fs.n, 4);
    assert_string_equal(fs.rules[0], "stalled_project");
    assert_string_equal(fs.names[0], "Late");
    assert_string_equal(fs.rules[1], "dormant_partner");
    assert_string_equal(fs.names[1], "Quiet");
    assert_string_equal(fs.rules[2], "idle_resources");
    assert_string_equal(fs.rules[3], "expand_partner");
    assert_string_equal(fs.names[3], "Star");
    /* thresholds move the lines */
    fs.n = 0;
    prm_arg strict[] = {{"expand_rate", "1"}, {"expand_max_projects", "0"}};
    assert_int_equal(prm_insights(db, strict, 2, take_finding, &fs, &err), 0);
    assert_int_equal(fs.n, 3);
    fs.n = 0;
    prm_arg gap[] = {{"gap_max_partners", "2"}, {"limit", "1"}};
    assert_int_equal(prm_insights(db, gap, 2, take_finding, &fs, &err), 0);
    assert_string_equal(fs.rules[fs.n - 1], "coverage_gap");
    assert_string_equal(fs.names[fs.n - 1], "EMEA");
}

static bool take_message(void *ctx, const prm_finding *f)
{
    snprintf(ctx, 160, "%s %s: %s", f->rule, f->name, f->message);
    return false; /* the first is enough */
}

/* An active project with no due date is stalled when nobody has touched
 * it for stalled_days; one updated since is not. */
static void test_stalled_without_due_date(void **state)
{
    prm_db *db = *state;
    char found[160] = "";
    prm_set_now(db, "2026-01-01T00:00:00Z", &err);
    ADD(db, PRM_PARTNER, {"name", "P"});
    ADD(db, PRM_COMMUNICATION, {"partner", "P"}, {"method", "email"},
        {"content", "x"}, {"at", "2026-03-01"});
    ADD(db, PRM_PROJECT, {"name", "Idle"}, {"partner", "P"},
        {"status", "active"}, {"progress", "20"});
    prm_set_now(db, "2026-03-01T00:00:00Z", &err);
    assert_int_equal(prm_insights(db, NULL, 0, take_message, found, &err), 0);
    assert_string_equal(found, "stalled_project Idle: active, 20% done, not "
                               "updated for 59 days (threshold 30)");
    prm_arg later[] = {{"stalled_days", "60"}};
    found[0] = '\0';
    assert_int_equal(prm_insights(db, later, 1, take_message, found, &err), 0);
    assert_true(strncmp(found, "stalled_project", 15) != 0);
}

/* "did you mean": a typo, a slip of two letters or a swapped pair finds
 * the word; a short word must be one edit away; far words find nothing. */

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_metrics_of_empty_database_have_no_ratios),
        T(test_metrics_ratios),
        T(test_metrics_scope_by_partner_fields),
        T(test_metrics_date_window_limits_each_kind),
        T(test_metrics_filters_are_checked),
        T(test_report_rows_equal_metrics_of_each_partner),
        T(test_report_sorts_and_limits),
        T(test_health_score_from_its_terms),
        T(test_trend_counts_each_kind_in_its_period),
        T(test_trend_passes_on_empty_periods),
        T(test_insight_rules_fire_on_known_data),
        T(test_stalled_without_due_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
