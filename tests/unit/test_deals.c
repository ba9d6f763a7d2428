/*
 * test_deals.c - deal registration: exact amounts, domains, every move of
 * a deal's status (and every move refused), expiry read from the clock,
 * the deal list's own filters, undo of a move.
 */
#include <stdlib.h>

#include "core_fixture.h"

#define MOVE(db, m, ref, ...)                                                \
    prm_deal_move_run(db, m, ref, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__),     \
                      &id, &err)
#define MOVE0(db, m, ref) prm_deal_move_run(db, m, ref, NULL, 0, &id, &err)

static int64_t new_deal(prm_db *db)
{
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                         {"customer", "Globex, Inc."},
                         {"domain", "EU.Globex.COM."}, {"amount", "0.10"}),
                     PRM_OK);
    return id;
}

static const char *status_of(prm_db *db, int64_t deal)
{
    static snapshot s;
    s = get(db, PRM_DEAL, deal);
    return s.text[field(PRM_DEAL, "status")];
}

/* --- values -------------------------------------------------------------- */

static void test_money_is_exact_hundredths(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool ok;
        int64_t cents;
        const char *out;
    } cases[] = {
        {"0", true, 0, "0"},          {"0.1", true, 10, "0.1"},
        {"0.10", true, 10, "0.1"},    {"0.05", true, 5, "0.05"},
        {"12.500", true, 1250, "12.5"}, {"1000000.01", true, 100000001, "1000000.01"},
        {"999999999999999.99", true, 99999999999999999, "999999999999999.99"},
        {"1000000000000000", false, 0, NULL}, {"12.501", false, 0, NULL},
        {"1e3", false, 0, NULL},      {"-1", false, 0, NULL},
        {"", false, 0, NULL},         {".", false, 0, NULL},
        {"1,000", false, 0, NULL},    {" 1", false, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t cents = -1;
        bool ok = prm_parse_money(cases[i].in, &cents);
        if (ok != cases[i].ok)
            fail_msg("'%s': %s", cases[i].in, ok ? "taken" : "refused");
        if (!ok)
            continue;
        assert_int_equal(cents, cases[i].cents);
        char text[PRM_MONEY_TEXT];
        prm_format_money(cents, text, sizeof text);
        assert_string_equal(text, cases[i].out);
    }
}

static void test_amounts_add_exactly(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    /* 0.10 + 0.20 is 0.30, never 0.30000000000000004. */
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "1"}, {"customer", "a"},
                         {"amount", "0.10"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "1"}, {"customer", "b"},
                         {"amount", "0.20"}),
                     PRM_OK);
    snapshot s = get(db, PRM_DEAL, 1);
    int64_t sum = s.v[field(PRM_DEAL, "amount")].i;
    s = get(db, PRM_DEAL, 2);
    sum += s.v[field(PRM_DEAL, "amount")].i;
    assert_int_equal(s.v[field(PRM_DEAL, "amount")].type, PRM_V_MONEY);
    assert_int_equal(sum, 30);
}

static void test_domains_are_lower_case_and_checked(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"globex.com", "globex.com"}, {"EU.Globex.COM.", "eu.globex.com"},
        {"xn--80ak6aa92e.com", "xn--80ak6aa92e.com"},
        {"a-b.co.uk", "a-b.co.uk"},   {"globex", NULL},
        {"http://globex.com", NULL},  {"globex.com/path", NULL},
        {"glo bex.com", NULL},        {"bob@globex.com", NULL},
        {"-globex.com", NULL},        {"globex-.com", NULL},
        {"globex..com", NULL},        {".globex.com", NULL},
        {"globex.com:8080", NULL},    {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[PRM_DOMAIN_SIZE];
        bool ok = prm_parse_domain(cases[i].in, out);
        if (ok != (cases[i].out != NULL))
            fail_msg("'%s': %s", cases[i].in, ok ? "taken" : "refused");
        if (ok)
            assert_string_equal(out, cases[i].out);
    }
}

/* --- the same customer ----------------------------------------------------- */

