/*
 * run.h - the executor: one loop that runs lines from a script, a one-shot
 * command line or the interactive prompt, in transactions as the options
 * ask, counting failures for the exit status.
 */
#ifndef PRM_CLI_RUN_H
#define PRM_CLI_RUN_H

#include <signal.h>
#include <time.h>

#include "commands.h"
#include "look_ahead.h"

typedef struct cli_opts {
    bool json, csv, bail, atomic;
} cli_opts;

typedef struct cli_session {
    cli_ctx ctx;
    cli_out out;
    cli_words words;
    cli_opts opts;
    const char *source; /* file name for error messages, NULL for "prm" */
    long commands, failed;
    /* the batch of commands sharing one transaction (script mode) */
    bool batch_open;
    long batch_count, batch_first_line;
    struct timespec batch_start;
    /* lines read ahead, for the core's hints (look_ahead.c) */
    struct cli_reader *reader;
    cli_ahead ahead;
    bool hinting; /* the core had a use for them */
} cli_session;

/* Set by SIGINT and SIGTERM while a script runs. */
extern volatile sig_atomic_t cli_interrupted;

void cli_session_init(cli_session *s, prm_db *db, const cli_opts *opts,
                      const char *source);
void cli_session_free(cli_session *s);

/* Run one logical line; 0 when it held no command, 1 when its command
 * succeeded, -1 when it failed (the error is already printed). */
int cli_exec_line(cli_session *s, const char *line, size_t len, long lineno);

/* Scripts from a file descriptor and one-shot commands; each returns the
 * exit status prm promises (0, 1 or 2: doc/prm.1, EXIT STATUS). */
int cli_run_fd(prm_db *db, int fd, const char *source, const cli_opts *opts);
int cli_run_argv(prm_db *db, int argc, char **argv, const cli_opts *opts);

/* The interactive prompt (repl.c). */
int cli_repl(prm_db *db, const char *db_path, const cli_opts *opts);

/* Tab at the prompt (complete.c): readline's completion function, the
 * database names come from, and forgetting what it holds. */
char **cli_complete(const char *text, int start, int end);
/* Where words break for completion: as the command language splits them,
 * so that a quoted name with spaces is one word. */
char *cli_complete_word_breaks(void);
void cli_complete_set_db(prm_db *db);
void cli_complete_end(void);

#endif
