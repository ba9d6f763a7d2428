/*
 * run.c - the executor shared by scripts, one-shot commands and the prompt.
 *
 * Scripts run in batches: many commands share one transaction, each inside
 * a savepoint of its own (the core's store_cmd_begin), so a failed command
 * changes nothing while a good one costs no fsync.  A batch is committed
 * when it grows large or old, before the reader waits on a slow pipe, and
 * at the end.  --atomic makes the whole input one transaction instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"
#include "run.h"

#define BATCH_MAX 20000    /* commands in one transaction at most */
#define BATCH_MAX_MS 1000  /* and for this long at most */
#define BATCH_CLOCK_EVERY 16 /* commands between looks at the clock */

volatile sig_atomic_t cli_interrupted;

bool cli_is_folder(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    errno = EISDIR;
    return true;
}

void cli_session_init(cli_session *s, prm_db *db, const cli_opts *opts,
                      const char *source)
{
    *s = (cli_session){.opts = *opts, .source = source};
    cli_out_init(&s->out, opts->json);
    if (opts->csv && !opts->json)
        s->out.ops = cli_csv_ops();
    s->ctx = (cli_ctx){.db = db, .out = &s->out, .json_fixed = opts->json};
}

void cli_session_free(cli_session *s)
{
    cli_out_free(&s->out);
    cli_ctx_free(&s->ctx);
    cli_words_free(&s->words);
    cli_ahead_free(&s->ahead);
}

static void report(cli_session *s, const prm_error *err, long lineno)
{
    s->out.ops->error(&s->out, err, s->source, lineno);
}

static bool batch_commit(cli_session *s, long lineno);

/* The audit log records each command as it was written, less the
 * surrounding blanks. */
