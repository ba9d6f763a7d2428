/*
 * output_json.c - machine output: exactly one JSON object per command, on
 * one line of stdout (doc/prm.1, JSON OUTPUT).  Records stream straight to stdout, so a
 * list of a million records needs no more memory than a list of one.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

static void record_object(cli_out *o, const prm_record *rec)
{
    fprintf(o->out, "{\"ok\":true,\"%s\":", rec->info->name);
    prm_json_record(o->out, rec);
    fputs("}\n", o->out);
}

static void json_changed(cli_out *o, const char *verb,
                         const prm_kind_info *info, int64_t id,
                         const prm_record *rec)
{
    (void)verb, (void)info, (void)id;
    record_object(o, rec);
}

static void json_added_two(cli_out *o, int part, const prm_kind_info *info,
                           int64_t id, const prm_record *rec)
{
    (void)id;
    fprintf(o->out, "%s\"%s\":", part ? "," : "{\"ok\":true,", info->name);
    prm_json_record(o->out, rec);
    if (part)
        fputs("}\n", o->out);
}

/* The list's opening is written with its first row (or at its end), so
 * that a filter found bad before any row leaves only the error object. */
static void json_list_begin(cli_out *o, const prm_kind_info *info)
{
    o->list_kind = info;
    o->list_rows = 0;
}

static void list_open(cli_out *o)
{
    fprintf(o->out, "{\"ok\":true,\"%s\":[", o->list_kind->plural);
}

static bool json_list_row(cli_out *o, const prm_record *rec)
{
    if (o->list_rows++ == 0)
        list_open(o);
    else
        putc(',', o->out);
    prm_json_record(o->out, rec);
    return !ferror(o->out);
}

