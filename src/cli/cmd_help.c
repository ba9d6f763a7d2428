/*
 * cmd_help.c - help: the commands by group, or one command with its usage,
 * fields, filters and examples, all read from the command and kind tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

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

/* The names line up after the longest, at least 13 wide. */
static void help_field(FILE *f, const prm_field *fld, int width)
{
    char name[40];
    snprintf(name, sizeof name, "%s%s", fld->name,
             fld->flags & PRM_FF_REQUIRED ? "*" : "");
    fprintf(f, "  %-*s %s", width, name, fld->help);
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
        if (n > width && cli_verb_of(&cli_verbs[i], info))
            width = n;
    }
    for (size_t i = 0; i < cli_nverbs; i++) {
        if (!cli_verb_of(&cli_verbs[i], info))
            continue;
        int n = fprintf(f, "  %s %s %s", info->name, cli_verbs[i].name,
                        cli_verbs[i].args);
        fprintf(f, "%*s%s\n", n < 0 ? 1 : width + 4 - n, "",
                cli_verbs[i].summary);
    }
    if (c->alias != NULL)
        fprintf(f, "  ('%s' is short for '%s')\n", c->alias, c->name);
    fputs("\nFields (* required on add):\n", f);
    int names = 13;
    for (size_t i = 0; i < info->nfields; i++)
        if ((int)strlen(info->fields[i].name) + 1 > names)
            names = (int)strlen(info->fields[i].name) + 1;
    for (size_t i = 0; i < info->nfields; i++)
        help_field(f, &info->fields[i], names);
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
    if (info->kind == PRM_DEAL)
        fputs("\nAn approved deal past its expires reads as expired, with no "
              "command run.\nlist also takes active=yes|no (submitted, or "
              "approved and not expired),\nexpiring=N (approved, expiring "
              "within N days) and conflicts=yes|no.\nTwo deals conflict when "
              "of different partners, both active, for the same\ncustomer "
              "(domain or subdomain; else the name without case, punctuation\n"
              "and legal form) and overlapping products.", f);
    static const char *const dated_by[PRM_KIND_COUNT] = {
        [PRM_PARTNER] = "created_at",
        [PRM_PROJECT] = "start (else created_at)",
        [PRM_COMMUNICATION] = "at",
        [PRM_RESOURCE] = "at",
        [PRM_OUTCOME] = "at",
        [PRM_DEAL] = "created_at",
        [PRM_TASK] = "created_at",
        [PRM_FUND] = "start",
        [PRM_REQUEST] = "created_at",
        [PRM_CLAIM] = "created_at"};
    if (dated_by[info->kind] != NULL)
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

/* help --words TOPIC: the KEY= words Tab offers after TOPIC, on one line,
 * from the tables (the bash completion of one-shot commands asks for them):
 * a kind's fields that can be set (and partner= for a project's partners),
 * or the keys of metrics, report partners, report trend ("partners",
 * "trend"), insights and audit. */
static prm_code help_words(FILE *f, const char *topic, const char *verb,
                           prm_error *err)
{
    const prm_kind_info *info = prm_kind_find(topic);
    const char *sep = "";
    const char *const *keys =
        info != NULL && verb != NULL ? prm_verb_keys(info->kind, verb) : NULL;
    if (keys != NULL) { /* a verb of the kind's own: its keys */
        for (size_t i = 0; keys[i] != NULL; i++, sep = " ")
            fprintf(f, "%s%s=", sep, keys[i]);
        fputc('\n', f);
        return PRM_OK;
    }
    if (info != NULL) {
        for (size_t i = 0; i < info->nfields; i++) {
            const prm_field *fld = &info->fields[i];
            if (fld->flags & PRM_FF_READONLY)
                continue;
            if (fld->type == PRM_F_PARTNER_LIST) {
                fprintf(f, "%spartner=", sep);
                sep = " ";
            }
            fprintf(f, "%s%s=", sep, fld->name);
            sep = " ";
        }
        fputc('\n', f);
        return PRM_OK;
    }
    char command[64];
    snprintf(command, sizeof command, "%s%s",
             strcmp(topic, "partners") == 0 || strcmp(topic, "trend") == 0
                 ? "report "
                 : "",
             topic);
    keys = prm_command_keys(command);
    if (keys == NULL)
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "no words for '%.40s': help --words takes a "
                             "kind, metrics, partners, trend, insights or "
                             "audit",
                             topic);
    for (size_t i = 0; keys[i] != NULL; i++, sep = " ")
        fprintf(f, "%s%s=", sep, keys[i]);
    fputc('\n', f);
    return PRM_OK;
}

prm_code cli_cmd_help(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err)
{
    (void)cmd;
    const cli_command *topic = NULL;
    bool words = args->nflags == 1 && strcmp(args->flags[0], "--words") == 0;
    if (args->nflags > 0 && !words)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: help [COMMAND], "
                             "or help --words TOPIC)",
                             args->flags[0]);
    if (words && args->npos != 1 && args->npos != 2)
        return prm_error_set(err, PRM_ESYNTAX,
                             "help --words takes one topic: a kind (and one "
                             "of its verbs), metrics, partners, trend, "
                             "insights or audit");
    if (args->npos > 0 && !words) {
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
    prm_code rc = PRM_OK;
    if (words)
        rc = help_words(f, args->pos[0], args->npos == 2 ? args->pos[1] : NULL,
                        err);
    else if (topic != NULL)
        help_command(f, topic);
    else
        help_overview(f);
    if (fclose(f) != 0 || text == NULL || rc != PRM_OK) {
        free(text);
        return rc != PRM_OK ? rc : prm_error_nomem(err);
    }
    ctx->out->ops->text(ctx->out, "help", text);
    free(text);
    return PRM_OK;
}
