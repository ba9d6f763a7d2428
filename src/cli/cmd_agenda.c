/*
 * cmd_agenda.c - agenda: what needs doing, grouped by when; and agenda
 * ics [FILE], the same as an iCalendar file (written beside its name and
 * renamed into place, cli_write_beside).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static bool agenda_item(void *c, const prm_agenda_item *it)
{
    cli_ctx *ctx = c;
    return ctx->out->ops->agenda_item(ctx->out, it);
}

typedef struct ics_job {
    cli_ctx *ctx;
    const cli_args *args;
    int64_t items;
} ics_job;

static prm_code write_ics(FILE *f, void *c, prm_error *err)
{
    ics_job *job = c;
    return prm_agenda_ics(job->ctx->db, job->args->kv, job->args->nkv, f,
                          &job->items, err);
}

/* agenda ics [FILE]: to the file, or standard output (in JSON mode as
 * one string, {"ok":true,"ics":"..."}, as an export to stdout is). */
static prm_code agenda_ics(cli_ctx *ctx, const cli_args *args, prm_error *err)
{
    const char *file = args->npos > 1 ? args->pos[1] : NULL;
    ics_job job = {ctx, args, 0};
    if (file != NULL && strcmp(file, "-") == 0)
        file = NULL;
    if (file != NULL) {
        prm_code rc = cli_write_beside(file, write_ics, &job, err);
        if (rc == PRM_OK)
            ctx->out->ops->calendar_written(ctx->out, file, job.items);
        return rc;
    }
    if (ctx->out->ops != &cli_json_ops)
        return write_ics(ctx->out->out, &job, err);
    return cli_json_string_of(ctx->out, "ics", write_ics, &job, err);
}

prm_code cli_cmd_agenda(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    bool ics = args->npos > 0 && strcmp(args->pos[0], "ics") == 0;
    size_t most = ics ? 2 : 0;
    if (args->npos > most || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: %s)",
                             args->npos > most ? args->pos[most]
                                               : args->flags[0],
                             cmd->usage);
    if (ics)
        return agenda_ics(ctx, args, err);
    ctx->out->ops->agenda_begin(ctx->out);
    prm_code rc = prm_agenda(ctx->db, args->kv, args->nkv,
                             ctx->out->ops->ref_names, agenda_item, ctx, err);
    ctx->out->ops->agenda_end(ctx->out, rc == PRM_OK);
    return rc;
}
