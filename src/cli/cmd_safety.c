/*
 * cmd_safety.c - audit, undo, backup, check: keeping the data safe.
 */
#include <stdlib.h>
#include <string.h>

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

prm_code cli_cmd_backup(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    prm_code rc = no_words(cmd, args, 1, false, err);
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
    rc = prm_backup(ctx->db, args->pos[0], err);
    if (rc == PRM_OK)
        ctx->out->ops->backed_up(ctx->out, args->pos[0]);
    return rc;
}

prm_code cli_cmd_check(cli_ctx *ctx, const cli_command *cmd,
                       const cli_args *args, prm_error *err)
{
    prm_code rc = no_words(cmd, args, 0, false, err);
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
