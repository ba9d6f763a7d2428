/*
 * cmd_transfer.c - export and import: whole databases as JSON or JSON
 * Lines (README: Formats).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static prm_code parse_format(const char *cmd, const cli_args *a,
                             prm_format *format, prm_error *err)
{
    if (a->nkv > 0 || a->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s takes no FIELD=VALUE or options (usage: %s "
                             "json|jsonl FILE)",
                             cmd, cmd);
    if (a->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s needs a format: json or jsonl", cmd);
    if (strcmp(a->pos[0], "json") == 0)
        *format = PRM_FORMAT_JSON;
    else if (strcmp(a->pos[0], "jsonl") == 0)
        *format = PRM_FORMAT_JSONL;
    else
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "unknown format '%s' for %s; formats are: json, "
                             "jsonl",
                             a->pos[0], cmd);
    if (a->npos > 2)
        return prm_error_set(err, PRM_ESYNTAX, "unexpected word '%s'",
                             a->pos[2]);
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

prm_code cli_cmd_export(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    (void)cmd;
    prm_format format;
    prm_code rc = parse_format("export", args, &format, err);
    if (rc != PRM_OK)
        return rc;
    prm_counts counts;
    if (args->npos < 2) /* to stdout: the export is the output */
        return prm_export(ctx->db, format, ctx->out->out, &counts, err);
    const char *path = args->pos[1];
    FILE *f = create_private(path, err);
    if (f == NULL)
        return err->code;
    rc = prm_export(ctx->db, format, f, &counts, err);
    if (fclose(f) != 0 && rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", path,
                           strerror(errno));
    if (rc == PRM_OK)
        ctx->out->ops->transferred(ctx->out, "exported", path, &counts);
    return rc;
}

prm_code cli_cmd_import(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    (void)cmd;
    prm_format format;
    prm_code rc = parse_format("import", args, &format, err);
    if (rc != PRM_OK)
        return rc;
    if (args->npos < 2)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "import needs a FILE (usage: import %s FILE)",
                             args->pos[0]);
    const char *path = args->pos[1];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return prm_error_set(err, PRM_EIO, "cannot read %s: %s", path,
                             strerror(errno));
    prm_counts counts;
    rc = prm_import(ctx->db, format, f, &counts, err);
    fclose(f);
    if (rc == PRM_OK)
        ctx->out->ops->transferred(ctx->out, "imported", path, &counts);
    else {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        prm_error_set(err, err->code, "%s: %s; nothing was imported", path,
                      msg);
    }
    return rc;
}