typedef struct pair {
    const char *domain_a, *name_a, *domain_b, *name_b;
    bool same;
} pair;

static const pair pairs[] = {
    /* domains: equal, or a subdomain at a label boundary */
    {"globex.com", "Globex", "globex.com", "Other name", true},
    {"eu.globex.com", "x", "globex.com", "y", true},
    {"globex.com", "x", "eu.globex.com", "y", true},
    {"a.b.globex.com", "x", "globex.com", "y", true},
    {"a.b.globex.com", "x", "b.globex.com", "y", true},
    {"notglobex.com", "Globex", "globex.com", "Globex", false},
    {"globex.com", "Globex", "globex.co", "Globex", false},
    {"globex.com.au", "Globex", "globex.com", "Globex", false},
    {"eu.globex.com", "x", "us.globex.com", "x", false},
    {"globex.co.uk", "x", "initech.co.uk", "x", false},
    {"co.uk", "x", "globex.co.uk", "y", true},
    {"xn--80ak6aa92e.com", "x", "shop.xn--80ak6aa92e.com", "y", true},
    {"globex-eu.com", "x", "eu.com", "x", false},
    {"1globex.com", "x", "globex.com", "x", false},
    /* names, when either has no domain */
    {NULL, "Globex, Inc.", NULL, "globex", true},
    {NULL, "Globex Inc", "globex.com", "GLOBEX", true},
    {"globex.com", "Globex Corp.", NULL, "Globex", true},
    {NULL, "Globex Corporation", NULL, "Globex Co", true},
    {NULL, "Globex LLC", NULL, "Globex Ltd", true},
    {NULL, "Globex Limited", NULL, "Globex GmbH", true},
    {NULL, "Globex AG", NULL, "Globex S.A.", false}, /* "s a": two words */
    {NULL, "Globex SA", NULL, "Globex SAS", true},
    {NULL, "Globex SRL", NULL, "Globex B.V.", false},
    {NULL, "Globex BV", NULL, "Globex NV", true},
    {NULL, "Globex PLC", NULL, "Globex KK", true},
    {NULL, "Globex Pty Ltd", NULL, "Globex", true},
    {NULL, "Globex Pty", NULL, "Globex", false},
    {NULL, "Glo-bex", NULL, "Globex", true},
    {NULL, "G L O B E X", NULL, "globex", true},
    {NULL, "Globex Inc Inc", NULL, "Globex", false},
    {NULL, "Globex Incorporated", NULL, "Globex", false},
    {NULL, "Zinc", NULL, "Z", false},
    {NULL, "Inc", NULL, "inc", true},
    {NULL, "Globex", NULL, "Globe", false},
    {NULL, "Globex Holdings", NULL, "Globex", false},
    {NULL, "Initech", NULL, "Globex", false},
    {NULL, "北京环球有限公司", NULL, "北京环球", true},
    {NULL, "北京环球 有限公司", NULL, "北京环球", true},
    {NULL, "北京环球（有限公司）", NULL, "北京环球", true},
    {NULL, "北京　环球", NULL, "北京环球", true},
    {NULL, "北京环球", NULL, "上海环球", false},
    {NULL, "有限公司", NULL, "有限公司", true},
    {NULL, "Ünïcode GmbH", NULL, "ünïcode", false}, /* ASCII case only */
    {NULL, "Ünïcode GmbH", NULL, "Ünïcode", true},
    {NULL, "!!!", NULL, "???", false}, /* nothing left to compare */
    {"globex.com", "Globex", "initech.com", "Globex", false},
};

static void test_same_customer_table(void **state)
{
    (void)state;
    assert_true(sizeof pairs / sizeof *pairs >= 40);
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        const pair *p = &pairs[i];
        bool same = prm_same_customer(p->domain_a, p->name_a, p->domain_b,
                                      p->name_b);
        if (same != p->same)
            fail_msg("%s/%s and %s/%s: %s", p->domain_a ? p->domain_a : "-",
                     p->name_a, p->domain_b ? p->domain_b : "-", p->name_b,
                     same ? "the same" : "not the same");
    }
}

