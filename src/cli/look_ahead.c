/*
 * look_ahead.c - telling the core of the adds a script will run.
 *
 * The reader holds lines before they run.  With encryption on, the core
 * seals an add's sensitive values on a second thread while the lines
 * before it run (prm_hint_add), which takes sealing off the thread that
 * writes: a fifth of a bulk load's time.  The lines are read here as the
 * executor will read them, and every add among them is told of, in order.
 */
#include <string.h>

#include "look_ahead.h"

enum { HINT_ARGS = 64 }; /* FIELD=VALUE words of one add told of */

/* One line: an add of a record kind, told of with its FIELD=VALUE words
 * (split in place, as the executor's own reading of the line will not
 * see: it reads the line again). */
static void hint_line(prm_db *db, cli_words *w, const char *line, size_t len)
{
    char msg[128];
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3; /* as the reader drops it from a file's first line */
        len -= 3;
    }
    if (cli_lex(line, len, w, msg, sizeof msg) != LEX_OK || w->n < 2 ||
        w->items[0].quoted || w->items[1].quoted ||
        strcmp(w->items[1].text, "add") != 0)
        return;
    const cli_command *cmd = cli_command_find(w->items[0].text);
    if (cmd == NULL || cmd->kind == NULL)
        return;
    prm_arg kv[HINT_ARGS];
    size_t n = 0;
    for (size_t i = 2; i < w->n && n < HINT_ARGS; i++) {
        cli_word *word = &w->items[i];
        if (word->eq <= 0)
            continue;
        word->text[word->eq] = '\0';
        kv[n++] = (prm_arg){word->text, word->text + word->eq + 1};
    }
    prm_hint_add(db, cmd->kind()->kind, kv, n);
}

void cli_look_ahead(prm_db *db, cli_words *w, const char *text, size_t len)
{
    const char *end = text + len;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        const char *stop = nl != NULL ? nl : end;
        size_t n = (size_t)(stop - text);
        if (n > 0 && text[n - 1] == '\r')
            n--;
        /* a line continued on the next: the adds after it are not
         * counted right any more (the executor joins the two) */
        if (n > 0 && text[n - 1] == '\\')
            break;
        hint_line(db, w, text, n);
        text = stop + 1;
    }
}
