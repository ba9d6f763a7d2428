/*
 * agenda.c - what needs doing: open tasks, deals expiring or due to
 * close, projects due and partners gone quiet, dated and in one list
 * (store/agenda.c reads them in one statement); and the same as an
 * iCalendar file (RFC 5545), one VTODO an item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

enum { AGENDA_DAYS = 7, QUIET_DAYS = 90, MAX_DAYS = 36500 };

typedef struct agenda_args {
    store_agenda_query q;
    int64_t days;
    char today[PRM_TIME_SIZE], until[PRM_TIME_SIZE], quiet_before[PRM_TIME_SIZE];
} agenda_args;

static prm_code days_value(const prm_arg *a, int64_t min, int64_t *out,
                           prm_error *err)
{
    if (!core_whole(a->value, out) || *out < min || *out > MAX_DAYS)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid %s '%s': a whole number of days from "
                             "%lld to %d",
                             a->key, core_show_value(a->value).text,
                             (long long)min, MAX_DAYS);
    return PRM_OK;
}

static prm_code agenda_arg(prm_db *db, const prm_arg *a, agenda_args *g,
                           prm_error *err)
{
    if (strcmp(a->key, "days") == 0)
        return days_value(a, 0, &g->days, err);
    if (strcmp(a->key, "quiet_days") == 0)
        return days_value(a, 1, &g->q.quiet_days, err);
    if (strcmp(a->key, "partner") == 0) {
        g->q.has_partner = true;
        return prm_resolve(db, PRM_PARTNER, a->value, &g->q.partner, err);
    }
    if (strcmp(a->key, "owner") == 0) {
        if (!prm_is_team(db))
            return prm_error_set(err, PRM_EUNKNOWN_FIELD,
                                 "owner= is a team database's: tasks and "
                                 "partners have an owner only there (--db "
                                 "postgresql://...)");
        g->q.owner = a->value;
        return PRM_OK;
    }
    char keys[128];
    return prm_error_choice(err, PRM_EUNKNOWN_FIELD, "unknown filter", a->key,
                            " for agenda", "filters are",
                            prm_words_text(prm_command_keys("agenda"), keys,
                                           sizeof keys));
}

static prm_code parse_agenda(prm_db *db, const prm_arg *filters, size_t n,
                             agenda_args *g, prm_error *err)
{
    *g = (agenda_args){.days = AGENDA_DAYS, .q = {.quiet_days = QUIET_DAYS}};
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(filters[i].key, filters[j].key) == 0)
                return prm_error_set(err, PRM_ESYNTAX,
                                     "%s is given twice; give it once",
                                     filters[i].key);
        prm_code rc = agenda_arg(db, &filters[i], g, err);
        if (rc != PRM_OK)
            return rc;
    }
    const char *now = store_now(db);
    core_today(db, g->today);
    /* up to the end of the last day asked for */
    prm_time_add(g->today, (g->days + 1) * 86400 - 1, g->until);
    prm_time_add(now, -g->q.quiet_days * 86400, g->quiet_before);
    g->q.now = now;
    g->q.until = g->until;
    g->q.quiet_before = g->quiet_before;
    return PRM_OK;
}

/* The day of a timestamp as a count of days from 1970-01-01 (the
 * proleptic Gregorian calendar), in integer arithmetic: sscanf and timegm
 * for each of a million items took a second.  0 for text that is not a
 * date, which the database never holds. */
static int64_t day_number(const char *s)
{
    int v[8];
    static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; i++) {
        if (s[at[i]] < '0' || s[at[i]] > '9')
            return 0;
        v[i] = s[at[i]] - '0';
        if (i == 3 && s[4] != '-')
            return 0;
    }
    int64_t y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int64_t m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    /* the year from March, so that February's last day ends it */
    y -= m <= 2;
    int64_t era = y / 400; /* years are not negative here */
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct agenda_run {
    const agenda_args *g;
    int64_t today; /* day_number of g->today */
    prm_agenda_fn fn;
    void *ctx;
    char text[1024];
} agenda_run;

/* The item's sentence, from its kind and label. */
static void item_text(agenda_run *r, const char *kind, const char *id,
                      const char *label, const char *extra)
{
    if (strcmp(kind, "task") == 0)
        snprintf(r->text, sizeof r->text, "%s", label);
    else if (strcmp(kind, "deal_expiring") == 0)
        snprintf(r->text, sizeof r->text, "deal %s for %s expires", id, label);
    else if (strcmp(kind, "deal_close") == 0)
        snprintf(r->text, sizeof r->text, "deal %s for %s is due to close",
                 id, label);
    else if (strcmp(kind, "project_due") == 0)
        snprintf(r->text, sizeof r->text, "project %s is due", label);
    else
        snprintf(r->text, sizeof r->text, "no contact with %s since %.10s",
                 label, extra ? extra : "");
}

static bool agenda_row(void *ctx, const char *const *cols, size_t ncols)
{
    agenda_run *r = ctx;
    if (ncols < 7 || cols[0] == NULL || cols[1] == NULL || cols[2] == NULL)
        return true;
    item_text(r, cols[0], cols[2], cols[5] ? cols[5] : "", cols[6]);
    prm_agenda_item item = {
        .kind = cols[0],
        .date = cols[1],
        .id = strtoll(cols[2], NULL, 10),
        .has_partner = cols[3] != NULL,
        .partner = cols[3] ? strtoll(cols[3], NULL, 10) : 0,
        .partner_name = cols[4],
        .text = r->text,
        .day = day_number(cols[1]) - r->today,
        .days = r->g->days,
    };
    item.overdue = item.day < 0;
    return r->fn(r->ctx, &item);
}