/* Symmetric for every pair of the table's sides, and a domain's root is
 * shared by every domain that covers it. */
static void test_same_customer_is_symmetric(void **state)
{
    (void)state;
    size_t n = sizeof pairs / sizeof *pairs;
    for (size_t i = 0; i < 2 * n; i++)
        for (size_t j = 0; j < 2 * n; j++) {
            const pair *a = &pairs[i / 2], *b = &pairs[j / 2];
            const char *da = i % 2 ? a->domain_b : a->domain_a;
            const char *na = i % 2 ? a->name_b : a->name_a;
            const char *db = j % 2 ? b->domain_b : b->domain_a;
            const char *nb = j % 2 ? b->name_b : b->name_a;
            assert_int_equal(prm_same_customer(da, na, db, nb),
                             prm_same_customer(db, nb, da, na));
            if (da == NULL || db == NULL || !prm_domain_covers(da, db))
                continue;
            char ra[PRM_DOMAIN_SIZE], rb[PRM_DOMAIN_SIZE];
            prm_domain_root(da, ra);
            prm_domain_root(db, rb);
            assert_string_equal(ra, rb);
        }
    assert_true(prm_products_overlap(NULL, "Firewall"));
    assert_true(prm_products_overlap("firewall", "FireWall"));
    assert_false(prm_products_overlap("Firewall", "Router"));
}

/* Seeded random deals of four partners over a few customers: prm's
 * conflicts of each deal are symmetric, never of the deal's own partner,
 * and exactly the pairs prm_same_customer and prm_products_overlap say,
 * both active. */
static void test_conflicts_are_symmetric_and_never_ones_own(void **state)
{
    prm_db *db = *state;
    static const char *const names[] = {"Globex, Inc.", "globex", "Initech",
                                        "北京环球有限公司", "北京环球"};
    static const char *const domains[] = {NULL, "globex.com", "eu.globex.com",
                                          "notglobex.com"};
    static const char *const products[] = {NULL, "Firewall", "firewall",
                                           "Router"};
    enum { NPART = 4, NDEAL = 60 };
    struct { int partner; const char *name, *domain, *product; bool live; }
        d[NDEAL + 1];
    for (int p = 0; p < NPART; p++) {
        char name[16];
        snprintf(name, sizeof name, "P%d", p);
        assert_int_equal(ADD(db, PRM_PARTNER, {"name", name}), PRM_OK);
    }
    srand(7);
    int n = 0;
    for (int i = 0; i < 400 && n < NDEAL; i++) {
        int partner = rand() % NPART;
        const char *name = names[rand() % 5], *domain = domains[rand() % 4];
        const char *product = products[rand() % 4];
        char pref[8];
        snprintf(pref, sizeof pref, "%d", partner + 1);
        prm_arg args[4] = {{"partner", pref}, {"customer", name}};
        size_t na = 2;
        if (domain)
            args[na++] = (prm_arg){"domain", domain};
        if (product)
            args[na++] = (prm_arg){"product", product};
        if (prm_add(db, PRM_DEAL, args, na, &id, &err) != PRM_OK) {
            assert_int_equal(err.code, PRM_ECONFLICT); /* its own again */
            continue;
        }
        n++;
        d[id].partner = partner, d[id].name = name, d[id].domain = domain;
        d[id].product = product, d[id].live = true;
        char ref[16];
        snprintf(ref, sizeof ref, "%lld", (long long)id);
        if (rand() % 4 == 0) {
            assert_int_equal(MOVE0(db, PRM_DEAL_CANCEL, ref), PRM_OK);
            d[id].live = false;
        }
    }
    assert_true(n > 20);
    for (int a = 1; a <= n; a++) {
        snapshot s = get(db, PRM_DEAL, a);
        const prm_value *c = &s.v[field(PRM_DEAL, "conflicts")];
        assert_int_equal(c->type, PRM_V_IDS);
        bool listed[NDEAL + 1] = {false};
        for (size_t k = 0; k < c->nids && k < 8; k++)
            listed[s.ids[k]] = true;
        for (int b = 1; b <= n; b++) {
            bool want = a != b && d[a].partner != d[b].partner && d[a].live &&
                        d[b].live &&
                        prm_same_customer(d[a].domain, d[a].name, d[b].domain,
                                          d[b].name) &&
                        prm_products_overlap(d[a].product, d[b].product);
            if (c->nids <= 8 && listed[b] != want)
                fail_msg("deals %d and %d: prm says %s", a, b,
                         listed[b] ? "conflict" : "none");
        }
    }
}

