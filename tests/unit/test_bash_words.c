/*
 * test_bash_words.c - the bash completion of one-shot commands
 * (completions/prm.bash, a shell script that cannot read prm's tables)
 * offers exactly the words the tables hold: each kind's writable fields,
 * and each command's KEY= words (prm_command_keys).
 *
 *   test_bash_words PATH_TO_prm.bash
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prm/prm.h"

static char *script;

/* The words _prm_fields echoes for a case label, as "a= b= c=". */
static const char *bash_words(const char *label, char *out, size_t size)
{
    char start[64];
    snprintf(start, sizeof start, "    %s) echo \"", label);
    const char *at = strstr(script, start);
    if (at == NULL)
        return NULL;
    at += strlen(start);
    const char *end = strchr(at, '"');
    snprintf(out, size, "%.*s", (int)(end - at), at);
    return out;
}

static void expect_words(const char *label, const char *want)
{
    char got[1024];
    if (bash_words(label, got, sizeof got) == NULL)
        fail_msg("completions/prm.bash has no words for '%s'", label);
    if (strcmp(got, want) != 0)
        fail_msg("completions/prm.bash, %s:\n  offers %s\n  tables %s",
                 label, got, want);
}

static void test_each_command_s_keys(void **state)
{
    (void)state;
    static const struct {
        const char *label, *command;
    } commands[] = {{"metrics", "metrics"},
                    {"partners", "report partners"},
                    {"trend", "report trend"},
                    {"insights", "insights"},
                    {"audit", "audit"}};
    for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
        char want[1024];
        size_t at = 0;
        const char *const *keys = prm_command_keys(commands[c].command);
        assert_non_null(keys);
        for (size_t i = 0; keys[i] != NULL; i++)
            at += (size_t)snprintf(want + at, sizeof want - at, "%s%s=",
                                   i ? " " : "", keys[i]);
        expect_words(commands[c].label, want);
    }
}

static void test_each_kind_s_fields(void **state)
{
    (void)state;
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        char want[1024], label[64];
        size_t at = 0;
        for (size_t i = 0; i < info->nfields; i++) {
            const prm_field *f = &info->fields[i];
            if (f->flags & PRM_FF_READONLY)
                continue;
            /* A project's partners are also given one at a time. */
            if (f->type == PRM_F_PARTNER_LIST)
                at += (size_t)snprintf(want + at, sizeof want - at,
                                       "%spartner=", at ? " " : "");
            at += (size_t)snprintf(want + at, sizeof want - at, "%s%s=",
                                   at ? " " : "", f->name);
        }
        if (info->alias != NULL)
            snprintf(label, sizeof label, "%s | %s", info->alias, info->name);
        else
            snprintf(label, sizeof label, "%s", info->name);
        expect_words(label, want);
    }
}

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    static char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f == NULL || n == 0) {
        fprintf(stderr, "usage: test_bash_words completions/prm.bash\n");
        return 1;
    }
    fclose(f);
    buf[n] = '\0';
    script = buf;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_command_s_keys),
        cmocka_unit_test(test_each_kind_s_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
