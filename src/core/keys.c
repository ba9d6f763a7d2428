/*
 * keys.c - what the commands that are not a record kind take: their KEY=
 * words (filters, thresholds, options), in the order messages list them,
 * and the values of the keys that take one of a fixed list.
 *
 * Parsing, the errors that say what is allowed, Tab completion and the
 * tests of the bash completion all read these tables, so a filter added
 * here is known everywhere at once.
 */
#include <stdio.h>
#include <string.h>

#include "records.h"

#define SCOPE_KEYS "partner", "type", "region", "status", "since", "until"

static const char *const metrics_keys[] = {SCOPE_KEYS, NULL};
static const char *const report_keys[] = {SCOPE_KEYS, "sort", "limit", NULL};
static const char *const trend_keys[] = {SCOPE_KEYS, "by", "metric", NULL};
#define THRESHOLD_NAME(name, fallback, max) #name,
static const char *const insights_keys[] = {
    SCOPE_KEYS, "limit", CORE_INSIGHT_THRESHOLDS(THRESHOLD_NAME) NULL};
static const char *const audit_keys[] = {"kind",  "id",    "user",
                                         "since", "until", "limit", NULL};
static const char *const agenda_keys[] = {"days", "partner", "owner",
                                          "quiet_days", NULL};

/* The filters a kind's list takes beyond its fields. */
static const char *const window_keys[] = {"since", "until", NULL};
static const char *const deal_list_keys[] = {
    "since", "until", "status", "active", "expiring", "conflicts", NULL};
static const char *const task_list_keys[] = {
    "since", "until", "status", "due_before", "due_after", "overdue", NULL};

const char *const *prm_list_keys(prm_kind kind)
{
    if (kind == PRM_DEAL)
        return deal_list_keys;
    if (kind == PRM_TASK)
        return task_list_keys;
    return window_keys;
}

/* The KEY= words of the verbs a kind has of its own (the moves, tier
 * review and apply); none: an empty list. */
static const char *const no_keys[] = {NULL};
static const char *const days_key[] = {"days", NULL};
static const char *const reason_key[] = {"reason", NULL};
static const char *const amount_key[] = {"amount", NULL};
static const char *const tier_keys[] = {"partner", "type", "region", "status",
                                        NULL};
static const struct verb_keys {
    prm_kind kind;
    const char *verb;
    const char *const *keys;
} verb_keys[] = {
    {PRM_DEAL, "approve", days_key},      {PRM_DEAL, "reject", reason_key},
    {PRM_DEAL, "extend", days_key},       {PRM_DEAL, "won", amount_key},
    {PRM_DEAL, "lost", reason_key},       {PRM_DEAL, "cancel", no_keys},
    {PRM_TASK, "done", no_keys},          {PRM_TASK, "cancel", no_keys},
    {PRM_TASK, "reopen", no_keys},        {PRM_REQUEST, "approve", amount_key},
    {PRM_REQUEST, "reject", reason_key},  {PRM_REQUEST, "cancel", no_keys},
    {PRM_CLAIM, "approve", no_keys},      {PRM_CLAIM, "reject", reason_key},
    {PRM_CLAIM, "pay", no_keys},          {PRM_TIER, "review", tier_keys},
    {PRM_TIER, "apply", tier_keys},
};

const char *const *prm_verb_keys(prm_kind kind, const char *verb)
{
    for (size_t i = 0; i < sizeof verb_keys / sizeof *verb_keys; i++)
        if (verb_keys[i].kind == kind && strcmp(verb_keys[i].verb, verb) == 0)
            return verb_keys[i].keys;
    return NULL;
}

const char *const prm_trend_metrics[] = {
    "partners",       "projects",  "succeeded", "failed",
    "communications", "resources", "outcomes",  "relationship_degree",
    "project_success_rate", "resource_efficiency", NULL};
const char *const prm_trend_periods[] = {"month", "quarter", "year", NULL};
const char *const prm_audit_kinds[] = {
    "partner", "project", "communication", "resource",
    "outcome", "deal", "task", "fund", "request", "claim", "tier",
    "project_partner", NULL};
const char *const prm_roles[] = {"admin", "manager", "viewer", NULL};

static const struct command_keys {
    const char *command;
    const char *const *keys;
} command_keys[] = {
    {"metrics", metrics_keys},      {"report partners", report_keys},
    {"report trend", trend_keys},   {"insights", insights_keys},
    {"audit", audit_keys},          {"agenda", agenda_keys},
    {"agenda ics", agenda_keys},    {"tier review", tier_keys},
    {"tier apply", tier_keys},
};

const char *const *prm_command_keys(const char *command)
{
    for (size_t i = 0; i < sizeof command_keys / sizeof *command_keys; i++)
        if (strcmp(command_keys[i].command, command) == 0)
            return command_keys[i].keys;
    return NULL;
}

const char *const *prm_key_values(const char *command, const char *key)
{
    if (strcmp(key, "by") == 0)
        return prm_trend_periods;
    if (strcmp(key, "metric") == 0)
        return prm_trend_metrics;
    if (strcmp(key, "sort") == 0)
        return prm_report_sort_fields;
    if (strcmp(key, "role") == 0)
        return prm_roles;
    if (strcmp(key, "kind") == 0 && strcmp(command, "audit") == 0)
        return prm_audit_kinds;
    if (strcmp(key, "status") == 0 && strcmp(command, "audit") != 0)
        return prm_field_find(prm_kind_get(PRM_PARTNER), "status")->choices;
    return NULL;
}

const char *prm_words_text(const char *const *words, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; words != NULL && words[i] != NULL && at < size; i++) {
        int n = snprintf(buf + at, size - at, "%s%s", i ? ", " : "", words[i]);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return buf;
}
