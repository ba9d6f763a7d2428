/*
 * commands.h - the command table.
 *
 * One entry per command (and one per verb of the record kinds) holds its
 * name, usage, help and handler; parsing, dispatch, `help`, tab completion
 * and error messages all read the same entries, so they cannot disagree.
 */
#ifndef PRM_CLI_COMMANDS_H
#define PRM_CLI_COMMANDS_H

#include "lexer.h"
#include "output.h"
#include "prm/prm.h"

typedef struct cli_ctx {
    prm_db *db;
    cli_out *out;
    bool quit;  /* set by quit/exit */
    bool pager; /* long output at the prompt goes through $PAGER */
    bool json_fixed; /* --json: every command answers in JSON */
    bool stdin_free; /* stdin is not where the commands come from */
    /* argument arrays, reused from command to command */
    prm_arg *kv;
    const char **pos, **flags;
    size_t cap;
} cli_ctx;

/* A command's words after its name (and verb), sorted by form. */
typedef struct cli_args {
    const char *verb;   /* a record kind's verb, or NULL */
    const char **pos;   /* plain words: references */
    size_t npos;
    prm_arg *kv;        /* FIELD=VALUE words */
    size_t nkv;
    const char **flags; /* --words */
    size_t nflags;
} cli_args;

typedef struct cli_command cli_command;
typedef prm_code (*cli_run_fn)(cli_ctx *ctx, const cli_command *cmd,
                               const cli_args *args, prm_error *err);

struct cli_command {
    const char *name;
    const char *alias;    /* another name, or NULL */
    const char *group;    /* heading in `help` */
    const char *usage;    /* for a record kind: NULL (its verbs say) */
    const char *summary;  /* one line */
    const char *details;  /* more, for `help NAME`, or NULL */
    const char *examples; /* lines that work when pasted */
    cli_run_fn run;
    const prm_kind_info *(*kind)(void); /* a record kind's info, or NULL */
    bool needs_commit; /* a script commits its batch before running it */
};

typedef prm_code (*cli_verb_fn)(cli_ctx *ctx, const prm_kind_info *info,
                                const cli_args *args, prm_error *err);

typedef struct cli_verb {
    const char *name;
    const char *args;    /* usage after "KIND VERB" */
    const char *summary;
    bool takes_ref;      /* exactly one REF word */
    bool takes_fields;   /* FIELD=VALUE words (filters for list) */
    const char *flag;    /* the one --flag it accepts, or NULL */
    cli_verb_fn run;
    /* The kind it belongs to; NULL: every kind has it. */
    const prm_kind_info *(*kind)(void);
} cli_verb;

extern const cli_command cli_commands[];
extern const size_t cli_ncommands;
extern const cli_verb cli_verbs[];
extern const size_t cli_nverbs;

const cli_command *cli_command_find(const char *name);
/* The verb called name that a record kind has; NULL if it has none. */
const cli_verb *cli_verb_find(const prm_kind_info *info, const char *name);
bool cli_verb_of(const cli_verb *v, const prm_kind_info *info);


/* Run the command the words make. */
prm_code cli_dispatch(cli_ctx *ctx, const cli_words *w, prm_error *err);

void cli_ctx_free(cli_ctx *ctx);

/* Where the prompt keeps its history and reads its settings (cmd_session.c). */
bool cli_history_path(char *buf, size_t size);
bool cli_config_path(char *buf, size_t size);

/* Whether fd is a folder, which opens but cannot be read: an input that
 * is one is refused up front; errno is then EISDIR (run.c). */
bool cli_is_folder(int fd);

/* Handlers, one file per family: cmd_records.c, cmd_numbers.c,
 * cmd_transfer.c, cmd_safety.c, cmd_users.c, cmd_session.c, cmd_help.c. */
prm_code cli_cmd_kind(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err);
prm_code cli_cmd_metrics(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err);
prm_code cli_cmd_report(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err);
prm_code cli_cmd_insights(cli_ctx *ctx, const cli_command *cmd,
                          const cli_args *args, prm_error *err);
