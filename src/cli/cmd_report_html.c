/*
 * cmd_report_html.c - report html FILE [FILTER...]: one self-contained
 * HTML file for people away from the shell (no script, style sheet, font
 * or image fetched from anywhere): the headline metrics with their
 * definitions, the trend as an inline SVG chart, the partner scorecard,
 * the deal pipeline, the agenda's overdue items and the insights.
 *
 * Every part comes from the same core calls the other commands make, so
 * the page says what metrics, report partners, report trend, agenda and
 * insights say; partners stream into the page a row at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "html.h"

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1d2330;margin:0 auto;max-width:1100px;padding:24px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;"
    "border-bottom:2px solid #dfe4ee;padding-bottom:4px}"
    ".sub{color:#5b6478;margin:0 0 16px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));"
    "gap:12px}.card{border:1px solid #dfe4ee;border-radius:8px;padding:12px}"
    ".card .v{font-size:26px;font-weight:600}.card .d{color:#5b6478;font-size:13px}"
    ".wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;"
    "font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid #e8ecf3;"
    "text-align:left;vertical-align:top}th{background:#f4f6fa;font-weight:600}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".score{font-size:12.5px}.score th,.score td{padding:4px 5px}"
    "td.date{white-space:nowrap}"
    ".empty{color:#5b6478;font-style:italic}.legend span{margin-right:16px}"
    ".sw{display:inline-block;width:12px;height:12px;margin-right:4px;"
    "vertical-align:-1px}.a{background:#3b6fd8}.b{background:#e39b2d}"
    "svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#5b6478}"
    "@media (max-width:600px){body{padding:12px}.card .v{font-size:20px}}"
    "@media print{body{max-width:none;padding:0;font-size:11pt}"
    ".card{break-inside:avoid}tr{break-inside:avoid}h2{break-after:avoid}"
    "th{background:none}.wrap{overflow:visible}table{font-size:8.5pt}}";

/* --- headline metrics ------------------------------------------------------ */

static void card(FILE *f, const char *label, const char *value,
                 const char *definition)
{
    fputs("<div class=\"card\">", f);
    html_el(f, "div", "l", label);
    html_el(f, "div", "v", value);
    html_el(f, "div", "d", definition);
    fputs("</div>\n", f);
}

static void count_card(FILE *f, const char *label, int64_t n,
                       const char *definition)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)n);
    card(f, label, v, definition);
}

static void ratio_card(FILE *f, const char *label, bool has, double v,
                       bool percent, const char *definition)
{
    char text[32];
    cli_ratio_text(text, sizeof text, has, v, percent);
    card(f, label, text, definition);
}

static void headline(FILE *f, const prm_metrics *m)
{
    double v;
    fputs("<h2>Headline metrics</h2>\n<div class=\"cards\">\n", f);
    bool has = prm_relationship_degree(m, &v);
    ratio_card(f, "relationship degree", has, v, false,
               "projects / partners");
    has = prm_project_success_rate(m, &v);
    ratio_card(f, "project success rate", has, v, true,
               "succeeded projects / all projects");
    has = prm_resource_efficiency(m, &v);
    ratio_card(f, "resource efficiency", has, v, false,
               "outcomes / resources");
    count_card(f, "partners", m->partners, "in scope");
    count_card(f, "projects", m->projects, "with a partner in scope");
    count_card(f, "communications", m->communications, "logged");
    count_card(f, "resources", m->resources, "committed");
    count_card(f, "outcomes", m->outcomes, "produced");
    fputs("</div>\n", f);
}

/* --- the trend chart ----------------------------------------------------- */

typedef struct period {
    char label[16];
    int64_t projects, communications;
} period;

typedef struct trend {
    period *p;
    size_t n, cap;
    bool failed;
} trend;

static bool keep_period(void *ctx, const prm_trend_row *r)
{
    trend *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        period *more = realloc(t->p, cap * sizeof *more);
        if (more == NULL) {
            t->failed = true;
            return false;
        }
        t->p = more;
        t->cap = cap;
    }
    period *p = &t->p[t->n++];
    snprintf(p->label, sizeof p->label, "%s", r->period);
    p->projects = r->in.projects;
    p->communications = r->in.communications;
    return true;
}

