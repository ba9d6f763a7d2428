/*
 * cmd_tier.c - the verbs only a tier has: tier review (a row per partner
 * in scope: its tier, the one it qualifies for, what the next one up
 * needs) and tier apply (each partner's tier set to the one it
 * qualifies for).
 */
#include "commands.h"

static bool tier_row(void *ctx, const prm_tier_row *r)
{
    cli_ctx *c = ctx;
    return c->out->ops->tier_row(c->out, r);
}

prm_code cli_verb_tier_review(cli_ctx *ctx, const prm_kind_info *info,
                              const cli_args *args, prm_error *err)
{
    (void)info;
    ctx->out->ops->tiers_begin(ctx->out, false);
    prm_code rc = prm_tier_review(ctx->db, args->kv, args->nkv, tier_row,
                                  ctx, err);
    ctx->out->ops->tiers_end(ctx->out, rc == PRM_OK, 0);
    return rc;
}

prm_code cli_verb_tier_apply(cli_ctx *ctx, const prm_kind_info *info,
                             const cli_args *args, prm_error *err)
{
    (void)info;
    int64_t changed = 0;
    ctx->out->ops->tiers_begin(ctx->out, true);
    prm_code rc = prm_tier_apply(ctx->db, args->kv, args->nkv, tier_row, ctx,
                                 &changed, err);
    ctx->out->ops->tiers_end(ctx->out, rc == PRM_OK, changed);
    return rc;
}
