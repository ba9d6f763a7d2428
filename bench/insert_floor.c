/*
 * insert_floor.c - the floor bench/ingest compares prm with: N partners
 * inserted into prm's own schema by one reused prepared statement in one
 * transaction, with no parsing, validation or output at all.  With
 * "audit", each insert also writes the audit entry prm writes for it (its
 * compact JSON image, the status at its default left out; the command is
 * empty, as prm logs an add typed as its image gives it), by a second
 * reused statement: the same durable work as
 * prm's, less everything else.  With "minimal", the entry
 * is the smallest one a change could have (when, who, action, kind, id; no
 * command, no image): what any per-change audit log costs at the least.
 *
 *   insert_floor SCHEMA.sql DB N [audit|minimal]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (s != NULL && fread(s, 1, (size_t)n, f) == (size_t)n)
        s[n] = '\0';
    fclose(f);
    return s;
}

static void check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        fprintf(stderr, "insert_floor: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

/* The command prm would log for this partner, and its compact image, as
 * prm keeps an add's image: no id, no null field, no time stamp equal to
 * the entry's time. */
static void make_entry(char *img, size_t nimg, const char *name,
                       const char *region)
{
    snprintf(img, nimg,
             "{\"name\":\"%s\",\"type\":\"reseller\",\"region\":\"%s\","
             "\"tier\":\"gold\"}",
             name, region);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr,
                "usage: insert_floor SCHEMA.sql DB N [audit|minimal]\n");
        return 2;
    }
    int audit = argc == 5;
    int minimal = audit && strcmp(argv[4], "minimal") == 0;
    char *schema = slurp(argv[1]);
    long n = atol(argv[3]);
    sqlite3 *db;
    /* The connection set up as prm sets up its own (src/core/store/sqlite/db.c): no
     * memory statistics, no locking of a connection one thread uses. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (schema == NULL ||
        sqlite3_open_v2(argv[2], &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return 1;
    /* The same settings prm gives its databases, so that the ratio
     * measures prm's own work and not a difference of configuration. */
    check(db, sqlite3_exec(db, "PRAGMA page_size=16384; "
                               "PRAGMA journal_mode=WAL; PRAGMA "
                               "synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                               "PRAGMA temp_store=MEMORY; PRAGMA "
                               "cache_size=-8192",
                           NULL, NULL, NULL), "pragmas");
    check(db, sqlite3_exec(db, schema, NULL, NULL, NULL), "schema");
    sqlite3_stmt *st;
    check(db, sqlite3_prepare_v2(db,
                                 "INSERT INTO partners (name, type, region, "
                                 "status, tier, created_at, updated_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 -1, &st, NULL), "prepare");
    sqlite3_stmt *au;
    check(db, sqlite3_prepare_v2(db,
                                 "INSERT INTO audit (change, at, user, command, "
                                 "action, kind, record, before, after) VALUES "
                                 "(?1, ?2, 'root', ?3, 'add', 'partner', ?1, "
                                 "NULL, ?4)",
                                 -1, &au, NULL), "prepare");
    check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
    static const char *const regions[] = {"EMEA", "APAC", "AMER", "LATAM"};
    char name[32];
    for (long i = 1; i <= n; i++) {
        snprintf(name, sizeof name, "Partner %06ld", i);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, "reseller", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, regions[i % 4], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "active", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, "gold", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, "2026-03-01T00:00:00Z", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, "2026-03-01T00:00:00Z", -1, SQLITE_STATIC);
        check(db, sqlite3_step(st), "insert");
        sqlite3_reset(st);
        if (audit) {
            char img[512];
            /* The minimal entry has no image, and (b'') must not be
             * charged for making one. */
            if (!minimal)
                make_entry(img, sizeof img, name, regions[i % 4]);
            sqlite3_bind_int64(au, 1, i);
            sqlite3_bind_text(au, 2, "2026-03-01T00:00:00Z", -1, SQLITE_STATIC);
            /* What prm logs for an add its image gives back. */
            sqlite3_bind_text(au, 3, "", -1, SQLITE_STATIC);
            if (minimal)
                sqlite3_bind_null(au, 4);
            else
                sqlite3_bind_text(au, 4, img, -1, SQLITE_STATIC);
            check(db, sqlite3_step(au), "audit");
            sqlite3_reset(au);
        }
    }
    check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    sqlite3_finalize(st);
    sqlite3_finalize(au);
    sqlite3_close(db);
    free(schema);
    return 0;
}
