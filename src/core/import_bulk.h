/*
 * import_bulk.h - what an import keeps while the store holds its rows for
 * a bulk load (import.c; store_bulk_begin).
 *
 * Into an empty database a JSON Lines import keeps the file's ids, so a
 * record that a later one refers to exists exactly when the file held it
 * earlier: the import remembers those ids (a bit per id and kind) instead
 * of asking the database, which would write out what the store holds at
 * every reference.  And it keeps the text of the lines the store holds:
 * when writing them fails, the import adds them again one at a time,
 * which names the line and what is wrong, as an import without a bulk
 * load would.
 */
#ifndef PRM_IMPORT_BULK_H
#define PRM_IMPORT_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prm/prm.h"

/* Lines held before the store writes them. */
#define IMPORT_BULK_LINES 5000
/* Ids above this are not remembered: a reference to one asks the
 * database (the load ends first). */
#define IMPORT_BULK_MAX_ID ((int64_t)1 << 26)

typedef struct import_bulk {
    bool on;
    char *text; /* the held lines, each ended by a NUL */
    size_t len, cap;
    size_t *start; /* where each held line begins in text */
    long *lineno;
    size_t n, ncap;
    uint64_t *seen[PRM_KIND_COUNT]; /* a bit per id the file added */
    size_t words[PRM_KIND_COUNT];
    prm_counts counts; /* the import's, as the store last wrote them */
    int64_t done;
} import_bulk;

/* Keep line (n bytes) number lineno, which the store now holds. */
prm_code import_bulk_hold(import_bulk *b, const char *line, size_t n,
                          long lineno, prm_error *err);
/* Record id of kind was added. */
prm_code import_bulk_saw(import_bulk *b, prm_kind kind, int64_t id,
                         prm_error *err);
/* Whether the file added record id of kind: 1 yes, 0 no, -1 not known
 * here (an id above IMPORT_BULK_MAX_ID). */
int import_bulk_knows(const import_bulk *b, prm_kind kind, int64_t id);
/* The store wrote what it held: forget the lines, keep the counts. */
void import_bulk_written(import_bulk *b, const prm_counts *counts,
                         int64_t done);
void import_bulk_free(import_bulk *b);

#endif /* PRM_IMPORT_BULK_H */
