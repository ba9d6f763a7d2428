/*
 * complete.c - Tab at the prompt: command words, a kind's verbs and
 * fields, the KEY= words and fixed values of other commands (keys.c), and
 * the names of partners and projects from the database, quoted as the
 * command language needs them.  Everything offered comes from the command
 * table, the kind tables or the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "run.h"

static prm_db *complete_db; /* where names come from */

void cli_complete_set_db(prm_db *db)
{
    complete_db = db;
}

typedef struct cands {
    char **items;
    size_t n, cap;
} cands;

static cands found;

static bool cands_push(cands *c, char *s)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        char **items = realloc(c->items, cap * sizeof *items);
        if (items == NULL)
            return false;
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = s;
    return true;
}

/* A candidate: prefix (a "FIELD=", a list so far, or nothing), then value
 * quoted as the lexer must read it back (a name may hold spaces, quotes,
 * '#'; alone, an '='), then suffix. */
static void cands_add(cands *c, const char *prefix, const char *value,
                      const char *suffix)
{
    char *quoted = cli_quote_word(value, 0, *prefix == '\0');
    size_t len = quoted ? strlen(prefix) + strlen(quoted) + strlen(suffix) + 1
                        : 0;
    char *s = quoted ? malloc(len) : NULL;
    if (s != NULL)
        snprintf(s, len, "%s%s%s", prefix, quoted, suffix);
    free(quoted);
    if (s != NULL && !cands_push(c, s))
        free(s);
}

static void cands_clear(cands *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i]);
    c->n = 0;
}

struct name_ctx {
    const char *prefix;
};

static bool add_name(void *ctx, const char *name)
{
    struct name_ctx *nc = ctx;
    cands_add(&found, nc->prefix, name, "");
    return true;
}

static void complete_names(prm_kind kind, const char *key_prefix,
                           const char *typed)
{
    struct name_ctx nc = {key_prefix};
    if (*typed == '"')
        typed++;
    prm_names(complete_db, kind, typed, add_name, &nc, NULL);
}

/* partners=A,B,Ac: the name after the last comma outside quotes; the
 * names before it stay as typed. */
static void complete_partner_list(const char *text, const char *typed)
{
    const char *after = typed;
    bool quoted = false;
    for (const char *p = typed; *p; p++)
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            after = p + 1;
    size_t n = (size_t)(after - text);
    char *prefix = malloc(n + 1);
    if (prefix == NULL)
        return;
    memcpy(prefix, text, n);
    prefix[n] = '\0';
    complete_names(PRM_PARTNER, prefix, after);
    free(prefix);
}

/* Tab after a command that is not a record kind: the word it takes next
 * (report partners|trend, export json|jsonl|csv), its KEY= filters and
 * the values some keys take. */
static const char *const report_words[] = {"partners", "trend", "html", NULL};
static const char *const formats[] = {"json", "jsonl", "csv", NULL};
static const char *const set_words[] = {"json", "csv", "color", "pager",
                                        NULL};
static const char *const user_words[] = {"add", "role", "list", NULL};
static const char *const agenda_words[] = {"ics", NULL};
static const char *const encrypt_words[] = {"on", "off", "passphrase", NULL};

/* The KEY= words come from the core (prm_command_keys), by the command's
 * name and, for report, its second word. */
typedef struct command_tab {
    const char *command;
    const char *const *words; /* the second word, or NULL */
    bool keys;                /* it takes KEY= words after them */
} command_tab;

static const command_tab command_tabs[] = {
    {"metrics", NULL, true},  {"report", report_words, true},
    {"insights", NULL, true}, {"audit", NULL, true},
    {"export", formats, false}, {"import", formats, false},
    {"set", set_words, false},  {"user", user_words, false},
    {"agenda", agenda_words, true},
    {"encrypt", encrypt_words, false},
};

static bool is_one_of(const char *const *words, const char *word)
{
    for (size_t i = 0; words != NULL && words[i] != NULL; i++)
        if (strcmp(words[i], word) == 0)
            return true;
    return false;
}

static void cands_matching(const char *const *words, const char *prefix,
                           const char *text, const char *suffix)
{
    for (size_t i = 0; words != NULL && words[i] != NULL; i++)
        if (strncmp(words[i], text, strlen(text)) == 0)
            cands_add(&found, prefix, words[i], suffix);
}