/* A round top for the y axis: 1, 2 or 5 times a power of ten. */
static int64_t axis_top(int64_t max)
{
    int64_t step = 1;
    while (step * 10 <= max)
        step *= 10;
    for (int64_t k = 1; k <= 10; k = k == 1 ? 2 : k == 2 ? 5 : 10)
        if (k * step >= max)
            return k * step;
    return 10 * step;
}

static void chart(FILE *f, const trend *t)
{
    enum { W = 760, H = 260, L = 48, B = 36, T = 12 };
    int64_t max = 1;
    for (size_t i = 0; i < t->n; i++) {
        if (t->p[i].projects > max)
            max = t->p[i].projects;
        if (t->p[i].communications > max)
            max = t->p[i].communications;
    }
    int64_t top = axis_top(max);
    double slot = (double)(W - L - 8) / (double)t->n, bar = slot * 0.38;
    fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-labelledby=\"trend-title\">"
               "<title id=\"trend-title\">Projects and communications a "
               "month</title>\n",
            W, H, W, H);
    /* gridlines at whole numbers: top is 1, 2 or 5 times a power of ten */
    int steps = top <= 4 ? (int)top : top % 5 == 0 ? 5 : 4;
    for (int g = 0; g <= steps; g++) {
        double y = T + (H - B - T) * (1.0 - (double)g / steps);
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#e8ecf3\"/><text x=\"%d\" y=\"%.1f\" "
                   "text-anchor=\"end\">%lld</text>\n",
                L, W - 4, y, y, L - 6, y + 4, (long long)(top * g / steps));
    }
    size_t every = t->n / 12 + 1;
    for (size_t i = 0; i < t->n; i++) {
        double x = L + slot * (double)i + slot * 0.12;
        double hp = (double)(H - B - T) * (double)t->p[i].projects / (double)top;
        double hc = (double)(H - B - T) * (double)t->p[i].communications /
                    (double)top;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#3b6fd8\"><title>", x, H - B - hp, bar, hp);
        html_text(f, t->p[i].label);
        fprintf(f, ": %lld projects</title></rect><rect x=\"%.1f\" y=\"%.1f\" "
                   "width=\"%.1f\" height=\"%.1f\" fill=\"#e39b2d\"><title>",
                (long long)t->p[i].projects, x + bar, H - B - hc, bar, hc);
        html_text(f, t->p[i].label);
        fprintf(f, ": %lld communications</title></rect>\n",
                (long long)t->p[i].communications);
        if (i % every == 0) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                    x + bar, H - B + 16);
            html_text(f, t->p[i].label);
            fputs("</text>\n", f);
        }
    }
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
               "stroke=\"#5b6478\"/><line x1=\"%d\" x2=\"%d\" y1=\"%d\" "
               "y2=\"%d\" stroke=\"#5b6478\"/></svg>\n",
            L, W - 4, H - B, H - B, L, L, T, H - B);
    fputs("<p class=\"legend\"><span><i class=\"sw a\"></i>projects (by start, "
          "else when added)</span><span><i class=\"sw b\"></i>"
          "communications</span> a month; months without activity show "
          "no bars.</p>\n", f);
}

/* --- partners, deals, agenda, insights ----------------------------------- */

