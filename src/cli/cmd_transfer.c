/*
 * cmd_transfer.c - export and import: whole databases as JSON or JSON
 * Lines, one kind as CSV (doc/guide.md: Formats).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

typedef struct transfer {
    bool csv, encrypt;
    prm_format format;
    const prm_kind_info *kind; /* for csv */
    const char *file;          /* NULL: stdout */
} transfer;

static prm_code csv_kind(const char *cmd, const cli_args *a, transfer *t,
                         prm_error *err)
{
    char kinds[256];
    size_t len = 0;
    kinds[0] = '\0';
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s",
                                k ? ", " : "",
                                prm_kind_get((prm_kind)k)->name);
    if (a->npos < 2)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s csv needs a kind: %s", cmd, kinds);
    t->kind = prm_kind_find(a->pos[1]);
    if (t->kind == NULL)
        t->kind = prm_kind_find_plural(a->pos[1]);
    if (t->kind == NULL)
        return prm_error_choice(err, PRM_EINVALID_VALUE, "unknown kind",
                                a->pos[1], "", "kinds are", kinds);
    return PRM_OK;
}

/* encrypt=yes|no, the one KEY= export takes. */
static prm_code encrypt_arg(const char *cmd, const char *usage,
                            const cli_args *a, transfer *t, prm_error *err)
{
    for (size_t i = 0; i < a->nkv; i++) {
        bool export = strcmp(cmd, "export") == 0;
        if (!export || strcmp(a->kv[i].key, "encrypt") != 0)
            return prm_error_set(err, PRM_ESYNTAX,
                                 export ? "%s takes only encrypt=yes, not "
                                          "%s= (usage: %s)"
                                        : "%s takes no KEY=VALUE such as "
                                          "%s= (usage: %s)",
                                 cmd, a->kv[i].key, usage);
        t->encrypt = strcmp(a->kv[i].value, "yes") == 0;
        if (!t->encrypt && strcmp(a->kv[i].value, "no") != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid encrypt '%.20s': yes or no",
                                 a->kv[i].value);
    }
    return PRM_OK;
}

/* FORMAT [KIND] [FILE] */
static prm_code parse_transfer(const cli_command *c, const cli_args *a,
                               transfer *t, prm_error *err)
{
    const char *cmd = c->name;
    *t = (transfer){.csv = false};
    if (a->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s takes no options (usage: %s)", cmd,
                             c->usage);
    prm_code erc = encrypt_arg(cmd, c->usage, a, t, err);
    if (erc != PRM_OK)
        return erc;
    if (a->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s needs a format: json, jsonl or csv", cmd);
    const char *f = a->pos[0];
    size_t next = 1;
    if (strcmp(f, "json") == 0)
        t->format = PRM_FORMAT_JSON;
    else if (strcmp(f, "jsonl") == 0)
        t->format = PRM_FORMAT_JSONL;
    else if (strcmp(f, "csv") == 0) {
        t->csv = true;
        prm_code rc = csv_kind(cmd, a, t, err);
        if (rc != PRM_OK)
            return rc;
        next = 2;
    } else {
        char where[16];
        snprintf(where, sizeof where, " for %s", cmd);
        return prm_error_choice(err, PRM_EINVALID_VALUE, "unknown format", f,
                                where, "formats are", "json, jsonl, csv");
    }
    if (a->npos > next + 1)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: %s)",
                             a->pos[next + 1], c->usage);
    t->file = a->npos > next ? a->pos[next] : NULL;
    return PRM_OK;
}

