/*
 * test_manual.c - the manual page (doc/prm.1) against the tables it
 * documents: every field of every record kind in its kind's section,
 * every command, alias and verb in COMMANDS, every error code in ERRORS,
 * every exit status in EXIT STATUS.  A kind, field, command or code added
 * without its line in the manual fails here.
 *
 *   test_manual PATH_TO_prm.1
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"
#include "prm/prm.h"
#include "text_file.h"

static char *manual;

/* The text of section heading (".SH NAME" or ".SS NAME") up to the next
 * heading of the same level or above; malloc'd, NULL when missing. */
static char *section(const char *heading)
{
    char line[128];
    snprintf(line, sizeof line, "\n%s\n", heading);
    const char *start = strstr(manual, line);
    if (start == NULL)
        return NULL;
    start += strlen(line);
    bool sub = strncmp(heading, ".SS", 3) == 0;
    const char *sh = strstr(start, "\n.SH ");
    const char *ss = sub ? strstr(start, "\n.SS ") : NULL;
    const char *end = sh == NULL ? start + strlen(start) : sh;
    if (ss != NULL && ss < end)
        end = ss;
    size_t n = (size_t)(end - start);
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, start, n);
    text[n] = '\0';
    return text;
}

/* Whether text names word in bold: a ".B word" line or \fBword\fR. */
static bool names(const char *text, const char *word)
{
    char bold[96], line[96];
    snprintf(bold, sizeof bold, "\\fB%s\\fR", word);
    snprintf(line, sizeof line, "\n.B %s", word);
    if (strstr(text, bold) != NULL)
        return true;
    for (const char *p = strstr(text, line); p; p = strstr(p + 1, line)) {
        char after = p[strlen(line)];
        if (after == '\n' || after == ' ' || after == '\0')
            return true;
    }
    return false;
}

static void expect_named(const char *text, const char *where,
                         const char *word)
{
    if (!names(text, word))
        fail_msg("doc/prm.1, %s: '%s' is not documented", where, word);
}

static void test_every_field_of_every_kind(void **state)
{
    (void)state;
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        char heading[64];
        snprintf(heading, sizeof heading, ".SS %s", info->name);
        char *text = section(heading);
        if (text == NULL)
            fail_msg("doc/prm.1 has no RECORDS section '%s'", heading);
        for (size_t i = 0; i < info->nfields; i++)
            expect_named(text, heading, info->fields[i].name);
        free(text);
    }
}

static void test_every_command_and_verb(void **state)
{
    (void)state;
    char *text = section(".SH COMMANDS");
    assert_non_null(text);
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        /* Commands of several words ("report partners") are documented
         * by their full usage; the first word is what the table holds. */
        char first[64];
        snprintf(first, sizeof first, "%s", c->name);
        if (!names(text, first)) {
            char words[96];
            snprintf(words, sizeof words, "\\fB%s ", first);
            if (strstr(text, words) == NULL)
                fail_msg("doc/prm.1, COMMANDS: '%s' is not documented",
                         first);
        }
        if (c->alias != NULL)
            expect_named(text, "COMMANDS", c->alias);
    }
    for (size_t i = 0; i < cli_nverbs; i++)
        expect_named(text, "COMMANDS", cli_verbs[i].name);
    free(text);
}

static void test_every_error_code(void **state)
{
    (void)state;
    char *text = section(".SH ERRORS");
    assert_non_null(text);
    for (int c = PRM_ESYNTAX; c <= PRM_EDB; c++)
        expect_named(text, "ERRORS", prm_code_name((prm_code)c));
    free(text);
}

static void test_every_exit_status(void **state)
{
    (void)state;
    char *text = section(".SH EXIT STATUS");
    assert_non_null(text);
    expect_named(text, "EXIT STATUS", "0");
    expect_named(text, "EXIT STATUS", "1");
    expect_named(text, "EXIT STATUS", "2");
    free(text);
}

int main(int argc, char **argv)
{
    manual = read_text_file(argc > 1 ? argv[1] : "doc/prm.1");
    if (manual == NULL) {
        fprintf(stderr, "test_manual: cannot read the manual page\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_of_every_kind),
        cmocka_unit_test(test_every_command_and_verb),
        cmocka_unit_test(test_every_error_code),
        cmocka_unit_test(test_every_exit_status),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(manual);
    return failed;
}
