/*
 * output_text.c - output for people: aligned tables, a field-per-line view
 * of one record, a metrics panel, and errors on stderr in the documented form
 * (prm: LINE: error: TEXT, or FILE:LINE: error: TEXT).  Colour only when
 * the stream is a terminal and NO_COLOR is not set.
 *
 * Past 700 lines on purpose: it is one implementation of cli_out_ops, an
 * operation per thing prm prints, all sharing the table builder and the
 * terminal's state; split, each part would export them to the other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "text_table.h"


static void text_changed(cli_out *o, const char *verb,
                         const prm_kind_info *info, int64_t id,
                         const prm_record *rec)
{
    (void)rec;
    /* Not fprintf, nor a write a word: a bulk load prints this for every
     * line, and formatting it, or locking the stream five times, cost
     * more than parsing the line.  One line, one write. */
    char digits[PRM_INT_TEXT], line[64 + PRM_INT_TEXT];
    const char *d = prm_int_text(digits, id);
    size_t lv = strlen(verb), lk = strlen(info->name), ld = strlen(d);
    if (o->change_note != NULL) {
        fprintf(o->out, "%s %s %s (%s)\n", verb, info->name, d,
                o->change_note);
        return;
    }
    if (lv + lk + ld + 3 > sizeof line) {
        fprintf(o->out, "%s %s %s\n", verb, info->name, d);
        return;
    }
    char *p = line;
    memcpy(p, verb, lv);
    p += lv;
    *p++ = ' ';
    memcpy(p, info->name, lk);
    p += lk;
    *p++ = ' ';
    memcpy(p, d, ld);
    p += ld;
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), o->out);
}

/* A reference as people read it: the name of what it refers to, and in
 * show its id too ("Acme Corp (1)", "Acme Corp, Beta (1,2)"), as an id
 * alone says little and a name alone is not what a script would type. */
static char *ref_text(const prm_record *rec, size_t i, bool with_id)
{
    const char *name = rec->ref_name[i];
    if (name == NULL)
        return cli_format_value(&rec->v[i]);
    if (!with_id)
        return strdup(name);
    char *id = cli_format_value(&rec->v[i]);
    size_t size = id ? strlen(name) + strlen(id) + 4 : 0;
    char *s = id ? malloc(size) : NULL;
    if (s != NULL)
        snprintf(s, size, "%s (%s)", name, id);
    free(id);
    return s;
}

static void text_added_two(cli_out *o, int part, const prm_kind_info *info,
                           int64_t id, const prm_record *rec)
{
    (void)rec;
    fprintf(o->out, "%s %s %lld%s", part ? " and" : "added", info->name,
            (long long)id, part ? "\n" : "");
}

/* The width of show's labels: its longest field name, at least 12. */
static int label_width(const prm_kind_info *info)
{
    size_t width = 12;
    for (size_t i = 0; i < info->nfields; i++)
        if (strlen(info->fields[i].name) > width)
            width = strlen(info->fields[i].name);
    return (int)width;
}

static void text_show(cli_out *o, const prm_record *rec)
{
    const prm_kind_info *info = rec->info;
    int width = label_width(info);
    for (size_t i = 0; i < info->nfields; i++) {
        char *value = ref_text(rec, i, true);
        value = value ? cli_visible(value, SHOWN_AS_BLOCK) : NULL;
        fprintf(o->out, "%s%-*s%s ", o->color ? BOLD : "", width,
                info->fields[i].name, o->color ? RESET : "");
        /* Later lines of a multi-line value line up under the first. */
        for (char *p = value; p != NULL && *p; p++) {
            putc(*p, o->out);
            if (*p == '\n')
                fprintf(o->out, "%*s", width + 1, "");
        }
        putc('\n', o->out);
        free(value);
    }
    if (rec->owner != NULL) { /* a task's, on a team database */
        fprintf(o->out, "%s%-*s%s ", o->color ? BOLD : "", width, "owner",
                o->color ? RESET : "");
        cli_put_visible(o->out, rec->owner, SHOWN_ON_ONE_LINE);
        putc('\n', o->out);
    }
}

static void text_list_begin(cli_out *o, const prm_kind_info *info)
{
    (void)info;
    cli_out_free(o);
}

static bool text_list_row(cli_out *o, const prm_record *rec)
{
    char *cells[CLI_MAX_COLUMNS];
    size_t n = 0;
    for (size_t i = 0; i < rec->info->nfields && n < CLI_MAX_COLUMNS; i++)
        if (rec->info->fields[i].flags & PRM_FF_COLUMN)
            cells[n++] = ref_text(rec, i, false);
    return cli_table_push_row(o, cells, n);
}

