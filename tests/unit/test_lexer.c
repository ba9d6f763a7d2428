/*
 * test_lexer.c - unit tests of the command language's words and lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "awkward.h"
#include "lexer.h"
#include "reader.h"

static cli_words w;
static char msg[256];

static cli_lex_result lex(const char *s)
{
    return cli_lex(s, strlen(s), &w, msg, sizeof msg);
}

static void test_words_split_on_spaces_and_tabs(void **state)
{
    (void)state;
    assert_int_equal(lex("  partner\tlist   region=EMEA "), LEX_OK);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.items[0].text, "partner");
    assert_string_equal(w.items[2].text, "region=EMEA");
    assert_int_equal(w.items[2].eq, 6);
    assert_int_equal(w.items[0].eq, -1);
}

static void test_double_quotes_take_escapes(void **state)
{
    (void)state;
    assert_int_equal(lex("notes=\"a \\\"b\\\" \\\\ \\n\\t\""), LEX_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.items[0].text, "notes=a \"b\" \\ \n\t");
    assert_int_equal(w.items[0].eq, 5);
}

static void test_single_quotes_are_literal(void **state)
{
    (void)state;
    assert_int_equal(lex("x='a \\n \"b\"'"), LEX_OK);
    assert_string_equal(w.items[0].text, "x=a \\n \"b\"");
}

static void test_quoted_equals_is_not_a_field(void **state)
{
    (void)state;
    assert_int_equal(lex("partner show \"a=b\""), LEX_OK);
    assert_int_equal(w.items[2].eq, -1);
    assert_true(w.items[2].quoted);
}

static void test_comment_starts_a_word(void **state)
{
    (void)state;
    assert_int_equal(lex("partner add name=a#b # the rest"), LEX_OK);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.items[2].text, "name=a#b");
    assert_int_equal(lex("   # only a comment"), LEX_OK);
    assert_int_equal(w.n, 0);
    assert_int_equal(lex("x=\"# not a comment\""), LEX_OK);
    assert_string_equal(w.items[0].text, "x=# not a comment");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    assert_int_equal(lex("name=\"Acme"), LEX_UNTERMINATED);
    assert_int_equal(lex("name='Acme"), LEX_UNTERMINATED);
}

static void test_bad_escape_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(lex("x=\"C:\\Users\""), LEX_ERROR);
    assert_non_null(strstr(msg, "escape"));
}

static void test_invalid_utf8_and_nul(void **state)
{
    (void)state;
    assert_int_equal(cli_lex("a\xff", 2, &w, msg, sizeof msg), LEX_ENCODING);
    assert_int_equal(cli_lex("a\0b", 3, &w, msg, sizeof msg), LEX_ENCODING);
    assert_non_null(strstr(msg, "NUL"));
}

static void test_empty_quotes_make_an_empty_word(void **state)
{
    (void)state;
    assert_int_equal(lex("tier=\"\" ''"), LEX_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.items[0].text, "tier=");
    assert_string_equal(w.items[1].text, "");
}

/* cli_quote_word writes what cli_lex reads back: the same text, one word,
 * a field's key left outside the quotes, an '=' in a word alone quoted. */
static void test_quoted_words_read_back_as_written(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Acme",  "Acme Corp", "O'Brien", "Say \"hi\"", "a\\b", "#1",
        "a=b",   "",          "tab\there", "two\nlines", "x#y", "\xc3\xa9t\xc3\xa9"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *q = cli_quote_word(texts[i], 0, true);
        assert_non_null(q);
        assert_int_equal(lex(q), LEX_OK);
        assert_int_equal(w.n, 1);
        assert_string_equal(w.items[0].text, texts[i]);
        assert_int_equal(w.items[0].eq, -1);
        free(q);
    }
    char *plain = cli_quote_word("Acme", 0, true);
    assert_string_equal(plain, "Acme");
    free(plain);
    char *field = cli_quote_word("partner=Say \"hi\" Ltd", 8, false);
    assert_string_equal(field, "partner=\"Say \\\"hi\\\" Ltd\"");
    assert_int_equal(lex(field), LEX_OK);
    assert_string_equal(w.items[0].text, "partner=Say \"hi\" Ltd");
    assert_int_equal(w.items[0].eq, 7);
    free(field);
    char *cleared = cli_quote_word("tier=", 5, false);
    assert_string_equal(cleared, "tier=");
    free(cleared);
}