static void set_command_text(prm_db *db, const char *line, size_t len)
{
    while (len > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    prm_set_command(db, line, len);
}

int cli_exec_line(cli_session *s, const char *line, size_t len, long lineno)
{
    /* Not "= {.code = PRM_OK}", which zeroes the 1 KiB message on every
     * line and pushes SQLite's hot pages out of the CPU's cache; a message
     * is only read with a code that says there is one. */
    prm_error err;
    err.code = PRM_OK;
    char msg[CLI_LEX_MSG];
    cli_lex_result lexed;
    if (!cli_ahead_take(&s->ahead, lineno, &s->words, &lexed, msg, sizeof msg))
        lexed = cli_lex(line, len, &s->words, msg, sizeof msg);
    switch (lexed) {
    case LEX_OK:
        break;
    case LEX_ENCODING:
        prm_error_set(&err, PRM_EINVALID_VALUE, "%s", msg);
        break;
    default:
        prm_error_set(&err, PRM_ESYNTAX, "%s", msg);
        break;
    }
    if (err.code == PRM_OK && s->words.n == 0)
        return 0;
    s->commands++;
    if (err.code == PRM_OK) {
        const cli_command *cmd = cli_command_find(s->words.items[0].text);
        /* backup and check must see every command before them saved */
        if (cmd != NULL && cmd->needs_commit)
            batch_commit(s, lineno);
        set_command_text(s->ctx.db, line, len);
        if (cli_dispatch(&s->ctx, &s->words, &err) == PRM_OK)
            err.code = PRM_OK;
    }
    if (err.code == PRM_OK)
        return 1;
    s->failed++;
    report(s, &err, lineno);
    return -1;
}

/* --- batches ----------------------------------------------------------- */

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

static bool batch_commit(cli_session *s, long lineno)
{
    if (!s->batch_open)
        return true;
    s->batch_open = false;
    prm_error err = {.code = PRM_OK};
    if (prm_commit(s->ctx.db, &err) != PRM_OK) {
        char why[sizeof err.message];
        snprintf(why, sizeof why, "%s", prm_error_message(&err));
        prm_rollback(s->ctx.db, NULL);
        prm_error_set(&err, err.code,
                      "could not save the commands of lines %ld to %ld (%s); "
                      "they are not in the database: run them again",
                      s->batch_first_line, lineno, why);
        s->failed++;
        report(s, &err, lineno);
        return false;
    }
    cli_flush(s->out.out);
    return true;
}

static void commit_before_wait(void *ctx)
{
    cli_session *s = ctx;
    batch_commit(s, s->batch_first_line + s->batch_count);
    prm_idle(s->ctx.db);
}

static void batch_open(cli_session *s, long lineno)
{
    if (s->batch_open || s->opts.atomic)
        return;
    prm_error err = {.code = PRM_OK};
    if (prm_begin(s->ctx.db, &err) != PRM_OK)
        return; /* each command then runs in a transaction of its own */
    s->batch_open = true;
    s->batch_count = 0;
    s->batch_first_line = lineno;
    clock_gettime(CLOCK_MONOTONIC, &s->batch_start);
}

/* Lines just read: the adds among them told of to the core (look_ahead.c)
 * from inside the batch they will run in, where ids are counted under the
 * writers' lock. */
static void look_ahead(void *ctx, const char *text, size_t len)
{
    cli_session *s = ctx;
    s->hinting = prm_hints_begin(s->ctx.db);
    if (!s->hinting)
        return;
    batch_open(s, s->reader->lineno + 1);
    cli_look_ahead(s->ctx.db, &s->ahead, s->reader->lineno + 1, text, len);
}


/* After a command: notice a batch SQLite rolled back (a full disk, say),
 * and commit one that has grown large or old. */
static void batch_after(cli_session *s, long lineno)
{
    if (!s->batch_open)
        return;
    if (!prm_in_transaction(s->ctx.db)) {
        prm_error err;
        prm_error_set(&err, PRM_EIO,
                      "the database rolled back the commands of lines %ld to "
                      "%ld; run them again",
                      s->batch_first_line, lineno);
        s->failed++;
        report(s, &err, lineno);
        s->batch_open = false;
        return;
    }
    /* The clock is read every few commands, not after each: in a virtual
     * machine reading it costs as much as a tenth of a command. */
    if (++s->batch_count >= BATCH_MAX ||
        (s->batch_count % BATCH_CLOCK_EVERY == 0 &&
         elapsed_ms(&s->batch_start) >= BATCH_MAX_MS))
        batch_commit(s, lineno);
}

/* --- progress ------------------------------------------------------------ */

/* Progress of a script that runs for more than a second, on stderr when it
 * is a terminal: lines done, rate, and time left when the input's size is
 * known; a summary at the end. */
typedef struct progress {
    bool enabled, shown;
    struct timespec start;
    long long size; /* of a regular file, else 0 */
    long next_check;
} progress;

static void progress_init(progress *p, int fd)
{
    struct stat st;
    *p = (progress){.enabled = isatty(STDERR_FILENO), .next_check = 1000};
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        p->size = st.st_size;
}

static void progress_update(progress *p, const cli_session *s,
                            const cli_reader *r)
{
    if (!p->enabled || r->lineno < p->next_check)
        return;
    p->next_check = r->lineno + 1000;
    long ms = elapsed_ms(&p->start);
    if (ms < 1000)
        return;
    double rate = r->lineno * 1000.0 / (double)ms;
    fprintf(stderr, "\rprm: %ld lines, %ld failed, %.0f lines/s", r->lineno,
            s->failed, rate);
    long long done = cli_reader_consumed(r);
    if (p->size > 0 && done > 0 && done < p->size)
        fprintf(stderr, ", about %.0f s left",
                (double)(p->size - done) / (double)done * (double)ms / 1000.0);
    fputs("   ", stderr);
    p->shown = true;
}

static void progress_end(progress *p, const cli_session *s)
{
    if (!p->shown)
        return;
    fprintf(stderr, "\rprm: %ld commands run, %ld failed, %.1f s%20s\n",
            s->commands, s->failed, elapsed_ms(&p->start) / 1000.0, "");
}

/* --- scripts ----------------------------------------------------------- */

static void on_signal(int sig)
{
    cli_interrupted = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A reader that went away (prm -f load.prm | head) stops the script as
     * SIGTERM does: the commands run so far are kept and it is said where
     * it stopped.  Left to kill prm, it lost the batch not yet saved. */
    sigaction(SIGPIPE, &sa, NULL);
}

/* End the input's work: commit it, or with --atomic keep all or nothing. */
static void finish(cli_session *s, long lineno)
{
    prm_error err = {.code = PRM_OK};
    if (!s->opts.atomic) {
        batch_commit(s, lineno);
        return;
    }
    if (s->failed == 0 && !cli_interrupted) {
        if (prm_commit(s->ctx.db, &err) == PRM_OK)
            return;
        s->failed++;
        report(s, &err, lineno);
    }
    prm_rollback(s->ctx.db, NULL);
    cli_flush(s->out.out);
    fprintf(stderr,
            "prm: %ld of %ld commands failed; with --atomic nothing was "
            "kept\n",
            s->failed, s->commands);
}

static void say_interrupted(cli_session *s, long lineno)
{
    const char *kept = s->opts.atomic ? "with --atomic nothing was kept"
                                      : "every command before it is kept";
    cli_flush(s->out.out);
    if (cli_interrupted == SIGPIPE)
        fprintf(stderr,
                "prm: the output was closed (broken pipe); stopped before "
                "line %ld: %s\n",
                lineno, kept);
    else
        fprintf(stderr, "prm: interrupted by signal %d before line %ld; %s\n",
                (int)cli_interrupted, lineno, kept);
}

int cli_run_fd(prm_db *db, int fd, const char *source, const cli_opts *opts)
{
    cli_session s;
    cli_session_init(&s, db, opts, source);
    s.ctx.stdin_free = fd != STDIN_FILENO;
    cli_reader r;
    cli_reader_init(&r, fd);
    r.before_wait = commit_before_wait;
    r.after_read = look_ahead;
    r.ctx = &s;
    s.reader = &r;
    catch_signals();
    prm_error err = {.code = PRM_OK};
    bool ok = !opts->atomic || prm_begin(db, &err) == PRM_OK;
    if (!ok)
        report(&s, &err, 0);
    long lineno = 0;
    progress prog;
    progress_init(&prog, fd);
    while (ok && !cli_interrupted && !s.ctx.quit) {
        const char *line;
        size_t len;
        int rc = cli_reader_next(&r, &line, &len, &lineno);
        if (rc < 0 && errno != EINTR) {
            prm_error_set(&err, PRM_EIO, "cannot read input: %s",
                          strerror(errno));
            report(&s, &err, r.lineno);
            s.failed++;
        }
        if (rc <= 0)
            break;
        batch_open(&s, lineno);
        int ran = cli_exec_line(&s, line, len, lineno);
        if (ran < 0 && opts->bail)
            break;
        batch_after(&s, lineno);
        if (ran < 0 && s.hinting)
            cli_look_ahead_again(db, &s.ahead);
        progress_update(&prog, &s, &r);
    }
    finish(&s, lineno);
    progress_end(&prog, &s);
    if (cli_interrupted)
        say_interrupted(&s, r.lineno + 1);
    cli_flush(s.out.out);
    int status = s.failed > 0 || cli_interrupted || !ok ? 1 : 0;
    cli_reader_free(&r);
    cli_session_free(&s);
    return status;
}

/* --- one-shot ------------------------------------------------------------ */

/* The shell has split the words already: no quotes or comments to read. */
static bool argv_words(cli_words *w, int argc, char **argv)
{
    w->items = calloc((size_t)argc, sizeof *w->items);
    if (w->items == NULL)
        return false;
    w->cap = (size_t)argc;
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        w->items[w->n++] = (cli_word){.text = argv[i],
                                      .len = strlen(argv[i]),
                                      .eq = eq ? eq - argv[i] : -1};
    }
    return true;
}

