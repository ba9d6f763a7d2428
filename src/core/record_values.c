/*
 * record_values.c - what the FIELD=VALUE words of a command mean, for
 * every kind: each is checked against its field in kinds.c (enums,
 * percentages, numbers, dates, references by id or name) and turned into
 * a typed value of the row the storage layer writes.  Nothing here knows
 * SQL.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records.h"
#include "store/store.h"


void core_parsed_free(core_parsed *p)
{
    free(p->ids);
}

/* "name, type, region" for messages that list what is allowed. */
void core_field_names(const prm_kind_info *info, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < info->nfields && len < size; i++) {
        if (info->fields[i].flags & PRM_FF_READONLY)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                len ? ", " : "", info->fields[i].name);
    }
}

static void choice_names(const char *const *choices, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; choices[i] != NULL && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                i ? ", " : "", choices[i]);
}

/* --- References ------------------------------------------------------- */

bool core_all_digits(const char *s)
{
    if (*s == '\0' || strlen(s) > 18)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* "; did you mean 'Acme Corp' or 'Acme Ltd'?": up to three names that
 * start with what was typed, so a short or partly typed name tells the
 * user what to write instead. */
#define SUGGEST_MAX 3
typedef struct suggestions {
    core_shown names[SUGGEST_MAX];
    size_t n;
    char text[SUGGEST_MAX * (sizeof(core_shown) + 8) + 32];
} suggestions;

static bool add_suggestion(void *ctx, const char *name)
{
    suggestions *sg = ctx;
    sg->names[sg->n++] = core_show_value(name);
    return sg->n < SUGGEST_MAX;
}

static void suggest_names(prm_db *db, const prm_kind_info *info,
                          const char *ref, suggestions *sg)
{
    prm_error ignored;
    sg->text[0] = '\0';
    /* Best effort: without suggestions the error still stands. */
    if (store_names(db, info, ref, add_suggestion, sg, &ignored) != PRM_OK ||
        sg->n == 0)
        return;
    size_t len = (size_t)snprintf(sg->text, sizeof sg->text,
                                  "; did you mean");
    for (size_t i = 0; i < sg->n; i++)
        len += (size_t)snprintf(sg->text + len, sizeof sg->text - len,
                                "%s'%s'",
                                i == 0                 ? " "
                                : i + 1 == sg->n       ? " or "
                                                       : ", ",
                                sg->names[i].text);
    snprintf(sg->text + len, sizeof sg->text - len, "?");
}

/* A reference is an id when it is all digits and such a record exists;
 * otherwise a name.  So a partner called "2024" is still found by name
 * when there is no partner 2024. */
prm_code prm_resolve(prm_db *db, prm_kind kind, const char *ref, int64_t *id,
                     prm_error *err)
{
    const prm_kind_info *info = prm_kind_get(kind);
    if (ref == NULL || *ref == '\0')
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "empty %s reference: give an id or a name",
                             info->name);
    if (core_all_digits(ref)) {
        bool found = false;
        *id = strtoll(ref, NULL, 10);
        prm_code rc = store_exists(db, info, *id, &found, err);
        if (rc != PRM_OK || found)
            return rc;
    }
    return core_resolve_name(db, info, ref, id, err);
}

prm_code core_resolve_name(prm_db *db, const prm_kind_info *info,
                           const char *ref, int64_t *id, prm_error *err)
{
    bool found = false;
    prm_code rc = store_find_name(db, info, ref, id, &found, err);
    if (rc != PRM_OK || found)
        return rc;
    if (prm_field_find(info, "name") != NULL) {
        /* All digits was meant as an id: names starting with them are
         * no help. */
        suggestions sg = {.n = 0, .text = ""};
        if (!core_all_digits(ref))
            suggest_names(db, info, ref, &sg);
        return prm_error_set(err, PRM_ENOT_FOUND,
                             "no %s with id or name '%s'%s", info->name,
                             core_show_value(ref).text, sg.text);
    }
    return prm_error_set(err, PRM_ENOT_FOUND, "no %s with id '%s'",
                         info->name, core_show_value(ref).text);
}

/* --- Values ------------------------------------------------------------- */

