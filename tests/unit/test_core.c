/*
 * test_core.c - unit tests of the core library on a fresh in-memory
 * database per test.
 */
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

static prm_error err;
static int64_t id;

static int setup(void **state)
{
    prm_db *db;
    if (prm_open(":memory:", &db, &err) != PRM_OK)
        return -1;
    prm_set_now(db, "2026-03-01T12:00:00Z", &err);
    *state = db;
    return 0;
}

static int teardown(void **state)
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

static bool take(void *ctx, const prm_record *rec)
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

static snapshot get(prm_db *db, prm_kind kind, int64_t rid)
{
    snapshot s = {0};
    assert_int_equal(prm_get(db, kind, rid, take, &s, &err), PRM_OK);
    return s;
}

static int field(prm_kind kind, const char *name)
{
    return prm_field_index(prm_kind_get(kind), name);
}

static int count(prm_db *db, prm_kind kind, const prm_arg *f, size_t n)
{
    snapshot s = {0};
    assert_int_equal(prm_list(db, kind, f, n, false, take, &s, &err), PRM_OK);
    return s.rows;
}

/* --- records ----------------------------------------------------------- */

static void test_partner_add_stores_every_field(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}, {"type", "reseller"},
                         {"region", "EMEA"}, {"tier", "gold"},
                         {"email", "a@b.c"}, {"phone", "+1"},
                         {"notes", "x"}),
                     PRM_OK);
    snapshot s = get(db, PRM_PARTNER, id);
    assert_string_equal(s.text[field(PRM_PARTNER, "name")], "Acme");
    assert_string_equal(s.text[field(PRM_PARTNER, "status")], "active");
    assert_string_equal(s.text[field(PRM_PARTNER, "created_at")],
                        "2026-03-01T12:00:00Z");
}

static void test_add_without_required_field_is_missing_field(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"type", "reseller"}),
                     PRM_EMISSING_FIELD);
    assert_int_equal(ADD(db, PRM_COMMUNICATION, {"method", "email"},
                         {"content", "x"}),
                     PRM_EMISSING_FIELD);
    assert_int_equal(count(db, PRM_PARTNER, NULL, 0), 0);
}

static void test_unknown_field_is_rejected(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "A"}, {"colour", "red"}),
                     PRM_EUNKNOWN_FIELD);
    assert_non_null(strstr(err.message, "colour"));
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "A"}, {"id", "3"}),
                     PRM_EINVALID_VALUE);
}

static void test_enum_values_are_checked_and_canonical(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "A"}, {"status", "gone"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "A"},
                         {"status", "Inactive"}),
                     PRM_OK);
    snapshot s = get(db, PRM_PARTNER, id);
    assert_string_equal(s.text[field(PRM_PARTNER, "status")], "inactive");
}

static void test_names_are_unique_without_regard_to_case(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "ACME"}), PRM_ECONFLICT);
    assert_int_equal(count(db, PRM_PARTNER, NULL, 0), 1);
}

static void test_references_by_id_or_name(void **state)
{
    prm_db *db = *state;
    int64_t ref;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "Acme Corp"}), PRM_OK);
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "2024"}), PRM_OK);
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "acme corp", &ref, &err),
                     PRM_OK);
    assert_int_equal(ref, 1);
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "2", &ref, &err), PRM_OK);
    assert_int_equal(ref, 2);
    /* no partner 2024: the name wins */
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "2024", &ref, &err), PRM_OK);
    assert_int_equal(ref, 2);
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "nope", &ref, &err),
                     PRM_ENOT_FOUND);
    assert_int_equal(prm_resolve(db, PRM_OUTCOME, "1", &ref, &err),
                     PRM_ENOT_FOUND);
}

/* A name not found suggests up to three that start with it, so "Acme"
 * points at "Acme Corp"; LIKE's wildcards in the name are plain text. */
static void test_missing_name_suggests_names_starting_with_it(void **state)
{
    prm_db *db = *state;
    int64_t ref;
    const char *names[] = {"Acme Corp", "acme Ltd", "ACME Holdings",
                           "Acme West", "50% Off", "500 Parts", "Beta"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        assert_int_equal(ADD(db, PRM_PARTNER, {"name", names[i]}), PRM_OK);
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "acm", &ref, &err),
                     PRM_ENOT_FOUND);
    assert_string_equal(err.message,
                        "no partner with id or name 'acm'; did you mean "
                        "'Acme Corp', 'ACME Holdings' or 'acme Ltd'?");
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "Bet", &ref, &err),
                     PRM_ENOT_FOUND);
    assert_string_equal(err.message, "no partner with id or name 'Bet'; "
                                     "did you mean 'Beta'?");
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "50%", &ref, &err),
                     PRM_ENOT_FOUND);
    assert_string_equal(err.message, "no partner with id or name '50%'; "
                                     "did you mean '50% Off'?");
    assert_int_equal(prm_resolve(db, PRM_PARTNER, "Gamma", &ref, &err),
                     PRM_ENOT_FOUND);
    assert_string_equal(err.message, "no partner with id or name 'Gamma'");
}

