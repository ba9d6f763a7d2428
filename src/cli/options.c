/*
 * options.c - prm's own options given after a command, where they would
 * be taken for the command's: an error that says where they go.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* prm's own options, and what to write instead when one is given after
 * a command (where it would be taken for the command's): the start of
 * the invocation (followed by the command when `command`), and the
 * setting that does the same in a script or at the prompt, if any. */
static const struct {
    const char *option, *invocation;
    bool command;
    const char *setting;
} prm_options[] = {
    {"--json", "prm --json", true, "set json on"},
    {"--csv", "prm --csv", true, "set csv on"},
    {"--db", "prm --db PATH", true, NULL},
    {"--bail", "prm --bail -f FILE", false, NULL},
    {"--atomic", "prm --atomic -f FILE", false, NULL},
    {"--version", "prm --version", false, NULL},
};

/* An error for prm's own option given to the command of w (named by its
 * first word and the next, a verb or what it works on), else PRM_OK. */
prm_code cli_misplaced_option(const cli_words *w, const char *flag,
                              prm_error *err)
{
    const cli_word *next = w->n > 1 ? &w->items[1] : NULL;
    bool two = next != NULL && !next->quoted && next->eq < 0 &&
               strncmp(next->text, "--", 2) != 0;
    char command[64];
    snprintf(command, sizeof command, "%s%s%s", w->items[0].text,
             two ? " " : "", two ? next->text : "");
    if (strcmp(flag, "--help") == 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "'--help' is not an option of %s; for its help: "
                             "help %s",
                             command, w->items[0].text);
    for (size_t i = 0; i < sizeof prm_options / sizeof *prm_options; i++) {
        if (strcmp(flag, prm_options[i].option) != 0)
            continue;
        bool cmd = prm_options[i].command;
        const char *setting = prm_options[i].setting;
        return prm_error_set(err, PRM_ESYNTAX,
                             "'%s' is an option of prm, not of %s: give it "
                             "before the command (%s%s%s)%s%s",
                             flag, command, prm_options[i].invocation,
                             cmd ? " " : "", cmd ? command : "",
                             setting ? "; in a script or at the prompt: " : "",
                             setting ? setting : "");
    }
    return PRM_OK;
}
