/*
 * test_funds.c - market development funds and tiers in the core: every
 * move of a request and a claim from every status, the sums a fund works
 * out, a payment that is a resource and its undo, the rules a write
 * keeps, and a tier review's qualification.
 */
#include <stdlib.h>

#include "core_fixture.h"

#define MOVE(db, m, ref, ...)                                                \
    prm_money_move_run(db, m, ref, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__),    \
                       &id, &err)
#define MOVE0(db, m, ref) prm_money_move_run(db, m, ref, NULL, 0, &id, &err)

/* A partner, a fund of 1000 and a request of 600 (id 1). */
static void fund_and_request(prm_db *db)
{
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_FUND, {"name", "MDF"}, {"amount", "1000"},
                         {"claim_by", "2026-06-30"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_REQUEST, {"fund", "MDF"}, {"partner", "Acme"},
                         {"activity", "Expo"}, {"amount", "600"}),
                     PRM_OK);
}

static int64_t cents(prm_db *db, prm_kind kind, int64_t rid, const char *f)
{
    snapshot s = get(db, kind, rid);
    prm_value v = s.v[field(kind, f)];
    return v.type == PRM_V_MONEY ? v.i : -1;
}

static const char *status(prm_db *db, prm_kind kind, int64_t rid)
{
    static snapshot s;
    s = get(db, kind, rid);
    return s.text[field(kind, "status")];
}

static void test_approve_within_what_the_fund_has(void **state)
{
    prm_db *db = *state;
    fund_and_request(db);
    assert_int_equal(MOVE(db, PRM_REQUEST_APPROVE, "1", {"amount", "600.01"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(MOVE(db, PRM_REQUEST_APPROVE, "1", {"amount", "550.10"}),
                     PRM_OK);
    assert_int_equal(cents(db, PRM_REQUEST, 1, "approved_amount"), 55010);
    assert_int_equal(cents(db, PRM_FUND, 1, "available"), 44990);
    assert_int_equal(ADD(db, PRM_REQUEST, {"fund", "1"}, {"partner", "Acme"},
                         {"activity", "Webinar"}, {"amount", "449.91"}),
                     PRM_OK);
    assert_int_equal(MOVE0(db, PRM_REQUEST_APPROVE, "2"), PRM_ECONFLICT);
    assert_int_equal(MOVE(db, PRM_REQUEST_APPROVE, "2", {"amount", "449.90"}),
                     PRM_OK);
    assert_int_equal(cents(db, PRM_FUND, 1, "available"), 0);
    assert_int_equal(cents(db, PRM_FUND, 1, "approved"), 100000);
    /* the fund cannot shrink below it, and cancelling gives it back */
    prm_arg less = {"amount", "999.99"};
    bool changed;
    assert_int_equal(prm_update(db, PRM_FUND, "1", &less, 1, &id, &changed,
                                &err),
                     PRM_ECONFLICT);
    assert_int_equal(MOVE0(db, PRM_REQUEST_CANCEL, "2"), PRM_OK);
    assert_int_equal(cents(db, PRM_FUND, 1, "available"), 44990);
}

static void test_every_move_from_every_status(void **state)
{
    prm_db *db = *state;
    fund_and_request(db);
    /* from submitted: approve, reject, cancel; the claim moves refuse a
     * request, and request moves a claim */
    assert_int_equal(MOVE0(db, PRM_REQUEST_REJECT, "1"), PRM_EMISSING_FIELD);
    assert_int_equal(MOVE0(db, PRM_REQUEST_APPROVE, "1"), PRM_OK);
    assert_string_equal(status(db, PRM_REQUEST, 1), "approved");
    assert_int_equal(MOVE0(db, PRM_REQUEST_APPROVE, "1"), PRM_ECONFLICT);
    assert_int_equal(MOVE(db, PRM_REQUEST_REJECT, "1", {"reason", "late"}),
                     PRM_ECONFLICT);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "100"}),
                     PRM_OK);
    assert_int_equal(MOVE0(db, PRM_CLAIM_PAY, "1"), PRM_ECONFLICT);
    assert_int_equal(MOVE0(db, PRM_REQUEST_CANCEL, "1"), PRM_ECONFLICT);
    assert_int_equal(MOVE0(db, PRM_CLAIM_APPROVE, "1"), PRM_OK);
    assert_int_equal(MOVE0(db, PRM_CLAIM_APPROVE, "1"), PRM_ECONFLICT);
    assert_int_equal(MOVE(db, PRM_CLAIM_REJECT, "1", {"reason", "no receipt"}),
                     PRM_OK);
    assert_string_equal(status(db, PRM_CLAIM, 1), "rejected");
    assert_int_equal(MOVE(db, PRM_CLAIM_REJECT, "1", {"reason", "again"}),
                     PRM_ECONFLICT);
    /* a rejected claim does not hold the request */
    assert_int_equal(MOVE0(db, PRM_REQUEST_CANCEL, "1"), PRM_OK);
    assert_int_equal(MOVE0(db, PRM_REQUEST_CANCEL, "1"), PRM_ECONFLICT);
    prm_money_move m;
    assert_true(prm_money_move_find(PRM_CLAIM, "pay", &m));
    assert_int_equal(m, PRM_CLAIM_PAY);
    assert_false(prm_money_move_find(PRM_REQUEST, "pay", &m));
}