static void test_progress_is_a_percentage(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    const char *good[] = {"0", "100", "007"};
    const char *bad[] = {"101", "-1", "5.5", "x", " 5"};
    char name[16];
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "P%zu", i);
        assert_int_equal(ADD(db, PRM_PROJECT, {"name", name},
                             {"partner", "A"}, {"progress", good[i]}),
                         PRM_OK);
    }
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ADD(db, PRM_PROJECT, {"name", "Q"}, {"partner", "A"},
                             {"progress", bad[i]}),
                         PRM_EINVALID_VALUE);
}

static void test_numbers_are_non_negative_decimals(void **state)
{
    (void)state;
    double v;
    assert_true(prm_parse_number("0", &v));
    assert_true(prm_parse_number("12.50", &v));
    assert_true(v == 12.5);
    assert_true(prm_parse_number("1e308", &v));
    assert_true(prm_parse_number(".5", &v));
    assert_false(prm_parse_number("1e309", &v));
    assert_false(prm_parse_number("-1", &v));
    assert_false(prm_parse_number("0x10", &v));
    assert_false(prm_parse_number("nan", &v));
    assert_false(prm_parse_number("inf", &v));
    assert_false(prm_parse_number("1,5", &v));
    assert_false(prm_parse_number("", &v));
    assert_false(prm_parse_number("1e", &v));
}

static void test_negative_amount_is_invalid(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    assert_int_equal(ADD(db, PRM_RESOURCE, {"partner", "A"},
                         {"kind", "funding"}, {"amount", "-5"}),
                     PRM_EINVALID_VALUE);
    assert_non_null(strstr(err.message, "negative"));
    assert_int_equal(ADD(db, PRM_RESOURCE, {"partner", "A"},
                         {"kind", "funding"}),
                     PRM_OK);
    snapshot s = get(db, PRM_RESOURCE, id);
    assert_true(s.v[field(PRM_RESOURCE, "amount")].r == 1.0);
}

static void test_dates_are_strict_and_normalised(void **state)
{
    (void)state;
    char out[21];
    bool date_only;
    assert_true(prm_parse_date("2026-03-01", out, &date_only));
    assert_string_equal(out, "2026-03-01T00:00:00Z");
    assert_true(date_only);
    assert_true(prm_parse_date("2024-02-29T23:59", out, &date_only));
    assert_string_equal(out, "2024-02-29T23:59:00Z");
    assert_false(date_only);
    assert_true(prm_parse_date("2026-03-01T01:02:03Z", out, NULL));
    assert_false(prm_parse_date("2026-02-29", out, NULL));
    assert_false(prm_parse_date("2026-13-01", out, NULL));
    assert_false(prm_parse_date("2026-03-01T24:00", out, NULL));
    assert_false(prm_parse_date("2026-3-1", out, NULL));
    assert_false(prm_parse_date("2026-03-01T10:00+02:00", out, NULL));
    assert_false(prm_parse_date("yesterday", out, NULL));
}

static void test_project_partners_are_sorted_without_duplicates(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PARTNER, {"name", "C"});
    assert_int_equal(ADD(db, PRM_PROJECT, {"name", "P"}, {"partner", "C"},
                         {"partners", "a,1"}, {"partner", "B"}),
                     PRM_OK);
    snapshot s = get(db, PRM_PROJECT, id);
    prm_value v = s.v[field(PRM_PROJECT, "partners")];
    assert_int_equal(v.nids, 3);
    assert_int_equal(s.ids[0], 1);
    assert_int_equal(s.ids[1], 2);
    assert_int_equal(s.ids[2], 3);
}

/* partners= filters a list by the whole set, in any order or case;
 * partner= by membership, each one given narrowing the list. */
