/*
 * test_audit.c - the audit log: what a change records, updates that
 * change nothing, finding a record's entries by name.
 */
#include "core_fixture.h"

typedef struct entries {
    int n;
    char action[16][8];
    int64_t record[16], change[16];
    char image[16][64]; /* after, else before */
} entries;

static bool take_entry(void *ctx, const prm_audit_entry *e)
{
    entries *es = ctx;
    snprintf(es->action[es->n], sizeof es->action[0], "%s", e->action);
    es->record[es->n] = e->record;
    es->change[es->n] = e->change;
    snprintf(es->image[es->n], sizeof es->image[0], "%s",
             e->after ? e->after : e->before ? e->before : "");
    return ++es->n < 16;
}

static int audit_entries(prm_db *db, const prm_arg *f, size_t n, entries *es)
{
    es->n = 0;
    assert_int_equal(prm_audit(db, f, n, take_entry, es, &err), PRM_OK);
    return es->n;
}

/* A project's new partner list keeps the links that stay, so the log
 * holds only those that left or joined. */
static void test_audit_logs_only_the_links_that_change(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PARTNER, {"name", "C"});
    ADD(db, PRM_PROJECT, {"name", "X"}, {"partners", "A,B"});
    entries es;
    prm_arg links[] = {{"kind", "project_partner"}};
    assert_int_equal(audit_entries(db, links, 1, &es), 2);
    prm_arg same[] = {{"partners", "B,A"}};
    assert_int_equal(prm_update(db, PRM_PROJECT, "X", same, 1, &id, NULL, &err), 0);
    assert_int_equal(audit_entries(db, links, 1, &es), 2);
    prm_arg other[] = {{"partners", "B,C"}};
    assert_int_equal(prm_update(db, PRM_PROJECT, "X", other, 1, &id, NULL, &err), 0);
    assert_int_equal(audit_entries(db, links, 1, &es), 4);
    assert_string_equal(es.action[2], "delete");
    assert_non_null(strstr(es.image[2], "\"partner\":1"));
    assert_string_equal(es.action[3], "add");
    assert_non_null(strstr(es.image[3], "\"partner\":3"));
    assert_int_equal(get(db, PRM_PROJECT, 1).ids[1], 3);
}

/* An update to the values a record holds writes nothing: no entry, no new
 * updated_at, no change number; a name's case, a number, a cleared field
 * and another partner list are changes. */
static void test_update_to_the_same_values_changes_nothing(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "Acme"}, {"tier", "gold"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PROJECT, {"name", "X"}, {"partners", "Acme,B"},
        {"progress", "40"});
    prm_set_now(db, "2026-04-01T00:00:00Z", &err);
    entries es;
    int before = audit_entries(db, NULL, 0, &es);
    bool changed = true;
    prm_arg same[] = {{"status", "ACTIVE"}, {"name", "Acme"}, {"email", ""}};
    assert_int_equal(prm_update(db, PRM_PARTNER, "acme", same, 3, &id,
                                &changed, &err),
                     PRM_OK);
    assert_false(changed);
    prm_arg same_project[] = {{"partners", "b,1"}, {"progress", "40"}};
    assert_int_equal(prm_update(db, PRM_PROJECT, "X", same_project, 2, &id,
                                &changed, &err),
                     PRM_OK);
    assert_false(changed);
    assert_int_equal(audit_entries(db, NULL, 0, &es), before);
    assert_string_equal(get(db, PRM_PARTNER, 1).text[field(PRM_PARTNER,
                                                           "updated_at")],
                        "2026-03-01T12:00:00Z");
    const char *changes[][2] = {{"name", "ACME"}, {"tier", ""},
                                {"notes", "x"}};
    for (size_t i = 0; i < 3; i++) {
        prm_arg one[] = {{changes[i][0], changes[i][1]}};
        assert_int_equal(prm_update(db, PRM_PARTNER, "acme", one, 1, &id,
                                    &changed, &err),
                         PRM_OK);
        assert_true(changed);
    }
    prm_arg other[] = {{"partners", "Acme"}};
    assert_int_equal(prm_update(db, PRM_PROJECT, "X", other, 1, &id, &changed,
                                &err),
                     PRM_OK);
    assert_true(changed);
    /* 3 partner updates, the project's update and its dropped link, each
     * command one change following on from the last before the no-ops. */
    assert_int_equal(audit_entries(db, NULL, 0, &es), before + 5);
    assert_int_equal(es.change[before], es.change[before - 1] + 1);
}

/* audit id= is a number, or with kind=partner|project a name. */
static void test_audit_finds_a_record_by_name(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "Acme Corp"});
    ADD(db, PRM_PARTNER, {"name", "Beta"});
    entries es;
    prm_arg by_name[] = {{"id", "beta"}, {"kind", "partner"}};
    assert_int_equal(audit_entries(db, by_name, 2, &es), 1);
    assert_int_equal(es.record[0], 2);
    prm_arg no_kind[] = {{"id", "beta"}};
    assert_int_equal(prm_audit(db, no_kind, 1, take_entry, &es, &err),
                     PRM_EINVALID_VALUE);
    prm_arg nameless[] = {{"kind", "outcome"}, {"id", "beta"}};
    assert_int_equal(prm_audit(db, nameless, 2, take_entry, &es, &err),
                     PRM_EINVALID_VALUE);
    prm_arg unknown[] = {{"kind", "partner"}, {"id", "Acme"}};
    assert_int_equal(prm_audit(db, unknown, 2, take_entry, &es, &err),
                     PRM_ENOT_FOUND);
    assert_non_null(strstr(err.message, "did you mean 'Acme Corp'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_audit_logs_only_the_links_that_change),
        T(test_update_to_the_same_values_changes_nothing),
        T(test_audit_finds_a_record_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
