/*
 * output_json.c - machine output: exactly one JSON object per command, on
 * one line of stdout (SPEC.md §4).  Records stream straight to stdout, so a
 * list of a million records needs no more memory than a list of one.
 */
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
    fputs("}}\n", o->out);
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

static void json_text(cli_out *o, const char *key, const char *text)
{
    fprintf(o->out, "{\"ok\":true,\"%s\":", key);
    prm_json_cstring(o->out, text);
    fputs("}\n", o->out);
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
    .show = record_object,
    .list_begin = json_list_begin,
    .list_row = json_list_row,
    .list_end = json_list_end,
    .deleted = json_deleted,
    .metrics = json_metrics,
    .transferred = json_transferred,
    .text = json_text,
    .ok = json_ok,
    .error = json_error,
    .needs_record = true,
};