static void json_list_end(cli_out *o, const prm_kind_info *info, bool ok)
{
    (void)info;
    if (ok && o->list_rows == 0)
        list_open(o);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_deleted(cli_out *o, const prm_kind_info *info, int64_t id)
{
    fprintf(o->out, "{\"ok\":true,\"deleted\":{\"%s\":%lld}}\n", info->name,
            (long long)id);
}

static void json_ratio(FILE *f, const char *name, bool has, double v)
{
    fprintf(f, ",\"%s\":", name);
    if (has)
        prm_json_number(f, v);
    else
        fputs("null", f);
}

static void json_metrics(cli_out *o, const prm_metrics *m)
{
    double v;
    fprintf(o->out,
            "{\"ok\":true,\"metrics\":{\"partners\":%lld,\"projects\":%lld,"
            "\"succeeded\":%lld,\"failed\":%lld,\"communications\":%lld,"
            "\"resources\":%lld,\"outcomes\":%lld",
            (long long)m->partners, (long long)m->projects,
            (long long)m->succeeded, (long long)m->failed,
            (long long)m->communications, (long long)m->resources,
            (long long)m->outcomes);
    bool has = prm_relationship_degree(m, &v);
    json_ratio(o->out, "relationship_degree", has, v);
    has = prm_project_success_rate(m, &v);
    json_ratio(o->out, "project_success_rate", has, v);
    has = prm_closed_success_rate(m, &v);
    json_ratio(o->out, "closed_success_rate", has, v);
    has = prm_resource_efficiency(m, &v);
    json_ratio(o->out, "resource_efficiency", has, v);
    fprintf(o->out,
            ",\"deals\":%lld,\"deals_won\":%lld,\"deals_lost\":%lld,"
            "\"deals_active\":%lld",
            (long long)m->deals, (long long)m->deals_won,
            (long long)m->deals_lost, (long long)m->deals_active);
    has = prm_deal_win_rate(m, &v);
    json_ratio(o->out, "deal_win_rate", has, v);
    has = prm_deal_approval_rate(m, &v);
    json_ratio(o->out, "deal_approval_rate", has, v);
    char pipeline[PRM_MONEY_TEXT], won[PRM_MONEY_TEXT];
    prm_format_money(m->pipeline_value, pipeline, sizeof pipeline);
    prm_format_money(m->won_value, won, sizeof won);
    fprintf(o->out, ",\"pipeline_value\":%s,\"won_value\":%s}}\n", pipeline,
            won);
}

static void json_transferred(cli_out *o, const char *verb, const char *file,
                             const prm_counts *counts, int only)
{
    fprintf(o->out, "{\"ok\":true,\"%s\":{\"file\":", verb);
    prm_json_cstring(o->out, file);
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        if (only < 0 || only == k)
            fprintf(o->out, ",\"%s\":%lld", prm_kind_get((prm_kind)k)->plural,
                (long long)counts->n[k]);
    fputs("}}\n", o->out);
}

static void json_report_begin(cli_out *o, bool explain)
{
    o->list_rows = 0;
    o->explain = explain;
}

static void json_health_terms(FILE *f, const prm_report_row *r)
{
    fputs(",\"health_terms\":{\"recency\":", f);
    prm_json_number(f, r->recency);
    fputs(",\"days_since_contact\":", f);
    if (r->has_days)
        prm_json_number(f, r->days);
    else
        fputs("null", f);
    fputs(",\"frequency\":", f);
    prm_json_number(f, r->frequency);
    fprintf(f, ",\"recent_communications\":%lld,\"success\":",
            (long long)r->recent);
    prm_json_number(f, r->success);
    fputs(",\"efficiency\":", f);
    prm_json_number(f, r->efficiency);
    putc('}', f);
}

static bool json_report_row(cli_out *o, const prm_report_row *r)
{
    FILE *f = o->out;
    double v;
    fputs(o->list_rows++ ? "," : "{\"ok\":true,\"report\":[", f);
    fprintf(f, "{\"partner\":%lld,\"name\":", (long long)r->partner);
    prm_json_cstring(f, r->name);
    fprintf(f, ",\"projects\":%lld,\"succeeded\":%lld,\"failed\":%lld",
            (long long)r->m.projects, (long long)r->m.succeeded,
            (long long)r->m.failed);
    bool has = prm_project_success_rate(&r->m, &v);
    json_ratio(f, "project_success_rate", has, v);
    fprintf(f, ",\"communications\":%lld,\"last_contact\":",
            (long long)r->m.communications);
    if (r->last_contact != NULL)
        prm_json_cstring(f, r->last_contact);
    else
        fputs("null", f);
    fprintf(f, ",\"resources\":%lld,\"outcomes\":%lld",
            (long long)r->m.resources, (long long)r->m.outcomes);
    has = prm_resource_efficiency(&r->m, &v);
    json_ratio(f, "resource_efficiency", has, v);
    fprintf(f, ",\"deals\":%lld,\"deals_won\":%lld", (long long)r->m.deals,
            (long long)r->m.deals_won);
    has = prm_deal_win_rate(&r->m, &v);
    json_ratio(f, "deal_win_rate", has, v);
    char won[PRM_MONEY_TEXT];
    prm_format_money(r->m.won_value, won, sizeof won);
    fprintf(f, ",\"won_value\":%s,\"health\":%lld", won, (long long)r->health);
    if (o->explain)
        json_health_terms(f, r);
    putc('}', f);
    return !ferror(f);
}

static void json_report_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("{\"ok\":true,\"report\":[", o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_trend_begin(cli_out *o, const char *by, const char *metric)
{
    o->list_rows = 0;
    o->by = by;
    o->metric = metric;
}

static void trend_open(cli_out *o)
{
    fprintf(o->out, "{\"ok\":true,\"trend\":{\"by\":\"%s\",\"metric\":\"%s\","
                    "\"periods\":[",
            o->by, o->metric);
}

static bool json_trend_row(cli_out *o, const prm_trend_row *r)
{
    FILE *f = o->out;
    if (o->list_rows++ == 0)
        trend_open(o);
    else
        putc(',', f);
    fputs("{\"period\":", f);
    prm_json_cstring(f, r->period);
    for (size_t i = 0; prm_trend_metrics[i] != NULL; i++) {
        double v;
        bool has = cli_trend_value(r, prm_trend_metrics[i], &v);
        json_ratio(f, prm_trend_metrics[i], has, v);
    }
    putc('}', f);
    return !ferror(f);
}

static void json_trend_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        trend_open(o);
    if (ok || o->list_rows > 0)
        fputs("]}}\n", o->out);
    o->list_rows = 0;
}

static void json_insights_begin(cli_out *o)
{
    o->list_rows = 0;
}

static bool json_finding(cli_out *o, const prm_finding *f)
{
    FILE *out = o->out;
    fputs(o->list_rows++ ? "," : "{\"ok\":true,\"insights\":[", out);
    fprintf(out, "{\"rank\":%d,\"rule\":\"%s\",\"subject\":\"%s\",\"id\":",
            f->rank, f->rule, f->subject);
    if (f->id > 0)
        fprintf(out, "%lld", (long long)f->id);
    else
        fputs("null", out);
    fputs(",\"name\":", out);
    prm_json_cstring(out, f->name);
    fputs(",\"numbers\":{", out);
    for (size_t i = 0; i < f->nnumbers; i++) {
        fprintf(out, "%s\"%s\":", i ? "," : "", f->number_names[i]);
        if (f->has_number[i])
            prm_json_number(out, f->numbers[i]);
        else
            fputs("null", out);
    }
    fputs("},\"message\":", out);
    prm_json_cstring(out, f->message);
    putc('}', out);
    return !ferror(out);
}

static void json_insights_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("{\"ok\":true,\"insights\":[", o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_tiers_begin(cli_out *o, bool apply)
{
    o->list_rows = 0;
    o->tier_apply = apply;
}

static const char *tier_key(const cli_out *o)
{
    return o->tier_apply ? "{\"ok\":true,\"applied\":["
                         : "{\"ok\":true,\"review\":[";
}

static bool json_tier_row(cli_out *o, const prm_tier_row *r)
{
    fputs(o->list_rows++ ? "," : tier_key(o), o->out);
    cli_json_tier_object(o->out, r);
    return !ferror(o->out);
}

static void json_tier_value(FILE *f, const prm_value *v)
{
    char buf[PRM_MONEY_TEXT];
    if (v->type == PRM_V_MONEY) {
        prm_format_money(v->i, buf, sizeof buf);
        fputs(buf, f);
    } else if (v->type == PRM_V_REAL) {
        prm_json_number(f, v->r);
    } else if (v->type == PRM_V_INT) {
        fprintf(f, "%lld", (long long)v->i);
    } else {
        fputs("null", f);
    }
}

static void json_or_null(FILE *f, const char *s)
{
    if (s != NULL)
        prm_json_cstring(f, s);
    else
        fputs("null", f);
}

void cli_json_tier_object(FILE *f, const prm_tier_row *r)
{
    fprintf(f, "{\"partner\":%lld,\"name\":", (long long)r->partner);
    json_or_null(f, r->name);
    fputs(",\"tier\":", f);
    json_or_null(f, r->tier);
    fputs(",\"qualifies\":", f);
    json_or_null(f, r->qualifies);
    fprintf(f, ",\"change\":\"%s\",\"next\":", r->change);
    if (r->next == NULL) {
        fputs("null}", f);
        return;
    }
    fputs("{\"tier\":", f);
    prm_json_cstring(f, r->next);
    fputs(",\"missing\":[", f);
    for (size_t i = 0; i < r->nmissing; i++) {
        fprintf(f, "%s{\"criterion\":\"%s\",\"have\":", i ? "," : "",
                r->missing[i].criterion);
        json_tier_value(f, &r->missing[i].have);
        fputs(",\"need\":", f);
        json_tier_value(f, &r->missing[i].need);
        putc('}', f);
    }
    fputs("]}}", f);
}

static void json_tiers_end(cli_out *o, bool ok, int64_t changed)
{
    (void)changed;
    if (ok && o->list_rows == 0)
        fputs(tier_key(o), o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_agenda_begin(cli_out *o)
{
    o->list_rows = 0;
}

static bool json_agenda_item(cli_out *o, const prm_agenda_item *it)
{
    fputs(o->list_rows++ ? "," : "{\"ok\":true,\"agenda\":[", o->out);
    cli_json_agenda_object(o->out, it);
    return !ferror(o->out);
}

/* A whole number in decimal, without printf: an agenda writes two an
 * item, and a million items spent a tenth of their time parsing the
 * formats of fprintf. */
static void put_int(FILE *f, int64_t v)
{
    char digits[24];
    size_t at = sizeof digits;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[--at] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        digits[--at] = '-';
    fwrite(digits + at, 1, sizeof digits - at, f);
}

void cli_json_agenda_object(FILE *f, const prm_agenda_item *it)
{
    fputs("{\"kind\":\"", f);
    fputs(it->kind, f); /* a word of prm's own */
    fputs("\",\"date\":", f);
    prm_json_cstring(f, it->date);
    fputs(it->overdue ? ",\"overdue\":true,\"id\":"
                      : ",\"overdue\":false,\"id\":",
          f);
    put_int(f, it->id);
    fputs(",\"partner\":", f);
    if (it->has_partner)
        put_int(f, it->partner);
    else
        fputs("null", f);
    fputs(",\"text\":", f);
    prm_json_cstring(f, it->text);
    putc('}', f);
}

static void json_agenda_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("{\"ok\":true,\"agenda\":[", o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_calendar_written(cli_out *o, const char *file,
                                  int64_t items)
{
    fputs("{\"ok\":true,\"file\":", o->out);
    prm_json_cstring(o->out, file);
    if (items >= 0)
        fprintf(o->out, ",\"items\":%lld", (long long)items);
    fputs("}\n", o->out);
}

static void json_audit_begin(cli_out *o)
{
    o->list_rows = 0;
}

static void json_raw_or_null(FILE *f, const char *json)
{
    fputs(json != NULL ? json : "null", f);
}

static bool json_audit_row(cli_out *o, const prm_audit_entry *e)
{
    FILE *f = o->out;
    fputs(o->list_rows++ ? "," : "{\"ok\":true,\"audit\":[", f);
    fprintf(f, "{\"id\":%lld,\"change\":%lld,\"at\":", (long long)e->id,
            (long long)e->change);
    prm_json_cstring(f, e->at);
    fputs(",\"user\":", f);
    prm_json_cstring(f, e->user);
    fputs(",\"command\":", f);
    prm_json_cstring(f, e->command);
    fprintf(f, ",\"action\":\"%s\",\"kind\":\"%s\",\"record\":%lld", e->action,
            e->kind, (long long)e->record);
    /* the images are JSON already, written by SQLite's json_object() */
    fputs(",\"before\":", f);
    json_raw_or_null(f, e->before);
    fputs(",\"after\":", f);
    json_raw_or_null(f, e->after);
    if (e->undoes > 0)
        fprintf(f, ",\"undoes\":%lld}", (long long)e->undoes);
    else
        fputs(",\"undoes\":null}", f);
    return !ferror(f);
}

static void json_audit_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("{\"ok\":true,\"audit\":[", o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_undone(cli_out *o, const int64_t *changes,
                        char *const *commands, size_t n)
{
    fputs("{\"ok\":true,\"undone\":[", o->out);
    for (size_t i = 0; i < n; i++) {
        fprintf(o->out, "%s{\"change\":%lld,\"command\":", i ? "," : "",
                (long long)changes[i]);
        prm_json_cstring(o->out, commands[i]);
        putc('}', o->out);
    }
    fputs("]}\n", o->out);
}

static void json_backed_up(cli_out *o, const char *file)
{
    fputs("{\"ok\":true,\"backup\":{\"file\":", o->out);
    prm_json_cstring(o->out, file);
    fputs("}}\n", o->out);
}

static void json_encryption(cli_out *o, const char *what)
{
    if (strcmp(what, "passphrase") == 0)
        fputs("{\"ok\":true,\"encryption\":\"on\",\"passphrase\":"
              "\"changed\"}\n",
              o->out);
    else
        fprintf(o->out, "{\"ok\":true,\"encryption\":\"%s\"}\n", what);
}

static void json_user(FILE *f, const char *name, const char *role)
{
    fputs("{\"name\":", f);
    prm_json_cstring(f, name);
    fputs(",\"role\":", f);
    prm_json_cstring(f, role);
}

static void json_user_changed(cli_out *o, const char *verb, const char *name,
                              const char *role)
{
    (void)verb;
    fputs("{\"ok\":true,\"user\":", o->out);
    json_user(o->out, name, role);
    fputs("}}\n", o->out);
}

static void json_users_begin(cli_out *o)
{
    o->list_rows = 0;
}

static bool json_user_row(cli_out *o, const prm_user_info *u)
{
    fputs(o->list_rows++ ? "," : "{\"ok\":true,\"users\":[", o->out);
    json_user(o->out, u->name, u->role);
    fprintf(o->out, ",\"partners\":%lld}", (long long)u->partners);
    return !ferror(o->out);
}

static void json_users_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("{\"ok\":true,\"users\":[", o->out);
    if (ok || o->list_rows > 0)
        fputs("]}\n", o->out);
    o->list_rows = 0;
}

static void json_check(cli_out *o, const prm_check_report *r)
{
    if (r->problems > 0)
        return; /* the command fails: its error object is the output */
    fputs("{\"ok\":true,\"check\":{\"integrity_check\":", o->out);
    prm_json_cstring(o->out, r->integrity);
    fprintf(o->out, ",\"foreign_key_errors\":%lld,\"schema_version\":%lld,",
            (long long)r->foreign_key_errors, (long long)r->schema_version);
    /* A database in memory or on a server has no file, and no modes. */
    if (r->on_file)
        fprintf(o->out, "\"file_mode\":\"%04o\",\"folder_mode\":\"%04o\",",
                r->file_mode, r->folder_mode);
    else
        fputs("\"file_mode\":null,\"folder_mode\":null,", o->out);
    if (r->encrypted)
        fprintf(o->out, "\"encryption\":\"on\",\"sealed_values\":%lld}}\n",
                (long long)r->sealed_values);
    else
        fputs("\"encryption\":\"off\",\"sealed_values\":0}}\n", o->out);
}

static void json_settings(cli_out *o, bool json, bool csv, bool color,
                          bool pager)
{
    fprintf(o->out,
            "{\"ok\":true,\"settings\":{\"json\":%s,\"csv\":%s,"
            "\"color\":%s,\"pager\":%s}}\n",
            json ? "true" : "false", csv ? "true" : "false",
            color ? "true" : "false", pager ? "true" : "false");
}

static void json_text(cli_out *o, const char *key, const char *text)
{
    fprintf(o->out, "{\"ok\":true,\"%s\":", key);
    prm_json_cstring(o->out, text);
    fputs("}\n", o->out);
}

bool cli_json_text_file(cli_out *o, const char *key, FILE *src)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    /* Read to the end once to know it can be read: half an object on
     * stdout would be worse than the error alone. */
    rewind(src);
    while ((n = getline(&line, &cap, src)) > 0)
        ;
    bool ok = !ferror(src);
    if (ok) {
        rewind(src);
        fprintf(o->out, "{\"ok\":true,\"%s\":\"", key);
        /* A line ends on a character boundary: UTF-8 has no '\n' inside
         * a character. */
        while ((n = getline(&line, &cap, src)) > 0)
            prm_json_chars(o->out, line, (size_t)n);
        ok = !ferror(src);
        fputs("\"}\n", o->out);
    }
    free(line);
    return ok;
}

static void json_ok(cli_out *o)
{
    fputs("{\"ok\":true}\n", o->out);
}

static void json_error(cli_out *o, const prm_error *err, const char *source,
                       long line)
{
    (void)source;
    fprintf(o->out, "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":",
            prm_code_name(err->code));
    prm_json_cstring(o->out, prm_error_message(err));
    fprintf(o->out, ",\"line\":%ld}}\n", line);
}

const cli_out_ops cli_json_ops = {
    .changed = json_changed,
    .added_two = json_added_two,
    .show = record_object,
    .list_begin = json_list_begin,
    .list_row = json_list_row,
    .list_end = json_list_end,
    .deleted = json_deleted,
    .metrics = json_metrics,
    .transferred = json_transferred,
    .report_begin = json_report_begin,
    .report_row = json_report_row,
    .report_end = json_report_end,
    .trend_begin = json_trend_begin,
    .trend_row = json_trend_row,
    .trend_end = json_trend_end,
    .insights_begin = json_insights_begin,
    .finding = json_finding,
    .insights_end = json_insights_end,
    .audit_begin = json_audit_begin,
    .audit_row = json_audit_row,
    .tiers_begin = json_tiers_begin,
    .tier_row = json_tier_row,
    .tiers_end = json_tiers_end,
    .agenda_begin = json_agenda_begin,
    .agenda_item = json_agenda_item,
    .agenda_end = json_agenda_end,
    .calendar_written = json_calendar_written,
    .audit_end = json_audit_end,
    .undone = json_undone,
    .backed_up = json_backed_up,
    .encryption = json_encryption,
    .user_changed = json_user_changed,
    .users_begin = json_users_begin,
    .user_row = json_user_row,
    .users_end = json_users_end,
    .check = json_check,
    .settings = json_settings,
    .text = json_text,
    .ok = json_ok,
    .error = json_error,
    .needs_record = true,
    .ref_names = false,
};
