/*
 * value.c - the syntax of values: dates, numbers, UTF-8.
 *
 * Parsing is strict on purpose: a script that says "2026-02-30" or "1,5"
 * has a mistake in it, and guessing what it meant would store the wrong
 * thing silently.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "records.h"

/* Read exactly n digits at s into *out. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD at s; true when it is a real calendar day. */
static bool parse_day(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) ||
        s[7] != '-' || !digits(s + 8, 2, d))
        return false;
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

/* THH:MM[:SS][Z] at s, to the end of the string. */
static bool parse_time(const char *s, int *hh, int *mm, int *ss)
{
    if (s[0] != 'T' || !digits(s + 1, 2, hh) || s[3] != ':' ||
        !digits(s + 4, 2, mm))
        return false;
    s += 6;
    *ss = 0;
    if (s[0] == ':') {
        if (!digits(s + 1, 2, ss))
            return false;
        s += 3;
    }
    if (s[0] == 'Z')
        s++;
    return s[0] == '\0' && *hh <= 23 && *mm <= 59 && *ss <= 59;
}

bool prm_parse_date(const char *s, char out[PRM_TIME_SIZE], bool *date_only)
{
    int y, m, d, hh = 0, mm = 0, ss = 0;
    if (strlen(s) < 10 || !parse_day(s, &y, &m, &d))
        return false;
    bool only = s[10] == '\0';
    if (!only && !parse_time(s + 10, &hh, &mm, &ss))
        return false;
    /* Every part was range-checked above, so this fills exactly 20 bytes;
     * the casts tell the compiler so. */
    snprintf(out, PRM_TIME_SIZE, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)hh % 100u,
             (unsigned)mm % 100u, (unsigned)ss % 100u);
    if (date_only != NULL)
        *date_only = only;
    return true;
}

/* digits [. digits] [e [+-] digits], or . digits: the decimal forms only,
 * so that strtod's hex, inf and nan never get in. */
static bool decimal_syntax(const char *s)
{
    size_t i = 0, int_digits = 0, frac_digits = 0;
    while (isdigit((unsigned char)s[i])) {
        i++;
        int_digits++;
    }
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i])) {
            i++;
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!isdigit((unsigned char)s[i]))
            return false;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    return s[i] == '\0';
}

bool prm_parse_number(const char *s, double *out)
{
    if (!decimal_syntax(s))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v) || (errno == ERANGE && v != 0.0))
        return false;
    *out = v;
    return true;
}

bool prm_parse_money(const char *s, int64_t *cents)
{
    int64_t units = 0;
    size_t i = 0, digits = 0;
    for (; isdigit((unsigned char)s[i]); i++, digits++) {
        units = units * 10 + (s[i] - '0');
        if (units >= PRM_MONEY_MAX_UNITS)
            return false;
    }
    int64_t hundredths = 0;
    if (s[i] == '.') {
        i++;
        for (size_t k = 0; isdigit((unsigned char)s[i]); i++, k++, digits++) {
            if (k < 2)
                hundredths += (s[i] - '0') * (k == 0 ? 10 : 1);
            else if (s[i] != '0') /* 12.501 is not a whole cent */
                return false;
        }
    }
    if (digits == 0 || s[i] != '\0')
        return false;
    *cents = units * 100 + hundredths;
    return true;
}

bool prm_parse_domain(const char *s, char out[PRM_DOMAIN_SIZE])
{
    size_t len = strlen(s), labels = 0, label_len = 0;
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0 || len >= PRM_DOMAIN_SIZE)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? (char)tolower((unsigned char)s[i]) : '.';
        if (c == '.') {
            if (label_len == 0 || label_len > 63 || out[i - 1] == '-')
                return false;
            labels++;
            label_len = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label_len > 0)) {
            label_len++;
        } else {
            return false;
        }
        if (i < len)
            out[i] = c;
    }
    out[len] = '\0';
    return labels >= 2;
}

