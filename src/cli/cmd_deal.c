/*
 * cmd_deal.c - the verbs only a deal has: the moves of its status
 * (approve, reject, extend, won, lost, cancel), each printing the deal as
 * it now stands, as update does; and deal conflicts.
 */
#include <stdlib.h>
#include <string.h>

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

/* deal conflicts [FILTER...]: the active deals in conflict, each with the
 * deals it conflicts with (its conflicts column), as a list. */
prm_code cli_verb_deal_conflicts(cli_ctx *ctx, const prm_kind_info *info,
                                 const cli_args *args, prm_error *err)
{
    prm_arg *filters = malloc((args->nkv + 2) * sizeof *filters);
    if (filters == NULL)
        return prm_error_nomem(err);
    filters[0] = (prm_arg){"active", "yes"};
    filters[1] = (prm_arg){"conflicts", "yes"};
    if (args->nkv > 0)
        memcpy(filters + 2, args->kv, args->nkv * sizeof *filters);
    cli_args all = *args;
    all.kv = filters;
    all.nkv = args->nkv + 2;
    prm_code rc = cli_verb_list(ctx, info, &all, err);
    free(filters);
    return rc;
}
