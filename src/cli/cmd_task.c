/*
 * cmd_task.c - the verbs only a task has: done, cancel and reopen, each
 * printing the task as it now stands, as update does.
 */
#include "commands.h"

prm_code cli_verb_task_move(cli_ctx *ctx, const prm_kind_info *info,
                            const cli_args *args, prm_error *err)
{
    prm_task_move move;
    if (!prm_task_move_find(args->verb, &move))
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "unknown command 'task %s'", args->verb);
    int64_t id;
    prm_code rc = prm_task_move_run(ctx->db, move, args->pos[0], &id, err);
    if (rc == PRM_OK)
        rc = cli_report_change(ctx, info, prm_task_move_done(move), id, err);
    return rc;
}
