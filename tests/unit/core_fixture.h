/*
 * core_fixture.h - what the unit tests of the core share: a fresh
 * in-memory database per test (setup, teardown, the clock fixed), and
 * helpers that add records and take copies of what the core returns.
 * Included by one test file each; its functions are static inline so that
 * a file that uses only some of them compiles without warnings.
 */
#ifndef PRM_CORE_FIXTURE_H
#define PRM_CORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "prm/prm.h"

#define MAX_FIELDS 32 /* more than any kind has */

#define ARGS(...) ((prm_arg[]){__VA_ARGS__})
#define NARGS(...) (sizeof((prm_arg[]){__VA_ARGS__}) / sizeof(prm_arg))
#define ADD(db, kind, ...)                                                   \
    prm_add(db, kind, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__), &id, &err)

/* The error and the id the tests' commands fill (one per test file). */
#if defined(__GNUC__)
#define MAYBE_UNUSED __attribute__((unused))
#else
#define MAYBE_UNUSED
#endif
static prm_error err;
static int64_t id MAYBE_UNUSED;

static inline int setup(void **state)
{
    prm_db *db;
    if (prm_open(":memory:", &db, &err) != PRM_OK)
        return -1;
    prm_set_now(db, "2026-03-01T12:00:00Z", &err);
    *state = db;
    return 0;
}

static inline int teardown(void **state)
{
    prm_close(*state);
    return 0;
}

/* A copy of one record, taken by a callback. */
typedef struct snapshot {
    int rows;
    char text[MAX_FIELDS][256];
    prm_value v[MAX_FIELDS];
    int64_t ids[8];
} snapshot;

static inline bool take(void *ctx, const prm_record *rec)
{
    snapshot *s = ctx;
    s->rows++;
    for (size_t i = 0; i < rec->info->nfields; i++) {
        s->v[i] = rec->v[i];
        s->text[i][0] = '\0';
        if (rec->v[i].type == PRM_V_TEXT)
            snprintf(s->text[i], sizeof s->text[i], "%s", rec->v[i].s);
        for (size_t k = 0; k < rec->v[i].nids && k < 8; k++)
            s->ids[k] = rec->v[i].ids[k];
    }
    return true;
}

static inline snapshot get(prm_db *db, prm_kind kind, int64_t rid)
{
    snapshot s = {0};
    assert_int_equal(prm_get(db, kind, rid, take, &s, &err), PRM_OK);
    return s;
}

static inline int field(prm_kind kind, const char *name)
{
    return prm_field_index(prm_kind_get(kind), name);
}

static inline int count(prm_db *db, prm_kind kind, const prm_arg *f, size_t n)
{
    snapshot s = {0};
    assert_int_equal(prm_list(db, kind, f, n, false, take, &s, &err), PRM_OK);
    return s.rows;
}


#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
