/*
 * import_bulk.c - the lines and ids an import keeps during a bulk load
 * (import_bulk.h).
 */
#include <stdlib.h>
#include <string.h>

#include "import_bulk.h"

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*p, cap2 * size);
    if (grown == NULL)
        return false;
    *p = grown;
    *cap = cap2;
    return true;
}

prm_code import_bulk_hold(import_bulk *b, const char *line, size_t n,
                          long lineno, prm_error *err)
{
    size_t ncap = b->ncap;
    if (!grow((void **)&b->text, &b->cap, b->len + n + 1, 1) ||
        !grow((void **)&b->start, &ncap, b->n + 1, sizeof *b->start))
        return prm_error_nomem(err);
    /* both per-line arrays grow together */
    if (ncap != b->ncap) {
        long *lines = realloc(b->lineno, ncap * sizeof *lines);
        if (lines == NULL)
            return prm_error_nomem(err);
        b->lineno = lines;
        b->ncap = ncap;
    }
    b->start[b->n] = b->len;
    b->lineno[b->n++] = lineno;
    memcpy(b->text + b->len, line, n);
    b->text[b->len + n] = '\0';
    b->len += n + 1;
    return PRM_OK;
}

prm_code import_bulk_saw(import_bulk *b, prm_kind kind, int64_t id,
                         prm_error *err)
{
    if (id < 1 || id > IMPORT_BULK_MAX_ID)
        return PRM_OK; /* asked of the database, if ever */
    size_t word = (size_t)id / 64, words = b->words[kind];
    if (word >= words) {
        size_t want = words ? words : 1024;
        while (want <= word)
            want *= 2;
        uint64_t *grown = realloc(b->seen[kind], want * sizeof *grown);
        if (grown == NULL)
            return prm_error_nomem(err);
        memset(grown + words, 0, (want - words) * sizeof *grown);
        b->seen[kind] = grown;
        b->words[kind] = want;
    }
    b->seen[kind][word] |= (uint64_t)1 << (id % 64);
    return PRM_OK;
}

int import_bulk_knows(const import_bulk *b, prm_kind kind, int64_t id)
{
    if (id < 1 || id > IMPORT_BULK_MAX_ID)
        return -1;
    size_t word = (size_t)id / 64;
    return word < b->words[kind] &&
           (b->seen[kind][word] >> (id % 64) & 1) != 0;
}

void import_bulk_written(import_bulk *b, const prm_counts *counts,
                         int64_t done)
{
    b->len = 0;
    b->n = 0;
    b->counts = *counts;
    b->done = done;
}

void import_bulk_free(import_bulk *b)
{
    free(b->text);
    free(b->start);
    free(b->lineno);
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        free(b->seen[k]);
    *b = (import_bulk){.on = false};
}
