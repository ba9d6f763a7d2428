/*
 * oracle_tiers.c - tier review and apply against the oracle's model
 * (oracle.h): random tiers (ranks, minimums, windows) and partners'
 * tier fields; for random scopes, each partner's results over each
 * tier's window counted the obvious way over the model's arrays, the
 * tier it qualifies for, the change and what the next tier needs must be
 * exactly prm's; then tier apply sets exactly those tiers, and undo puts
 * the old ones back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "oracle.h"
#include "seeded.h"

#define NTIERS 4
#define NREVIEWS 30

typedef struct model_tier {
    char name[16];
    int64_t rank, window;
    bool has[5];
    int64_t min_cents, min_won, min_succeeded, min_comms;
    double min_rate;
} model_tier;

static model_tier tiers[NTIERS]; /* highest rank first */

/* A partner's results over a window. */
typedef struct results {
    int64_t cents, won, succeeded, failed, comms;
} results;

static results count(int i, const model_tier *t)
{
    char since[STAMP];
    oracle_plus_days(ORACLE_NOW, -(int)t->window, since);
    results r = {0};
    for (int j = 0; j < NDEALS; j++) {
        const model_deal *d = &m.deals[j];
        if (d->of == i && oracle_same(d->status, "won") &&
            strcmp(d->closed, since) >= 0) {
            r.cents += d->cents;
            r.won++;
        }
    }
    for (int j = 0; j < NPROJECTS; j++) {
        const model_project *p = &m.projects[j];
        bool mine = false;
        for (int k = 0; k < p->npartners; k++)
            mine = mine || p->partners[k] == i;
        if (!mine || strcmp(p->updated, since) < 0)
            continue;
        r.succeeded += oracle_same(p->status, "succeeded");
        r.failed += oracle_same(p->status, "failed");
    }
    for (int j = 0; j < NCOMMS; j++)
        r.comms += m.comms[j].of == i && strcmp(m.comms[j].at, since) >= 0;
    return r;
}

/* Which minimums of t the results miss, as prm names them. */
static int missing(const model_tier *t, const results *r,
                   const char *names[5])
{
    int n = 0;
    bool rate = r->succeeded + r->failed > 0 &&
                (double)r->succeeded / (double)(r->succeeded + r->failed) >=
                    t->min_rate;
    if (t->has[0] && r->cents < t->min_cents)
        names[n++] = "min_won_value";
    if (t->has[1] && r->won < t->min_won)
        names[n++] = "min_deals_won";
    if (t->has[2] && r->succeeded < t->min_succeeded)
        names[n++] = "min_succeeded";
    if (t->has[3] && !rate)
        names[n++] = "min_closed_success_rate";
    if (t->has[4] && r->comms < t->min_comms)
        names[n++] = "min_communications";
    return n;
}

static void add_tiers(prm_db *db)
{
    static const char *const names[NTIERS] = {"Platinum", "Gold", "Silver",
                                              "Bronze"};
    for (int i = 0; i < NTIERS; i++) {
        model_tier *t = &tiers[i];
        snprintf(t->name, sizeof t->name, "%s", names[i]);
        t->rank = 10 * (NTIERS - i) + (int64_t)next(5);
        t->window = 200 + (int64_t)next(530);
        char rank[16], window[16], v[5][32];
        snprintf(rank, sizeof rank, "%lld", (long long)t->rank);
        snprintf(window, sizeof window, "%lld", (long long)t->window);
        prm_arg args[8] = {{"name", t->name}, {"rank", rank},
                           {"window_days", window}};
        size_t n = 3;
        static const char *const keys[5] = {
            "min_won_value", "min_deals_won", "min_succeeded",
            "min_closed_success_rate", "min_communications"};
        int k0 = (int)next(5); /* at least one */
        for (int k = 0; k < 5; k++) {
            /* the top tier asks many communications: few reach it */
            t->has[k] = k == k0 || next(3) == 0 || (i == 0 && k == 4);
            if (!t->has[k])
                continue;
            /* small enough that partners meet them, and often
             * exactly (a minimum of 0 too) */
            if (k == 0)
                t->min_cents = next(3) == 0 ? 0 : (int64_t)next(8000000);
            else if (k == 1)
                t->min_won = (int64_t)next(2);
            else if (k == 2)
                t->min_succeeded = (int64_t)next(2);
            else if (k == 3)
                t->min_rate = (double)next(6) / 10;
            else
                t->min_comms = i == 0 ? 4 + (int64_t)next(3) : (int64_t)next(4);
            if (k == 0)
                snprintf(v[k], sizeof v[k], "%lld.%02lld",
                         (long long)(t->min_cents / 100),
                         (long long)(t->min_cents % 100));
            else if (k == 3)
                snprintf(v[k], sizeof v[k], "%.1f", t->min_rate);
            else
                snprintf(v[k], sizeof v[k], "%lld",
                         (long long)(k == 1 ? t->min_won
                                     : k == 2 ? t->min_succeeded
                                              : t->min_comms));
            args[n++] = (prm_arg){keys[k], v[k]};
        }
        prm_error err;
        int64_t id;
        if (prm_add(db, PRM_TIER, args, n, &id, &err) != PRM_OK)
            fail_msg("tier add failed: %s", err.message);
    }
}

