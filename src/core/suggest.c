/*
 * suggest.c - "did you mean ...?": the nearest of a set of words to one
 * that matched none, for messages about commands, fields and filters.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "records.h"

/* Letters compare without regard to ASCII case: enum values are taken in
 * any case, so "ACTIV" is a typo of "active". */
static bool same(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Edits (insert, delete, replace, or swap two neighbours: the typos
 * hands make) from a to b; words longer than 32 bytes are never near. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return (size_t)-1;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + !same(a[i - 1], b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
                same(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* Two edits catch a typo and a slip; more suggests nonsense.  A short
 * word must be nearer: "xy" is two edits from "id" but no typo of it. */
static size_t edits_allowed(const char *word)
{
    return strlen(word) < 5 ? 1 : 2;
}

const char *prm_suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = edits_allowed(word) + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

prm_code prm_error_choice(prm_error *err, prm_code code, const char *what,
                          const char *value, const char *where,
                          const char *intro, const char *list)
{
    char near[PRM_DID_YOU_MEAN];
    return prm_error_set(err, code, "%s '%s'%s%s; %s: %s", what,
                         core_show_value(value).text, where,
                         prm_did_you_mean(value, list, near, sizeof near),
                         intro, list);
}

const char *prm_did_you_mean(const char *word, const char *list, char *buf,
                             size_t size)
{
    size_t best_d = edits_allowed(word) + 1;
    char item[33], best[33] = "";
    while (*list != '\0') {
        size_t len = strcspn(list, ",");
        if (len < sizeof item) {
            memcpy(item, list, len);
            item[len] = '\0';
            size_t d = edit_distance(word, item);
            if (d < best_d) {
                best_d = d;
                memcpy(best, item, len + 1);
            }
        }
        list += len;
        list += strspn(list, ", ");
    }
    if (best[0] == '\0')
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, " (did you mean '%s'?)", best);
    return buf;
}