/* The words after a command that is not a kind: n words come before the
 * one completed, the second of them second. */
static void complete_command_words(const char *command, int n,
                                   const char *second, const char *text)
{
    const command_tab *t = NULL;
    for (size_t i = 0; i < sizeof command_tabs / sizeof command_tabs[0]; i++)
        if (strcmp(command_tabs[i].command, command) == 0)
            t = &command_tabs[i];
    if (t == NULL)
        return;
    /* a command that takes KEY= words with or without its second word
     * (agenda, agenda ics) */
    bool bare = prm_command_keys(command) != NULL &&
                (n == 1 || !is_one_of(t->words, second));
    if (bare)
        cands_matching(prm_command_keys(command), "", text, "=");
    if (t->words != NULL && n == 1) {
        cands_matching(t->words, "", text, " ");
    } else if (bare) {
        return;
    } else if (t->words != NULL && n == 2 && strcmp(second, "csv") == 0) {
        for (int k = 0; k < PRM_KIND_COUNT; k++) { /* export csv KIND */
            const char *kind = prm_kind_get((prm_kind)k)->name;
            if (strncmp(kind, text, strlen(text)) == 0)
                cands_add(&found, "", kind, " ");
        }
    } else if (t->keys && (t->words == NULL || n >= 2)) {
        char name[64];
        snprintf(name, sizeof name, "%s%s%s", command,
                 t->words != NULL ? " " : "", t->words != NULL ? second : "");
        cands_matching(prm_command_keys(name), "", text, "=");
    }
}

/* audit kind=partner id=Ac: with kind= a partner or project on the line,
 * id= takes its name. */
static void complete_audit_id(const char *key, const char *typed)
{
    static const char *const named[] = {"partner", "project"};
    for (int i = 0; i < 2; i++) {
        char word[32];
        snprintf(word, sizeof word, " kind=%s", named[i]);
        const char *at = strstr(rl_line_buffer, word);
        size_t len = strlen(word);
        if (at != NULL && (at[len] == ' ' || at[len] == '\0'))
            complete_names(i == 0 ? PRM_PARTNER : PRM_PROJECT, key, typed);
    }
}

/* Complete FIELD=VALUE: enum choices or names after the '=', for a kind
 * (info) or another command. */
static void complete_value(const prm_kind_info *info, const char *command,
                           const char *text)
{
    const char *eq = strchr(text, '=');
    char key[64];
    size_t klen = (size_t)(eq - text);
    if (klen + 2 > sizeof key) /* room for "key=" and its NUL */
        return;
    memcpy(key, text, klen + 1);
    key[klen + 1] = '\0'; /* "key=" */
    const char *typed = eq + 1;
    key[klen] = '\0';
    const prm_field *f = info ? prm_field_find(info, key) : NULL;
    key[klen] = '=';
    if (strcmp(key, "partners=") == 0)
        complete_partner_list(text, typed);
    else if (strcmp(key, "partner=") == 0)
        complete_names(PRM_PARTNER, key, typed);
    else if (strcmp(key, "project=") == 0)
        complete_names(PRM_PROJECT, key, typed);
    else if (f != NULL)
        cands_matching(f->choices, key, typed, "");
    else if (command != NULL && strcmp(command, "audit") == 0 &&
             strcmp(key, "id=") == 0)
        complete_audit_id(key, typed);
    else if (info == NULL && command != NULL) {
        key[klen] = '\0';
        const char *const *choices = prm_key_values(command, key);
        key[klen] = '=';
        cands_matching(choices, key, typed, "");
    }
}

static void complete_fields(const prm_kind_info *info, const char *verb,
                            const char *text)
{
    const char *const *keys = verb ? prm_verb_keys(info->kind, verb) : NULL;
    if (keys != NULL) {
        cands_matching(keys, "", text, "=");
        return;
    }
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        bool list = verb != NULL && strcmp(verb, "list") == 0;
        if ((f->flags & PRM_FF_READONLY) && !list)
            continue;
        if (strncmp(f->name, text, strlen(text)) == 0)
            cands_add(&found, "", f->name, "=");
    }
    keys = prm_list_keys(info->kind);
    for (size_t i = 0; verb != NULL && strcmp(verb, "list") == 0 &&
                       keys[i] != NULL;
         i++)
        if (prm_field_find(info, keys[i]) == NULL && /* offered above */
            strncmp(keys[i], text, strlen(text)) == 0)
            cands_add(&found, "", keys[i], "=");
}