/* An export file holds partner data: only its owner may read it. */
static FILE *create_private(const char *path, prm_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        prm_error_set(err, PRM_EIO, "cannot write %s: %s", path,
                      strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

static prm_code run_export(cli_ctx *ctx, const transfer *t, FILE *out,
                           prm_counts *counts, prm_error *err)
{
    *counts = (prm_counts){{0}};
    if (!t->csv)
        return prm_export(ctx->db, t->format, out, counts, err);
    return prm_export_csv(ctx->db, t->kind->kind, out, &counts->n[t->kind->kind],
                          err);
}

typedef struct export_job {
    cli_ctx *ctx;
    const transfer *t;
} export_job;

static prm_code write_export(FILE *f, void *c, prm_error *err)
{
    export_job *job = c;
    prm_counts counts;
    return run_export(job->ctx, job->t, f, &counts, err);
}

/* With --json every command answers with one JSON object: an export to
 * stdout as CSV or JSON Lines goes out as one string,
 * {"ok":true,"csv":"..."} (cli_json_string_of). */
static prm_code export_as_string(cli_ctx *ctx, const transfer *t,
                                 prm_error *err)
{
    export_job job = {ctx, t};
    return cli_json_string_of(ctx->out, t->csv ? "csv" : "jsonl",
                              write_export, &job, err);
}

/* export ... FILE encrypt=yes: the passphrase first (nothing is written
 * if it is not given), then the export sealed into FILE. */
static prm_code export_sealed(cli_ctx *ctx, const transfer *t, prm_error *err)
{
    char pass[256];
    size_t len;
    prm_code rc = prm_export_target(ctx->db, t->file, err);
    if (rc == PRM_OK)
        rc = cli_passphrase(true, pass, sizeof pass, &len, err);
    if (rc != PRM_OK)
        return rc;
    FILE *f = create_private(t->file, err), *sealed = NULL;
    if (f == NULL)
        rc = err->code;
    if (rc == PRM_OK)
        rc = prm_seal_open(f, pass, len, &sealed, err);
    prm_wipe(pass, sizeof pass);
    prm_counts counts;
    if (rc == PRM_OK)
        rc = run_export(ctx, t, sealed, &counts, err);
    if (sealed != NULL && fclose(sealed) != 0 && rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", t->file,
                           strerror(errno));
    if (f != NULL && fclose(f) != 0 && rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", t->file,
                           strerror(errno));
    if (rc == PRM_OK)
        ctx->out->ops->transferred(ctx->out, "exported", t->file, &counts,
                                   t->csv ? (int)t->kind->kind : -1);
    else if (f != NULL)
        unlink(t->file); /* no half-sealed file left behind */
    return rc;
}

/* An encrypted file to import: its text, once the passphrase opens it
 * and every chunk checks. */
static prm_code open_sealed(FILE *f, FILE **text, prm_error *err)
{
    char pass[256];
    size_t len;
    prm_code rc = cli_passphrase(false, pass, sizeof pass, &len, err);
    if (rc == PRM_OK)
        rc = prm_sealed_open(f, pass, len, text, err);
    prm_wipe(pass, sizeof pass);
    return rc;
}

prm_code cli_cmd_export(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    transfer t;
    prm_code rc = parse_transfer(cmd, args, &t, err);
    if (rc != PRM_OK)
        return rc;
    if (t.file != NULL && strcmp(t.file, "-") == 0)
        t.file = NULL; /* "-" is stdout, not a file called "-" */
    prm_counts counts;
    bool one_object = !t.csv && t.format == PRM_FORMAT_JSON;
    if (t.encrypt && t.file == NULL)
        return prm_error_set(err, PRM_ESYNTAX,
                             "encrypt=yes writes a FILE: give one (usage: "
                             "export FORMAT [KIND] FILE encrypt=yes)");
    if (t.encrypt)
        return export_sealed(ctx, &t, err);
    if (t.file == NULL && ctx->out->ops == &cli_json_ops && !one_object)
        return export_as_string(ctx, &t, err);
    if (t.file == NULL) /* to stdout: the export is the output */
        return run_export(ctx, &t, ctx->out->out, &counts, err);
    if (prm_export_target(ctx->db, t.file, err) != PRM_OK)
        return err->code;
    FILE *f = create_private(t.file, err);
    if (f == NULL)
        return err->code;
    rc = run_export(ctx, &t, f, &counts, err);
    if (fclose(f) != 0 && rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", t.file,
                           strerror(errno));
    if (rc == PRM_OK)
        ctx->out->ops->transferred(ctx->out, "exported", t.file, &counts,
                                   t.csv ? (int)t.kind->kind : -1);
    return rc;
}

typedef struct import_progress {
    struct timespec start;
    bool shown;
} import_progress;

static long since_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 +
           (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* After a second, how many records and how fast, on a terminal's stderr. */
static void show_progress(void *ctx, int64_t done)
{
    import_progress *p = ctx;
    long ms = since_ms(&p->start);
    if (ms < 1000)
        return;
    fprintf(stderr, "\rprm: imported %lld records, %.0f records/s   ",
            (long long)done, done * 1000.0 / (double)ms);
    p->shown = true;
}

prm_code cli_cmd_import(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    transfer t;
    prm_code rc = parse_transfer(cmd, args, &t, err);
    if (rc != PRM_OK)
        return rc;
    if (t.file == NULL)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "import needs a FILE (usage: import %s%s%s FILE)",
                             args->pos[0], t.csv ? " " : "",
                             t.csv ? args->pos[1] : "");
    /* "-" is stdin, when the commands do not come from it:
     * curl ... | prm import jsonl - */
    bool from_stdin = strcmp(t.file, "-") == 0;
    if (from_stdin && !ctx->stdin_free)
        return prm_error_set(err, PRM_EIO,
                             "cannot read stdin: the commands come from it; "
                             "give a file, or run prm import %s - as a "
                             "command of its own",
                             args->pos[0]);
    if (from_stdin)
        t.file = "stdin";
    FILE *f = from_stdin ? stdin : fopen(t.file, "r");
    if (f != NULL && cli_is_folder(fileno(f))) {
        if (!from_stdin)
            fclose(f);
        f = NULL;
        errno = EISDIR; /* again: fclose may have set it */
    }
    if (f == NULL)
        return prm_error_set(err, PRM_EIO, "cannot read %s: %s", t.file,
                             strerror(errno));
    FILE *text = NULL;
    if (!from_stdin && prm_is_sealed(f)) {
        rc = open_sealed(f, &text, err);
        if (rc != PRM_OK) {
            fclose(f);
            return prm_error_set(err, err->code, "%s: %s; nothing was "
                                 "imported", t.file, err->message);
        }
    }
    FILE *in = text != NULL ? text : f;
    prm_counts counts = {{0}};
    import_progress progress = {.shown = false};
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    if (isatty(STDERR_FILENO))
        prm_set_progress(ctx->db, show_progress, &progress);
    if (t.csv)
        rc = prm_import_csv(ctx->db, t.kind->kind, in,
                            &counts.n[t.kind->kind], err);
    else
        rc = prm_import(ctx->db, t.format, in, &counts, err);
    if (text != NULL)
        fclose(text);
    prm_set_progress(ctx->db, NULL, NULL);
    if (progress.shown)
        fprintf(stderr, "\rprm: %s after %.1f s%30s\n",
                rc == PRM_OK ? "import done" : "import failed",
                since_ms(&progress.start) / 1000.0, "");
    if (!from_stdin)
        fclose(f);
    if (rc == PRM_OK) {
        ctx->out->ops->transferred(ctx->out, "imported", t.file, &counts,
                                   t.csv ? (int)t.kind->kind : -1);
        return PRM_OK;
    }
    return prm_error_set(err, err->code, "%s: %s; nothing was imported",
                         t.file, err->message);
}