static void test_claims_stay_within_the_approved_amount(void **state)
{
    prm_db *db = *state;
    fund_and_request(db);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "1"}),
                     PRM_ECONFLICT); /* not approved yet */
    assert_int_equal(MOVE(db, PRM_REQUEST_APPROVE, "1", {"amount", "0.30"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "0.10"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "0.20"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "0.01"}),
                     PRM_ECONFLICT);
    assert_int_equal(count(db, PRM_CLAIM, NULL, 0), 2);
    assert_int_equal(cents(db, PRM_FUND, 1, "claimed"), 30);
    /* after claim_by, none */
    assert_int_equal(prm_set_now(db, "2026-07-01T00:00:00Z", &err), PRM_OK);
    assert_int_equal(MOVE(db, PRM_CLAIM_REJECT, "2", {"reason", "x"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "0.20"}),
                     PRM_ECONFLICT);
}

static void test_payment_is_a_resource_undone_with_it(void **state)
{
    prm_db *db = *state;
    fund_and_request(db);
    assert_int_equal(MOVE(db, PRM_REQUEST_APPROVE, "1", {"amount", "250.50"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_CLAIM, {"request", "1"}, {"amount", "250.50"}),
                     PRM_OK);
    assert_int_equal(MOVE0(db, PRM_CLAIM_APPROVE, "1"), PRM_OK);
    assert_int_equal(MOVE0(db, PRM_CLAIM_PAY, "1"), PRM_OK);
    snapshot c = get(db, PRM_CLAIM, 1);
    assert_string_equal(c.text[field(PRM_CLAIM, "status")], "paid");
    assert_int_equal(c.v[field(PRM_CLAIM, "resource")].i, 1);
    snapshot r = get(db, PRM_RESOURCE, 1);
    assert_string_equal(r.text[field(PRM_RESOURCE, "kind")], "funding");
    assert_string_equal(r.text[field(PRM_RESOURCE, "unit")], "USD");
    assert_true(r.v[field(PRM_RESOURCE, "amount")].r == 250.5);
    assert_string_equal(status(db, PRM_REQUEST, 1), "completed");
    assert_int_equal(cents(db, PRM_FUND, 1, "paid"), 25050);
    prm_metrics mt;
    assert_int_equal(prm_metrics_compute(db, NULL, 0, &mt, &err), PRM_OK);
    assert_int_equal(mt.resources, 1);
    /* one undo: the claim approved again, the resource gone, the request
     * approved */
    assert_int_equal(prm_undo(db, 1, NULL, NULL, &err), PRM_OK);
    assert_string_equal(status(db, PRM_CLAIM, 1), "approved");
    assert_int_equal(count(db, PRM_RESOURCE, NULL, 0), 0);
    assert_string_equal(status(db, PRM_REQUEST, 1), "approved");
}

static void test_what_is_fixed_once_moved(void **state)
{
    prm_db *db = *state;
    fund_and_request(db);
    bool changed;
    prm_arg more = {"amount", "700"}, what = {"activity", "Expo 2027"};
    assert_int_equal(prm_update(db, PRM_REQUEST, "1", &more, 1, &id, &changed,
                                &err),
                     PRM_OK); /* submitted: it may */
    assert_int_equal(MOVE0(db, PRM_REQUEST_APPROVE, "1"), PRM_OK);
    assert_int_equal(prm_update(db, PRM_REQUEST, "1", &more, 1, &id, &changed,
                                &err),
                     PRM_OK); /* the same amount: no change at all */
    prm_arg less = {"amount", "10"};
    assert_int_equal(prm_update(db, PRM_REQUEST, "1", &less, 1, &id, &changed,
                                &err),
                     PRM_ECONFLICT);
    assert_int_equal(prm_update(db, PRM_REQUEST, "1", &what, 1, &id, &changed,
                                &err),
                     PRM_OK);
}

/* Whole amounts where the currency has no minor unit; a code of three
 * capitals. */
static void test_currency(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_FUND, {"name", "Y"}, {"amount", "10.5"},
                         {"currency", "JPY"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(ADD(db, PRM_FUND, {"name", "Y"}, {"amount", "10"},
                         {"currency", "Yen"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(ADD(db, PRM_FUND, {"name", "Y"}, {"amount", "10"},
                         {"currency", "JPY"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_FUND, {"name", "E"}, {"amount", "10.5"}),
                     PRM_OK);
    assert_string_equal(get(db, PRM_FUND, 2).text[field(PRM_FUND, "currency")],
                        "USD");
}

static void test_tier_review(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}, {"tier", "gold"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_COMMUNICATION, {"partner", "Acme"},
                         {"method", "email"}, {"content", "hi"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_TIER, {"name", "Gold"}, {"rank", "2"},
                         {"min_communications", "2"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_TIER, {"name", "Silver"}, {"rank", "1"},
                         {"min_communications", "1"}),
                     PRM_OK);
    assert_int_equal(ADD(db, PRM_TIER, {"name", "Bad"}, {"rank", "0"}),
                     PRM_EMISSING_FIELD);
    assert_int_equal(ADD(db, PRM_TIER, {"name", "Again"}, {"rank", "1"},
                         {"min_succeeded", "1"}),
                     PRM_ECONFLICT);
    int64_t changed;
    assert_int_equal(prm_tier_apply(db, NULL, 0, NULL, NULL, &changed, &err),
                     PRM_OK);
    assert_int_equal(changed, 1);
    assert_string_equal(get(db, PRM_PARTNER, 1).text[field(PRM_PARTNER, "tier")],
                        "Silver");
    assert_int_equal(prm_tier_apply(db, NULL, 0, NULL, NULL, &changed, &err),
                     PRM_OK);
    assert_int_equal(changed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_approve_within_what_the_fund_has),
        T(test_every_move_from_every_status),
        T(test_claims_stay_within_the_approved_amount),
        T(test_payment_is_a_resource_undone_with_it),
        T(test_what_is_fixed_once_moved),
        T(test_currency),
        T(test_tier_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
