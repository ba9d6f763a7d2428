/*
 * cmd_deal.c - the verbs only a deal has: the moves of its status
 * (approve, reject, extend, won, lost, cancel).  Each prints the deal as
 * it now stands, as update does.
 */
#include "commands.h"

prm_code cli_verb_deal_move(cli_ctx *ctx, const prm_kind_info *info,
                            const cli_args *args, prm_error *err)
{
    prm_deal_move move;
    if (!prm_deal_move_find(args->verb, &move))
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "unknown command 'deal %s'", args->verb);
    int64_t id;
    prm_code rc = prm_deal_move_run(ctx->db, move, args->pos[0], args->kv,
                                    args->nkv, &id, err);
    if (rc == PRM_OK)
        rc = cli_report_change(ctx, info, prm_deal_move_done(move), id, err);
    return rc;
}
