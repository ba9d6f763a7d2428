/*
 * cmd_session.c - the commands of a session: what a person can set at the
 * prompt (set json|color|pager on|off), the config file that sets them at
 * start, the history list, and quit.
 *
 * The config file, $XDG_CONFIG_HOME/prm/config (else ~/.config/prm/config),
 * holds `set` commands, one a line, with # comments; the prompt runs them
 * when it starts.  Scripts and one-shot commands ignore it, so that what a
 * job prints never depends on who runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

/* $XDG_<var>/prm/<file>, else ~/<fallback>/prm/<file>. */
static bool xdg_path(const char *var, const char *fallback, const char *file,
                     char *buf, size_t size)
{
    const char *base = getenv(var);
    const char *home = getenv("HOME");
    int n;
    if (base != NULL && *base == '/')
        n = snprintf(buf, size, "%s/prm/%s", base, file);
    else if (home != NULL && *home != '\0')
        n = snprintf(buf, size, "%s/%s/prm/%s", home, fallback, file);
    else
        return false;
    return n > 0 && (size_t)n < size;
}

bool cli_history_path(char *buf, size_t size)
{
    return xdg_path("XDG_STATE_HOME", ".local/state", "history", buf, size);
}

bool cli_config_path(char *buf, size_t size)
{
    return xdg_path("XDG_CONFIG_HOME", ".config", "config", buf, size);
}

static void show_settings(cli_ctx *ctx)
{
    ctx->out->ops->settings(ctx->out, ctx->out->ops == &cli_json_ops,
                            ctx->out->ops == cli_csv_ops(), ctx->out->color,
                            ctx->pager);
}

prm_code cli_cmd_set(cli_ctx *ctx, const cli_command *cmd,
                     const cli_args *args, prm_error *err)
{
    (void)cmd;
    if (args->npos == 0 && args->nkv == 0) {
        show_settings(ctx);
        return PRM_OK;
    }
    if (args->npos != 2 || args->nkv > 0 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "usage: set json|csv|color|pager on|off (set "
                             "alone lists them)");
    const char *name = args->pos[0], *value = args->pos[1];
    bool json = strcmp(name, "json") == 0, csv = strcmp(name, "csv") == 0;
    bool color = strcmp(name, "color") == 0 || strcmp(name, "colour") == 0;
    if (!json && !csv && !color && strcmp(name, "pager") != 0)
        return prm_error_choice(err, PRM_EUNKNOWN_FIELD, "unknown setting",
                                name, "", "settings are",
                                "json, csv, color, pager");
    bool on = strcmp(value, "on") == 0;
    if (!on && strcmp(value, "off") != 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid value '%.20s' for %s: on or off", value,
                             name);
    /* A program that asked for --json reads every answer as JSON. */
    if (json && !on && ctx->json_fixed)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "--json is on for this run: every command "
                             "answers in JSON (start prm without --json to "
                             "switch it at the prompt)");
    if (csv && on && ctx->json_fixed)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "--json is on for this run: every command "
                             "answers in JSON");
    if (json)
        ctx->out->ops = on ? &cli_json_ops : &cli_text_ops;
    else if (csv)
        ctx->out->ops = on ? cli_csv_ops() : &cli_text_ops;
    else if (color)
        cli_out_set_color(ctx->out, on);
    else
        ctx->pager = on;
    ctx->out->ops->ok(ctx->out);
    return PRM_OK;
}

/* history [N]: the last N (default 20) entries of the prompt's history,
 * numbered as readline numbers them. */
prm_code cli_cmd_history(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err)
{
    (void)cmd;
    long want = 20;
    if (args->npos > 1 || args->nkv > 0 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX, "usage: history [N]");
    if (args->npos == 1) {
        char *end;
        want = strtol(args->pos[0], &end, 10);
        if (*end != '\0' || want < 1)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid count '%.20s': a whole number from "
                                 "1",
                                 args->pos[0]);
    }
    char path[4096];
    FILE *f = cli_history_path(path, sizeof path) ? fopen(path, "r") : NULL;
    char *text = NULL, *line = NULL;
    size_t tlen = 0, cap = 0;
    FILE *out = open_memstream(&text, &tlen);
    if (out == NULL) {
        if (f)
            fclose(f);
        return prm_error_nomem(err);
    }
    long total = 0;
    while (f != NULL && getline(&line, &cap, f) >= 0)
        total++;
    if (f != NULL)
        rewind(f);
    long n = 0;
    while (f != NULL && getline(&line, &cap, f) >= 0)
        if (++n > total - want)
            fprintf(out, "%5ld  %s", n, line);
    free(line);
    if (f != NULL)
        fclose(f);
    fclose(out);
    /* Text that says nothing would look like a command that did nothing;
     * JSON's empty string is plain enough. */
    bool none = text == NULL || *text == '\0';
    if (none && ctx->out->ops != &cli_json_ops)
        ctx->out->ops->text(ctx->out, "history",
                            "no history yet: the prompt keeps what is "
                            "typed at it (help history)\n");
    else
        ctx->out->ops->text(ctx->out, "history", text ? text : "");
    free(text);
    return PRM_OK;
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