static void head_row(FILE *f, const char *const *names, const bool *num,
                     const char *cls)
{
    fprintf(f, "<div class=\"wrap\"><table%s%s%s><thead><tr>",
            cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    for (size_t i = 0; names[i] != NULL; i++)
        html_el(f, "th", num[i] ? "num" : NULL, names[i]);
    fputs("</tr></thead><tbody>\n", f);
}

static const char table_end[] = "</tbody></table></div>\n";

/* The end of a table, and a line in its place when it had no rows. */
static void end_table(FILE *f, prm_code rc, size_t rows, const char *none)
{
    fputs(table_end, f);
    if (rc == PRM_OK && rows == 0 && none != NULL)
        fprintf(f, "<p class=\"empty\">%s</p>\n", none);
}

typedef struct page {
    FILE *f;
    size_t rows;
    FILE *later; /* the deal pipeline's rows, written after the scorecard */
} page;

static bool pipeline_row(void *ctx, const prm_report_row *r);

static bool scorecard_row(void *ctx, const prm_report_row *r)
{
    page *p = ctx;
    FILE *f = p->f;
    double v;
    char text[32], won[PRM_MONEY_TEXT];
    fprintf(f, "<tr data-partner=\"%lld\">", (long long)r->partner);
    html_int_cell(f, r->partner);
    html_text_cell(f, r->name);
    html_int_cell(f, r->m.projects);
    html_int_cell(f, r->m.succeeded);
    html_int_cell(f, r->m.failed);
    bool has = prm_project_success_rate(&r->m, &v);
    cli_ratio_text(text, sizeof text, has, v, true);
    html_num_cell(f, text);
    html_int_cell(f, r->m.communications);
    snprintf(text, sizeof text, "%.10s", r->last_contact ? r->last_contact : "-");
    html_el(f, "td", "date", text);
    html_int_cell(f, r->m.resources);
    html_int_cell(f, r->m.outcomes);
    has = prm_resource_efficiency(&r->m, &v);
    cli_ratio_text(text, sizeof text, has, v, false);
    html_num_cell(f, text);
    html_int_cell(f, r->m.deals);
    html_int_cell(f, r->m.deals_won);
    prm_format_money(r->m.won_value, won, sizeof won);
    html_num_cell(f, won);
    html_int_cell(f, r->health);
    fputs("</tr>\n", f);
    p->rows++;
    page later = {p->later, 0, NULL};
    return !ferror(f) && pipeline_row(&later, r);
}

/* The scorecard, and the deal pipeline's rows by partner into later:
 * one pass over the partners. */
static prm_code scorecard(cli_ctx *ctx, FILE *f, FILE *later,
                          const cli_args *args, prm_error *err)
{
    static const char *const names[] = {
        "id", "partner", "projects", "succeeded", "failed", "success rate",
        "communications", "last contact", "resources", "outcomes",
        "efficiency", "deals", "won", "won value", "health", NULL};
    static const bool num[] = {1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1};
    fputs("<h2>Partner scorecard</h2>\n", f);
    head_row(f, names, num, "score");
    page p = {f, 0, later};
    prm_code rc = prm_report_partners(ctx->db, args->kv, args->nkv,
                                      scorecard_row, &p, err);
    fputs(table_end, f);
    return rc;
}

static void pipeline_line(FILE *f, const char *status, int64_t n,
                          const char *value, const char *what)
{
    fputs("<tr>", f);
    html_text_cell(f, status);
    html_int_cell(f, n);
    html_num_cell(f, value);
    html_text_cell(f, what);
    fputs("</tr>\n", f);
}

static void pipeline(FILE *f, const prm_metrics *m)
{
    static const char *const names[] = {"deals", "count", "value",
                                        "which", NULL};
    static const bool num[] = {0, 1, 1, 0};
    char pipe[PRM_MONEY_TEXT], won[PRM_MONEY_TEXT];
    prm_format_money(m->pipeline_value, pipe, sizeof pipe);
    prm_format_money(m->won_value, won, sizeof won);
    fputs("<h2>Deal pipeline</h2>\n", f);
    if (m->deals == 0) {
        fputs("<p class=\"empty\">No deals registered.</p>\n", f);
        return;
    }
    head_row(f, names, num, NULL);
    pipeline_line(f, "active", m->deals_active, pipe,
                  "submitted, or approved and not expired (value: approved)");
    pipeline_line(f, "won", m->deals_won, won, "closed as won");
    pipeline_line(f, "lost", m->deals_lost, "-", "closed as lost");
    pipeline_line(f, "rejected", m->deals_rejected, "-", "not approved");
    pipeline_line(f, "other",
                  m->deals - m->deals_active - m->deals_won - m->deals_lost -
                      m->deals_rejected,
                  "-", "expired or cancelled");
    pipeline_line(f, "all", m->deals, "-", "registered");
    fputs(table_end, f);
}

static bool pipeline_row(void *ctx, const prm_report_row *r)
{
    page *p = ctx;
    double v;
    char rate[32], won[PRM_MONEY_TEXT];
    if (r->m.deals == 0)
        return true;
    fprintf(p->f, "<tr data-partner=\"%lld\">", (long long)r->partner);
    html_text_cell(p->f, r->name);
    html_int_cell(p->f, r->m.deals);
    html_int_cell(p->f, r->m.deals_won);
    bool has = prm_deal_win_rate(&r->m, &v);
    cli_ratio_text(rate, sizeof rate, has, v, true);
    html_num_cell(p->f, rate);
    prm_format_money(r->m.won_value, won, sizeof won);
    html_num_cell(p->f, won);
    fputs("</tr>\n", p->f);
    p->rows++;
    return !ferror(p->f);
}

/* The rows the scorecard's pass kept in later, copied in. */
static prm_code pipeline_by_partner(FILE *f, FILE *later, prm_error *err)
{
    static const char *const names[] = {"partner", "deals", "won", "win rate",
                                        "won value", NULL};
    static const bool num[] = {0, 1, 1, 1, 1};
    fputs("<h3>By partner</h3>\n", f);
    head_row(f, names, num, NULL);
    char buf[65536];
    size_t n;
    rewind(later);
    while ((n = fread(buf, 1, sizeof buf, later)) > 0)
        fwrite(buf, 1, n, f);
    fputs(table_end, f);
    return ferror(later) ? prm_error_set(err, PRM_EIO, "cannot read a "
                                                       "temporary file")
                         : PRM_OK;
}

static bool overdue_item(void *ctx, const prm_agenda_item *it)
{
    page *p = ctx;
    if (!it->overdue)
        return true;
    char what[64];
    snprintf(what, sizeof what, "%s %lld", it->kind, (long long)it->id);
    fprintf(p->f, "<tr>");
    char day[11];
    snprintf(day, sizeof day, "%.10s", it->date);
    html_text_cell(p->f, day);
    html_text_cell(p->f, what);
    html_text_cell(p->f, it->text);
    html_text_cell(p->f, it->partner_name ? it->partner_name : "-");
    fputs("</tr>\n", p->f);
    p->rows++;
    return !ferror(p->f);
}

/* The agenda's overdue items: of the partner= given, else all of them
 * (the agenda has no other filters). */
static prm_code overdue(cli_ctx *ctx, FILE *f, const cli_args *args,
                        prm_error *err)
{
    static const char *const names[] = {"date", "item", "what", "partner",
                                        NULL};
    static const bool num[] = {0, 0, 0, 0};
    prm_arg filters[2] = {{"days", "0"}};
    size_t n = 1;
    for (size_t i = 0; i < args->nkv; i++)
        if (strcmp(args->kv[i].key, "partner") == 0)
            filters[n++] = args->kv[i];
    fputs("<h2>Overdue</h2>\n", f);
    head_row(f, names, num, NULL);
    page p = {f, 0, NULL};
    prm_code rc = prm_agenda(ctx->db, filters, n, true, overdue_item, &p, err);
    end_table(f, rc, p.rows, "Nothing overdue.");
    return rc;
}

static bool insight_row(void *ctx, const prm_finding *fi)
{
    page *p = ctx;
    fputs("<tr>", p->f);
    html_int_cell(p->f, fi->rank);
    html_text_cell(p->f, fi->rule);
    html_text_cell(p->f, fi->name);
    html_text_cell(p->f, fi->message);
    fputs("</tr>\n", p->f);
    p->rows++;
    return !ferror(p->f);
}

static prm_code insights(cli_ctx *ctx, FILE *f, const cli_args *args,
                         prm_error *err)
{
    static const char *const names[] = {"rank", "rule", "name", "finding",
                                        NULL};
    static const bool num[] = {1, 0, 0, 0};
    fputs("<h2>Insights</h2>\n", f);
    head_row(f, names, num, NULL);
    page p = {f, 0, NULL};
    prm_code rc = prm_insights(ctx->db, args->kv, args->nkv, insight_row, &p,
                               err);
    end_table(f, rc, p.rows, "No findings: nothing needs attention.");
    return rc;
}

/* --- the page --------------------------------------------------------------- */

typedef struct report {
    cli_ctx *ctx;
    const cli_args *args;
    const prm_metrics *m;
} report;

static void title(FILE *f, cli_ctx *ctx, const cli_args *args)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,"
          "initial-scale=1\"><title>Partner report</title><style>",
          f);
    fputs(style, f);
    fputs("</style></head><body>\n<h1>Partner report</h1>\n<p class=\"sub\">"
          "Made by prm on ",
          f);
    html_text(f, prm_now(ctx->db));
    for (size_t i = 0; i < args->nkv; i++) {
        fputs(i ? ", " : "; filters: ", f);
        html_text(f, args->kv[i].key);
        putc('=', f);
        html_text(f, args->kv[i].value);
    }
    fputs("</p>\n", f);
}