static void test_first_approved_is_protected(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Initech"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                         {"customer", "Globex"}, {"domain", "globex.com"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Initech"},
                         {"customer", "Globex, Inc."}),
                     PRM_OK);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "2", {"days", "1"}), PRM_OK);
    assert_int_equal(MOVE0(db, PRM_DEAL_APPROVE, "1"), PRM_ECONFLICT);
    assert_non_null(strstr(err.message, "deal 2 of Initech"));
    assert_string_equal(status_of(db, 1), "submitted");
    /* Once deal 2 expires, deal 1 may be approved, and deal 2 may not be
     * extended back over it. */
    prm_set_now(db, "2026-03-02T12:00:00Z", &err);
    assert_int_equal(MOVE0(db, PRM_DEAL_APPROVE, "1"), PRM_OK);
    assert_int_equal(MOVE(db, PRM_DEAL_EXTEND, "2", {"days", "5"}),
                     PRM_ECONFLICT);
    assert_string_equal(status_of(db, 2), "expired");
    /* A partner registering what it holds already adds nothing. */
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                         {"customer", "GLOBEX LLC"}),
                     PRM_ECONFLICT);
    assert_int_equal(count(db, PRM_DEAL, NULL, 0), 2);
}

static void test_deal_add_stores_and_normalises(void **state)
{
    prm_db *db = *state;
    int64_t deal = new_deal(db);
    snapshot s = get(db, PRM_DEAL, deal);
    assert_string_equal(s.text[field(PRM_DEAL, "domain")], "eu.globex.com");
    assert_string_equal(s.text[field(PRM_DEAL, "status")], "submitted");
    assert_int_equal(s.v[field(PRM_DEAL, "amount")].i, 10);
    assert_int_equal(s.v[field(PRM_DEAL, "approved_at")].type, PRM_V_NULL);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                         {"customer", "x"}, {"amount", "-5"}),
                     PRM_EINVALID_VALUE);
    assert_non_null(strstr(err.message, "must not be negative"));
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                         {"customer", "x"}, {"domain", "https://x.com/"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"}),
                     PRM_EMISSING_FIELD);
    assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"}, {"customer", "x"},
                         {"status", "approved"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(count(db, PRM_DEAL, NULL, 0), 1);
}

/* --- moves ----------------------------------------------------------------- */

/* Each move from each status a deal can read as: allowed exactly where
 * the contract says, and a refused move changes nothing. */
