/*
 * oracle_agenda.c - the agenda against the oracle's model (oracle.h):
 * for random days=, partner= and quiet_days=, the items the rules of the
 * agenda (doc/prm.1) give over the model's arrays, in date, kind and id
 * order, each with its partner, must be exactly those prm lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oracle.h"
#include "seeded.h"


typedef struct agenda_entry {
    const char *kind;
    char date[STAMP];
    int64_t id, partner; /* partner 0: none */
} agenda_entry;

static int entry_order(const void *a, const void *b)
{
    const agenda_entry *x = a, *y = b;
    int c = strcmp(x->date, y->date);
    if (c == 0)
        c = strcmp(x->kind, y->kind);
    if (c == 0)
        c = (x->id > y->id) - (x->id < y->id);
    return c;
}

static int64_t first_partner(const model_project *p)
{
    int64_t id = 0;
    for (int k = 0; k < p->npartners; k++)
        if (id == 0 || m.partners[p->partners[k]].id < id)
            id = m.partners[p->partners[k]].id;
    return id;
}

static bool deal_live(const model_deal *d)
{
    return oracle_same(d->status, "approved") && strcmp(d->expires, ORACLE_NOW) > 0;
}

/* Whether partner i has an active project or an active deal. */
static bool has_active_work(int i)
{
    for (int j = 0; j < NPROJECTS; j++)
        for (int k = 0; k < m.projects[j].npartners; k++)
            if (m.projects[j].partners[k] == i &&
                oracle_same(m.projects[j].status, "active"))
                return true;
    for (int j = 0; j < NDEALS; j++)
        if (m.deals[j].of == i &&
            (oracle_same(m.deals[j].status, "submitted") || deal_live(&m.deals[j])))
            return true;
    return false;
}

typedef struct agenda_want {
    agenda_entry e[NTASKS + 2 * NDEALS + NPROJECTS + NPARTNERS];
    size_t n, at;
    int64_t partner; /* the filter, 0 for none */
} agenda_want;

static void want(agenda_want *w, const char *kind, const char *date,
                 int64_t id, int64_t partner, bool match)
{
    if (w->partner != 0 && !match)
        return;
    agenda_entry *e = &w->e[w->n++];
    *e = (agenda_entry){.kind = kind, .id = id, .partner = partner};
    snprintf(e->date, STAMP, "%s", date);
}

static void quiet_partners(agenda_want *w, int quiet_days)
{
    char before[STAMP];
    oracle_plus_days(ORACLE_NOW, -quiet_days, before);
    for (int i = 0; i < NPARTNERS; i++) {
        const model_partner *p = &m.partners[i];
        if (!oracle_same(p->status, "active") || !has_active_work(i))
            continue;
        const char *last = NULL;
        for (int j = 0; j < NCOMMS; j++)
            if (m.comms[j].of == i &&
                (last == NULL || strcmp(m.comms[j].at, last) > 0))
                last = m.comms[j].at;
        if (last == NULL)
            last = p->added;
        char date[STAMP];
        oracle_plus_days(last, quiet_days, date);
        if (strcmp(last, before) < 0)
            want(w, "partner_quiet", date, p->id, p->id,
                 w->partner == p->id);
    }
}

static void expected_agenda(agenda_want *w, const char *until, int quiet_days)
{
    for (int i = 0; i < NTASKS; i++) {
        const model_task *t = &m.tasks[i];
        if (!t->open || !t->due[0] || strcmp(t->due, until) > 0)
            continue;
        int64_t partner = t->partner >= 0 ? m.partners[t->partner].id
                          : t->deal >= 0  ? m.partners[m.deals[t->deal].of].id
                          : t->project >= 0
                              ? first_partner(&m.projects[t->project])
                              : 0;
        want(w, "task", t->due, i + 1, partner, partner == w->partner);
    }
    for (int i = 0; i < NDEALS; i++) {
        const model_deal *d = &m.deals[i];
        int64_t partner = m.partners[d->of].id;
        if (deal_live(d) && strcmp(d->expires, until) <= 0)
            want(w, "deal_expiring", d->expires, i + 1, partner,
                 partner == w->partner);
        if (deal_live(d) && d->close[0] && strcmp(d->close, until) <= 0)
            want(w, "deal_close", d->close, i + 1, partner,
                 partner == w->partner);
    }
    for (int i = 0; i < NPROJECTS; i++) {
        const model_project *p = &m.projects[i];
        bool open = oracle_same(p->status, "planned") || oracle_same(p->status, "active");
        bool theirs = false;
        for (int k = 0; k < p->npartners; k++)
            theirs |= m.partners[p->partners[k]].id == w->partner;
        if (open && p->due[0] && strcmp(p->due, until) <= 0)
            want(w, "project_due", p->due, p->id, first_partner(p), theirs);
    }
    quiet_partners(w, quiet_days);
    qsort(w->e, w->n, sizeof *w->e, entry_order);
}

static bool check_item(void *ctx, const prm_agenda_item *it)
{
    agenda_want *w = ctx;
    if (w->at == w->n)
        fail_msg("agenda: an item more than the rules give: %s %lld",
                 it->kind, (long long)it->id);
    const agenda_entry *e = &w->e[w->at++];
    if (!oracle_same(it->kind, e->kind) || it->id != e->id ||
        !oracle_same(it->date, e->date))
        fail_msg("agenda item %zu: %s %lld %s, the rules give %s %lld %s",
                 w->at, it->kind, (long long)it->id, it->date, e->kind,
                 (long long)e->id, e->date);
    assert_int_equal(it->has_partner ? it->partner : 0, e->partner);
    assert_int_equal(it->overdue, strcmp(e->date, ORACLE_NOW) < 0);
    return true;
}

void oracle_check_agenda(prm_db *db, uint64_t seed)
{
    static agenda_want w;
    static const char *const kinds[] = {"task", "deal_expiring", "deal_close",
                                        "project_due", "partner_quiet"};
    size_t seen[5] = {0};
    seeded_start(seed);
    for (int i = 0; i < NAGENDAS; i++) {
        char days[16], quiet[16], partner[24], until[STAMP];
        int d = (int)next(400), q = 1 + (int)next(400);
        snprintf(days, sizeof days, "%d", d);
        snprintf(quiet, sizeof quiet, "%d", q);
        prm_arg args[3] = {{"days", days}, {"quiet_days", quiet}};
        size_t n = 2;
        w.n = w.at = 0;
        w.partner = 0;
        if (next(3) == 0) {
            w.partner = m.partners[next(NPARTNERS)].id;
            snprintf(partner, sizeof partner, "%lld", (long long)w.partner);
            args[n++] = (prm_arg){"partner", partner};
        }
        oracle_plus_days(ORACLE_NOW, d, until);
        memcpy(until + 11, "23:59:59Z", 10);
        expected_agenda(&w, until, q);
        prm_error err;
        if (prm_agenda(db, args, n, i % 2 == 0, check_item, &w, &err) !=
            PRM_OK)
            fail_msg("agenda failed: %s", err.message);
        if (w.at != w.n)
            fail_msg("agenda: %zu items, the rules give %zu", w.at, w.n);
        for (size_t k = 0; k < w.n; k++)
            for (size_t j = 0; j < 5; j++)
                seen[j] += oracle_same(w.e[k].kind, kinds[j]);
    }
    for (size_t j = 0; j < 5; j++) /* not a vacuous run */
        if (seen[j] == 0)
            fail_msg("no agenda had a %s item", kinds[j]);
}