static prm_code write_report(FILE *f, void *c, prm_error *err)
{
    report *r = c;
    title(f, r->ctx, r->args);
    if (r->m->partners == 0) {
        fputs(r->args->nkv > 0
                  ? "<p class=\"empty\">No partner matches these filters: "
                    "nothing to report.</p>\n"
                  : "<p class=\"empty\">Nothing yet: this database has no "
                    "partners. Add some (partner add name=...) and make the "
                    "report again.</p>\n",
              f);
        fputs("</body></html>\n", f);
        return PRM_OK;
    }
    headline(f, r->m);
    trend t = {.n = 0};
    prm_code rc = prm_trend(r->ctx->db, r->args->kv, r->args->nkv, keep_period,
                            &t, err);
    if (rc == PRM_OK && t.failed)
        rc = prm_error_nomem(err);
    fputs("<h2>Trend</h2>\n", f);
    if (rc == PRM_OK && t.n > 0)
        chart(f, &t);
    else if (rc == PRM_OK)
        fputs("<p class=\"empty\">No dated activity yet.</p>\n", f);
    free(t.p);
    FILE *later = rc == PRM_OK ? tmpfile() : NULL;
    if (rc == PRM_OK && later == NULL)
        rc = prm_error_set(err, PRM_EIO, "cannot make a temporary file");
    if (rc == PRM_OK)
        rc = scorecard(r->ctx, f, later, r->args, err);
    if (rc == PRM_OK)
        pipeline(f, r->m);
    if (rc == PRM_OK && r->m->deals > 0)
        rc = pipeline_by_partner(f, later, err);
    if (later != NULL)
        fclose(later);
    if (rc == PRM_OK)
        rc = overdue(r->ctx, f, r->args, err);
    if (rc == PRM_OK)
        rc = insights(r->ctx, f, r->args, err);
    fputs("</body></html>\n", f);
    return rc;
}

