/*
 * deal_match.c - when two deals name the same customer: their domains, one
 * the other's or a subdomain of it at a label boundary (eu.globex.com is
 * globex.com, notglobex.com is not), or, when either has no domain, their
 * customer names without regard to case, punctuation, spacing and a
 * trailing legal form ("Globex, Inc." is "globex"; "北京环球有限公司" is
 * "北京环球"); and when their products overlap.
 *
 * Pure functions of the text: the storage keeps a deal's customer key and
 * domain root beside it so that finding the deals that may match is an
 * index lookup, and these decide.
 */
#include <stdio.h>
#include <string.h>

#include "prm/prm.h"

/* Trailing legal forms, as words after punctuation and spacing are
 * dropped (lower case).  "pty ltd" is two words. */
static const char *const legal_forms[] = {
    "inc", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "srl", "bv",
    "nv", "co", "corp", "corporation", "plc", "kk", "有限公司", NULL};
static const char cjk_company[] = "有限公司";

/* Whether the UTF-8 character at s (n bytes) separates words: ASCII other
 * than letters and digits, and the CJK and full-width punctuation and
 * spaces (U+3000-U+303F, U+FF01-U+FF0F, U+FF1A-U+FF20, U+FF3B-U+FF40,
 * U+FF5B-U+FF65). */
static bool separates(const unsigned char *s, int n)
{
    if (n == 1)
        return !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
                 (s[0] >= '0' && s[0] <= '9'));
    if (n != 3)
        return false;
    unsigned cp = ((unsigned)(s[0] & 0x0F) << 12) |
                  ((unsigned)(s[1] & 0x3F) << 6) | (unsigned)(s[2] & 0x3F);
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65);
}

static int char_len(unsigned char b)
{
    return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

typedef struct word {
    size_t at, len; /* in the lower-cased copy */
} word;

static bool is_legal_form(const char *s, size_t len)
{
    for (size_t i = 0; legal_forms[i] != NULL; i++)
        if (strlen(legal_forms[i]) == len && memcmp(legal_forms[i], s, len) == 0)
            return true;
    return false;
}

static bool word_is(const char *low, const word *w, const char *text)
{
    return w->len == strlen(text) && memcmp(low + w->at, text, w->len) == 0;
}

/* Lower-case name's ASCII letters into low; the number of words, and the
 * last three (last[2] the last) with where each begins and ends. */
static size_t scan_words(const char *name, char *low, word last[3])
{
    size_t n = 0, i = 0, len = strlen(name);
    bool in_word = false;
    while (i < len) {
        const unsigned char *c = (const unsigned char *)name + i;
        size_t k = (size_t)char_len(*c);
        if (i + k > len)
            k = len - i;
        for (size_t j = 0; j < k; j++)
            low[i + j] = (char)(c[j] >= 'A' && c[j] <= 'Z' ? c[j] + 32 : c[j]);
        if (separates(c, (int)k)) {
            in_word = false;
        } else if (!in_word) {
            last[0] = last[1], last[1] = last[2];
            last[2] = (word){i, k};
            n++;
            in_word = true;
        } else {
            last[2].len += k;
        }
        i += k;
    }
    low[len] = '\0';
    return n;
}

/* Where the key ends in low: before one trailing legal form, when a name
 * is left without it. */
static size_t key_end(const char *low, size_t n, const word last[3])
{
    size_t cjk = sizeof cjk_company - 1;
    if (n >= 3 && word_is(low, &last[1], "pty") && word_is(low, &last[2], "ltd"))
        return last[1].at;
    if (n >= 2 && is_legal_form(low + last[2].at, last[2].len))
        return last[2].at;
    if (n >= 1 && last[2].len > cjk &&
        memcmp(low + last[2].at + last[2].len - cjk, cjk_company, cjk) == 0)
        return last[2].at + last[2].len - cjk;
    return strlen(low);
}

bool prm_customer_key(const char *name, char *out, size_t size)
{
    char low[4096];
    if (strlen(name) >= sizeof low || size == 0)
        return false;
    word last[3] = {{0, 0}, {0, 0}, {0, 0}};
    size_t n = scan_words(name, low, last);
    size_t end = key_end(low, n, last), used = 0;
    /* Every character of a word before the end, the separators left out. */
    for (size_t i = 0; i < end;) {
        size_t k = (size_t)char_len((unsigned char)low[i]);
        if (i + k > end)
            k = end - i;
        if (!separates((const unsigned char *)low + i, (int)k)) {
            if (used + k >= size)
                return false;
            memcpy(out + used, low + i, k);
            used += k;
        }
        i += k;
    }
    out[used] = '\0';
    return true;
}

bool prm_domain_covers(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb)
        return strcmp(a, b) == 0;
    const char *longer = la > lb ? a : b, *shorter = la > lb ? b : a;
    size_t ll = la > lb ? la : lb, ls = la > lb ? lb : la;
    return longer[ll - ls - 1] == '.' && strcmp(longer + ll - ls, shorter) == 0;
}

void prm_domain_root(const char *domain, char *out)
{
    const char *last = strrchr(domain, '.');
    const char *root = domain;
    for (const char *p = domain; last != NULL && p < last; p++)
        if (*p == '.')
            root = p + 1;
    snprintf(out, PRM_DOMAIN_SIZE, "%s", root);
}

static bool same_text_ascii_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

bool prm_products_overlap(const char *a, const char *b)
{
    return a == NULL || b == NULL || same_text_ascii_case(a, b);
}

bool prm_same_customer(const char *domain_a, const char *name_a,
                       const char *domain_b, const char *name_b)
{
    if (domain_a != NULL && domain_b != NULL)
        return prm_domain_covers(domain_a, domain_b);
    char ka[1024], kb[1024];
    return prm_customer_key(name_a, ka, sizeof ka) &&
           prm_customer_key(name_b, kb, sizeof kb) && ka[0] != '\0' &&
           strcmp(ka, kb) == 0;
}
