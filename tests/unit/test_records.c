/*
 * test_records.c - records: every kind's fields, references by id or
 * name, values checked and normalised, update, delete and cascade, list
 * filters.
 */
#include "core_fixture.h"

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
    /* a record read by reference finds the same ones */
    snapshot s = {0};
    assert_int_equal(prm_get_ref(db, PRM_PARTNER, "2024", take, &s, &err),
                     PRM_OK);
    assert_string_equal(s.text[field(PRM_PARTNER, "name")], "2024");
    assert_int_equal(prm_get_ref(db, PRM_PARTNER, "1", take, &s, &err),
                     PRM_OK);
    assert_string_equal(s.text[field(PRM_PARTNER, "name")], "Acme Corp");
    assert_int_equal(prm_get_ref(db, PRM_PARTNER, "7", take, &s, &err),
                     PRM_ENOT_FOUND);
    assert_string_equal(prm_error_message(&err),
                        "no partner with id or name '7'");
    assert_int_equal(s.rows, 2);
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

/* One transaction that names far more partners than a batch remembers
 * lookups for, by name and by id, each several times: every communication
 * goes to the partner it names, an id no partner has is not found, and a
 * rename in the middle is seen at once. */
static void test_batch_references_find_the_named_partner(void **state)
{
    prm_db *db = *state;
    enum { PARTNERS = 1500 };
    assert_int_equal(prm_begin(db, &err), PRM_OK);
    char name[32], ref[32];
    for (int i = 1; i <= PARTNERS; i++) {
        snprintf(name, sizeof name, "Partner %d", i);
        assert_int_equal(ADD(db, PRM_PARTNER, {"name", name}), PRM_OK);
        assert_int_equal(id, i);
    }
    int64_t comm, task;
    int at = field(PRM_COMMUNICATION, "partner");
    for (int round = 0; round < 3; round++)
        for (int i = 1; i <= PARTNERS; i += 7) {
            int p = (i * 13 + round) % PARTNERS + 1;
            if (round == 1)
                snprintf(ref, sizeof ref, "%d", p);
            else
                snprintf(ref, sizeof ref, "partner %d", p);
            prm_arg a[] = {{"partner", ref}, {"method", "email"},
                           {"content", "x"}};
            assert_int_equal(prm_comm_add(db, a, 3, &comm, &task, &err),
                             PRM_OK);
            assert_int_equal(get(db, PRM_COMMUNICATION, comm).v[at].i, p);
        }
    /* A line that fails forgets what was looked up: each id no partner
     * has is asked after a hundred that exist were found. */
    for (int p = PARTNERS + 1; p <= PARTNERS + 100; p++) {
        for (int k = 0; k < 100; k++) {
            snprintf(ref, sizeof ref, "%d", (p * 7 + k * 11) % PARTNERS + 1);
            prm_arg a[] = {{"partner", ref}, {"method", "email"},
                           {"content", "x"}};
            assert_int_equal(prm_comm_add(db, a, 3, &comm, &task, &err),
                             PRM_OK);
        }
        snprintf(ref, sizeof ref, "%d", p);
        prm_arg a[] = {{"partner", ref}, {"method", "email"},
                       {"content", "x"}};
        assert_int_equal(prm_comm_add(db, a, 3, &comm, &task, &err),
                         PRM_ENOT_FOUND);
    }
    prm_arg rename[] = {{"name", "Renamed"}};
    bool changed;
    assert_int_equal(prm_update(db, PRM_PARTNER, "Partner 14", rename, 1,
                                &id, &changed, &err),
                     PRM_OK);
    prm_arg old[] = {{"partner", "Partner 14"}, {"method", "email"},
                     {"content", "x"}};
    assert_int_equal(prm_comm_add(db, old, 3, &comm, &task, &err),
                     PRM_ENOT_FOUND);
    prm_arg renamed[] = {{"partner", "renamed"}, {"method", "email"},
                         {"content", "x"}};
    assert_int_equal(prm_comm_add(db, renamed, 3, &comm, &task, &err),
                     PRM_OK);
    assert_int_equal(get(db, PRM_COMMUNICATION, comm).v[at].i, 14);
    assert_int_equal(prm_commit(db, &err), PRM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_partner_add_stores_every_field),
        T(test_batch_references_find_the_named_partner),
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
        T(test_records_carry_the_names_they_refer_to),
        T(test_list_window_by_each_kinds_date),
        T(test_project_partners_list_takes_quoted_names),
        T(test_failed_command_changes_nothing),
        T(test_update_changes_only_given_fields),
        T(test_text_round_trips_verbatim),
        T(test_invalid_utf8_is_rejected),
        T(test_delete_refuses_while_referred_to),
        T(test_cascade_keeps_projects_shared_with_others),
        T(test_project_delete_cascades_to_its_records),
        T(test_list_filters_by_equality_and_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
