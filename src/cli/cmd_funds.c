/*
 * cmd_funds.c - the verbs only requests and claims have: their moves
 * (request approve, reject, cancel; claim approve, reject, pay), each
 * printing the record as it now stands, as update does.
 */
#include "commands.h"

prm_code cli_verb_money_move(cli_ctx *ctx, const prm_kind_info *info,
                             const cli_args *args, prm_error *err)
{
    prm_money_move move;
    if (!prm_money_move_find(info->kind, args->verb, &move))
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "unknown command '%s %s'", info->name,
                             args->verb);
    int64_t id;
    prm_code rc = prm_money_move_run(ctx->db, move, args->pos[0], args->kv,
                                     args->nkv, &id, err);
    if (rc == PRM_OK)
        rc = cli_report_change(ctx, info, prm_money_move_done(move), id, err);
    return rc;
}