static prm_code add_partner_id(core_parsed *p, int64_t id, prm_error *err)
{
    size_t at = 0;
    while (at < p->nids && p->ids[at] < id)
        at++;
    if (at < p->nids && p->ids[at] == id)
        return PRM_OK;
    if (p->nids == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        int64_t *ids = realloc(p->ids, cap * sizeof *ids);
        if (ids == NULL)
            return prm_error_nomem(err);
        p->ids = ids;
        p->cap = cap;
    }
    memmove(p->ids + at + 1, p->ids + at, (p->nids - at) * sizeof *p->ids);
    p->ids[at] = id;
    p->nids++;
    return PRM_OK;
}

/* The next item of a partners= list, from *at, into *item (NULL after
 * the last): spaces around it dropped ("Acme, Beta"); an item in double
 * quotes may hold commas, a quote doubled as in CSV ('"A, Inc",Beta').
 * Written over the list in place. */
static prm_code next_list_item(char **at, char **item, prm_error *err)
{
    char *s = *at;
    *item = NULL;
    while (*s == ' ' || *s == ',')
        s++;
    if (*s == '\0')
        return PRM_OK;
    char *start = s, *out = s;
    if (*s == '"') {
        for (s++;; s++) {
            if (*s == '\0')
                return prm_error_set(err, PRM_EINVALID_VALUE,
                                     "unterminated quote in the partners "
                                     "list");
            if (*s == '"' && s[1] != '"')
                break;
            *out++ = *s;
            s += *s == '"';
        }
        s++;
        while (*s == ' ')
            s++;
        if (*s != ',' && *s != '\0')
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "text after the closing quote of a name in "
                                 "the partners list; separate names with "
                                 "commas");
    } else {
        while (*s != ',' && *s != '\0')
            *out++ = *s++;
        while (out > start && out[-1] == ' ')
            out--;
    }
    *at = *s == ',' ? s + 1 : s;
    *out = '\0';
    *item = start;
    return PRM_OK;
}

/* partners=A,B or partner=A: resolve each name and add it to the set.  A
 * list that is the whole name of a partner ("A, Inc") is that partner. */
prm_code core_parse_partner_list(prm_db *db, core_parsed *p, const char *value,
                                   bool split, prm_error *err)
{
    int64_t id;
    bool found = false;
    if (split && strchr(value, ',') != NULL) {
        prm_code rc = store_find_name(db, prm_kind_get(PRM_PARTNER), value,
                                      &id, &found, err);
        if (rc != PRM_OK)
            return rc;
        if (found)
            return add_partner_id(p, id, err);
    }
    if (!split) {
        prm_code rc = prm_resolve(db, PRM_PARTNER, value, &id, err);
        return rc == PRM_OK ? add_partner_id(p, id, err) : rc;
    }
    char *copy = strdup(value);
    if (copy == NULL)
        return prm_error_nomem(err);
    char *at = copy, *item;
    prm_code rc;
    while ((rc = next_list_item(&at, &item, err)) == PRM_OK && item != NULL) {
        rc = prm_resolve(db, PRM_PARTNER, item, &id, err);
        if (rc == PRM_OK)
            rc = add_partner_id(p, id, err);
        if (rc != PRM_OK)
            break;
    }
    free(copy);
    return rc;
}

/* A whole number from 0 to max (digits only: no sign, no spaces). */
static bool parse_whole(const char *s, int64_t max, int64_t *out)
{
    if (!core_all_digits(s) || strlen(s) > 12)
        return false;
    *out = strtoll(s, NULL, 10);
    return *out <= max;
}

static const char *find_choice(const char *const *choices, const char *s)
{
    for (size_t i = 0; choices[i] != NULL; i++)
        if (strcasecmp(choices[i], s) == 0)
            return choices[i];
    return NULL;
}

