/*
 * test_text.c - how prm words things: JSON strings that cannot drive a
 * terminal, "did you mean" suggestions, the names of the error codes.
 */
#include "core_fixture.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_json_strings_escape_what_a_terminal_would_obey),
        T(test_suggestions_find_the_word_meant),
        T(test_error_codes_have_spec_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