/* The quote open at the cursor ('"', '\'' or 0) and where the word being
 * completed starts: words split at blanks outside quotes, as the lexer
 * splits them. */
static char quote_at_point(int *word_start)
{
    char quote = 0;
    *word_start = 0;
    for (int i = 0; i < rl_point; i++) {
        char c = rl_line_buffer[i];
        if (quote == '"' && c == '\\' && i + 1 < rl_point)
            i++;
        else if (quote != 0 && c == quote)
            quote = 0;
        else if (quote == 0 && (c == '"' || c == '\''))
            quote = c;
        else if (quote == 0 && (c == ' ' || c == '\t'))
            *word_start = i + 1;
    }
    return quote;
}

/* Inside an open quote the word readline completes starts after it, so a
 * name with spaces is one word ("Acme C" of partner="Acme C). */
char *cli_complete_word_breaks(void)
{
    static char quote_only[2];
    int start;
    quote_only[0] = quote_at_point(&start);
    return quote_only[0] != 0 ? quote_only : NULL;
}

/* The first two words of the line before the word being completed, and
 * how many words come before it. */
static int words_before(char *first, char *second, size_t size)
{
    int n = 0, end;
    quote_at_point(&end);
    const char *p = rl_line_buffer;
    first[0] = second[0] = '\0';
    while (p < rl_line_buffer + end) {
        const char *start = p;
        char quote = 0;
        for (; p < rl_line_buffer + end; p++) {
            if (quote == 0 && (*p == ' ' || *p == '\t'))
                break;
            if (quote == 0 && (*p == '"' || *p == '\''))
                quote = *p;
            else if (quote != 0 && *p == quote)
                quote = 0;
        }
        size_t len = (size_t)(p - start);
        char *dest = n == 0 ? first : n == 1 ? second : NULL;
        if (dest != NULL && len < size) {
            memcpy(dest, start, len);
            dest[len] = '\0';
        }
        if (len > 0)
            n++;
        while (p < rl_line_buffer + end && (*p == ' ' || *p == '\t'))
            p++;
    }
    return n;
}

static void complete_commands(const char *text)
{
    for (size_t i = 0; i < cli_ncommands; i++) {
        if (strncmp(cli_commands[i].name, text, strlen(text)) == 0)
            cands_add(&found, "", cli_commands[i].name, " ");
        if (cli_commands[i].alias &&
            strncmp(cli_commands[i].alias, text, strlen(text)) == 0)
            cands_add(&found, "", cli_commands[i].alias, " ");
    }
}

/* A name as a list needs it: in double quotes, a quote in it doubled
 * (opened, when the user opened it already). */
static char *list_quoted(const char *kept, const char *name, bool opened)
{
    size_t len = strlen(kept) + 2 * strlen(name) + 3;
    char *s = malloc(len), *p = s;
    if (s == NULL)
        return NULL;
    p += sprintf(p, "%s%s", kept, opened ? "" : "\"");
    for (const char *c = name; *c; c++) {
        if (*c == '"')
            *p++ = '"';
        *p++ = *c;
    }
    strcpy(p, "\"");
    return s;
}

struct quoted_ctx {
    const char *kept; /* the text before the name, as typed */
    bool opened;      /* the name was opened with an inner double quote */
};

static bool add_quoted_name(void *ctx, const char *name)
{
    const struct quoted_ctx *q = ctx;
    char *s = q->opened ? list_quoted(q->kept, name, true)
                        : malloc(strlen(q->kept) + strlen(name) + 1);
    if (s != NULL && !q->opened)
        strcat(strcpy(s, q->kept), name);
    if (s != NULL && !cands_push(&found, s))
        free(s);
    return true;
}