prm_code cli_report_html(cli_ctx *ctx, const cli_args *args, prm_error *err)
{
    if (args->npos < 2)
        return prm_error_set(err, PRM_EMISSING_FIELD,
                             "report html needs a FILE (usage: report html "
                             "FILE [FILTER=VALUE...])");
    if (args->npos > 2 || args->nflags > 0)
        return prm_error_set(err, PRM_ESYNTAX,
                             "unexpected word '%s' (usage: report html FILE "
                             "[FILTER=VALUE...])",
                             args->npos > 2 ? args->pos[2] : args->flags[0]);
    /* The filters are checked, and the headline read, before any file:
     * those of metrics, which every part of the page takes. */
    const char *const *keys = prm_command_keys("metrics");
    for (size_t i = 0; i < args->nkv; i++) {
        bool known = false;
        for (size_t k = 0; keys[k] != NULL && !known; k++)
            known = strcmp(keys[k], args->kv[i].key) == 0;
        char names[128];
        if (!known)
            return prm_error_choice(err, PRM_EUNKNOWN_FIELD, "unknown filter",
                                    args->kv[i].key, " for report html",
                                    "filters are",
                                    prm_words_text(keys, names,
                                                   sizeof names));
    }
    prm_metrics m;
    prm_code rc = prm_metrics_compute(ctx->db, args->kv, args->nkv, &m, err);
    report r = {ctx, args, &m};
    if (rc == PRM_OK)
        rc = cli_write_beside(args->pos[1], write_report, &r, err);
    if (rc == PRM_OK)
        ctx->out->ops->calendar_written(ctx->out, args->pos[1], -1);
    return rc;
}
