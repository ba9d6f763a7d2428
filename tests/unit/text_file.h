/*
 * text_file.h - a whole text file in memory, for the tests that read the
 * project's own files (the manual page, the schemas).
 */
#ifndef PRM_TEST_TEXT_FILE_H
#define PRM_TEST_TEXT_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The file at path with a NUL after it; malloc'd, NULL when it cannot be
 * read. */
static inline char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (grown == NULL)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

#endif