/* The same for random awkward text, alone and as a field's value, and
 * with both in one line: each reads back as exactly the text quoted. */
static void test_random_text_reads_back_as_quoted(void **state)
{
    (void)state;
    seeded_start(3);
    for (int i = 0; i < 2000; i++) {
        char text[200], field[210], line[1024];
        random_text(text, sizeof text, NULL);
        snprintf(field, sizeof field, "notes=%s", text);
        char *alone = cli_quote_word(text, 0, true);
        char *value = cli_quote_word(field, cli_unquoted_key(field), false);
        assert_true(alone != NULL && value != NULL);
        snprintf(line, sizeof line, "partner update %s %s", alone, value);
        assert_int_equal(lex(line), LEX_OK);
        assert_int_equal(w.n, 4);
        assert_string_equal(w.items[2].text, text);
        assert_int_equal(w.items[2].eq, -1);
        assert_string_equal(w.items[3].text, field);
        assert_int_equal(w.items[3].eq, 5);
        free(alone);
        free(value);
    }
}

/* --- reader ------------------------------------------------------------- */

static int pipe_of(const char *text, size_t len)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, len), (ssize_t)len);
    close(fds[1]);
    return fds[0];
}

static void test_reader_handles_crlf_continuation_and_no_final_newline(
    void **state)
{
    (void)state;
    const char text[] = "a\r\nb \\\nc\\\r\nd\n\ne";
    int fd = pipe_of(text, sizeof text - 1);
    cli_reader r;
    cli_reader_init(&r, fd);
    const char *line;
    size_t len;
    long first;
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 1);
    assert_string_equal(line, "a");
    assert_int_equal(first, 1);
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 1);
    assert_string_equal(line, "b cd");
    assert_int_equal(first, 2);
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 1);
    assert_string_equal(line, "");
    assert_int_equal(first, 5);
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 1);
    assert_string_equal(line, "e");
    assert_int_equal(first, 6);
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 0);
    cli_reader_free(&r);
    close(fd);
}

static void test_reader_keeps_nul_bytes_for_the_lexer(void **state)
{
    (void)state;
    const char text[] = "a\0b\n";
    int fd = pipe_of(text, sizeof text - 1);
    cli_reader r;
    cli_reader_init(&r, fd);
    const char *line;
    size_t len;
    long first;
    assert_int_equal(cli_reader_next(&r, &line, &len, &first), 1);
    assert_int_equal(len, 3);
    cli_reader_free(&r);
    close(fd);
}

static int teardown(void **state)
{
    (void)state;
    cli_words_free(&w);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_split_on_spaces_and_tabs),
        cmocka_unit_test(test_double_quotes_take_escapes),
        cmocka_unit_test(test_single_quotes_are_literal),
        cmocka_unit_test(test_quoted_equals_is_not_a_field),
        cmocka_unit_test(test_comment_starts_a_word),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_bad_escape_is_an_error),
        cmocka_unit_test(test_invalid_utf8_and_nul),
        cmocka_unit_test(test_empty_quotes_make_an_empty_word),
        cmocka_unit_test(test_quoted_words_read_back_as_written),
        cmocka_unit_test(test_random_text_reads_back_as_quoted),
        cmocka_unit_test(
            test_reader_handles_crlf_continuation_and_no_final_newline),
        cmocka_unit_test(test_reader_keeps_nul_bytes_for_the_lexer),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