prm_code cli_cmd_help(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err);
prm_code cli_cmd_export(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err);
prm_code cli_cmd_import(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err);
prm_code cli_cmd_audit(cli_ctx *ctx, const cli_command *cmd,
                       const cli_args *args, prm_error *err);
prm_code cli_cmd_undo(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err);
prm_code cli_cmd_user(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err);
prm_code cli_cmd_backup(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err);
prm_code cli_cmd_check(cli_ctx *ctx, const cli_command *cmd,
                       const cli_args *args, prm_error *err);
prm_code cli_cmd_set(cli_ctx *ctx, const cli_command *cmd,
                     const cli_args *args, prm_error *err);
prm_code cli_cmd_history(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err);
prm_code cli_cmd_quit(cli_ctx *ctx, const cli_command *cmd,
                      const cli_args *args, prm_error *err);
/* Say a record was added or changed (verb: "added", "approved"...), with
 * the record where the output shows it (cmd_records.c). */
prm_code cli_report_change(cli_ctx *ctx, const prm_kind_info *info,
                           const char *verb, int64_t id, prm_error *err);
/* A deal's status move (cmd_deal.c): approve, reject, extend, won, lost,
 * cancel. */
prm_code cli_verb_deal_move(cli_ctx *ctx, const prm_kind_info *info,
                            const cli_args *args, prm_error *err);
/* The passphrase of an encrypted file (passphrase.c): PRM_PASSPHRASE_FILE's
 * first line, PRM_PASSPHRASE, or asked on the terminal without echo
 * (twice when encrypting); wipe buf after use. */
prm_code cli_passphrase(bool twice, char *buf, size_t size, size_t *len,
                        prm_error *err);
/* A new passphrase (encrypt passphrase): $PRM_NEW_PASSPHRASE_FILE, else
 * $PRM_NEW_PASSPHRASE, else asked twice. */
prm_code cli_new_passphrase(char *buf, size_t size, size_t *len,
                            prm_error *err);
/* cli_passphrase as the core asks for one (prm_passphrase_fn). */
prm_code cli_passphrase_fn(void *ctx, char *buf, size_t size, size_t *len,
                           prm_error *err);
prm_code cli_cmd_restore(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err);
prm_code cli_cmd_encrypt(cli_ctx *ctx, const cli_command *cmd,
                         const cli_args *args, prm_error *err);
prm_code cli_report_html(cli_ctx *ctx, const cli_args *args, prm_error *err);
prm_code cli_cmd_agenda(cli_ctx *ctx, const cli_command *cmd,
                        const cli_args *args, prm_error *err);
prm_code cli_verb_tier_review(cli_ctx *ctx, const prm_kind_info *info,
                              const cli_args *args, prm_error *err);
prm_code cli_verb_tier_apply(cli_ctx *ctx, const prm_kind_info *info,
                             const cli_args *args, prm_error *err);
prm_code cli_verb_money_move(cli_ctx *ctx, const prm_kind_info *info,
                             const cli_args *args, prm_error *err);
prm_code cli_verb_task_move(cli_ctx *ctx, const prm_kind_info *info,
                            const cli_args *args, prm_error *err);
prm_code cli_verb_deal_conflicts(cli_ctx *ctx, const prm_kind_info *info,
                                 const cli_args *args, prm_error *err);
prm_code cli_verb_add(cli_ctx *ctx, const prm_kind_info *info,
                      const cli_args *args, prm_error *err);
prm_code cli_verb_list(cli_ctx *ctx, const prm_kind_info *info,
                       const cli_args *args, prm_error *err);
prm_code cli_verb_show(cli_ctx *ctx, const prm_kind_info *info,
                       const cli_args *args, prm_error *err);
prm_code cli_verb_update(cli_ctx *ctx, const prm_kind_info *info,
                         const cli_args *args, prm_error *err);
prm_code cli_verb_delete(cli_ctx *ctx, const prm_kind_info *info,
                         const cli_args *args, prm_error *err);

/* options.c: a syntax error when flag is one of prm's own options (or
 * --help) given after the command of w, saying where it goes; else
 * PRM_OK. */
prm_code cli_misplaced_option(const cli_words *w, const char *flag,
                              prm_error *err);

#endif
