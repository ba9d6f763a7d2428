/*
 * cmd_records.c - the verbs every record kind has: add, list, show, update,
 * delete.  Each checks the shape of its words, calls the core and hands
 * the result to the output.
 */
#include <string.h>

#include "commands.h"

/* "add, list, show, update or delete": the verbs of a kind, the last
 * joined by last_join. */
static void verb_names(const prm_kind_info *info, const char *last_join,
                       char *out, size_t size)
{
    size_t n = 0, len = 0, count = 0;
    for (size_t i = 0; i < cli_nverbs; i++)
        count += cli_verb_of(&cli_verbs[i], info);
    out[0] = '\0';
    for (size_t i = 0; i < cli_nverbs && len < size; i++) {
        if (!cli_verb_of(&cli_verbs[i], info))
            continue;
        n++;
        len += (size_t)snprintf(out + len, size - len, "%s%s",
                                n == 1 ? "" : n == count ? last_join : ", ",
                                cli_verbs[i].name);
    }
}

static prm_code verb_missing(const prm_kind_info *info, const char *verb,
                             prm_error *err)
{
    const char *names[32];
    size_t n = 0;
    for (size_t i = 0; i < cli_nverbs && n < 32; i++)
        if (cli_verb_of(&cli_verbs[i], info))
            names[n++] = cli_verbs[i].name;
    const char *near = verb ? prm_suggest(verb, names, n) : NULL;
    char all[256];
    if (verb == NULL) {
        verb_names(info, " or ", all, sizeof all);
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "%s needs a verb: %s (help %s)", info->name, all,
                             info->name);
    }
    if (near != NULL)
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "unknown command '%s %s'; did you mean '%s %s'?",
                             info->name, verb, info->name, near);
    verb_names(info, ", ", all, sizeof all);
    return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                         "unknown command '%s %s'; verbs are: %s", info->name,
                         verb, all);
}

/* Check the words fit the verb: one REF or none, fields or none, and only
 * the --flag it knows. */
static prm_code check_shape(const prm_kind_info *info, const cli_verb *v,
                            const cli_args *a, prm_error *err)
{
    for (size_t i = 0; i < a->nflags; i++)
        if (v->flag == NULL || strcmp(a->flags[i], v->flag) != 0)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "unknown option '%s' for %s %s%s%s",
                                 a->flags[i], info->name, v->name,
                                 v->flag ? "; it takes " : "",
                                 v->flag ? v->flag : "");
    if (v->takes_ref && a->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s %s needs a %s: an id or a name (usage: %s "
                             "%s %s)",
                             info->name, v->name, info->name, info->name,
                             v->name, v->args);
    size_t allowed = v->takes_ref ? 1 : 0;
    const char *stray = a->npos > allowed ? a->pos[allowed] : NULL;
    /* "partner add name" or "partner list region": a field, its value
     * forgotten, more likely than a name cut at a space. */
    if (stray != NULL && v->takes_fields && prm_field_find(info, stray))
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s has no value: write %s=VALUE (usage: %s %s "
                             "%s)",
                             stray, stray, info->name, v->name, v->args);
    if (stray != NULL)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: %s %s %s); quote "
                             "a name that has spaces",
                             stray, info->name, v->name, v->args);
    if (!v->takes_fields && a->nkv > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s %s takes no FIELD=VALUE (usage: %s %s %s)",
                             info->name, v->name, info->name, v->name,
                             v->args);
    return PRM_OK;
}

prm_code cli_cmd_kind(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err)
{
    const prm_kind_info *info = cmd->kind();
    const cli_verb *v = args->verb ? cli_verb_find(info, args->verb) : NULL;
    if (v == NULL)
        return verb_missing(info, args->verb, err);
    prm_code rc = check_shape(info, v, args, err);
    if (rc != PRM_OK)
        return rc;
    return v->run(ctx, info, args, err);
}

static bool show_record(void *c, const prm_record *rec)
{
    cli_ctx *ctx = c;
    ctx->out->ops->show(ctx->out, rec);
    return true;
}

struct changed_ctx {
    cli_ctx *ctx;
    const char *verb;
};

static bool changed_record(void *c, const prm_record *rec)
{
    struct changed_ctx *cc = c;
    cc->ctx->out->ops->changed(cc->ctx->out, cc->verb, rec->info,
                               rec->v[0].i, rec);
    return true;
}

/* Report a successful add or update: the stored record when the output
 * wants it (JSON), else just the id. */
