/*
 * cmd_encrypt.c - encrypt on|off|passphrase: the database's sensitive
 * fields sealed at rest, under a passphrase.
 */
#include <string.h>

#include "commands.h"

static const char *const states[] = {"on", "off", "passphrase", NULL};

static prm_code what_to_do(const cli_command *cmd, const cli_args *a,
                           int *which, prm_error *err)
{
    if (a->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX, "unknown option '%s' for %s",
                             a->flags[0], cmd->name);
    if (a->nkv > 0 && strcmp(a->kv[0].key, "passphrase") == 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "a passphrase is never typed in a command (the "
                             "history and the audit log would keep it): set "
                             "PRM_PASSPHRASE_FILE or PRM_PASSPHRASE, or be "
                             "asked on the terminal");
    if (a->nkv > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "%s takes no FIELD=VALUE (usage: %s)", cmd->name,
                             cmd->usage);
    if (a->npos > 1)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: %s)", a->pos[1],
                             cmd->usage);
    if (a->npos == 0)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "%s takes one of on, off, passphrase (usage: %s)",
                             cmd->name, cmd->usage);
    for (int i = 0; states[i] != NULL; i++)
        if (strcmp(a->pos[0], states[i]) == 0) {
            *which = i;
            return PRM_OK;
        }
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "'%s' is not on, off or passphrase (usage: %s)",
                         a->pos[0], cmd->usage);
}

prm_code cli_cmd_encrypt(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err)
{
    int which = 0;
    prm_code rc = what_to_do(cmd, args, &which, err);
    if (rc != PRM_OK)
        return rc;
    if (which == 1) {
        rc = prm_encrypt_off(ctx->db, err);
    } else {
        /* Asked for before anything is written: Ctrl-C leaves all as was. */
        char pass[256];
        size_t len;
        if (which == 0 && prm_encrypted(ctx->db))
            return prm_error_set(err, PRM_ECONFLICT,
                                 "encryption is on already (encrypt "
                                 "passphrase changes the passphrase)");
        rc = which == 0 ? cli_passphrase(true, pass, sizeof pass, &len, err)
                        : cli_new_passphrase(pass, sizeof pass, &len, err);
        if (rc == PRM_OK)
            rc = which == 0
                     ? prm_encrypt_on(ctx->db, pass, len, err)
                     : prm_encrypt_passphrase(ctx->db, pass, len, err);
        prm_wipe(pass, sizeof pass);
    }
    if (rc == PRM_OK)
        ctx->out->ops->encryption(ctx->out, states[which]);
    return rc;
}
