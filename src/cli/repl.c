/*
 * repl.c - the interactive prompt: GNU readline in callback mode, so that
 * Ctrl-C can abandon a half-typed (or half-continued) entry cleanly and
 * the loop stays in our hands.  History persists under
 * $XDG_STATE_HOME/prm/history; Tab completes from the command table, the
 * field tables and the names in the database (complete.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "run.h"

#define PROMPT "prm> "
#define PROMPT_MORE "...> "

static struct repl {
    cli_session session;
    char *pending; /* the entry so far, when it continues over lines */
    size_t pending_len;
    const char *joint; /* how the next line joins it: "" or "\n" */
    long entry;
    bool done;
    char history[4096];
} repl;

static void run_paged(const char *line, size_t len);

static volatile sig_atomic_t got_sigint, got_sigwinch;

/* --- history ------------------------------------------------------------ */

static void make_folders(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
}

static int history_size(void)
{
    const char *size = getenv("PRM_HISTSIZE");
    int max = size != NULL ? atoi(size) : 1000;
    return max > 0 ? max : 1000;
}

static void history_open(void)
{
    if (!cli_history_path(repl.history, sizeof repl.history)) {
        repl.history[0] = '\0';
        return;
    }
    make_folders(repl.history);
    stifle_history(history_size());
    read_history(repl.history);
}

static void history_save(const char *entry)
{
    /* As in bash, an entry that starts with a space is kept out. */
    if (entry[0] == ' ' || entry[0] == '\0')
        return;
    add_history(entry);
    if (repl.history[0] == '\0')
        return;
    if (append_history(1, repl.history) != 0)
        write_history(repl.history); /* the file did not exist yet */
    history_truncate_file(repl.history, history_size());
}

/* --- the loop ------------------------------------------------------------ */

static void pending_clear(void)
{
    free(repl.pending);
    repl.pending = NULL;
    repl.pending_len = 0;
}

static bool pending_append(const char *s, size_t n, const char *joint)
{
    size_t jl = strlen(joint);
    char *p = realloc(repl.pending, repl.pending_len + jl + n + 1);
    if (p == NULL)
        return false;
    memcpy(p + repl.pending_len, joint, jl);
    memcpy(p + repl.pending_len + jl, s, n);
    repl.pending = p;
    repl.pending_len += jl + n;
    p[repl.pending_len] = '\0';
    return true;
}

/* Lines the terminal shows at once. */
static int screen_rows(void)
{
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    return rows > 0 ? rows : 24;
}

/* Quitting the pager before the end of a long listing closes the pipe
 * being written: the write fails and the prompt goes on (SIGPIPE killed
 * it).  Ignored only here, so the pager itself starts with the default. */
static void write_to_pager(FILE *pager, const char *text, size_t size)
{
    struct sigaction ignore, old;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old);
    fwrite(text, 1, size, pager);
    pclose(pager);
    sigaction(SIGPIPE, &old, NULL);
}

/* Run an entry; with the pager on, output longer than the screen goes
 * through $PAGER (default less -FRX), shorter output straight out. */
static void run_paged(const char *line, size_t len)
{
    cli_out *o = &repl.session.out;
    char *text = NULL;
    size_t size = 0;
    FILE *buf = repl.session.ctx.pager && isatty(STDOUT_FILENO)
                    ? open_memstream(&text, &size)
                    : NULL;
    FILE *out = o->out;
    if (buf != NULL)
        o->out = buf;
    cli_exec_line(&repl.session, line, len, repl.entry);
    o->out = out;
    if (buf != NULL && fclose(buf) == 0 && text != NULL) {
        long lines = 0;
        for (size_t i = 0; i < size; i++)
            lines += text[i] == '\n';
        const char *pager = getenv("PAGER");
        FILE *p = lines >= screen_rows() - 1
                      ? popen(pager && *pager ? pager : "less -FRX", "w")
                      : NULL;
        if (p != NULL)
            write_to_pager(p, text, size);
        else
            fwrite(text, 1, size, stdout);
    }
    free(text);
    cli_flush(stdout);
}