static prm_code agenda_in_tx(prm_db *db, const prm_arg *filters, size_t n,
                             bool names, prm_agenda_fn fn, void *ctx,
                             prm_error *err)
{
    agenda_args g;
    prm_code rc = parse_agenda(db, filters, n, &g, err);
    if (rc != PRM_OK)
        return rc;
    g.q.names = names;
    agenda_run r = {.g = &g, .today = day_number(g.today), .fn = fn,
                    .ctx = ctx};
    return store_agenda(db, &g.q, agenda_row, &r, err);
}

prm_code prm_agenda(prm_db *db, const prm_arg *filters, size_t n,
                    bool names, prm_agenda_fn fn, void *ctx, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = agenda_in_tx(db, filters, n, names, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

/* --- iCalendar (RFC 5545) ------------------------------------------------ */

typedef struct ics_writer {
    FILE *out;
    size_t col; /* octets on the current line */
    char stamp[32];
    int64_t items;
} ics_writer;

/* Octets of the UTF-8 character that starts with b (1 for a stray byte). */
static size_t char_octets(unsigned char b)
{
    return b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
}

/* Bytes onto the current content line, folded before 75 octets would be
 * passed (a CRLF and a space), never inside a character. */
static void ics_put(ics_writer *w, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = char_octets((unsigned char)s[i]);
        if (i + n > len)
            n = len - i;
        if (w->col + n > 75) {
            fputs("\r\n ", w->out);
            w->col = 1;
        }
        fwrite(s + i, 1, n, w->out);
        w->col += n;
        i += n;
    }
}

static void ics_end_line(ics_writer *w)
{
    fputs("\r\n", w->out);
    w->col = 0;
}

static void ics_line(ics_writer *w, const char *name, const char *value)
{
    ics_put(w, name, strlen(name));
    ics_put(w, value, strlen(value));
    ics_end_line(w);
}

/* A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma
 * escaped, a line break as \n, other control characters as spaces. */
static void ics_text(ics_writer *w, const char *name, const char *text)
{
    ics_put(w, name, strlen(name));
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[2] = {'\\', (char)c};
        if (c == '\\' || c == ';' || c == ',')
            ics_put(w, esc, 2);
        else if (c == '\r' && p[1] == '\n')
            continue;
        else if (c == '\n' || c == '\r')
            ics_put(w, "\\n", 2);
        else if (c < 0x20 || c == 0x7f)
            ics_put(w, " ", 1);
        else {
            /* a whole character at once, so a fold never splits it */
            size_t n = char_octets(c), have = 1;
            while (have < n && (p[have] & 0xc0) == 0x80)
                have++;
            ics_put(w, p, have);
            p += have - 1;
        }
    }
    ics_end_line(w);
}

/* 2026-03-06T00:00:00Z as 20260306 (n 8) or 20260306T000000Z. */
static void ics_time(const char *stamp, char *out, size_t size, bool date)
{
    char digits[16];
    size_t n = 0;
    for (const char *p = stamp; *p != '\0' && n < 14; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    if (date || n < 14)
        snprintf(out, size, "%.8s", digits);
    else
        snprintf(out, size, "%.8sT%.6sZ", digits, digits + 8);
}

static bool ics_item(void *ctx, const prm_agenda_item *it)
{
    ics_writer *w = ctx;
    char uid[96], due[16], description[1400];
    snprintf(uid, sizeof uid, "%s-%lld@prm", it->kind, (long long)it->id);
    ics_time(it->date, due, sizeof due, true);
    snprintf(description, sizeof description, "%s %lld%s%s%s, %.10s%s",
             it->kind, (long long)it->id,
             it->partner_name ? " (partner " : "",
             it->partner_name ? it->partner_name : "",
             it->partner_name ? ")" : "", it->date,
             it->overdue ? ", overdue" : "");
    ics_line(w, "BEGIN:", "VTODO");
    ics_text(w, "UID:", uid);
    ics_line(w, "DTSTAMP:", w->stamp);
    ics_line(w, "DUE;VALUE=DATE:", due);
    ics_text(w, "SUMMARY:", it->text);
    ics_text(w, "DESCRIPTION:", description);
    ics_line(w, "STATUS:", "NEEDS-ACTION");
    ics_line(w, "END:", "VTODO");
    w->items++;
    return !ferror(w->out);
}

prm_code prm_agenda_ics(prm_db *db, const prm_arg *filters, size_t n,
                        FILE *out, int64_t *items, prm_error *err)
{
    ics_writer w = {.out = out, .col = 0};
    *items = 0;
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    ics_time(store_now(db), w.stamp, sizeof w.stamp, false);
    /* the filters are checked before the first line is written */
    agenda_args g;
    rc = parse_agenda(db, filters, n, &g, err);
    g.q.names = true; /* the description names the partner */
    if (rc == PRM_OK) {
        ics_line(&w, "BEGIN:", "VCALENDAR");
        ics_line(&w, "VERSION:", "2.0");
        ics_line(&w, "PRODID:", "-//prm//agenda//EN");
        ics_line(&w, "CALSCALE:", "GREGORIAN");
        agenda_run r = {.g = &g, .today = day_number(g.today),
                        .fn = ics_item, .ctx = &w};
        rc = store_agenda(db, &g.q, agenda_row, &r, err);
    }
    if (rc == PRM_OK)
        ics_line(&w, "END:", "VCALENDAR");
    *items = w.items;
    if (rc == PRM_OK && (fflush(out) != 0 || ferror(out)))
        rc = prm_error_set(err, PRM_EIO, "cannot write the calendar");
    return store_cmd_end(db, rc, err);
}