static void test_every_move_from_every_status(void **state)
{
    prm_db *db = *state;
    static const char *const reachable[] = {"submitted", "approved",
                                            "expired",   "rejected",
                                            "won",       "lost",
                                            "cancelled"};
    static const char *const allowed[PRM_DEAL_MOVES] = {
        [PRM_DEAL_APPROVE] = " submitted ",
        [PRM_DEAL_REJECT] = " submitted ",
        [PRM_DEAL_EXTEND] = " approved expired ",
        [PRM_DEAL_WON] = " approved expired ",
        [PRM_DEAL_LOST] = " approved expired ",
        [PRM_DEAL_CANCEL] = " submitted approved ",
    };
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    for (int m = 0; m < PRM_DEAL_MOVES; m++) {
        for (size_t s = 0; s < sizeof reachable / sizeof *reachable; s++) {
            prm_set_now(db, "2026-03-01T12:00:00Z", &err);
            char customer[32]; /* one each: a second would be Acme's again */
            snprintf(customer, sizeof customer, "c%d %zu", m, s);
            assert_int_equal(ADD(db, PRM_DEAL, {"partner", "Acme"},
                                 {"customer", customer}),
                             PRM_OK);
            char ref[24];
            snprintf(ref, sizeof ref, "%lld", (long long)id);
            const char *st = reachable[s];
            if (strcmp(st, "submitted") != 0 && strcmp(st, "rejected") != 0 &&
                strcmp(st, "cancelled") != 0)
                assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, ref,
                                      {"days", "1"}),
                                 PRM_OK);
            if (strcmp(st, "rejected") == 0)
                assert_int_equal(MOVE(db, PRM_DEAL_REJECT, ref,
                                      {"reason", "dup"}),
                                 PRM_OK);
            if (strcmp(st, "cancelled") == 0)
                assert_int_equal(MOVE0(db, PRM_DEAL_CANCEL, ref), PRM_OK);
            if (strcmp(st, "won") == 0)
                assert_int_equal(MOVE0(db, PRM_DEAL_WON, ref), PRM_OK);
            if (strcmp(st, "lost") == 0)
                assert_int_equal(MOVE0(db, PRM_DEAL_LOST, ref), PRM_OK);
            if (strcmp(st, "expired") == 0)
                prm_set_now(db, "2026-03-02T12:00:00Z", &err);
            int64_t deal = atoll(ref);
            assert_string_equal(status_of(db, deal), st);
            char key[16];
            snprintf(key, sizeof key, " %s ", st);
            bool may = strstr(allowed[m], key) != NULL;
            const char *k = prm_deal_move_key((prm_deal_move)m);
            const char *v = k && strcmp(k, "amount") == 0 ? "5" :
                            k && strcmp(k, "days") == 0   ? "3" : "why";
            prm_code rc = k ? MOVE(db, (prm_deal_move)m, ref, {k, v})
                            : MOVE0(db, (prm_deal_move)m, ref);
            if (may != (rc == PRM_OK))
                fail_msg("%s from %s: %s", prm_deal_move_name((prm_deal_move)m),
                         st, rc == PRM_OK ? "allowed" : err.message);
            if (!may) {
                assert_int_equal(rc, PRM_ECONFLICT);
                char says[64];
                snprintf(says, sizeof says, "deal %s is %s; only ", ref, st);
                assert_non_null(strstr(err.message, says));
                assert_string_equal(status_of(db, deal), st);
            }
        }
    }
}

static void test_approve_sets_dates_and_expiry_reads_from_the_clock(void **state)
{
    prm_db *db = *state;
    int64_t deal = new_deal(db);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "1", {"days", "1"}), PRM_OK);
    snapshot s = get(db, PRM_DEAL, deal);
    assert_string_equal(s.text[field(PRM_DEAL, "approved_at")],
                        "2026-03-01T12:00:00Z");
    assert_string_equal(s.text[field(PRM_DEAL, "expires")],
                        "2026-03-02T12:00:00Z");
    prm_arg expired = {"status", "expired"}, approved = {"status", "approved"};
    prm_arg active = {"active", "yes"}, soon = {"expiring", "1"};
    assert_int_equal(count(db, PRM_DEAL, &approved, 1), 1);
    assert_int_equal(count(db, PRM_DEAL, &active, 1), 1);
    assert_int_equal(count(db, PRM_DEAL, &soon, 1), 1);
    /* The next day, with nothing run in between. */
    prm_set_now(db, "2026-03-02T12:00:00Z", &err);
    assert_string_equal(status_of(db, deal), "expired");
    assert_int_equal(count(db, PRM_DEAL, &expired, 1), 1);
    assert_int_equal(count(db, PRM_DEAL, &approved, 1), 0);
    assert_int_equal(count(db, PRM_DEAL, &active, 1), 0);
    assert_int_equal(count(db, PRM_DEAL, &soon, 1), 0);
    /* Extended from now, once past its expiry. */
    assert_int_equal(MOVE(db, PRM_DEAL_EXTEND, "1", {"days", "10"}), PRM_OK);
    s = get(db, PRM_DEAL, deal);
    assert_string_equal(s.text[field(PRM_DEAL, "expires")],
                        "2026-03-12T12:00:00Z");
    assert_string_equal(s.text[field(PRM_DEAL, "status")], "approved");
    /* ... and from its expiry while it holds. */
    assert_int_equal(MOVE(db, PRM_DEAL_EXTEND, "1", {"days", "5"}), PRM_OK);
    s = get(db, PRM_DEAL, deal);
    assert_string_equal(s.text[field(PRM_DEAL, "expires")],
                        "2026-03-17T12:00:00Z");
}