static bool right_aligned(const prm_field *f)
{
    return f->type == PRM_F_ID || f->type == PRM_F_PERCENT ||
           f->type == PRM_F_COUNT ||
           f->type == PRM_F_NUMBER || f->type == PRM_F_RATIO ||
           f->type == PRM_F_MONEY;
}


static void kind_head(const prm_kind_info *info, table_head *h)
{
    h->n = 0;
    for (size_t i = 0; i < info->nfields && h->n < MAX_COLUMNS; i++)
        if (info->fields[i].flags & PRM_FF_COLUMN) {
            h->names[h->n] = info->fields[i].name;
            h->whole[h->n] = info->fields[i].type == PRM_F_DATE ||
                             info->fields[i].type == PRM_F_ENUM;
            h->right[h->n++] = right_aligned(&info->fields[i]);
        }
}

static void text_list_end(cli_out *o, const prm_kind_info *info, bool ok)
{
    table_head h;
    kind_head(info, &h);
    if (ok && cli_table_empty(o))
        fprintf(o->out, "no %s\n", info->plural);
    else if (ok)
        cli_table_render(o, &h);
    cli_out_free(o);
}

static void text_deleted(cli_out *o, const prm_kind_info *info, int64_t id)
{
    fprintf(o->out, "deleted %s %lld\n", info->name, (long long)id);
}

static void count_line(cli_out *o, const char *label, int64_t n)
{
    fprintf(o->out, "%-22s %10lld\n", label, (long long)n);
}

/* An amount of money, aligned with the counts. */
static void money_line(cli_out *o, const char *label, int64_t cents,
                       const char *definition)
{
    char value[PRM_MONEY_TEXT];
    prm_format_money(cents, value, sizeof value);
    fprintf(o->out, "%-22s %10s   %s%s%s\n", label, value, o->color ? DIM : "",
            definition, o->color ? RESET : "");
}

/* A ratio: as a percentage when it is a rate, plain otherwise. */
static void ratio_line(cli_out *o, const char *label, bool has, double v,
                       bool percent, const char *definition)
{
    char value[32];
    cli_ratio_text(value, sizeof value, has, v, percent);
    fprintf(o->out, "%-22s %10s   %s%s%s\n", label, value, o->color ? DIM : "",
            definition, o->color ? RESET : "");
}

static void text_metrics(cli_out *o, const prm_metrics *m)
{
    double v;
    bool has;
    count_line(o, "partners", m->partners);
    count_line(o, "projects", m->projects);
    count_line(o, "  succeeded", m->succeeded);
    count_line(o, "  failed", m->failed);
    count_line(o, "communications", m->communications);
    count_line(o, "resources", m->resources);
    count_line(o, "outcomes", m->outcomes);
    has = prm_relationship_degree(m, &v);
    ratio_line(o, "relationship degree", has, v, false, "projects / partners");
    has = prm_project_success_rate(m, &v);
    ratio_line(o, "project success rate", has, v, true,
               "succeeded / projects");
    has = prm_closed_success_rate(m, &v);
    ratio_line(o, "closed success rate", has, v, true,
               "succeeded / (succeeded + failed)");
    has = prm_resource_efficiency(m, &v);
    ratio_line(o, "resource efficiency", has, v, false,
               "outcomes / resources");
    count_line(o, "deals", m->deals);
    count_line(o, "  won", m->deals_won);
    count_line(o, "  lost", m->deals_lost);
    count_line(o, "  active", m->deals_active);
    has = prm_deal_win_rate(m, &v);
    ratio_line(o, "deal win rate", has, v, true, "won / (won + lost)");
    has = prm_deal_approval_rate(m, &v);
    ratio_line(o, "deal approval rate", has, v, true,
               "ever approved / (ever approved + rejected)");
    money_line(o, "pipeline value", m->pipeline_value,
               "amount of approved deals not expired");
    money_line(o, "won value", m->won_value, "amount of won deals");
}

/* "imported 3 partners, 1 deal from FILE": the kinds it moved, or "no
 * records"; export csv KIND names its one kind, whatever the count. */
