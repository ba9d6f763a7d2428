/*
 * main.c - prm's entry point: options, the database, and the mode.
 *
 *   prm [OPTIONS]                    terminal: the prompt; else a script
 *   prm [OPTIONS] -f FILE            the commands in FILE ("-": stdin)
 *   prm [OPTIONS] COMMAND [ARGS...]  one command
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define EXIT_USAGE 2

static const char usage[] =
    "usage: prm [OPTIONS]                    interactive prompt, or a script "
    "on stdin\n"
    "       prm [OPTIONS] -f FILE            run the commands in FILE (- is "
    "stdin)\n"
    "       prm [OPTIONS] COMMAND [ARGS...]  run one command\n"
    "\n"
    "options:\n"
    "  --db PATH    the database (default: $PRM_DB, else\n"
    "               $XDG_DATA_HOME/prm/prm.db, else "
    "~/.local/share/prm/prm.db);\n"
    "               a postgresql:// URI names a team database on a server\n"
    "  --json       print one JSON object per command (JSON Lines)\n"
    "  --csv        print tables (lists, reports, metrics, audit, agenda) as CSV\n"
    "  --bail       stop at the first failing command\n"
    "  --atomic     keep all of the input or, if a command fails, none of it\n"
    "  -f FILE      run the commands in FILE\n"
    "  --version    print the version\n"
    "  --help       print this help\n"
    "\n"
    "Inside prm, 'help' lists the commands and 'help COMMAND' explains one.\n"
    "Exit status: 0 all commands succeeded, 1 a command failed, 2 prm could\n"
    "not start (bad option, unreadable file, unusable database).\n";

typedef struct options {
    cli_opts run;
    const char *db;
    const char *file;
    int first_word; /* argv index of COMMAND, or argc */
} options;

/* An invocation error: exit status 2, and a JSON object too with --json. */
static int usage_error(const options *o, prm_code code, const char *fmt,
                       const char *arg)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, arg);
    fprintf(stderr, "prm: %s\n", msg);
    if (o->run.json) {
        cli_out out;
        cli_out_init(&out, true);
        prm_error err;
        prm_error_set(&err, code, "%s", msg);
        out.ops->error(&out, &err, NULL, 0);
        cli_flush(stdout);
    }
    return EXIT_USAGE;
}

/* Parse options; -1 when they are fine, else the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            o->run.json = true;
        else if (strcmp(a, "--csv") == 0)
            o->run.csv = true;
        else if (strcmp(a, "--bail") == 0)
            o->run.bail = true;
        else if (strcmp(a, "--atomic") == 0)
            o->run.atomic = true;
        else if (strcmp(a, "--version") == 0) {
            printf("prm %s\n", PRM_VERSION);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--db") == 0 || strcmp(a, "-f") == 0) {
            /* An empty value is a variable that was not set: --db "$DB". */
            if (i + 1 == argc || argv[i + 1][0] == '\0')
                return usage_error(o, PRM_ESYNTAX,
                                   "%s needs a value (see prm --help)", a);
            *(a[1] == 'f' ? &o->file : &o->db) = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            if (a[5] == '\0')
                return usage_error(o, PRM_ESYNTAX,
                                   "%s needs a value (see prm --help)", "--db");
            o->db = a + 5;
        }
        else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0')
            return usage_error(o, PRM_ESYNTAX,
                               "unknown option '%s' (see prm --help)", a);
        else
            break;
    }
    o->first_word = i;
    if (o->file != NULL && i < argc)
        return usage_error(o, PRM_ESYNTAX,
                           "give either -f FILE or a command, not both (%s)",
                           argv[i]);
    return -1;
}

/* A database with encryption on opens only with its passphrase. */
static prm_code unlock(prm_db *db, prm_error *err)
{
    char pass[256];
    size_t len;
    prm_code rc = cli_passphrase(false, pass, sizeof pass, &len, err);
    if (rc == PRM_OK)
        rc = prm_unlock(db, pass, len, err);
    prm_wipe(pass, sizeof pass);
    return rc;
}