/* Some partners get a tier's name, another case of it, or a name that is
 * no tier. */
static void set_partner_tiers(prm_db *db)
{
    static const char *const names[] = {"Gold", "silver", "Diamond",
                                        "Bronze", "Platinum"};
    for (int i = 0; i < NPARTNERS; i++) {
        model_partner *p = &m.partners[i];
        p->tier = next(3) == 0 ? NULL : names[next(5)];
        if (p->tier == NULL)
            continue;
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)p->id);
        prm_arg a = {"tier", p->tier};
        prm_error err;
        int64_t id;
        bool changed;
        if (prm_update(db, PRM_PARTNER, ref, &a, 1, &id, &changed, &err) !=
            PRM_OK)
            fail_msg("partner update failed: %s", err.message);
    }
}

static int tier_named(const char *name)
{
    for (int t = 0; t < NTIERS; t++)
        if (name != NULL && strcasecmp(tiers[t].name, name) == 0)
            return t;
    return -1;
}

/* What review must say of partner i. */
typedef struct expect {
    int qualifies, next;   /* tier indexes, -1 none */
    const char *change;
    const char *missing[5];
    int nmissing;
} expect;

static expect expected(int i)
{
    expect e = {.qualifies = -1, .next = -1};
    for (int t = 0; t < NTIERS && e.qualifies < 0; t++) {
        results r = count(i, &tiers[t]);
        const char *names[5];
        if (missing(&tiers[t], &r, names) == 0)
            e.qualifies = t;
    }
    e.next = e.qualifies < 0 ? NTIERS - 1 : e.qualifies - 1;
    if (e.next >= 0) {
        results r = count(i, &tiers[e.next]);
        e.nmissing = missing(&tiers[e.next], &r, e.missing);
    }
    const char *now = m.partners[i].tier;
    int cur = tier_named(now);
    int64_t rank_now = cur >= 0 ? tiers[cur].rank : now ? -1 : -2;
    int64_t rank_then = e.qualifies >= 0 ? tiers[e.qualifies].rank : -2;
    e.change = cur == e.qualifies && (cur >= 0 || now == NULL) ? "keep"
               : rank_then > rank_now                          ? "promote"
                                                               : "demote";
    return e;
}

typedef struct review {
    const char *region; /* the scope: one region, or NULL for all */
    int rows;
    int qualified, missing; /* rows that qualify, rows missing something */
} review;

static int partner_index(int64_t id)
{
    for (int i = 0; i < NPARTNERS; i++)
        if (m.partners[i].id == id)
            return i;
    fail_msg("review names partner %lld, which the model lacks",
             (long long)id);
    return -1;
}