static void test_move_arguments_are_checked(void **state)
{
    prm_db *db = *state;
    new_deal(db);
    assert_int_equal(MOVE0(db, PRM_DEAL_REJECT, "1"), PRM_EMISSING_FIELD);
    assert_int_equal(MOVE(db, PRM_DEAL_REJECT, "1", {"reason", ""}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "1", {"days", "0"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "1", {"days", "-3"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "1", {"reason", "x"}),
                     PRM_EUNKNOWN_FIELD);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "9", {"days", "3"}),
                     PRM_ENOT_FOUND);
    assert_string_equal(status_of(db, 1), "submitted");
    assert_int_equal(MOVE0(db, PRM_DEAL_APPROVE, "1"), PRM_OK);
    snapshot s = get(db, PRM_DEAL, 1);
    assert_string_equal(s.text[field(PRM_DEAL, "expires")],
                        "2026-05-30T12:00:00Z"); /* 90 days */
    assert_int_equal(MOVE0(db, PRM_DEAL_EXTEND, "1"), PRM_EMISSING_FIELD);
    assert_int_equal(MOVE(db, PRM_DEAL_WON, "1", {"amount", "98000.5"}),
                     PRM_OK);
    s = get(db, PRM_DEAL, 1);
    assert_int_equal(s.v[field(PRM_DEAL, "amount")].i, 9800050);
    assert_string_equal(s.text[field(PRM_DEAL, "closed_at")],
                        "2026-03-01T12:00:00Z");
}

static void test_undo_of_an_approval_puts_back_the_submission(void **state)
{
    prm_db *db = *state;
    new_deal(db);
    assert_int_equal(MOVE(db, PRM_DEAL_APPROVE, "1", {"days", "30"}), PRM_OK);
    assert_int_equal(prm_undo(db, 1, NULL, NULL, &err), PRM_OK);
    snapshot s = get(db, PRM_DEAL, 1);
    assert_string_equal(s.text[field(PRM_DEAL, "status")], "submitted");
    assert_int_equal(s.v[field(PRM_DEAL, "approved_at")].type, PRM_V_NULL);
    assert_int_equal(s.v[field(PRM_DEAL, "expires")].type, PRM_V_NULL);
    assert_int_equal(s.v[field(PRM_DEAL, "amount")].i, 10);
}

static void test_deleting_a_partner_needs_cascade_for_its_deals(void **state)
{
    prm_db *db = *state;
    new_deal(db);
    assert_int_equal(prm_delete(db, PRM_PARTNER, "Acme", false, &id, &err),
                     PRM_ECONFLICT);
    assert_non_null(strstr(err.message, "1 deal"));
    assert_int_equal(prm_delete(db, PRM_PARTNER, "Acme", true, &id, &err),
                     PRM_OK);
    assert_int_equal(count(db, PRM_DEAL, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_is_exact_hundredths),
        T(test_amounts_add_exactly),
        cmocka_unit_test(test_domains_are_lower_case_and_checked),
        cmocka_unit_test(test_same_customer_table),
        cmocka_unit_test(test_same_customer_is_symmetric),
        T(test_deal_add_stores_and_normalises),
        T(test_conflicts_are_symmetric_and_never_ones_own),
        T(test_first_approved_is_protected),
        T(test_every_move_from_every_status),
        T(test_approve_sets_dates_and_expiry_reads_from_the_clock),
        T(test_move_arguments_are_checked),
        T(test_undo_of_an_approval_puts_back_the_submission),
        T(test_deleting_a_partner_needs_cascade_for_its_deals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
