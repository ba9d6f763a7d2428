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

const char *const prm_trend_metrics[] = {
    "partners",       "projects",  "succeeded", "failed",
    "communications", "resources", "outcomes",  "relationship_degree",
    "project_success_rate", "resource_efficiency", NULL};
const char *const prm_trend_periods[] = {"month", "quarter", "year", NULL};
const char *const prm_audit_kinds[] = {
    "partner", "project", "communication", "resource",
    "outcome", "deal", "task", "project_partner", NULL};
const char *const prm_roles[] = {"admin", "manager", "viewer", NULL};

static const struct command_keys {
    const char *command;
    const char *const *keys;
} command_keys[] = {
    {"metrics", metrics_keys},      {"report partners", report_keys},
    {"report trend", trend_keys},   {"insights", insights_keys},
    {"audit", audit_keys},          {"agenda", agenda_keys},
    {"agenda ics", agenda_keys},
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
