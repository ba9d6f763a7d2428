/*
 * json_write.c - JSON text for records, shared by the front end's --json
 * output and by export, so that both write a record the same way.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prm/prm.h"

void prm_format_number(double v, char *buf, size_t size)
{
    /* Whole amounts as people write them (25000, not 2.5e+04); the range
     * is checked first, as converting a double beyond long long is
     * undefined (found by fuzz_command with amount=1e300). */
    if (v < 1e15 && v > -1e15 && v == (double)(long long)v) {
        snprintf(buf, size, "%lld", (long long)v);
        return;
    }
    /* Otherwise the shortest text that reads back as the same double. */
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* Bytes in the UTF-8 sequence led by c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* A JSON string.  Stored text is valid UTF-8 already; an error message may
 * quote what a user typed, so invalid bytes become U+FFFD, not bad JSON. */
void prm_json_string(FILE *f, const char *s, size_t len)
{
    putc('"', f);
    prm_json_chars(f, s, len);
    putc('"', f);
}

/* Whether s[0] (of len bytes) is DEL or a C1 control (U+0080-U+009F).
 * JSON needs no escape for them, but raw they could drive the terminal
 * of whoever reads the output there (U+009B is CSI): escaped, they read
 * back the same. */
static bool json_terminal_control(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    return c == 0x7F || (c == 0xC2 && len > 1 &&
                         (unsigned char)s[1] >= 0x80 &&
                         (unsigned char)s[1] <= 0x9F);
}

/* Bytes at s (len of them) that go out as they are: printable ASCII but
 * the two JSON escapes, and valid UTF-8 sequences but the C1 controls. */
static size_t json_plain_run(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c < 0x80 || json_terminal_control(s + i, len - i))
            break;
        size_t n = utf8_len(c);
        if (i + n > len || !prm_utf8_valid(s + i, n))
            break;
        i += n;
    }
    return i;
}

/* The escape for the bytes at s that json_plain_run stopped at; returns
 * how many it stands for. */
static size_t json_escape(FILE *f, const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    if (json_terminal_control(s, len)) {
        fprintf(f, "\\u%04x", c == 0x7F ? c : (unsigned char)s[1]);
        return c == 0x7F ? 1 : 2;
    }
    switch (c) {
    case '"':
        fputs("\\\"", f);
        break;
    case '\\':
        fputs("\\\\", f);
        break;
    case '\n':
        fputs("\\n", f);
        break;
    case '\r':
        fputs("\\r", f);
        break;
    case '\t':
        fputs("\\t", f);
        break;
    default:
        if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputs("\\ufffd", f); /* a byte of no valid UTF-8 sequence */
    }
    return 1;
}

void prm_json_chars(FILE *f, const char *s, size_t len)
{
    /* in runs: a character at a time was a seventh of a large --json */
    size_t i = 0;
    while (i < len) {
        size_t n = json_plain_run(s + i, len - i);
        fwrite(s + i, 1, n, f);
        i += n;
        if (i < len)
            i += json_escape(f, s + i, len - i);
    }
}

void prm_json_cstring(FILE *f, const char *s)
{
    prm_json_string(f, s, strlen(s));
}

void prm_json_number(FILE *f, double v)
{
    char buf[64];
    prm_format_number(v, buf, sizeof buf);
    fputs(buf, f);
}

static void json_value(FILE *f, const prm_value *v)
{
    switch (v->type) {
    case PRM_V_INT:
        fprintf(f, "%lld", (long long)v->i);
        break;
    case PRM_V_REAL:
        prm_json_number(f, v->r);
        break;
    case PRM_V_TEXT:
        prm_json_string(f, v->s, v->len);
        break;
    case PRM_V_MONEY: {
        char money[PRM_MONEY_TEXT];
        prm_format_money(v->i, money, sizeof money);
        fputs(money, f);
        break;
    }
    case PRM_V_IDS:
        putc('[', f);
        for (size_t i = 0; i < v->nids; i++)
            fprintf(f, "%s%lld", i ? "," : "", (long long)v->ids[i]);
        putc(']', f);
        break;
    default:
        fputs("null", f);
    }
}

static void json_fields(FILE *f, const prm_record *rec, bool computed)
{
    putc('{', f);
    size_t n = 0;
    for (size_t i = 0; i < rec->info->nfields; i++) {
        if (!computed && (rec->info->fields[i].flags & PRM_FF_COMPUTED))
            continue;
        if (n++)
            putc(',', f);
        prm_json_cstring(f, rec->info->fields[i].name);
        putc(':', f);
        json_value(f, &rec->v[i]);
    }
    if (computed && rec->owner != NULL) { /* shown, never exported */
        fputs(",\"owner\":", f);
        prm_json_cstring(f, rec->owner);
    }
    putc('}', f);
}

void prm_json_record(FILE *f, const prm_record *rec)
{
    json_fields(f, rec, true);
}

void prm_json_record_stored(FILE *f, const prm_record *rec)
{
    json_fields(f, rec, false);
}

