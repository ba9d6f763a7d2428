/*
 * awkward.h - text as awkward as it gets, at random (seeded.h): for the
 * tests that check something comes back exactly as it went in.
 */
#ifndef PRM_TEST_AWKWARD_H
#define PRM_TEST_AWKWARD_H

#include <stdio.h>
#include <string.h>

#include "seeded.h"

/* Pieces of text that have broken, or could break, a format. */
static const char *const pieces[] = {
    "a", "Z", " ", "  ", "\t", "\n", "\r\n", "\r", "\"", "'", "\\", "\\n",
    ",", ";", "=", "#", "--", "DROP TABLE partners;", "null", "true", "1e9",
    "-0", "=SUM(A1)", "@x", "\x01", "\x1b[31m", "\x7f", "\xc2\x80",
    "\xc2\x9b", "\xc2\xa0", "\xc3\xa9", "e\xcc\x81", "\xe2\x82\xac",
    "\xe2\x80\xa8", "\xef\xbb\xbf", "\xe5\x8c\x97\xe4\xba\xac",
    "\xf0\x9f\x98\x80", "{\"a\":[1]}", "<b>",
};

/* Random text of up to eight pieces; starts with prefix when given, so
 * that names stay unique and required text is never empty. */
static void random_text(char *out, size_t size, const char *prefix)
{
    size_t n = (size_t)snprintf(out, size, "%s", prefix ? prefix : "");
    unsigned count = next(9);
    for (unsigned i = 0; i < count; i++) {
        const char *p = pieces[next(sizeof pieces / sizeof *pieces)];
        if (n + strlen(p) + 1 > size)
            break;
        memcpy(out + n, p, strlen(p) + 1);
        n += strlen(p);
    }
}

#endif