/* Parse value for field f (at index i) into p->row.v[i]. */
prm_code core_parse_value(prm_db *db, const prm_kind_info *info,
                            const prm_field *f, int i, const char *value,
                            core_parsed *p, prm_error *err)
{
    prm_value *v = &p->row.v[i];
    char allowed[256], what[64], where[64];
    switch (f->type) {
    case PRM_F_ENUM: {
        const char *choice = find_choice(f->choices, value);
        if (choice == NULL) {
            choice_names(f->choices, allowed, sizeof allowed);
            snprintf(what, sizeof what, "invalid %s", f->name);
            snprintf(where, sizeof where, " for %s", info->name);
            return prm_error_choice(err, PRM_EINVALID_VALUE, what, value,
                                    where, "allowed", allowed);
        }
        *v = (prm_value){.type = PRM_V_TEXT, .s = choice, .len = strlen(choice)};
        return PRM_OK;
    }
    case PRM_F_PERCENT:
    case PRM_F_COUNT: {
        int64_t max = f->type == PRM_F_PERCENT ? 100 : PRM_COUNT_MAX;
        if (!parse_whole(value, max, &v->i))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': a whole number from 0 to "
                                 "%lld",
                                 f->name, core_show_value(value).text,
                                 (long long)max);
        v->type = PRM_V_INT;
        return PRM_OK;
    }
    case PRM_F_NUMBER: {
        bool minus = value[0] == '-';
        if (!prm_parse_number(value + minus, &v->r))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': a non-negative decimal "
                                 "number such as 12 or 0.5",
                                 f->name, core_show_value(value).text);
        /* -0 is zero, not a negative amount; it is stored as 0. */
        if (minus && v->r != 0.0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': must not be negative",
                                 f->name, core_show_value(value).text);
        v->type = PRM_V_REAL;
        return PRM_OK;
    }
    case PRM_F_RATIO:
        if (!prm_parse_number(value, &v->r) || v->r > 1.0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': a rate from 0 to 1, such "
                                 "as 0.6",
                                 f->name, core_show_value(value).text);
        v->type = PRM_V_REAL;
        return PRM_OK;
    case PRM_F_DOMAIN:
        if (!prm_parse_domain(value, p->domain))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': a domain such as globex.com "
                                 "(letters, digits, hyphens and dots; no "
                                 "scheme, path or address)",
                                 f->name, core_show_value(value).text);
        *v = (prm_value){.type = PRM_V_TEXT, .s = p->domain,
                         .len = strlen(p->domain)};
        return PRM_OK;
    case PRM_F_MONEY:
        if (value[0] == '-' && prm_parse_money(value + 1, &v->i) && v->i != 0)
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': must not be negative",
                                 f->name, core_show_value(value).text);
        if (!prm_parse_money(value + (value[0] == '-'), &v->i))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': an amount such as 12000 or "
                                 "99.95 (at most two decimals, below 10^15)",
                                 f->name, core_show_value(value).text);
        v->type = PRM_V_MONEY;
        return PRM_OK;
    case PRM_F_DATE:
        if (!prm_parse_date(value, p->dates[i], NULL))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "invalid %s '%s': use YYYY-MM-DD or "
                                 "YYYY-MM-DDTHH:MM[:SS][Z], a real date",
                                 f->name, core_show_value(value).text);
        *v = (prm_value){.type = PRM_V_TEXT, .s = p->dates[i], .len = 20};
        return PRM_OK;
    case PRM_F_PARTNER_REF:
    case PRM_F_PROJECT_REF:
    case PRM_F_REF:
        v->type = PRM_V_INT;
        return prm_resolve(db, prm_ref_kind(f), value, &v->i, err);
    default:
        *v = (prm_value){.type = PRM_V_TEXT, .s = value, .len = strlen(value)};
        return PRM_OK;
    }
}

/* The field a key names; a project's "partner" is its partners list. */
static int key_field(const prm_kind_info *info, const char *key)
{
    if (info->kind == PRM_PROJECT && strcmp(key, "partner") == 0)
        return prm_field_index(info, "partners");
    return prm_field_index(info, key);
}