static void text_transferred(cli_out *o, const char *verb, const char *file,
                             const prm_counts *counts, int only)
{
    fprintf(o->out, "%s", verb);
    int shown = 0;
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        if ((only >= 0 && only != k) || (only < 0 && counts->n[k] == 0))
            continue;
        fprintf(o->out, "%s %lld %s", shown++ ? "," : "",
                (long long)counts->n[k],
                counts->n[k] == 1 ? info->name : info->plural);
    }
    if (shown == 0)
        fputs(" no records", o->out);
    fprintf(o->out, " %s %s\n", strcmp(verb, "exported") == 0 ? "to" : "from",
            file);
}

static void text_report_begin(cli_out *o, bool explain)
{
    cli_out_free(o);
    o->explain = explain;
}

static char *term_cell(double v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%.2f", v);
    return strdup(buf);
}

/* A ratio as a table cell: a percentage for a rate, n/a for none. */
static char *ratio_cell(bool has, double v, bool percent)
{
    char buf[32];
    cli_ratio_text(buf, sizeof buf, has, v, percent);
    return strdup(buf);
}

static char *count_cell(int64_t n)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)n);
    return strdup(buf);
}

static bool text_report_row(cli_out *o, const prm_report_row *r)
{
    double v;
    bool has_rate = prm_project_success_rate(&r->m, &v);
    char *rate = ratio_cell(has_rate, v, true);
    bool has_eff = prm_resource_efficiency(&r->m, &v);
    double win;
    bool has_win = prm_deal_win_rate(&r->m, &win);
    char won[PRM_MONEY_TEXT];
    prm_format_money(r->m.won_value, won, sizeof won);
    char *cells[] = {
        count_cell(r->partner),
        strdup(r->name),
        count_cell(r->m.projects),
        count_cell(r->m.succeeded),
        count_cell(r->m.failed),
        rate,
        count_cell(r->m.communications),
        /* the day is enough at a glance */
        r->last_contact ? strndup(r->last_contact, 10) : strdup("-"),
        count_cell(r->m.resources),
        count_cell(r->m.outcomes),
        ratio_cell(has_eff, v, false),
        count_cell(r->m.deals),
        count_cell(r->m.deals_won),
        ratio_cell(has_win, win, true),
        strdup(won),
        count_cell(r->health),
        /* --explain: the four terms of the health score */
        term_cell(r->recency),
        term_cell(r->frequency),
        term_cell(r->success),
        term_cell(r->efficiency),
    };
    size_t n = o->explain ? sizeof cells / sizeof cells[0] : 16;
    for (size_t i = n; i < sizeof cells / sizeof cells[0]; i++)
        free(cells[i]);
    return cli_table_push_row(o, cells, n);
}

static void text_report_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"id", "name", "projects", "succeeded", "failed", "success", "comms",
         "last contact", "resources", "outcomes", "efficiency", "deals",
         "won", "win rate", "won value", "health", "recency", "frequency",
         "closed", "yield"},
        {true, false, true, true, true, true, true, false, true, true, true,
         true, true, true, true, true, true, true, true, true},
        20,
        {[7] = true}};
    table_head h = head;
    h.n = o->explain ? 20 : 16;
    if (ok && cli_table_empty(o))
        fputs("no partners\n", o->out);
    else if (ok)
        cli_table_render(o, &h);
    if (ok && o->explain && cli_table_empty(o))
        fputs("health = round(100 * (0.3 recency + 0.2 frequency + 0.3 closed "
              "+ 0.2 yield)); doc/guide.md: Health\n",
              o->out);
    cli_out_free(o);
}

static void text_trend_begin(cli_out *o, const char *by, const char *metric)
{
    cli_out_free(o);
    o->by = by;
    o->metric = metric;
}

static bool text_trend_row(cli_out *o, const prm_trend_row *r)
{
    if (o->nvalues == o->values_cap) {
        size_t cap = o->values_cap ? o->values_cap * 2 : 64;
        double *values = realloc(o->values, cap * sizeof *values);
        if (values != NULL)
            o->values = values;
        bool *has = realloc(o->has, cap * sizeof *has);
        if (has != NULL)
            o->has = has;
        if (values == NULL || has == NULL)
            return false;
        o->values_cap = cap;
    }
    o->has[o->nvalues] =
        cli_trend_value(r, o->metric, &o->values[o->nvalues]);
    o->nvalues++;
    return cli_table_push_cell(o, strdup(r->period));
}

#define BAR_WIDTH 40

/* A bar of width cells * fraction: whole blocks and an eighth block for
 * the rest, or '#' where the terminal cannot show Unicode. */
