/*
 * output_csv.c - --csv: tables as CSV (RFC 4180), everything else as in
 * text mode.  The tables: every list, report partners and trend, metrics
 * (one row), insights, the audit log, a team's users and the agenda.
 *
 * A row is written by first writing it as the JSON output would (the
 * same functions), then turning that flat object into cells: so a CSV
 * row holds exactly the JSON's values, under a header of the JSON's
 * keys.  Numbers keep their JSON text, null is an empty cell, an array
 * is its items joined by commas, and text a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a CR) gets a leading ' as
 * OWASP advises.  Rows end in CRLF; a cell is quoted only when it holds
 * a comma, a quote, a CR or an LF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* --- cells ---------------------------------------------------------------- */

static void csv_text_cell(FILE *out, const char *s, size_t len)
{
    if (out == NULL)
        return;
    bool formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = formula;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (quote)
        putc('"', out);
    if (formula)
        putc('\'', out);
    /* in runs: a character at a time was a sixth of a long export */
    const char *run = s;
    for (const char *q = memchr(s, '"', len); q != NULL;
         q = memchr(q + 1, '"', (size_t)(s + len - q - 1))) {
        fwrite(run, 1, (size_t)(q + 1 - run), out);
        run = q; /* the quote again: doubled */
    }
    fwrite(run, 1, (size_t)(s + len - run), out);
    if (quote)
        putc('"', out);
}

/* --- a flat JSON object as a row ------------------------------------------ */

typedef struct json_cursor {
    const char *p;
    char *buf; /* a decoded string */
    size_t len, cap;
} json_cursor;

static bool buf_put(json_cursor *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        size_t cap = (c->len + n + 1) * 2;
        char *more = realloc(c->buf, cap);
        if (more == NULL)
            return false;
        c->buf = more;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return true;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
    }
    return v;
}

static bool put_utf8(json_cursor *c, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    else
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)),
        n = 4;
    return buf_put(c, u, n);
}

/* The string at c->p (after its opening quote) decoded into c->buf. */
static bool read_string(json_cursor *c)
{
    c->len = 0;
    if (!buf_put(c, "", 0))
        return false;
    while (*c->p != '"' && *c->p != '\0') {
        const char *run = c->p;
        while (*c->p != '"' && *c->p != '\\' && *c->p != '\0')
            c->p++;
        if (!buf_put(c, run, (size_t)(c->p - run)))
            return false;
        if (*c->p != '\\')
            continue;
        char e = c->p[1];
        c->p += 2;
        static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
        const char *at = strchr(from, e);
        if (e == 'u') {
            unsigned cp = hex4(c->p);
            c->p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && c->p[0] == '\\') {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(c->p + 2) - 0xdc00);
                c->p += 6;
            }
            if (!put_utf8(c, cp))
                return false;
        } else if (!buf_put(c, at && e ? &to[at - from] : &e, 1)) {
            return false;
        }
    }
    if (*c->p == '"')
        c->p++;
    return true;
}

/* One value at c->p as a cell; an array's items joined by commas. */
static bool value_cell(json_cursor *c, FILE *out)
{
    if (*c->p == '"') {
        c->p++;
        if (!read_string(c))
            return false;
        csv_text_cell(out, c->buf, c->len);
        return true;
    }
    if (*c->p == '{') { /* a nested object (an image, numbers): its JSON */
        const char *start = c->p;
        int depth = 0;
        bool in_string = false;
        do {
            if (in_string && *c->p == '\\' && c->p[1] != '\0')
                c->p++;
            else if (*c->p == '"')
                in_string = !in_string;
            else if (!in_string)
                depth += *c->p == '{' ? 1 : *c->p == '}' ? -1 : 0;
            c->p++;
        } while (depth > 0 && *c->p != '\0');
        csv_text_cell(out, start, (size_t)(c->p - start));
        return true;
    }
    if (*c->p == '[') {
        const char *end = strchr(c->p, ']');
        size_t n = end ? (size_t)(end - c->p - 1) : 0;
        if (n > 0 && out != NULL) /* numbers, quoted for their commas */
            fprintf(out, n && memchr(c->p + 1, ',', n) ? "\"%.*s\"" : "%.*s",
                    (int)n, c->p + 1);
        c->p = end ? end + 1 : c->p + strlen(c->p);
        return true;
    }
    const char *start = c->p;
    while (*c->p != ',' && *c->p != '}' && *c->p != '\0')
        c->p++;
    size_t n = (size_t)(c->p - start);
    if (out != NULL && !(n == 4 && memcmp(start, "null", 4) == 0))
        fwrite(start, 1, n, out);
    return true;
}