/* The words of a one-shot command as one line of the command language,
 * quoted where the shell had to quote them, for the audit log. */
static char *argv_text(int argc, char **argv)
{
    size_t size = 1; /* quoted, a word is at most 2 * len + 2 bytes */
    for (int i = 0; i < argc; i++)
        size += 2 * strlen(argv[i]) + 3;
    char *text = malloc(size), *p = text;
    for (int i = 0; i < argc && text != NULL; i++) {
        char *word = cli_quote_word(argv[i], cli_unquoted_key(argv[i]), false);
        if (word == NULL) {
            free(text);
            return NULL;
        }
        p += sprintf(p, "%s%s", i ? " " : "", word);
        free(word);
    }
    if (text != NULL)
        *p = '\0';
    return text;
}

int cli_run_argv(prm_db *db, int argc, char **argv, const cli_opts *opts)
{
    cli_session s;
    cli_session_init(&s, db, opts, NULL);
    s.ctx.stdin_free = true;
    prm_error err = {.code = PRM_OK};
    if (!argv_words(&s.words, argc, argv))
        prm_error_nomem(&err);
    for (int i = 0; i < argc && err.code == PRM_OK; i++)
        if (!prm_utf8_valid(argv[i], strlen(argv[i])))
            prm_error_set(&err, PRM_EINVALID_VALUE,
                          "argument %d is not valid UTF-8", i + 1);
    if (err.code == PRM_OK) {
        char *text = argv_text(argc, argv);
        prm_set_command(db, text != NULL ? text : "",
                        text != NULL ? strlen(text) : 0);
        free(text);
        if (cli_dispatch(&s.ctx, &s.words, &err) == PRM_OK)
            err.code = PRM_OK;
    }
    if (err.code != PRM_OK)
        report(&s, &err, 1);
    cli_flush(s.out.out);
    free(s.words.items);
    s.words.items = NULL;
    cli_session_free(&s);
    return err.code == PRM_OK ? 0 : 1;
}
