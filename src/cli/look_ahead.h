/*
 * look_ahead.h - a script's lines read before they run (look_ahead.c).
 */
#ifndef PRM_CLI_LOOK_AHEAD_H
#define PRM_CLI_LOOK_AHEAD_H

#include "commands.h"

/* The lines of one read, in words, for the executor to take in turn. */
typedef struct cli_ahead {
    struct cli_ahead_line *lines;
    size_t n, cap, next;
    /* the command last named, and how (a script names a few, often) */
    const cli_command *last;
    char last_name[32];
    int again; /* times cli_look_ahead_again told of them */
} cli_ahead;

/* Read the whole lines text holds, the first numbered lineno, which run
 * next and in that order, and tell the core of every add among them
 * (once prm_hints_begin has said it has a use for that).  What an
 * earlier call read and was not taken goes. */
void cli_look_ahead(prm_db *db, cli_ahead *a, long lineno, const char *text,
                    size_t len);
/* After a failed line the adds after it are numbered one off: tell of
 * the lines read and not yet taken again, without reading them again.  A
 * few times a read at most: in a script whose every add fails, each line
 * would be told of as many times as lines follow it. */
void cli_look_ahead_again(prm_db *db, cli_ahead *a);
/* The words of line lineno, when they were read ahead, into w (and how
 * the reading went, as cli_lex says it, into lexed and msg). */
bool cli_ahead_take(cli_ahead *a, long lineno, cli_words *w,
                    cli_lex_result *lexed, char *msg, size_t size);
void cli_ahead_free(cli_ahead *a);

#endif