static void print_bar(cli_out *o, double fraction)
{
    static const char *const eighths[] = {"",  "\u258f", "\u258e", "\u258d",
                                          "\u258c", "\u258b", "\u258a",
                                          "\u2589"};
    int units = (int)(fraction * BAR_WIDTH * 8 + 0.5);
    if (!o->utf8) {
        for (int i = 0; i < (units + 4) / 8; i++)
            putc('#', o->out);
        return;
    }
    for (int i = 0; i < units / 8; i++)
        fputs("\u2588", o->out);
    fputs(eighths[units % 8], o->out);
}

static void text_trend_end(cli_out *o, bool ok)
{
    if (!ok || o->nvalues == 0) {
        if (ok)
            fputs("no activity in the periods asked for\n", o->out);
        cli_out_free(o);
        return;
    }
    double max = 0;
    for (size_t i = 0; i < o->nvalues; i++)
        if (o->has[i] && o->values[i] > max)
            max = o->values[i];
    bool rate = strstr(o->metric, "rate") != NULL;
    bool ratio = rate || strstr(o->metric, "_") != NULL;
    fprintf(o->out, "%s%s by %s%s\n", o->color ? BOLD : "", o->metric, o->by,
            o->color ? RESET : "");
    for (size_t i = 0; i < o->nvalues; i++) {
        char value[32];
        if (!o->has[i])
            snprintf(value, sizeof value, "n/a");
        else if (rate)
            snprintf(value, sizeof value, "%.1f%%", o->values[i] * 100);
        else if (ratio)
            snprintf(value, sizeof value, "%.2f", o->values[i]);
        else
            snprintf(value, sizeof value, "%.0f", o->values[i]);
        fprintf(o->out, "%-8s %10s", o->cells[i], value);
        if (o->has[i] && max > 0 && o->values[i] > 0) {
            fputs("  ", o->out);
            print_bar(o, o->values[i] / max);
        }
        putc('\n', o->out);
    }
    cli_out_free(o);
}

static void text_insights_begin(cli_out *o)
{
    cli_out_free(o);
}

static bool text_finding(cli_out *o, const prm_finding *f)
{
    char subject[96];
    if (f->id > 0)
        snprintf(subject, sizeof subject, "%s %lld", f->subject,
                 (long long)f->id);
    else
        snprintf(subject, sizeof subject, "%s", f->subject);
    char *cells[] = {count_cell(f->rank), strdup(f->rule), strdup(subject),
                     strdup(f->name), strdup(f->message)};
    return cli_table_push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_insights_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"rank", "rule", "subject", "name", "finding"},
        {true, false, false, false, false},
        5,
        {[1] = true, [2] = true}};
    if (ok && cli_table_empty(o))
        fputs("no findings: nothing needs attention\n", o->out);
    else if (ok)
        cli_table_render(o, &head);
    cli_out_free(o);
}

static void text_agenda_begin(cli_out *o)
{
    o->list_rows = 0;
    o->agenda_group = 2;
}

/* The heading of the days after today: this week by default. */
static void later_heading(char *buf, size_t size, int64_t days)
{
    if (days == 7)
        snprintf(buf, size, "This week");
    else if (days == 1)
        snprintf(buf, size, "Tomorrow");
    else
        snprintf(buf, size, "The next %lld days", (long long)days);
}

static bool text_agenda_item(cli_out *o, const prm_agenda_item *it)
{
    int group = it->day < 0 ? -1 : it->day == 0 ? 0 : 1;
    const char *color = !o->color ? "" : group < 0 ? RED : BOLD;
    if (group != o->agenda_group) {
        char later[32];
        later_heading(later, sizeof later, it->days);
        fprintf(o->out, "%s%s%s%s\n", o->list_rows ? "\n" : "", color,
                group < 0 ? "Overdue" : group == 0 ? "Today" : later,
                o->color ? RESET : "");
        o->agenda_group = group;
    }
    char what[64];
    snprintf(what, sizeof what, "%s %lld", it->kind, (long long)it->id);
    fprintf(o->out, "  %s%.10s%s  %-20s ", group < 0 ? color : "", it->date,
            group < 0 && o->color ? RESET : "", what);
    cli_put_visible(o->out, it->text, SHOWN_ON_ONE_LINE);
    if (it->partner_name != NULL && strcmp(it->kind, "partner_quiet") != 0) {
        fputs(" (", o->out);
        cli_put_visible(o->out, it->partner_name, SHOWN_ON_ONE_LINE);
        fputc(')', o->out);
    }
    fputc('\n', o->out);
    o->list_rows++;
    return !ferror(o->out);
}

