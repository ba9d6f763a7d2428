/*
 * cmd_numbers.c - the commands that compute: metrics, report partners and
 * report trend, insights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

prm_code cli_cmd_metrics(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err)
{
    (void)cmd;
    if (args->npos > 0 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: metrics "
                             "[FILTER=VALUE...])",
                             args->npos ? args->pos[0] : args->flags[0]);
    prm_metrics m;
    prm_code rc = prm_metrics_compute(ctx->db, args->kv, args->nkv, &m, err);
    if (rc == PRM_OK)
        ctx->out->ops->metrics(ctx->out, &m);
    return rc;
}

static bool report_row(void *ctx, const prm_report_row *r)
{
    cli_ctx *c = ctx;
    return c->out->ops->report_row(c->out, r);
}

static bool trend_row(void *ctx, const prm_trend_row *r)
{
    cli_ctx *c = ctx;
    return c->out->ops->trend_row(c->out, r);
}

/* report trend [by=...] [metric=...] [filters]: metric= only chooses what
 * the chart shows, so it stays here in the front end. */
static prm_code report_trend(cli_ctx *ctx, const cli_args *args,
                             prm_error *err)
{
    if (args->npos > 1 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: report trend "
                             "[by=month|quarter|year] [metric=NAME] "
                             "[FILTER=VALUE...])",
                             args->npos > 1 ? args->pos[1] : args->flags[0]);
    const char *metric = "projects", *by = "month";
    /* The filters for the core: all but metric=, which says what to draw. */
    prm_arg *rest = malloc((args->nkv + 1) * sizeof *rest);
    if (rest == NULL)
        return prm_error_nomem(err);
    size_t nrest = 0;
    for (size_t i = 0; i < args->nkv; i++) {
        if (strcmp(args->kv[i].key, "metric") != 0) {
            if (strcmp(args->kv[i].key, "by") == 0)
                by = args->kv[i].value;
            rest[nrest++] = args->kv[i];
            continue;
        }
        metric = NULL;
        for (size_t m = 0; prm_trend_metrics[m] != NULL; m++)
            if (strcmp(prm_trend_metrics[m], args->kv[i].value) == 0)
                metric = prm_trend_metrics[m];
        if (metric == NULL) {
            free(rest);
            char names[512];
            return prm_error_choice(
                err, PRM_EINVALID_VALUE, "invalid metric", args->kv[i].value,
                "", "metrics are",
                prm_words_text(prm_trend_metrics, names, sizeof names));
        }
    }
    ctx->out->ops->trend_begin(ctx->out, by, metric);
    prm_code rc = prm_trend(ctx->db, rest, nrest, trend_row, ctx, err);
    ctx->out->ops->trend_end(ctx->out, rc == PRM_OK);
    free(rest);
    return rc;
}

prm_code cli_cmd_report(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err)
{
    (void)cmd;
    if (args->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "report needs a kind of report: report partners, "
                             "report trend or report html FILE");
    if (strcmp(args->pos[0], "trend") == 0)
        return report_trend(ctx, args, err);
    if (strcmp(args->pos[0], "html") == 0)
        return cli_report_html(ctx, args, err);
    if (strcmp(args->pos[0], "partners") != 0)
        return prm_error_choice(err, PRM_EUNKNOWN_COMMAND, "unknown report",
                                args->pos[0], "", "reports are",
                                "partners, trend, html");
    bool explain = false;
    for (size_t i = 0; i < args->nflags; i++) {
        if (strcmp(args->flags[i], "--explain") != 0)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "unknown option '%s' for report partners; it "
                                 "takes --explain",
                                 args->flags[i]);
        explain = true;
    }
    if (args->npos > 1)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: report partners "
                             "[FILTER=VALUE...] [--explain])",
                             args->pos[1]);
    ctx->out->ops->report_begin(ctx->out, explain);
    prm_code rc = prm_report_partners(ctx->db, args->kv, args->nkv,
                                      report_row, ctx, err);
    ctx->out->ops->report_end(ctx->out, rc == PRM_OK);
    return rc;
}

static bool finding(void *ctx, const prm_finding *f)
{
    cli_ctx *c = ctx;
    return c->out->ops->finding(c->out, f);
}

prm_code cli_cmd_insights(cli_ctx *ctx, const cli_command *cmd,
                          const cli_args *args, prm_error *err)
{
    (void)cmd;
    if (args->npos > 0 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: insights "
                             "[FILTER=VALUE...])",
                             args->npos ? args->pos[0] : args->flags[0]);
    ctx->out->ops->insights_begin(ctx->out);
    prm_code rc =
        prm_insights(ctx->db, args->kv, args->nkv, finding, ctx, err);
    ctx->out->ops->insights_end(ctx->out, rc == PRM_OK);
    return rc;
}
