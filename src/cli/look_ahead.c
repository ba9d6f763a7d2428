/*
 * look_ahead.c - a script's lines read before they run.
 *
 * The reader holds lines before they run.  With encryption on, the core
 * seals an add's sensitive values on a second thread while the lines
 * before it run (prm_hint_add), which takes sealing off the thread that
 * writes: a fifth of a bulk load's time.  The lines are read into words
 * here, exactly as the executor would read them, every add among them is
 * told of in order, and the executor takes the words instead of reading
 * the line a second time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "look_ahead.h"

enum {
    AHEAD_LINES = 4096, /* lines read ahead at most: the core's ring */
    AHEAD_AGAIN = 4,    /* times a read's lines are told of again */
    HINT_ARGS = 64      /* FIELD=VALUE words of one add told of */
};

struct cli_ahead_line {
    long lineno;
    cli_lex_result lexed;
    cli_words words;
    char msg[CLI_LEX_MSG]; /* what cli_lex said is wrong, if anything */
};

void cli_ahead_free(cli_ahead *a)
{
    for (size_t i = 0; i < a->cap; i++)
        cli_words_free(&a->lines[i].words);
    free(a->lines);
    *a = (cli_ahead){.lines = NULL};
}

/* An add of a record kind, told of with its FIELD=VALUE words, split in
 * place as the executor splits them. */
static void hint_add(prm_db *db, cli_ahead *a, cli_words *w)
{
    if (w->n < 2 || w->items[0].quoted || w->items[1].quoted ||
        strcmp(w->items[1].text, "add") != 0)
        return;
    const char *name = w->items[0].text;
    const cli_command *cmd = a->last;
    if (cmd == NULL || strcmp(a->last_name, name) != 0) {
        cmd = cli_command_find(name);
        if (cmd != NULL && strlen(name) < sizeof a->last_name) {
            strcpy(a->last_name, name);
            a->last = cmd;
        }
    }
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

static struct cli_ahead_line *next_slot(cli_ahead *a)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        if (cap > AHEAD_LINES)
            return NULL;
        struct cli_ahead_line *grown = realloc(a->lines, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        memset(grown + a->cap, 0, (cap - a->cap) * sizeof *grown);
        a->lines = grown;
        a->cap = cap;
    }
    return &a->lines[a->n];
}

void cli_look_ahead(prm_db *db, cli_ahead *a, long lineno, const char *text,
                    size_t len)
{
    a->n = a->next = 0;
    a->again = 0;
    const char *end = text + len;
    for (; text < end; lineno++) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        const char *stop = nl != NULL ? nl : end;
        const char *line = text;
        size_t n = (size_t)(stop - text);
        text = stop + 1;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        /* a line continued on the next: the executor joins the two, and
         * the adds after it would be counted wrong */
        if (n > 0 && line[n - 1] == '\\')
            return;
        if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3; /* as the reader drops it */
            n -= 3;
        }
        struct cli_ahead_line *l = next_slot(a);
        if (l == NULL)
            return;
        l->lineno = lineno;
        l->lexed = cli_lex(line, n, &l->words, l->msg, sizeof l->msg);
        a->n++;
        if (l->lexed == LEX_OK)
            hint_add(db, a, &l->words);
    }
}

void cli_look_ahead_again(prm_db *db, cli_ahead *a)
{
    if (a->next == a->n || ++a->again > AHEAD_AGAIN || !prm_hints_begin(db))
        return;
    for (size_t i = a->next; i < a->n; i++)
        if (a->lines[i].lexed == LEX_OK)
            hint_add(db, a, &a->lines[i].words);
}

bool cli_ahead_take(cli_ahead *a, long lineno, cli_words *w,
                    cli_lex_result *lexed, char *msg, size_t size)
{
    while (a->next < a->n && a->lines[a->next].lineno < lineno)
        a->next++;
    if (a->next == a->n || a->lines[a->next].lineno != lineno)
        return false;
    struct cli_ahead_line *l = &a->lines[a->next++];
    /* the words change hands: each side keeps buffers to reuse */
    cli_words mine = *w;
    *w = l->words;
    l->words = mine;
    *lexed = l->lexed;
    if (l->lexed != LEX_OK)
        snprintf(msg, size, "%s", l->msg);
    return true;
}