static prm_code check_key(const prm_kind_info *info, const char *key,
                          const char *verb, int i, prm_error *err)
{
    char names[512], near[PRM_DID_YOU_MEAN];
    if (i < 0) {
        core_field_names(info, names, sizeof names);
        return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                             "unknown field '%s' for %s %s%s; fields are: %s",
                             key, info->name, verb,
                             prm_did_you_mean(key, names, near, sizeof near),
                             names);
    }
    if (info->fields[i].flags & PRM_FF_COMPUTED)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s is worked out by prm when read and cannot "
                             "be given",
                             key);
    /* The verbs that set a kind's fields of state. */
    static const char *const moves[PRM_KIND_COUNT] = {
        [PRM_DEAL] = "deal approve, reject, extend, won, lost, cancel",
        [PRM_TASK] = "task done, cancel, reopen",
        [PRM_REQUEST] = "request approve, reject, cancel",
        [PRM_CLAIM] = "claim approve, reject, pay",
    };
    bool moved = moves[info->kind] != NULL &&
                 (info->fields[i].flags & PRM_FF_READONLY) &&
                 !(info->fields[i].flags & PRM_FF_STAMP) &&
                 info->fields[i].type != PRM_F_ID;
    if (moved)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s is set by the %s's moves (%s) and cannot "
                             "be given",
                             key, info->name, moves[info->kind]);
    if (info->fields[i].flags & PRM_FF_READONLY)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s is set by prm and cannot be given", key);
    return PRM_OK;
}

/* Parse the FIELD=VALUE words of an add or update into p. */
prm_code core_parse_args(prm_db *db, const prm_kind_info *info,
                           const prm_arg *args, size_t nargs,
                           const char *verb, core_parsed *p, prm_error *err)
{
    for (size_t a = 0; a < nargs; a++) {
        const char *key = args[a].key, *value = args[a].value;
        int i = key_field(info, key);
        prm_code rc = check_key(info, key, verb, i, err);
        if (rc != PRM_OK)
            return rc;
        const prm_field *f = &info->fields[i];
        if (!prm_utf8_valid(value, strlen(value)))
            return prm_error_set(err, PRM_EINVALID_VALUE,
                                 "%s is not valid UTF-8", key);
        if (p->row.set[i] && f->type != PRM_F_PARTNER_LIST)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "%s is given twice; give each field once",
                                 key);
        p->row.set[i] = true;
        if (*value == '\0') {
            if (f->flags & PRM_FF_REQUIRED)
                return prm_error_set(err, PRM_EINVALID_VALUE,
                                     "%s cannot be empty", key);
            p->row.v[i] = (prm_value){.type = PRM_V_NULL};
            continue;
        }
        if (f->type == PRM_F_PARTNER_LIST) {
            rc = core_parse_partner_list(db, p, value, strcmp(key, "partners") == 0,
                                    err);
            if (rc == PRM_OK && p->nids == 0)
                rc = prm_error_set(err, PRM_EINVALID_VALUE,
                                   "%s= names no partner: give ids or names "
                                   "separated by commas",
                                   key);
        }
        else
            rc = core_parse_value(db, info, f, i, value, p, err);
        if (rc != PRM_OK)
            return rc;
    }
    return PRM_OK;
}

/* Give the fields an add did not set their defaults; check required ones. */
prm_code core_complete_for_add(prm_db *db, const prm_kind_info *info,
                                 core_parsed *p, prm_error *err)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        /* A field prm sets begins at its default (a deal's status) or as
         * the store makes it (ids, time stamps). */
        if (p->row.set[i] ||
            ((f->flags & PRM_FF_READONLY) && f->default_value == NULL))
            continue;
        if (f->flags & PRM_FF_REQUIRED)
            return prm_error_set(err, PRM_EMISSING_FIELD,
                                 "%s add needs %s=...: %s", info->name,
                                 f->type == PRM_F_PARTNER_LIST ? "partner"
                                                               : f->name,
                                 f->help);
        prm_code rc = PRM_OK;
        if (f->flags & PRM_FF_NOW)
            rc = core_parse_value(db, info, f, (int)i, store_now(db), p, err);
        else if (f->default_value != NULL)
            rc = core_parse_value(db, info, f, (int)i, f->default_value, p, err);
        else
            p->row.v[i] = (prm_value){.type = PRM_V_NULL};
        if (rc != PRM_OK)
            return rc;
    }
    return PRM_OK;
}

void core_attach_partner_list(const prm_kind_info *info, core_parsed *p)
{
    int i = prm_field_index(info, "partners");
    if (i >= 0 && info->kind == PRM_PROJECT && p->row.set[i])
        p->row.v[i] = (prm_value){.type = PRM_V_IDS, .ids = p->ids,
                                  .nids = p->nids};
}