static bool check_row(void *ctx, const prm_tier_row *row)
{
    review *v = ctx;
    int i = partner_index(row->partner);
    const model_partner *p = &m.partners[i];
    if (v->region != NULL && !oracle_same(p->region, v->region))
        fail_msg("partner %lld is not of region %s", (long long)row->partner,
                 v->region);
    expect e = expected(i);
    const char *q = e.qualifies >= 0 ? tiers[e.qualifies].name : NULL;
    if (!(q == row->qualifies || oracle_same(q, row->qualifies)))
        fail_msg("partner %lld qualifies for %s, prm says %s",
                 (long long)row->partner, q ? q : "none",
                 row->qualifies ? row->qualifies : "none");
    assert_string_equal(row->change, e.change);
    const char *next = e.next >= 0 ? tiers[e.next].name : NULL;
    assert_true(next == row->next || oracle_same(next, row->next));
    assert_int_equal(row->nmissing, e.nmissing);
    for (int k = 0; k < e.nmissing; k++)
        assert_string_equal(row->missing[k].criterion, e.missing[k]);
    v->rows++;
    v->qualified += row->qualifies != NULL;
    v->missing += row->nmissing > 0;
    return true;
}

static bool read_tiers(void *ctx, const prm_record *rec)
{
    const prm_value *t = &rec->v[prm_field_index(rec->info, "tier")];
    int i = partner_index(rec->v[0].i);
    const char **out = ctx;
    out[i] = t->type == PRM_V_NULL ? NULL : strndup(t->s, t->len);
    return true;
}

/* Every partner's tier as the database has it. */
static void partner_tiers(prm_db *db, const char *out[NPARTNERS])
{
    prm_error err;
    assert_int_equal(prm_list(db, PRM_PARTNER, NULL, 0, false, read_tiers,
                              out, &err),
                     PRM_OK);
}

static void check_apply(prm_db *db)
{
    prm_error err;
    int64_t changed, want = 0;
    const char *after[NPARTNERS], *back[NPARTNERS];
    for (int i = 0; i < NPARTNERS; i++)
        want += strcmp(expected(i).change, "keep") != 0;
    assert_int_equal(prm_tier_apply(db, NULL, 0, NULL, NULL, &changed, &err),
                     PRM_OK);
    assert_int_equal(changed, want);
    partner_tiers(db, after);
    for (int i = 0; i < NPARTNERS; i++) {
        expect e = expected(i);
        const char *now = strcmp(e.change, "keep") == 0 ? m.partners[i].tier
                          : e.qualifies >= 0 ? tiers[e.qualifies].name
                                             : NULL;
        assert_true(now == after[i] || oracle_same(now, after[i]));
        free((char *)after[i]);
    }
    if (want > 0)
        assert_int_equal(prm_undo(db, 1, NULL, NULL, &err), PRM_OK);
    partner_tiers(db, back);
    for (int i = 0; i < NPARTNERS; i++) {
        assert_true(back[i] == m.partners[i].tier ||
                    oracle_same(back[i], m.partners[i].tier));
        free((char *)back[i]);
    }
}

void oracle_check_tiers(prm_db *db, uint64_t seed)
{
    static const char *const regions[] = {"EMEA", "APAC", "AMER", "LATAM"};
    seeded_start(seed * 7919);
    add_tiers(db);
    set_partner_tiers(db);
    prm_error err;
    assert_int_equal(prm_set_now(db, ORACLE_NOW, &err), PRM_OK);
    int qualified = 0, short_of = 0;
    for (int n = 0; n < NREVIEWS; n++) {
        review v = {.region = next(3) == 0 ? NULL : regions[next(4)]};
        prm_arg f = {"region", v.region};
        if (prm_tier_review(db, &f, v.region ? 1 : 0, check_row, &v, &err) !=
            PRM_OK)
            fail_msg("tier review failed: %s", err.message);
        int want = 0;
        for (int i = 0; i < NPARTNERS; i++)
            want += v.region == NULL || oracle_same(m.partners[i].region,
                                                    v.region);
        assert_int_equal(v.rows, want);
        qualified += v.qualified;
        short_of += v.missing;
    }
    /* not vacuous: some partners earn a tier, some fall short */
    assert_true(qualified > 0 && short_of > 0);
    check_apply(db);
}