/* Names inside an open quote: text is what follows the quote; names are
 * given as they are.  A partners= list completes the name after its last
 * comma (outside a double-quoted name, in a single-quoted list), and a
 * name there that holds a comma goes in double quotes once it is the one
 * match (before, the quote would hide what the names share). */
static void collect_quoted(const char *text, char quote, prm_kind kind,
                           bool list)
{
    const char *typed = text;
    bool inner = false, single_list = list && quote == '\'';
    for (const char *p = text; list && *p; p++)
        if (*p == '"' && quote == '\'')
            inner = !inner;
        else if (*p == ',' && !inner)
            typed = p + 1;
    while (*typed == ' ')
        typed++;
    struct quoted_ctx q = {.opened = single_list && *typed == '"'};
    if (q.opened)
        typed++;
    char *kept = strndup(text, (size_t)(typed - text));
    if (kept == NULL)
        return;
    q.kept = kept;
    prm_names(complete_db, kind, typed, add_quoted_name, &q, NULL);
    const char *name = found.n == 1 ? found.items[0] + strlen(kept) : NULL;
    if (single_list && !q.opened && name != NULL && strchr(name, ',')) {
        char *wrapped = list_quoted(kept, name, false);
        if (wrapped != NULL) {
            free(found.items[0]);
            found.items[0] = wrapped;
        }
    }
    free(kept);
    /* A single name is closed; a list may go on. */
    if (!list)
        rl_completion_append_character = quote;
}

/* The word being completed starts with an open quote, or holds one after
 * its '=': complete names inside it. */
static bool collect_in_quote(const char *text, const prm_kind_info *info,
                             int n, const char *second)
{
    int start;
    char quote = quote_at_point(&start);
    if (quote == 0)
        return false;
    const char *word = rl_line_buffer + start;
    static const struct {
        const char *key;
        prm_kind kind;
        bool list;
    } refs[] = {{"partners=", PRM_PARTNER, true},
                {"partner=", PRM_PARTNER, false},
                {"project=", PRM_PROJECT, false}};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        size_t len = strlen(refs[i].key);
        if (strncmp(word, refs[i].key, len) == 0 && word[len] == quote) {
            collect_quoted(text, quote, refs[i].kind, refs[i].list);
            return true;
        }
    }
    if (*word == quote && info != NULL && n == 2 && cli_verb_find(info, second) &&
        cli_verb_find(info, second)->takes_ref)
        collect_quoted(text, quote, info->kind, false);
    return true;
}

static void collect(const char *text)
{
    char first[64], second[64];
    int n = words_before(first, second, sizeof first);
    const cli_command *cmd = n > 0 ? cli_command_find(first) : NULL;
    const prm_kind_info *info = cmd && cmd->kind ? cmd->kind() : NULL;
    if (collect_in_quote(text, info, n, second))
        return;
    if (n == 0 || (n == 1 && strcmp(first, "help") == 0)) {
        complete_commands(text);
    } else if (info != NULL && n == 1) {
        for (size_t i = 0; i < cli_nverbs; i++)
            if (cli_verb_of(&cli_verbs[i], info) &&
                strncmp(cli_verbs[i].name, text, strlen(text)) == 0)
                cands_add(&found, "", cli_verbs[i].name, " ");
    } else if (strchr(text, '=') != NULL) {
        complete_value(info, cmd ? cmd->name : NULL, text);
    } else if (info != NULL && n == 2 && cli_verb_find(info, second) &&
               cli_verb_find(info, second)->takes_ref) {
        complete_names(info->kind, "", text);
    } else if (info != NULL) {
        complete_fields(info, second, text);
    } else if (cmd != NULL) {
        complete_command_words(cmd->name, n, second, text);
    }
}

static char *next_candidate(const char *text, int state)
{
    static size_t index;
    if (state == 0) {
        cands_clear(&found);
        collect(text);
        index = 0;
    }
    if (index < found.n)
        return strdup(found.items[index++]);
    return NULL;
}

char **cli_complete(const char *text, int start, int end)
{
    (void)start, (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    rl_completion_append_character = '\0';
    return rl_completion_matches(text, next_candidate);
}

void cli_complete_end(void)
{
    cands_clear(&found);
    free(found.items);
    found = (cands){.items = NULL};
    complete_db = NULL;
}