/* The object in json as a CSV row, or (header) its keys. */
static bool object_row(const char *json, bool header, FILE *out)
{
    json_cursor c = {.p = json};
    bool ok = true;
    if (*c.p == '{')
        c.p++;
    for (int i = 0; ok && *c.p == '"'; i++) {
        c.p++;
        ok = read_string(&c);
        if (ok && header) {
            if (i > 0)
                putc(',', out);
            csv_text_cell(out, c.buf, c.len);
        }
        if (*c.p == ':')
            c.p++;
        if (ok && !header && i > 0)
            putc(',', out);
        if (ok) /* a header skips the values */
            ok = value_cell(&c, header ? NULL : out);
        if (*c.p == ',')
            c.p++;
    }
    fputs("\r\n", out);
    free(c.buf);
    return ok && !ferror(out);
}

/* --- rows from the JSON of each kind of table ------------------------------ */

/* Each table's rows are written into a buffer as JSON, then out as CSV;
 * the header comes with the first row.  The buffer is a stream kept for
 * the table and rewound for each row: a stream opened and closed for
 * every row (its buffer allocated and cleared each time) was a tenth of
 * the time of --csv agenda. */
static FILE *row_open(cli_out *o)
{
    if (o->row == NULL)
        return o->row = open_memstream(&o->row_text, &o->row_len);
    return fseek(o->row, 0, SEEK_SET) == 0 ? o->row : NULL;
}

/* The row written, as a string; NULL when the stream failed.  A rewound
 * stream leaves what is past its end in the buffer: the row's NUL is
 * written. */
static const char *row_text(cli_out *o)
{
    if (putc('\0', o->row) == EOF || fflush(o->row) != 0 || ferror(o->row))
        return NULL;
    return o->row_text;
}

/* A table's end: its rows' stream goes. */
static void rows_done(cli_out *o)
{
    cli_out_drop_rows(o);
    o->list_rows = 0;
}

static bool csv_row(cli_out *o, void (*write)(FILE *, const void *),
                    const void *row)
{
    FILE *f = row_open(o);
    if (f == NULL)
        return false;
    write(f, row);
    const char *json = row_text(o);
    bool ok = json != NULL;
    if (ok && o->list_rows++ == 0)
        ok = object_row(json, true, o->out);
    if (ok)
        ok = object_row(json, false, o->out);
    return ok;
}

static void record_json(FILE *f, const void *rec)
{
    prm_json_record(f, rec);
}

static void csv_list_begin(cli_out *o, const prm_kind_info *info)
{
    o->list_kind = info;
    o->list_rows = 0;
}

static bool csv_list_row(cli_out *o, const prm_record *rec)
{
    return csv_row(o, record_json, rec);
}

/* An empty table is its header alone. */
static void csv_list_end(cli_out *o, const prm_kind_info *info, bool ok)
{
    if (ok && o->list_rows == 0) {
        for (size_t i = 0; i < info->nfields; i++) {
            if (i > 0)
                putc(',', o->out);
            fputs(info->fields[i].name, o->out);
        }
        fputs("\r\n", o->out);
    }
    rows_done(o);
}

/* --- tables whose rows the JSON output writes ----------------------------- */

/* A row as the JSON output writes it, into the rows' stream: fake, a copy
 * of o writing there, past its first row, so the row comes as ",{...}". */
static bool capture_open(cli_out *o, cli_out *fake)
{
    *fake = *o;
    fake->list_rows = 1;
    fake->out = row_open(o);
    return fake->out != NULL;
}

/* The captured object (from its first '{' at or after key, NULL for the
 * first) as a CSV row, with the header first when it is the table's
 * first row, or (header_only) the header alone. */
static bool capture_close(cli_out *o, const char *key, bool header_only)
{
    const char *json = row_text(o);
    const char *at = json != NULL && key ? strstr(json, key) : json;
    at = at ? strchr(at + (key ? strlen(key) : 0), '{') : NULL;
    bool ok = at != NULL;
    if (ok && (header_only || o->list_rows++ == 0))
        ok = object_row(at, true, o->out);
    if (ok && !header_only)
        ok = object_row(at, false, o->out);
    return ok;
}

static void csv_table_begin(cli_out *o)
{
    o->list_rows = 0;
}

static void csv_report_begin(cli_out *o, bool explain)
{
    o->list_rows = 0;
    o->explain = explain;
}

