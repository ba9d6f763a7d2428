/*
 * cmd_safety.c - audit, undo, backup, check: keeping the data safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

/* Refuse an option, more than pos words, or (unless fields) a
 * FIELD=VALUE, showing the command's usage. */
static prm_code no_words(const cli_command *cmd, const cli_args *a,
                         size_t pos, bool fields, prm_error *err)
{
    if (a->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX, "unknown option '%s' for %s",
                             a->flags[0], cmd->name);
    if (a->npos > pos)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: %s)", a->pos[pos],
                             cmd->usage);
    if (!fields && a->nkv > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s takes no FIELD=VALUE (usage: %s)", cmd->name,
                             cmd->usage);
    return PRM_OK;
}

static bool audit_row(void *ctx, const prm_audit_entry *e)
{
    cli_ctx *c = ctx;
    return c->out->ops->audit_row(c->out, e);
}

prm_code cli_cmd_audit(cli_ctx *ctx, const cli_command *cmd,
                       const cli_args *args, prm_error *err)
{
    prm_code rc = no_words(cmd, args, 0, true, err);
    if (rc != PRM_OK)
        return rc;
    ctx->out->ops->audit_begin(ctx->out);
    rc = prm_audit(ctx->db, args->kv, args->nkv, audit_row, ctx, err);
    ctx->out->ops->audit_end(ctx->out, rc == PRM_OK);
    return rc;
}

/* The changes an undo reverted, all of them (at most the N asked for),
 * for the report. */
typedef struct undo_list {
    int64_t *changes;
    char **commands;
    size_t n, cap;
} undo_list;

/* A command whose copy cannot be made is reported without its text. */
static char no_text[] = "";

static void note_undone(void *ctx, int64_t change, const char *command)
{
    undo_list *u = ctx;
    if (u->n == u->cap)
        return; /* the core reports at most the N it was asked for */
    char *copy = strdup(command);
    u->changes[u->n] = change;
    u->commands[u->n++] = copy != NULL ? copy : no_text;
}

static void undo_list_free(undo_list *u)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->commands[i] != no_text)
            free(u->commands[i]);
    free(u->commands);
    free(u->changes);
}

prm_code cli_cmd_undo(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err)
{
    prm_code rc = no_words(cmd, args, 1, false, err);
    if (rc != PRM_OK)
        return rc;
    int n = 1;
    if (args->npos == 1) {
        char *end;
        long v = strtol(args->pos[0], &end, 10);
        if (*end != '\0' || v < 1 || v > 10000)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid count '%s': undo N takes a whole "
                                 "number from 1 to 10000",
                                 args->pos[0]);
        n = (int)v;
    }
    undo_list u = {.changes = malloc((size_t)n * sizeof *u.changes),
                   .commands = malloc((size_t)n * sizeof *u.commands),
                   .cap = (size_t)n};
    if (u.changes == NULL || u.commands == NULL) {
        undo_list_free(&u);
        return prm_error_nomem(err);
    }
    rc = prm_undo(ctx->db, n, note_undone, &u, err);
    if (rc == PRM_OK)
        ctx->out->ops->undone(ctx->out, u.changes, u.commands, u.n);
    undo_list_free(&u);
    return rc;
}

/* encrypt=yes|no, force=yes|no, repair=yes|no: the one KEY= of backup,
 * restore or check. */
static prm_code yes_no(const cli_command *cmd, const cli_args *a,
                       const char *key, bool *yes, prm_error *err)
{
    *yes = false;
    for (size_t i = 0; i < a->nkv; i++) {
        if (strcmp(a->kv[i].key, key) != 0)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "%s takes only %s=yes, not %s= (usage: %s)",
                                 cmd->name, key, a->kv[i].key, cmd->usage);
        *yes = strcmp(a->kv[i].value, "yes") == 0;
        if (!*yes && strcmp(a->kv[i].value, "no") != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%.20s': yes or no", key,
                                 a->kv[i].value);
    }
    return PRM_OK;
}

typedef struct sealing {
    FILE *plain;
    const char *pass;
    size_t len;
} sealing;

/* The plain backup's bytes sealed into f. */
static prm_code seal_copy(FILE *f, void *c, prm_error *err)
{
    sealing *s = c;
    FILE *sealed;
    prm_code rc = prm_seal_open(f, s->pass, s->len, &sealed, err);
    if (rc != PRM_OK)
        return rc;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, s->plain)) > 0)
        if (fwrite(buf, 1, n, sealed) != n)
            break;
    bool ok = !ferror(s->plain) && fclose(sealed) == 0;
    return ok ? PRM_OK
              : prm_error_set(err, PRM_EIO, "cannot write the encrypted "
                                            "backup");
}

/* backup FILE encrypt=yes: the passphrase first, then a plain backup
 * beside FILE, sealed into FILE and removed. */
