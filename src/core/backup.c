/*
 * backup.c - a copy of the database in a file of its own.
 *
 * A file database copies itself page by page (its engine's copy_to); a
 * team database is copied record by record, from one snapshot, into a new
 * prm file, which opens with prm --db FILE and moves back with export and
 * import.  Either way the copy is written beside its destination and
 * renamed over it only when whole: a failed backup never leaves half a
 * file where a good one was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* Write the file path by fill(ctx, tmp), tmp being a new file (mode 0600)
 * beside it that is renamed over path when fill succeeds. */
static prm_code write_beside(const char *path,
                             prm_code (*fill)(void *ctx, const char *tmp,
                                              prm_error *err),
                             void *ctx, prm_error *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (tmp == NULL)
        return prm_error_nomem(err);
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        prm_code rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", path,
                                    strerror(errno));
        free(tmp);
        return rc;
    }
    close(fd);
    prm_code rc = fill(ctx, tmp, err);
    if (rc == PRM_OK && rename(tmp, path) != 0)
        rc = prm_error_set(err, PRM_EIO, "cannot write %s: %s", path,
                           strerror(errno));
    if (rc != PRM_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* The records of db exported and imported with their ids into the new
 * file tmp (JSON Lines, through a temporary file, so memory stays flat). */
static prm_code copy_records(prm_db *db, const char *tmp, prm_error *err)
{
    FILE *lines = tmpfile();
    if (lines == NULL)
        return prm_error_set(err, PRM_EIO, "cannot make a temporary file: %s",
                             strerror(errno));
    prm_counts counts;
    prm_code rc = prm_export(db, PRM_FORMAT_JSONL, lines, &counts, err);
    prm_db *copy = NULL;
    if (rc == PRM_OK && fflush(lines) == 0 && fseek(lines, 0, SEEK_SET) == 0)
        rc = prm_open(tmp, &copy, err);
    else if (rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write a temporary file: %s",
                           strerror(errno));
    /* A database with encryption on is backed up sealed, under its key. */
    if (rc == PRM_OK)
        rc = store_keyring_share(db, copy, err);
    if (rc == PRM_OK) {
        static const char command[] = "backup of a team database";
        prm_set_command(copy, command, sizeof command - 1);
        rc = prm_import(copy, PRM_FORMAT_JSONL, lines, &counts, err);
    }
    prm_close(copy);
    fclose(lines);
    return rc;
}

static prm_code fill_copy(void *ctx, const char *tmp, prm_error *err)
{
    prm_db *db = ctx;
    bool copied;
    prm_code rc = store_copy_to(db, tmp, &copied, err);
    return rc != PRM_OK || copied ? rc : copy_records(db, tmp, err);
}

prm_code prm_backup(prm_db *db, const char *path, prm_error *err)
{
    prm_code rc = store_backup_target(db, path, err);
    return rc != PRM_OK ? rc : write_beside(path, fill_copy, db, err);
}

/* --- restore ------------------------------------------------------------------ */

/* The backup's records as JSON Lines in a temporary file, read from the
 * start. */
static prm_code read_backup(prm_db *db, const char *path, FILE **lines,
                            prm_error *err)
{
    prm_db *src = NULL;
    *lines = tmpfile();
    if (*lines == NULL)
        return prm_error_set(err, PRM_EIO, "cannot make a temporary file: %s",
                             strerror(errno));
    prm_counts counts;
    prm_code rc = prm_open(path, &src, err);
    if (rc == PRM_OK)
        rc = store_unlock_from(src, db, err);
    if (rc == PRM_OK)
        rc = prm_export(src, PRM_FORMAT_JSONL, *lines, &counts, err);
    prm_close(src);
    if (rc == PRM_OK && (fflush(*lines) != 0 || fseek(*lines, 0, SEEK_SET)))
        rc = prm_error_set(err, PRM_EIO, "cannot read a temporary file: %s",
                           strerror(errno));
    return rc;
}

static prm_code is_empty(prm_db *db, bool *empty, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc == PRM_OK)
        rc = store_is_empty(db, empty, err);
    return store_cmd_end(db, rc, err);
}

static prm_code clear(prm_db *db, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc == PRM_OK)
        rc = store_clear(db, err);
    return store_cmd_end(db, rc, err);
}

prm_code prm_restore(prm_db *db, const char *path, bool force,
                     prm_counts *counts, prm_error *err)
{
    FILE *lines = NULL;
    bool empty = false;
    prm_code rc = store_restore_source(db, path, err);
    if (rc == PRM_OK)
        rc = is_empty(db, &empty, err);
    if (rc == PRM_OK && !empty && !force)
        rc = prm_error_set(err, PRM_ECONFLICT,
                           "this database has records: restore replaces "
                           "them only with force=yes (a backup first is "
                           "wise)");
    if (rc == PRM_OK)
        rc = read_backup(db, path, &lines, err);
    /* The old records go and the backup's come in one transaction. */
    if (rc == PRM_OK)
        rc = prm_begin(db, err);
    if (rc == PRM_OK) {
        if (!empty)
            rc = clear(db, err);
        if (rc == PRM_OK)
            rc = prm_import(db, PRM_FORMAT_JSONL, lines, counts, err);
        prm_error ignored;
        if (rc == PRM_OK)
            rc = prm_commit(db, err);
        else
            prm_rollback(db, &ignored);
    }
    if (lines != NULL)
        fclose(lines);
    return rc;
}