static void test_list_partners_is_the_whole_set(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PARTNER, {"name", "C"});
    ADD(db, PRM_PROJECT, {"name", "AB"}, {"partners", "A,B"});
    ADD(db, PRM_PROJECT, {"name", "B"}, {"partner", "B"});
    ADD(db, PRM_PROJECT, {"name", "ABC"}, {"partners", "A,B,C"});
    prm_arg ab[] = {{"partners", "b,a"}}, b[] = {{"partners", "B"}},
            c[] = {{"partners", "C"}}, none[] = {{"partners", ""}},
            has_b[] = {{"partner", "B"}}, twice[] = {{"partners", "1,2,1"}};
    assert_int_equal(count(db, PRM_PROJECT, ab, 1), 1);
    assert_int_equal(count(db, PRM_PROJECT, twice, 1), 1);
    assert_int_equal(count(db, PRM_PROJECT, b, 1), 1);
    assert_int_equal(count(db, PRM_PROJECT, c, 1), 0);
    assert_int_equal(count(db, PRM_PROJECT, none, 1), 0);
    assert_int_equal(count(db, PRM_PROJECT, has_b, 1), 3);
    prm_arg with_a_and_c[] = {{"partner", "A"}, {"partner", "c"}};
    assert_int_equal(count(db, PRM_PROJECT, with_a_and_c, 2), 1);
    prm_arg ghost[] = {{"partners", "A,ghost"}};
    snapshot s = {0};
    assert_int_equal(prm_list(db, PRM_PROJECT, ghost, 1, false, take, &s, &err),
                     PRM_ENOT_FOUND);
}

/* The names of what a record refers to, for people: each reference's,
 * a project's partners' joined in id order; only when asked for in a list,
 * always in a fetched record; none for a field that refers to nothing. */
typedef struct named {
    int rows;
    char names[MAX_FIELDS][128];
    bool has[MAX_FIELDS];
} named;

static bool take_names(void *ctx, const prm_record *rec)
{
    named *n = ctx;
    n->rows++;
    for (size_t i = 0; i < rec->info->nfields; i++) {
        n->has[i] = rec->ref_name[i] != NULL;
        snprintf(n->names[i], sizeof n->names[i], "%s",
                 n->has[i] ? rec->ref_name[i] : "");
    }
    return true;
}

static void test_records_carry_the_names_they_refer_to(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "Zeta, Inc"});
    ADD(db, PRM_PARTNER, {"name", "Alpha"});
    ADD(db, PRM_PROJECT, {"name", "P"}, {"partners", "alpha,1"});
    ADD(db, PRM_COMMUNICATION, {"partner", "Alpha"}, {"method", "email"},
        {"content", "x"});
    int partner = field(PRM_COMMUNICATION, "partner");
    int project = field(PRM_COMMUNICATION, "project");
    named n = {0};
    assert_int_equal(prm_list(db, PRM_COMMUNICATION, NULL, 0, true,
                              take_names, &n, &err),
                     PRM_OK);
    assert_int_equal(n.rows, 1);
    assert_string_equal(n.names[partner], "Alpha");
    assert_false(n.has[project]);
    assert_false(n.has[field(PRM_COMMUNICATION, "content")]);
    n = (named){0};
    assert_int_equal(prm_list(db, PRM_COMMUNICATION, NULL, 0, false,
                              take_names, &n, &err),
                     PRM_OK);
    assert_false(n.has[partner]);
    n = (named){0};
    assert_int_equal(prm_get(db, PRM_PROJECT, 1, take_names, &n, &err),
                     PRM_OK);
    assert_string_equal(n.names[field(PRM_PROJECT, "partners")],
                        "Zeta, Inc, Alpha");
}

/* since= and until= limit a list by the kind's own date, both included,
 * a date alone as until taking in its day; a since after the until is a
 * bad value. */
static void test_list_window_by_each_kinds_date(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PROJECT, {"name", "Started"}, {"partner", "A"},
        {"start", "2026-01-10"});
    ADD(db, PRM_PROJECT, {"name", "Unstarted"}, {"partner", "A"});
    ADD(db, PRM_COMMUNICATION, {"partner", "A"}, {"method", "email"},
        {"content", "x"}, {"at", "2026-02-28T23:59:59"});
    ADD(db, PRM_COMMUNICATION, {"partner", "A"}, {"method", "email"},
        {"content", "y"}, {"at", "2026-03-01"});
    prm_arg until[] = {{"until", "2026-02-28"}};
    assert_int_equal(count(db, PRM_COMMUNICATION, until, 1), 1);
    prm_arg since[] = {{"since", "2026-02-28T23:59:59"}};
    assert_int_equal(count(db, PRM_COMMUNICATION, since, 1), 2);
    /* the unstarted project is dated by when it was added (now) */
    prm_arg january[] = {{"since", "2026-01-01"}, {"until", "2026-01-31"}};
    assert_int_equal(count(db, PRM_PROJECT, january, 2), 1);
    assert_int_equal(count(db, PRM_PROJECT, since, 1), 1);
    snapshot s = {0};
    prm_arg swapped[] = {{"until", "2026-01-01"}, {"since", "2026-02-01"}};
    assert_int_equal(prm_list(db, PRM_COMMUNICATION, swapped, 2, false, take,
                              &s, &err),
                     PRM_EINVALID_VALUE);
    assert_int_equal(s.rows, 0);
}