/* A table's row and end: the row as JSON's op writes it, and at the end
 * of an empty table the header, the keys of a row of nothing. */
#define CSV_TABLE(name, type, op, ...)                                      \
    static bool csv_##name##_row(cli_out *o, const type *r)                 \
    {                                                                       \
        cli_out fake;                                                       \
        if (!capture_open(o, &fake))                                        \
            return false;                                                   \
        cli_json_ops.op(&fake, r);                                          \
        return capture_close(o, NULL, false);                               \
    }                                                                       \
    static void csv_##name##_end(cli_out *o, bool ok)                       \
    {                                                                       \
        type none = {__VA_ARGS__};                                          \
        cli_out fake;                                                       \
        if (ok && o->list_rows == 0 && capture_open(o, &fake)) {            \
            cli_json_ops.op(&fake, &none);                                  \
            capture_close(o, NULL, true);                                   \
        }                                                                   \
        rows_done(o);                                                       \
    }

CSV_TABLE(report, prm_report_row, report_row, .name = "")
CSV_TABLE(trend, prm_trend_row, trend_row, .period = "")
CSV_TABLE(insights, prm_finding, finding, .rule = "", .subject = "",
          .name = "", .message = "")
CSV_TABLE(audit, prm_audit_entry, audit_row, .at = "", .user = "",
          .command = "", .action = "", .kind = "")
CSV_TABLE(users, prm_user_info, user_row, .name = "", .role = "")

static void csv_trend_begin(cli_out *o, const char *by, const char *metric)
{
    o->list_rows = 0;
    o->by = by;
    o->metric = metric;
}

/* metrics: one row, the object inside the JSON answer. */
static void csv_metrics(cli_out *o, const prm_metrics *m)
{
    cli_out fake;
    o->list_rows = 0;
    if (capture_open(o, &fake)) {
        cli_json_ops.metrics(&fake, m);
        capture_close(o, "\"metrics\":", false);
    }
    rows_done(o);
}

static void agenda_json(FILE *f, const void *item)
{
    cli_json_agenda_object(f, item);
}

static void csv_agenda_begin(cli_out *o)
{
    o->list_rows = 0;
}

static bool csv_agenda_item(cli_out *o, const prm_agenda_item *it)
{
    return csv_row(o, agenda_json, it);
}

static void csv_agenda_end(cli_out *o, bool ok)
{
    if (ok && o->list_rows == 0)
        fputs("kind,date,overdue,id,partner,text\r\n", o->out);
    rows_done(o);
}

static void tier_json(FILE *f, const void *row)
{
    cli_json_tier_object(f, row);
}

static void csv_tiers_begin(cli_out *o, bool apply)
{
    o->list_rows = 0;
    o->tier_apply = apply;
}

static bool csv_tier_row(cli_out *o, const prm_tier_row *r)
{
    return csv_row(o, tier_json, r);
}

static void csv_tiers_end(cli_out *o, bool ok, int64_t changed)
{
    (void)changed;
    if (ok && o->list_rows == 0)
        fputs("partner,name,tier,qualifies,change,next\r\n", o->out);
    rows_done(o);
}

const cli_out_ops *cli_csv_ops(void)
{
    static cli_out_ops ops;
    static bool made;
    if (!made) {
        ops = cli_text_ops;
        ops.list_begin = csv_list_begin;
        ops.list_row = csv_list_row;
        ops.list_end = csv_list_end;
        ops.tiers_begin = csv_tiers_begin;
        ops.tier_row = csv_tier_row;
        ops.tiers_end = csv_tiers_end;
        ops.agenda_begin = csv_agenda_begin;
        ops.agenda_item = csv_agenda_item;
        ops.agenda_end = csv_agenda_end;
        ops.metrics = csv_metrics;
        ops.report_begin = csv_report_begin;
        ops.report_row = csv_report_row;
        ops.report_end = csv_report_end;
        ops.trend_begin = csv_trend_begin;
        ops.trend_row = csv_trend_row;
        ops.trend_end = csv_trend_end;
        ops.insights_begin = csv_table_begin;
        ops.finding = csv_insights_row;
        ops.insights_end = csv_insights_end;
        ops.audit_begin = csv_table_begin;
        ops.audit_row = csv_audit_row;
        ops.audit_end = csv_audit_end;
        ops.users_begin = csv_table_begin;
        ops.user_row = csv_users_row;
        ops.users_end = csv_users_end;
        ops.ref_names = false; /* the JSON's ids */
        made = true;
    }
    return &ops;
}