static int open_db(const options *o, char *path, size_t size, prm_db **db)
{
    if (o->db != NULL)
        snprintf(path, size, "%s", o->db);
    else if (!prm_default_db_path(path, size))
        return usage_error(o, PRM_EIO,
                           "%s", "no database path: set HOME or PRM_DB, or "
                                 "give --db PATH");
    prm_error err = {.code = PRM_OK};
    if (prm_open(path, db, &err) != PRM_OK)
        return usage_error(o, err.code, "%s", prm_error_message(&err));
    prm_set_passphrase_fn(*db, cli_passphrase_fn, NULL);
    if (prm_encrypted(*db) && unlock(*db, &err) != PRM_OK) {
        prm_close(*db);
        return usage_error(o, err.code, "%s", prm_error_message(&err));
    }
    const char *now = getenv("PRM_NOW");
    if (now != NULL && *now != '\0' && prm_set_now(*db, now, &err) != PRM_OK) {
        prm_close(*db);
        return usage_error(o, err.code, "PRM_NOW: %s", prm_error_message(&err));
    }
    return -1;
}

/* The script file, opened once (a named pipe opened and closed before
 * being opened again would lose what its writer wrote meanwhile, and the
 * writer with it); -1 when it cannot be read, errno saying why. */
static int open_script(const char *file)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fd < 3) {
        /* stdin, stdout or stderr was closed: the script must not take
         * its number, which the rest of prm takes for what it is */
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = high;
    }
    if (fd < 0 || !cli_is_folder(fd))
        return fd;
    close(fd);
    errno = EISDIR; /* again: close may have set it */
    return -1;
}

/* The commands' input (a file, or stdin) cannot be read: say why
 * (errno). */
static int cannot_read(const options *o, const char *name)
{
    char what[1100];
    snprintf(what, sizeof what, "%s: %s", name, strerror(errno));
    return usage_error(o, PRM_EIO, "cannot read %s", what);
}

static int run_file(prm_db *db, const options *o, int fd)
{
    if (strcmp(o->file, "-") == 0)
        return cli_run_fd(db, STDIN_FILENO, NULL, &o->run);
    return cli_run_fd(db, fd, o->file, &o->run);
}

/* Output that could not be written (a full disk, a closed pipe) is a
 * failure of the run, said on stderr: a script that redirects prm's
 * output must not find an empty file and a status of 0. */
static int flush_output(int status)
{
    cli_flush(stdout);
    if (cli_output_errno == 0 && !ferror(stdout))
        return status;
    if (cli_interrupted == SIGPIPE) /* said already, where it stopped */
        return status == 0 ? 1 : status;
    fprintf(stderr, "prm: cannot write the output: %s\n",
            cli_output_errno ? strerror(cli_output_errno) : "write error");
    return status == 0 ? 1 : status;
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "");
    /* stdout is written in large blocks; the executor flushes at commit
     * points and the prompt after every command. */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    options o = {.first_word = argc};
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return flush_output(status);
    /* Check a script file is readable before touching the database. */
    int script = -1;
    if (o.file != NULL && strcmp(o.file, "-") != 0 &&
        (script = open_script(o.file)) < 0)
        return cannot_read(&o, o.file);
    /* So is stdin, when the commands come from it. */
    bool reads_stdin = o.file != NULL ? strcmp(o.file, "-") == 0
                                      : o.first_word == argc;
    if (reads_stdin && cli_is_folder(STDIN_FILENO))
        return cannot_read(&o, "stdin");
    /* A closed stdin must be said now: SQLite, opening the database, puts
     * /dev/null on a free descriptor below 3, and the script would then
     * be read as empty and "succeed". */
    if (reads_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0)
        return cannot_read(&o, "stdin");
    char path[4096];
    prm_db *db = NULL;
    status = open_db(&o, path, sizeof path, &db);
    if (status >= 0) {
        if (script >= 0)
            close(script);
        return status;
    }
    if (o.file != NULL)
        status = run_file(db, &o, script);
    else if (o.first_word < argc)
        status = cli_run_argv(db, argc - o.first_word, argv + o.first_word,
                              &o.run);
    else if (isatty(STDIN_FILENO))
        status = cli_repl(db, path, &o.run);
    else
        status = cli_run_fd(db, STDIN_FILENO, NULL, &o.run);
    prm_close(db);
    if (script >= 0)
        close(script);
    return flush_output(status);
}