/* In a partners= list a name in double quotes may hold commas, a quote
 * doubled as in CSV; a quote left open is a bad value. */
static void test_project_partners_list_takes_quoted_names(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A, Inc"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PARTNER, {"name", "Say \"hi\", Ltd"});
    assert_int_equal(ADD(db, PRM_PROJECT, {"name", "P"},
                         {"partners", " \"Say \"\"hi\"\", Ltd\" , \"a, inc\""}),
                     PRM_OK);
    snapshot s = get(db, PRM_PROJECT, id);
    assert_int_equal(s.v[field(PRM_PROJECT, "partners")].nids, 2);
    assert_int_equal(s.ids[0], 1);
    assert_int_equal(s.ids[1], 3);
    assert_int_equal(ADD(db, PRM_PROJECT, {"name", "Q"},
                         {"partners", "B,\"A, Inc"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(ADD(db, PRM_PROJECT, {"name", "Q"},
                         {"partners", "\"A, Inc\" B"}),
                     PRM_EINVALID_VALUE);
    assert_int_equal(count(db, PRM_PROJECT, NULL, 0), 1);
}

static void test_failed_command_changes_nothing(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    assert_int_equal(ADD(db, PRM_PROJECT, {"name", "P"}, {"partner", "A"},
                         {"partner", "ghost"}),
                     PRM_ENOT_FOUND);
    assert_int_equal(count(db, PRM_PROJECT, NULL, 0), 0);
    prm_arg upd[] = {{"region", "EMEA"}, {"status", "bogus"}};
    assert_int_equal(prm_update(db, PRM_PARTNER, "A", upd, 2, &id, NULL, &err),
                     PRM_EINVALID_VALUE);
    snapshot s = get(db, PRM_PARTNER, 1);
    assert_int_equal(s.v[field(PRM_PARTNER, "region")].type, PRM_V_NULL);
}

static void test_update_changes_only_given_fields(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"}, {"region", "EMEA"}, {"tier", "gold"});
    prm_set_now(db, "2026-04-01", &err);
    prm_arg upd[] = {{"tier", ""}, {"email", "x@y.z"}};
    assert_int_equal(prm_update(db, PRM_PARTNER, "a", upd, 2, &id, NULL, &err),
                     PRM_OK);
    snapshot s = get(db, PRM_PARTNER, id);
    assert_string_equal(s.text[field(PRM_PARTNER, "region")], "EMEA");
    assert_int_equal(s.v[field(PRM_PARTNER, "tier")].type, PRM_V_NULL);
    assert_string_equal(s.text[field(PRM_PARTNER, "email")], "x@y.z");
    assert_string_equal(s.text[field(PRM_PARTNER, "created_at")],
                        "2026-03-01T12:00:00Z");
    assert_string_equal(s.text[field(PRM_PARTNER, "updated_at")],
                        "2026-04-01T00:00:00Z");
    prm_arg empty_name[] = {{"name", ""}};
    assert_int_equal(prm_update(db, PRM_PARTNER, "a", empty_name, 1, &id, NULL,
                                &err),
                     PRM_EINVALID_VALUE);
}

static void test_text_round_trips_verbatim(void **state)
{
    prm_db *db = *state;
    const char *nasty = "it's \"quoted\"; DROP TABLE partners; -- \xc3\xa9\n\t";
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", nasty}, {"notes", nasty}),
                     PRM_OK);
    snapshot s = get(db, PRM_PARTNER, id);
    assert_string_equal(s.text[field(PRM_PARTNER, "notes")], nasty);
    assert_int_equal(count(db, PRM_PARTNER, NULL, 0), 1);
}

static void test_invalid_utf8_is_rejected(void **state)
{
    prm_db *db = *state;
    assert_int_equal(ADD(db, PRM_PARTNER, {"name", "bad\xff"}),
                     PRM_EINVALID_VALUE);
    assert_false(prm_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(prm_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(prm_utf8_valid("a\0b", 3));
    assert_true(prm_utf8_valid("\xe2\x82\xac", 3));
}

static void test_delete_refuses_while_referred_to(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PROJECT, {"name", "P"}, {"partner", "A"});
    ADD(db, PRM_COMMUNICATION, {"partner", "A"}, {"method", "email"},
        {"content", "x"});
    assert_int_equal(prm_delete(db, PRM_PARTNER, "A", false, &id, &err),
                     PRM_ECONFLICT);
    assert_non_null(strstr(err.message, "1 project"));
    assert_int_equal(prm_delete(db, PRM_PARTNER, "A", true, &id, &err),
                     PRM_OK);
    assert_int_equal(count(db, PRM_PROJECT, NULL, 0), 0);
    assert_int_equal(count(db, PRM_COMMUNICATION, NULL, 0), 0);
}

static void test_cascade_keeps_projects_shared_with_others(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PARTNER, {"name", "B"});
    ADD(db, PRM_PROJECT, {"name", "Shared"}, {"partners", "A,B"});
    ADD(db, PRM_PROJECT, {"name", "Own"}, {"partner", "A"});
    ADD(db, PRM_OUTCOME, {"project", "Own"}, {"description", "x"});
    ADD(db, PRM_OUTCOME, {"project", "Shared"}, {"description", "y"});
    assert_int_equal(prm_delete(db, PRM_PARTNER, "A", true, &id, &err),
                     PRM_OK);
    assert_int_equal(count(db, PRM_PROJECT, NULL, 0), 1);
    assert_int_equal(count(db, PRM_OUTCOME, NULL, 0), 1);
    snapshot s = get(db, PRM_PROJECT, 1);
    assert_int_equal(s.v[field(PRM_PROJECT, "partners")].nids, 1);
    assert_int_equal(s.ids[0], 2);
}

static void test_project_delete_cascades_to_its_records(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"});
    ADD(db, PRM_PROJECT, {"name", "P"}, {"partner", "A"});
    ADD(db, PRM_OUTCOME, {"project", "P"}, {"description", "x"});
    ADD(db, PRM_RESOURCE, {"partner", "A"}, {"project", "P"},
        {"kind", "people"});
    assert_int_equal(prm_delete(db, PRM_PROJECT, "P", false, &id, &err),
                     PRM_ECONFLICT);
    assert_int_equal(prm_delete(db, PRM_PROJECT, "P", true, &id, &err),
                     PRM_OK);
    assert_int_equal(count(db, PRM_OUTCOME, NULL, 0), 0);
    assert_int_equal(count(db, PRM_RESOURCE, NULL, 0), 0);
    assert_int_equal(count(db, PRM_PARTNER, NULL, 0), 1);
}

static void test_list_filters_by_equality_and_reference(void **state)
{
    prm_db *db = *state;
    ADD(db, PRM_PARTNER, {"name", "A"}, {"region", "EMEA"});
    ADD(db, PRM_PARTNER, {"name", "B"}, {"region", "APAC"});
    ADD(db, PRM_PROJECT, {"name", "P"}, {"partner", "B"});
    ADD(db, PRM_OUTCOME, {"project", "P"}, {"description", "x"});
    prm_arg emea[] = {{"region", "EMEA"}};
    assert_int_equal(count(db, PRM_PARTNER, emea, 1), 1);
    prm_arg of_b[] = {{"partner", "b"}};
    assert_int_equal(count(db, PRM_PROJECT, of_b, 1), 1);
    assert_int_equal(count(db, PRM_OUTCOME, of_b, 1), 1);
    prm_arg in_p[] = {{"project", "P"}};
    assert_int_equal(count(db, PRM_PARTNER, in_p, 1), 1);
    prm_arg no_tier[] = {{"tier", ""}};
    assert_int_equal(count(db, PRM_PARTNER, no_tier, 1), 2);
    prm_arg day[] = {{"at", "2026-03-01"}};
    assert_int_equal(count(db, PRM_OUTCOME, day, 1), 1);
    prm_arg bad[] = {{"colour", "x"}};
    snapshot s = {0};
    assert_int_equal(prm_list(db, PRM_PARTNER, bad, 1, false, take, &s, &err),
                     PRM_EUNKNOWN_FIELD);
}

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

/* JSON strings: controls escaped, DEL and C1 too (they could drive a
 * terminal), other UTF-8 as it is, invalid bytes as U+FFFD. */
static void test_json_strings_escape_what_a_terminal_would_obey(void **state)
{
    (void)state;
    char buf[128] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    const char s[] = "a\x1b[1m\x7f\xc2\x9b\xc2\xa0\xc3\xa9\"\\\n\xff";
    prm_json_string(f, s, sizeof s - 1);
    fclose(f);
    assert_string_equal(buf, "\"a\\u001b[1m\\u007f\\u009b\xc2\xa0\xc3\xa9\\\"\\\\"
                             "\\n\\ufffd\"");
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
static void test_suggestions_find_the_word_meant(void **state)
{
    (void)state;
    const char *names[] = {"partner", "project", "metrics", "help"};
    assert_string_equal(prm_suggest("partnr", names, 4), "partner");
    assert_string_equal(prm_suggest("metrcis", names, 4), "metrics");
    assert_string_equal(prm_suggest("hepl", names, 4), "help");
    assert_null(prm_suggest("hlp2", names, 4));
    assert_null(prm_suggest("frobnicate", names, 4));
    assert_null(prm_suggest("", names, 4));
    char buf[PRM_DID_YOU_MEAN];
    const char *fields = "id, name, type, region, status";
    assert_string_equal(prm_did_you_mean("regoin", fields, buf, sizeof buf),
                        " (did you mean 'region'?)");
    assert_string_equal(prm_did_you_mean("nme", fields, buf, sizeof buf),
                        " (did you mean 'name'?)");
    assert_string_equal(prm_did_you_mean("xy", fields, buf, sizeof buf), "");
    /* enum values are taken in any case */
    assert_string_equal(prm_did_you_mean("ACTIV", "prospect, active, inactive",
                                         buf, sizeof buf),
                        " (did you mean 'active'?)");
    assert_string_equal(prm_did_you_mean("status", "", buf, sizeof buf), "");
}

static void test_error_codes_have_spec_names(void **state)
{
    (void)state;
    assert_string_equal(prm_code_name(PRM_ESYNTAX), "syntax");
    assert_string_equal(prm_code_name(PRM_EUNKNOWN_COMMAND),
                        "unknown_command");
    assert_string_equal(prm_code_name(PRM_EMISSING_FIELD), "missing_field");
    assert_string_equal(prm_code_name(PRM_EUNKNOWN_FIELD), "unknown_field");
    assert_string_equal(prm_code_name(PRM_EINVALID_VALUE), "invalid_value");
    assert_string_equal(prm_code_name(PRM_ENOT_FOUND), "not_found");
    assert_string_equal(prm_code_name(PRM_ECONFLICT), "conflict");
    assert_string_equal(prm_code_name(PRM_EFORBIDDEN), "forbidden");
    assert_string_equal(prm_code_name(PRM_EIO), "io");
    assert_string_equal(prm_code_name(PRM_EDB), "db");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_partner_add_stores_every_field),
        T(test_add_without_required_field_is_missing_field),
        T(test_unknown_field_is_rejected),
        T(test_enum_values_are_checked_and_canonical),
        T(test_names_are_unique_without_regard_to_case),
        T(test_references_by_id_or_name),
        T(test_missing_name_suggests_names_starting_with_it),
        T(test_progress_is_a_percentage),
        T(test_numbers_are_non_negative_decimals),
        T(test_negative_amount_is_invalid),
        T(test_dates_are_strict_and_normalised),
        T(test_project_partners_are_sorted_without_duplicates),
        T(test_list_partners_is_the_whole_set),
        T(test_project_partners_list_takes_quoted_names),
        T(test_records_carry_the_names_they_refer_to),
        T(test_list_window_by_each_kinds_date),
        T(test_failed_command_changes_nothing),
        T(test_update_changes_only_given_fields),
        T(test_text_round_trips_verbatim),
        T(test_invalid_utf8_is_rejected),
        T(test_delete_refuses_while_referred_to),
        T(test_cascade_keeps_projects_shared_with_others),
        T(test_project_delete_cascades_to_its_records),
        T(test_list_filters_by_equality_and_reference),
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
        T(test_audit_logs_only_the_links_that_change),
        T(test_update_to_the_same_values_changes_nothing),
        T(test_audit_finds_a_record_by_name),
        T(test_json_strings_escape_what_a_terminal_would_obey),
        T(test_insight_rules_fire_on_known_data),
        T(test_stalled_without_due_date),
        T(test_error_codes_have_spec_names),
        T(test_suggestions_find_the_word_meant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