prm_code cli_report_change(cli_ctx *ctx, const prm_kind_info *info,
                              const char *verb, int64_t id, prm_error *err)
{
    if (!ctx->out->ops->needs_record) {
        ctx->out->ops->changed(ctx->out, verb, info, id, NULL);
        return PRM_OK;
    }
    struct changed_ctx cc = {ctx, verb};
    return prm_get(ctx->db, info->kind, id, changed_record, &cc, err);
}

struct two_ctx {
    cli_ctx *ctx;
    int part;
};

static bool added_record(void *c, const prm_record *rec)
{
    struct two_ctx *t = c;
    t->ctx->out->ops->added_two(t->ctx->out, t->part, rec->info,
                                rec->v[0].i, rec);
    return true;
}

/* comm add ... next=TEXT: the communication and its follow-up task. */
static prm_code report_two(cli_ctx *ctx, int64_t comm, int64_t task,
                           prm_error *err)
{
    const prm_kind ids_kind[2] = {PRM_COMMUNICATION, PRM_TASK};
    const int64_t ids[2] = {comm, task};
    prm_code rc = PRM_OK;
    for (int part = 0; part < 2 && rc == PRM_OK; part++) {
        struct two_ctx t = {ctx, part};
        if (ctx->out->ops->needs_record)
            rc = prm_get(ctx->db, ids_kind[part], ids[part], added_record, &t,
                         err);
        else
            ctx->out->ops->added_two(ctx->out, part,
                                     prm_kind_get(ids_kind[part]), ids[part],
                                     NULL);
    }
    return rc;
}

prm_code cli_verb_add(cli_ctx *ctx, const prm_kind_info *info,
                      const cli_args *args, prm_error *err)
{
    int64_t id, task = 0;
    prm_code rc =
        info->kind == PRM_COMMUNICATION
            ? prm_comm_add(ctx->db, args->kv, args->nkv, &id, &task, err)
            : prm_add(ctx->db, info->kind, args->kv, args->nkv, &id, err);
    if (rc == PRM_OK && task != 0)
        return report_two(ctx, id, task, err);
    /* A deal kept although it conflicts says with which (JSON: its
     * conflicts field). */
    char note[512] = "";
    if (rc == PRM_OK && info->kind == PRM_DEAL && !ctx->out->ops->needs_record)
        rc = prm_deal_conflict_note(ctx->db, id, note, sizeof note, err);
    ctx->out->change_note = note[0] ? note : NULL;
    if (rc == PRM_OK)
        rc = cli_report_change(ctx, info, "added", id, err);
    ctx->out->change_note = NULL;
    return rc;
}

static bool list_row(void *c, const prm_record *rec)
{
    cli_ctx *ctx = c;
    return ctx->out->ops->list_row(ctx->out, rec);
}

prm_code cli_verb_list(cli_ctx *ctx, const prm_kind_info *info,
                       const cli_args *args, prm_error *err)
{
    /* Filters are checked before the first row, so an error never
     * follows half a list. */
    ctx->out->ops->list_begin(ctx->out, info);
    prm_code rc = prm_list(ctx->db, info->kind, args->kv, args->nkv,
                           ctx->out->ops->ref_names, list_row, ctx, err);
    if (rc == PRM_OK)
        ctx->out->ops->list_end(ctx->out, info, true);
    else
        ctx->out->ops->list_end(ctx->out, info, false);
    return rc;
}

prm_code cli_verb_show(cli_ctx *ctx, const prm_kind_info *info,
                       const cli_args *args, prm_error *err)
{
    return prm_get_ref(ctx->db, info->kind, args->pos[0], show_record, ctx,
                       err);
}

prm_code cli_verb_update(cli_ctx *ctx, const prm_kind_info *info,
                         const cli_args *args, prm_error *err)
{
    int64_t id;
    bool changed;
    prm_code rc = prm_update(ctx->db, info->kind, args->pos[0], args->kv,
                             args->nkv, &id, &changed, err);
    if (rc == PRM_OK)
        rc = cli_report_change(ctx, info, changed ? "updated" : "unchanged", id,
                           err);
    return rc;
}

prm_code cli_verb_delete(cli_ctx *ctx, const prm_kind_info *info,
                         const cli_args *args, prm_error *err)
{
    int64_t id;
    bool cascade = args->nflags > 0; /* check_shape allows only --cascade */
    prm_code rc =
        prm_delete(ctx->db, info->kind, args->pos[0], cascade, &id, err);
    if (rc == PRM_OK)
        ctx->out->ops->deleted(ctx->out, info, id);
    return rc;
}