static void text_agenda_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("nothing on the agenda\n", o->out);
}

static void text_calendar_written(cli_out *o, const char *file, int64_t items)
{
    if (items < 0)
        fputs("wrote the report to ", o->out);
    else
        fprintf(o->out, "wrote %lld agenda item%s to ", (long long)items,
                items == 1 ? "" : "s");
    cli_put_visible(o->out, file, SHOWN_ON_ONE_LINE);
    fputc('\n', o->out);
}

static void text_audit_begin(cli_out *o)
{
    cli_out_free(o);
}

/* The record an entry is about; a project's link to a partner is
 * "PROJECT/PARTNER" (the partner read from its image), or a person could
 * not tell which partner joined or left. */
static char *record_cell(const prm_audit_entry *e)
{
    static const char key[] = "\"partner\":";
    const char *image = e->after != NULL ? e->after : e->before;
    bool link = e->kind != NULL && strcmp(e->kind, "project_partner") == 0;
    const char *partner = link && image ? strstr(image, key) : NULL;
    if (partner == NULL)
        return count_cell(e->record);
    char buf[48];
    snprintf(buf, sizeof buf, "%lld/%lld", (long long)e->record,
             strtoll(partner + sizeof key - 1, NULL, 10));
    return strdup(buf);
}

static bool text_audit_row(cli_out *o, const prm_audit_entry *e)
{
    char *cells[] = {count_cell(e->id),  count_cell(e->change),
                     strdup(e->at),      strdup(e->user),
                     strdup(e->action),  strdup(e->kind),
                     record_cell(e),     strdup(e->command)};
    return cli_table_push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_audit_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"id", "change", "at", "user", "action", "kind", "record", "command"},
        {true, true, false, false, false, false, true, false},
        8,
        {[2] = true, [4] = true, [5] = true}};
    if (ok && cli_table_empty(o))
        fputs("no changes recorded\n", o->out);
    else if (ok)
        cli_table_render(o, &head);
    cli_out_free(o);
}

static void text_undone(cli_out *o, const int64_t *changes,
                        char *const *commands, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(o->out, "undid change %lld: ", (long long)changes[i]);
        cli_put_visible(o->out, commands[i], SHOWN_ON_ONE_LINE);
        putc('\n', o->out);
    }
}

static void text_backed_up(cli_out *o, const char *file)
{
    fprintf(o->out, "backed up to %s\n", file);
}

static void text_encryption(cli_out *o, const char *what)
{
    if (strcmp(what, "passphrase") == 0)
        fputs("passphrase changed\n", o->out);
    else
        fprintf(o->out, "encryption %s\n", what);
}

static void text_user_changed(cli_out *o, const char *verb, const char *name,
                              const char *role)
{
    fprintf(o->out, "%s user %s (%s)\n", verb, name, role);
}

static void text_tiers_begin(cli_out *o, bool apply)
{
    cli_out_free(o);
    o->tier_apply = apply;
}

static char *or_dash(const char *s)
{
    return strdup(s ? s : "-");
}

