/*
 * cmd_misc.c - metrics, help, quit.
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
                             "report needs a kind of report: report partners "
                             "or report trend");
    if (strcmp(args->pos[0], "trend") == 0)
        return report_trend(ctx, args, err);
    if (strcmp(args->pos[0], "partners") != 0)
        return prm_error_choice(err, PRM_EUNKNOWN_COMMAND, "unknown report",
                                args->pos[0], "", "reports are",
                                "partners, trend");
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

prm_code cli_cmd_quit(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err)
{
    (void)cmd;
    if (args->npos + args->nkv + args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX, "quit takes no arguments");
    ctx->quit = true;
    ctx->out->ops->ok(ctx->out);
    return PRM_OK;
}

/* --- help ------------------------------------------------------------------ */

static void indent_lines(FILE *f, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(f, "  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

static void help_overview(FILE *f)
{
    fputs("prm - partner relationship management\n", f);
    const char *group = NULL;
    for (size_t i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        if (group == NULL || strcmp(group, c->group) != 0) {
            group = c->group;
            fprintf(f, "\n%s:\n", group);
        }
        char name[64];
        snprintf(name, sizeof name, "%s%s%s", c->usage ? c->usage : c->name,
                 c->alias && !c->usage ? ", " : "",
                 c->alias && !c->usage ? c->alias : "");
        /* A usage too long for the column gets its summary on the next
         * line, as git's help does, so that the summaries stay aligned. */
        if (strlen(name) > 28)
            fprintf(f, "  %s\n  %-28s %s\n", name, "", c->summary);
        else
            fprintf(f, "  %-28s %s\n", name, c->summary);
    }
    fputs("\nType 'help COMMAND' for its usage, fields and examples, e.g. "
          "'help partner'.\n",
          f);
}

static void help_field(FILE *f, const prm_field *fld)
{
    char name[32];
    snprintf(name, sizeof name, "%s%s", fld->name,
             fld->flags & PRM_FF_REQUIRED ? "*" : "");
    fprintf(f, "  %-13s %s", name, fld->help);
    if (fld->choices != NULL) {
        fputs("; one of:", f);
        for (size_t i = 0; fld->choices[i]; i++)
            fprintf(f, "%s %s", i ? "," : "", fld->choices[i]);
    }
    if (fld->default_value != NULL)
        fprintf(f, " (default %s)", fld->default_value);
    if (fld->type == PRM_F_DATE && !(fld->flags & PRM_FF_NOW))
        fputs(" (YYYY-MM-DD[THH:MM[:SS]])", f);
    fputc('\n', f);
}

static void help_kind(FILE *f, const cli_command *c)
{
    const prm_kind_info *info = c->kind();
    fprintf(f, "%s: %s\n\nUsage:\n", info->name, c->summary);
    /* The summaries line up after the longest usage of this kind. */
    int width = 0;
    for (size_t i = 0; i < cli_nverbs; i++) {
        int n = snprintf(NULL, 0, "%s %s %s", info->name, cli_verbs[i].name,
                         cli_verbs[i].args);
        if (n > width)
            width = n;
    }
    for (size_t i = 0; i < cli_nverbs; i++) {
        int n = fprintf(f, "  %s %s %s", info->name, cli_verbs[i].name,
                        cli_verbs[i].args);
        fprintf(f, "%*s%s\n", n < 0 ? 1 : width + 4 - n, "",
                cli_verbs[i].summary);
    }
    if (c->alias != NULL)
        fprintf(f, "  ('%s' is short for '%s')\n", c->alias, c->name);
    fputs("\nFields (* required on add):\n", f);
    for (size_t i = 0; i < info->nfields; i++)
        help_field(f, &info->fields[i]);
    /* Only partners and projects have names to refer to them by. */
    fprintf(f,
            "\nREF is an id%s.  FIELD= with nothing after it clears a "
            "field;\nas a list filter it matches records without one.",
            prm_field_find(info, "name") != NULL ? " or a name" : "");
    if (info->kind == PRM_PARTNER)
        fputs("\nlist also takes project=REF, more than once for partners "
              "in several.", f);
    if (info->kind == PRM_PROJECT)
        fputs("\nlist also takes partner=REF (the partner's projects; "
              "again for those\nof several partners); partners=A,B is the "
              "projects whose partners\nare A and B, no others.", f);
    if (info->kind == PRM_OUTCOME)
        fputs("\nlist also takes partner=REF, more than once for projects "
              "of several.", f);
    static const char *const dated_by[] = {
        [PRM_PARTNER] = "created_at",
        [PRM_PROJECT] = "start (else created_at)",
        [PRM_COMMUNICATION] = "at",
        [PRM_RESOURCE] = "at",
        [PRM_OUTCOME] = "at"};
    fprintf(f,
            "\nlist also takes since=DATE and until=DATE (both included): "
            "the %ss\nwhose %s is in that window.",
            info->name, dated_by[info->kind]);
    fputs("\n\nExamples:\n", f);
    indent_lines(f, c->examples);
}

static void help_command(FILE *f, const cli_command *c)
{
    if (c->kind != NULL) {
        help_kind(f, c);
        return;
    }
    fprintf(f, "%s: %s\n\nUsage:\n  %s\n", c->name, c->summary, c->usage);
    if (c->details != NULL) {
        fputc('\n', f);
        fputs(c->details, f);
    }
    fputs("\nExamples:\n", f);
    indent_lines(f, c->examples);
}

prm_code cli_cmd_help(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err)
{
    (void)cmd;
    const cli_command *topic = NULL;
    if (args->npos > 0) {
        topic = cli_command_find(args->pos[0]);
        if (topic == NULL) {
            const char *names[32];
            size_t n = 0;
            for (size_t i = 0; i < cli_ncommands && n < 32; i++)
                names[n++] = cli_commands[i].name;
            const char *near = prm_suggest(args->pos[0], names, n);
            if (near != NULL)
                return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                                     "no help for '%s'; did you mean '%s'?",
                                     args->pos[0], near);
            return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                                 "no help for '%s'; help lists the commands",
                                 args->pos[0]);
        }
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return prm_error_nomem(err);
    if (topic != NULL)
        help_command(f, topic);
    else
        help_overview(f);
    if (fclose(f) != 0 || text == NULL) {
        free(text);
        return prm_error_nomem(err);
    }
    ctx->out->ops->text(ctx->out, "help", text);
    free(text);
    return PRM_OK;
}