static prm_code backup_sealed(cli_ctx *ctx, const char *file, prm_error *err)
{
    char pass[256];
    size_t len;
    prm_code rc = cli_passphrase(true, pass, sizeof pass, &len, err);
    if (rc != PRM_OK)
        return rc;
    size_t n = strlen(file) + 16;
    char *plain = malloc(n);
    int fd = -1;
    if (plain != NULL) {
        snprintf(plain, n, "%s.plainXXXXXX", file);
        fd = mkstemp(plain);
    }
    if (fd < 0)
        rc = plain == NULL ? prm_error_nomem(err)
                           : prm_error_set(err, PRM_EIO, "cannot write %s: %s",
                                           file, strerror(errno));
    else
        close(fd);
    if (rc == PRM_OK)
        rc = prm_backup(ctx->db, plain, err);
    sealing s = {.pass = pass, .len = len};
    if (rc == PRM_OK && (s.plain = fopen(plain, "rb")) == NULL)
        rc = prm_error_set(err, PRM_EIO, "cannot read %s: %s", plain,
                           strerror(errno));
    if (rc == PRM_OK)
        rc = cli_write_beside(file, seal_copy, &s, err);
    if (s.plain != NULL)
        fclose(s.plain);
    if (fd >= 0)
        unlink(plain);
    free(plain);
    prm_wipe(pass, sizeof pass);
    return rc;
}

prm_code cli_cmd_backup(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    bool encrypt;
    prm_code rc = no_words(cmd, args, 1, true, err);
    if (rc == PRM_OK)
        rc = yes_no(cmd, args, "encrypt", &encrypt, err);
    if (rc != PRM_OK)
        return rc;
    if (args->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "backup needs a FILE to write (usage: backup "
                             "FILE)");
    /* Elsewhere "-" is stdin or stdout; a backup is a database file. */
    if (strcmp(args->pos[0], "-") == 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "backup writes a database file, not stdout: "
                             "give its path (usage: backup FILE)");
    rc = encrypt ? backup_sealed(ctx, args->pos[0], err)
                 : prm_backup(ctx->db, args->pos[0], err);
    if (rc == PRM_OK)
        ctx->out->ops->backed_up(ctx->out, args->pos[0]);
    return rc;
}

/* An encrypted backup opened into a temporary file (mode 0600, removed
 * after the restore); *plain its path. */
static prm_code unseal_backup(FILE *f, char **plain, prm_error *err)
{
    char pass[256];
    size_t len;
    FILE *text = NULL;
    prm_code rc = cli_passphrase(false, pass, sizeof pass, &len, err);
    if (rc == PRM_OK)
        rc = prm_sealed_open(f, pass, len, &text, err);
    prm_wipe(pass, sizeof pass);
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(dir && *dir ? dir : "/tmp") + 32;
    *plain = rc == PRM_OK ? malloc(n) : NULL;
    if (rc == PRM_OK && *plain == NULL)
        rc = prm_error_nomem(err);
    int fd = -1;
    if (rc == PRM_OK) {
        snprintf(*plain, n, "%s/prm-restore.XXXXXX",
                 dir && *dir ? dir : "/tmp");
        fd = mkstemp(*plain);
        if (fd < 0)
            rc = prm_error_set(err, PRM_EIO, "cannot make %s: %s", *plain,
                               strerror(errno));
    }
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    char buf[65536];
    size_t got;
    while (rc == PRM_OK && out != NULL &&
           (got = fread(buf, 1, sizeof buf, text)) > 0)
        if (fwrite(buf, 1, got, out) != got)
            rc = prm_error_set(err, PRM_EIO, "cannot write %s", *plain);
    if (out != NULL && fclose(out) != 0 && rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s", *plain);
    if (text != NULL)
        fclose(text);
    return rc;
}

prm_code cli_cmd_restore(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err)
{
    bool force;
    prm_code rc = no_words(cmd, args, 1, true, err);
    if (rc == PRM_OK)
        rc = yes_no(cmd, args, "force", &force, err);
    if (rc != PRM_OK)
        return rc;
    if (args->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "restore needs the FILE of a backup (usage: %s)",
                             cmd->usage);
    const char *file = args->pos[0];
    FILE *f = fopen(file, "rb");
    if (f == NULL)
        return prm_error_set(err, PRM_EIO, "cannot read %s: %s", file,
                             strerror(errno));
    char *plain = NULL;
    if (prm_is_sealed(f))
        rc = unseal_backup(f, &plain, err);
    fclose(f);
    prm_counts counts = {{0}};
    if (rc == PRM_OK)
        rc = prm_restore(ctx->db, plain ? plain : file, force, &counts, err);
    if (plain != NULL) {
        unlink(plain);
        free(plain);
    }
    if (rc == PRM_OK)
        ctx->out->ops->transferred(ctx->out, "restored", file, &counts, -1);
    return rc == PRM_OK ? rc
                        : prm_error_set(err, err->code, "%s: %s", file,
                                        err->message);
}

prm_code cli_cmd_check(cli_ctx *ctx, const cli_command *cmd,
                       const cli_args *args, prm_error *err)
{
    bool repair;
    prm_code rc = no_words(cmd, args, 0, true, err);
    if (rc == PRM_OK)
        rc = yes_no(cmd, args, "repair", &repair, err);
    if (rc == PRM_OK && repair)
        rc = prm_check_repair(ctx->db, err);
    if (rc != PRM_OK)
        return rc;
    prm_check_report r;
    rc = prm_check(ctx->db, &r, err);
    if (rc != PRM_OK)
        return rc;
    ctx->out->ops->check(ctx->out, &r);
    if (r.problems > 0)
        return prm_error_set(err, PRM_EDB, "check found %d problem%s: %s",
                             r.problems, r.problems == 1 ? "" : "s",
                             r.summary);
    return PRM_OK;
}