void prm_format_money(int64_t cents, char *buf, size_t size)
{
    const char *sign = cents < 0 ? "-" : "";
    uint64_t magnitude = cents < 0 ? (uint64_t)0 - (uint64_t)cents
                                   : (uint64_t)cents;
    unsigned long long units = magnitude / 100, rest = magnitude % 100;
    if (rest == 0)
        snprintf(buf, size, "%s%llu", sign, units);
    else if (rest % 10 == 0)
        snprintf(buf, size, "%s%llu.%llu", sign, units, rest / 10);
    else
        snprintf(buf, size, "%s%llu.%02llu", sign, units, rest);
}

/* Length of the UTF-8 sequence led by byte b, 0 when b cannot lead one. */
static int utf8_seq_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

bool prm_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* Most text is ASCII: eight bytes at a time while they are, none
         * of them NUL (a byte below 0x01 or above 0x7F shows in the sum). */
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, s + i, 8),
                             ((w | (w - 0x0101010101010101u)) &
                              0x8080808080808080u) == 0)) {
            i += 8;
            continue;
        }
        if (s[i] - 1u < 0x7F) {
            i++;
            continue;
        }
        if (s[i] == 0)
            return false;
        int n = utf8_seq_len(s[i]);
        if (n == 0 || i + (size_t)n > len)
            return false;
        for (int k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        /* Overlong three- and four-byte forms, surrogates, > U+10FFFF. */
        if ((s[i] == 0xE0 && s[i + 1] < 0xA0) ||
            (s[i] == 0xED && s[i + 1] > 0x9F) ||
            (s[i] == 0xF0 && s[i + 1] < 0x90) ||
            (s[i] == 0xF4 && s[i + 1] > 0x8F))
            return false;
        i += (size_t)n;
    }
    return true;
}

core_shown core_show_value(const char *v)
{
    core_shown s;
    size_t n = strlen(v);
    if (n < sizeof s.text) {
        memcpy(s.text, v, n + 1);
        return s;
    }
    n = sizeof s.text - 4;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--;
    memcpy(s.text, v, n);
    memcpy(s.text + n, "...", 4);
    return s;
}

void prm_time_add(const char *stamp, int64_t seconds, char out[PRM_TIME_SIZE])
{
    struct tm tm = {0};
    if (sscanf(stamp, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        snprintf(out, PRM_TIME_SIZE, "%s", stamp);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    /* timegm normalises: days and seconds past their ranges carry over. */
    tm.tm_mday += (int)(seconds / 86400);
    tm.tm_sec += (int)(seconds % 86400);
    time_t t = timegm(&tm);
    struct tm utc;
    gmtime_r(&t, &utc);
    strftime(out, PRM_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

prm_code core_window_date(const prm_arg *a, char out[PRM_TIME_SIZE], bool until,
                          prm_error *err)
{
    bool date_only;
    if (a->value[0] == '\0')
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s needs a date: %s=YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z]",
                             a->key, a->key);
    if (!prm_parse_date(a->value, out, &date_only))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid %s '%.40s': use YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z]",
                             a->key, a->value);
    /* A date alone as the end of a window takes in that whole day. */
    if (until && date_only)
        memcpy(out + 11, "23:59:59Z", 10);
    return PRM_OK;
}

prm_code core_window_check(const char *since, const char *until,
                           prm_error *err)
{
    /* Both are ISO 8601 in UTC, of one length: text order is time order. */
    if (since != NULL && until != NULL && strcmp(since, until) > 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "since=%s comes after until=%s, so nothing "
                             "could match: swap them",
                             since, until);
    return PRM_OK;
}

const char *prm_int_text(char buf[PRM_INT_TEXT], int64_t n)
{
    char *d = buf + PRM_INT_TEXT;
    uint64_t rest = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    *--d = '\0';
    do
        *--d = (char)('0' + rest % 10);
    while ((rest /= 10) > 0);
    if (n < 0)
        *--d = '-';
    return d;
}

bool core_whole(const char *s, int64_t *out)
{
    if (*s == '\0' || strlen(s) > 18)
        return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

prm_code core_parse_whole(const prm_arg *a, int64_t *out, prm_error *err)
{
    if (!core_whole(a->value, out))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid %s '%.40s': a whole number", a->key,
                             a->value);
    return PRM_OK;
}
