/*
 * look_ahead.h - telling the core of the adds a script will run
 * (look_ahead.c).
 */
#ifndef PRM_CLI_LOOK_AHEAD_H
#define PRM_CLI_LOOK_AHEAD_H

#include "commands.h"

/* Tell the core of every add among the whole lines text holds, which run
 * next and in that order (w: words to read them into), once
 * prm_hints_begin has said it has a use for them. */
void cli_look_ahead(prm_db *db, cli_words *w, const char *text, size_t len);

#endif
