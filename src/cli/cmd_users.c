/*
 * cmd_users.c - user add|role|list: the users of a team database.
 */
#include <string.h>

#include "commands.h"

/* The value of key among the FIELD=VALUE words; anything else is an
 * error naming what user takes. */
static prm_code user_fields(const cli_args *a, const char **role,
                            const char **password, bool allow_password,
                            prm_error *err)
{
    *role = *password = NULL;
    for (size_t i = 0; i < a->nkv; i++) {
        const char *key = a->kv[i].key;
        const char **slot = strcmp(key, "role") == 0 ? role
                            : allow_password && strcmp(key, "password") == 0
                                ? password
                                : NULL;
        if (slot == NULL)
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "unknown field '%s' for user: it takes "
                                 "role=%s (help user)",
                                 key, allow_password ? " and password=" : "");
        if (*slot != NULL)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "%s is given twice; give it once", key);
        *slot = a->kv[i].value;
    }
    if (*role == NULL)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "user needs role=admin|manager|viewer");
    return PRM_OK;
}

static bool user_row(void *ctx, const prm_user_info *u)
{
    cli_ctx *c = ctx;
    return c->out->ops->user_row(c->out, u);
}

static prm_code user_list(cli_ctx *ctx, const cli_args *a, prm_error *err)
{
    if (a->npos > 1)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: user list)",
                             a->pos[1]);
    if (a->nkv > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "user list takes no FIELD=VALUE (usage: user "
                             "list)");
    ctx->out->ops->users_begin(ctx->out);
    prm_code rc = prm_user_list(ctx->db, user_row, ctx, err);
    ctx->out->ops->users_end(ctx->out, rc == PRM_OK);
    return rc;
}

prm_code cli_cmd_user(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *a, prm_error *err)
{
    const char *verb = a->npos > 0 ? a->pos[0] : "";
    if (a->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX, "unknown option '%s' for user",
                             a->flags[0]);
    if (strcmp(verb, "list") == 0)
        return user_list(ctx, a, err);
    bool add = strcmp(verb, "add") == 0;
    if (a->npos == 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "user needs add, role or list (usage: %s)",
                             cmd->usage);
    if (!add && strcmp(verb, "role") != 0)
        return prm_error_choice(err, PRM_ESYNTAX, "unknown word", verb,
                                " for user", "user takes", "add, role, list");
    if (a->npos != 2)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "user %s needs one NAME (usage: user %s NAME "
                             "role=admin|manager|viewer)",
                             verb, verb);
    const char *role, *password;
    prm_code rc = user_fields(a, &role, &password, add, err);
    if (rc != PRM_OK)
        return rc;
    rc = add ? prm_user_add(ctx->db, a->pos[1], role, password, err)
             : prm_user_role(ctx->db, a->pos[1], role, err);
    if (rc == PRM_OK)
        ctx->out->ops->user_changed(ctx->out, add ? "added" : "changed",
                                    a->pos[1], role);
    return rc;
}