/* review: a table row; apply: a line as each partner changes. */
static bool text_tier_row(cli_out *o, const prm_tier_row *r)
{
    if (o->tier_apply) {
        fprintf(o->out, "partner %lld ", (long long)r->partner);
        cli_put_visible(o->out, r->name, SHOWN_ON_ONE_LINE);
        fputs(": ", o->out);
        cli_put_visible(o->out, r->tier ? r->tier : "no tier",
                        SHOWN_ON_ONE_LINE);
        fputs(" -> ", o->out);
        cli_put_visible(o->out, r->qualifies ? r->qualifies : "no tier",
                        SHOWN_ON_ONE_LINE);
        fprintf(o->out, " (%s)\n", r->change);
        return !ferror(o->out);
    }
    char missing[512];
    prm_tier_missing_text(r, missing, sizeof missing);
    char *cells[] = {count_cell(r->partner), strdup(r->name),
                     or_dash(r->tier), or_dash(r->qualifies),
                     strdup(r->change), or_dash(r->next),
                     or_dash(missing[0] ? missing : NULL)};
    return cli_table_push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_tiers_end(cli_out *o, bool ok, int64_t changed)
{
    static const table_head head = {
        {"partner", "name", "tier", "qualifies", "change", "next", "missing"},
        {true, false, false, false, false, false, false},
        7,
        {false}};
    if (ok && o->tier_apply)
        fprintf(o->out, changed ? "changed the tier of %lld partner%s\n"
                                : "no partner's tier changes\n",
                (long long)changed, changed == 1 ? "" : "s");
    else if (ok && cli_table_empty(o))
        fputs("no partners\n", o->out);
    else if (ok)
        cli_table_render(o, &head);
    cli_out_free(o);
}

static void text_users_begin(cli_out *o)
{
    cli_out_free(o);
}

static bool text_user_row(cli_out *o, const prm_user_info *u)
{
    char *cells[] = {strdup(u->name), strdup(u->role),
                     count_cell(u->partners)};
    return cli_table_push_row(o, cells, sizeof cells / sizeof cells[0]);
}

static void text_users_end(cli_out *o, bool ok)
{
    static const table_head head = {
        {"name", "role", "partners"}, {false, false, true}, 3, {false}};
    if (ok && cli_table_empty(o))
        fputs("no users\n", o->out);
    else if (ok)
        cli_table_render(o, &head);
    cli_out_free(o);
}

static void text_check(cli_out *o, const prm_check_report *r)
{
    fprintf(o->out, "integrity_check      %s\n", r->integrity);
    fprintf(o->out, "foreign_key_check    %s\n",
            r->foreign_key_errors ? "records refer to missing records" : "ok");
    fprintf(o->out, "schema version       %lld\n", (long long)r->schema_version);
    if (r->on_file)
        fprintf(o->out, "file, folder mode    %04o, %04o\n", r->file_mode,
                r->folder_mode);
    if (r->encrypted)
        fprintf(o->out, "encryption           on: %lld sealed values, %s\n",
                (long long)r->sealed_values,
                r->sealed_failed ? "some do not open" : "all open");
    else
        fputs("encryption           off\n", o->out);
    if (r->problems == 0)
        fputs("no problems found\n", o->out);
}

static void text_settings(cli_out *o, bool json, bool csv, bool color,
                          bool pager)
{
    fprintf(o->out, "json   %s\ncsv    %s\ncolor  %s\npager  %s\n",
            json ? "on" : "off", csv ? "on" : "off", color ? "on" : "off",
            pager ? "on" : "off");
}

static void text_text(cli_out *o, const char *key, const char *text)
{
    (void)key;
    fputs(text, o->out);
}

static void text_ok(cli_out *o)
{
    (void)o;
}

static void text_error(cli_out *o, const prm_error *err, const char *source,
                       long line)
{
    cli_flush(o->out); /* keep the error after the output before it */
    if (source != NULL)
        fprintf(o->err, "%s:%ld: ", source, line);
    else
        fprintf(o->err, "prm: %ld: ", line);
    fprintf(o->err, "%serror:%s ", o->err_color ? RED : "",
            o->err_color ? RESET : "");
    cli_put_visible(o->err, prm_error_message(err), SHOWN_ON_ONE_LINE);
    putc('\n', o->err);
}

const cli_out_ops cli_text_ops = {
    .changed = text_changed,
    .added_two = text_added_two,
    .show = text_show,
    .list_begin = text_list_begin,
    .list_row = text_list_row,
    .list_end = text_list_end,
    .deleted = text_deleted,
    .metrics = text_metrics,
    .transferred = text_transferred,
    .report_begin = text_report_begin,
    .report_row = text_report_row,
    .report_end = text_report_end,
    .trend_begin = text_trend_begin,
    .trend_row = text_trend_row,
    .trend_end = text_trend_end,
    .insights_begin = text_insights_begin,
    .finding = text_finding,
    .insights_end = text_insights_end,
    .agenda_begin = text_agenda_begin,
    .agenda_item = text_agenda_item,
    .agenda_end = text_agenda_end,
    .calendar_written = text_calendar_written,
    .audit_begin = text_audit_begin,
    .audit_row = text_audit_row,
    .audit_end = text_audit_end,
    .undone = text_undone,
    .backed_up = text_backed_up,
    .encryption = text_encryption,
    .user_changed = text_user_changed,
    .tiers_begin = text_tiers_begin,
    .tier_row = text_tier_row,
    .tiers_end = text_tiers_end,
    .users_begin = text_users_begin,
    .user_row = text_user_row,
    .users_end = text_users_end,
    .check = text_check,
    .settings = text_settings,
    .text = text_text,
    .ok = text_ok,
    .error = text_error,
    .needs_record = false,
    .ref_names = true,
};