/* The set commands of the config file, run as the prompt starts. */
static void load_config(void)
{
    char path[4096];
    FILE *f = cli_config_path(path, sizeof path) ? fopen(path, "r") : NULL;
    if (f == NULL)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    cli_session *s = &repl.session;
    const char *source = s->source;
    s->source = path;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        const char *word = line + strspn(line, " \t");
        if (*word == '#' || (size_t)(word - line) == len)
            continue;
        if (strncmp(word, "set ", 4) != 0) {
            fprintf(stderr, "%s:%ld: only set commands are read here\n", path,
                    lineno);
            continue;
        }
        cli_exec_line(s, line, len, lineno);
    }
    s->source = source;
    free(line);
    fclose(f);
}

/* A line arrived: continue the entry, or run it when it is whole. */
static void on_line(char *line)
{
    if (line == NULL) { /* Ctrl-D */
        repl.done = true;
        rl_callback_handler_remove();
        putchar('\n');
        return;
    }
    size_t n = strlen(line);
    bool continued = n > 0 && line[n - 1] == '\\';
    if (!pending_append(line, continued ? n - 1 : n,
                        repl.pending ? repl.joint : ""))
        fputs("prm: out of memory\n", stderr);
    free(line);
    if (continued) {
        repl.joint = ""; /* the backslash and the line break are dropped */
        rl_set_prompt(PROMPT_MORE);
        return;
    }
    char msg[128];
    if (cli_lex(repl.pending, repl.pending_len, &repl.session.words, msg,
                sizeof msg) == LEX_UNTERMINATED) {
        repl.joint = "\n"; /* inside quotes the line break is text */
        rl_set_prompt(PROMPT_MORE);
        return;
    }
    history_save(repl.pending);
    repl.entry++;
    run_paged(repl.pending, repl.pending_len);
    pending_clear();
    if (repl.session.ctx.quit) {
        repl.done = true;
        rl_callback_handler_remove();
        return;
    }
    rl_set_prompt(PROMPT);
}

static void on_signal(int sig)
{
    if (sig == SIGINT)
        got_sigint = 1;
    else
        got_sigwinch = 1;
}

/* Ctrl-C: drop what was typed, continued lines included; a fresh prompt. */
static void abandon_line(void)
{
    got_sigint = 0;
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_crlf();
    pending_clear();
    rl_callback_handler_remove();
    rl_callback_handler_install(PROMPT, on_line);
}

static void repl_loop(void)
{
    rl_callback_handler_install(PROMPT, on_line);
    while (!repl.done) {
        prm_idle(repl.session.ctx.db);
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        int rc = select(STDIN_FILENO + 1, &fds, NULL, NULL, NULL);
        int select_errno = errno; /* readline calls below may change it */
        if (got_sigint)
            abandon_line();
        if (got_sigwinch) {
            got_sigwinch = 0;
            rl_resize_terminal();
            cli_out_measure(&repl.session.out); /* tables fit the new width */
        }
        if (rc < 0 && select_errno != EINTR)
            break;
        if (rc > 0)
            rl_callback_read_char();
    }
}

int cli_repl(prm_db *db, const char *db_path, const cli_opts *opts)
{
    memset(&repl, 0, sizeof repl);
    cli_session_init(&repl.session, db, opts, NULL);
    rl_readline_name = "prm";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    cli_complete_set_db(db);
    rl_attempted_completion_function = cli_complete;
    rl_completer_word_break_characters = " \t";
    rl_completion_word_break_hook = cli_complete_word_breaks;
    /* Else a quote that ends the word readline completes is appended
     * after every single match, as if the word were closed. */
    rl_basic_quote_characters = "";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
    history_open();
    repl.session.ctx.pager = true;
    load_config();
    if (!opts->json)
        printf("prm %s on %s; 'help' lists the commands, Ctrl-D leaves.\n",
               PRM_VERSION, db_path);
    repl_loop();
    pending_clear();
    cli_complete_end();
    cli_session_free(&repl.session);
    return 0;
}
