/*
 * open.c - opening a team database: connecting, creating prm's schema in
 * an empty database (its creator is the first admin), upgrading an older
 * one in place, and who the user is; and closing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"

extern const char prm_schema_pg_sql[]; /* schema_pg.sql, embedded */

/* End what is open before leaving, and wait for the answer: a server
 * connection handed out by a pooler (PgBouncer) goes back to its pool only
 * when its client leaves it idle; a client that leaves mid-transaction, or
 * before its COMMIT is answered, gets it closed, and the next prm started
 * pays for a new backend whose caches are cold. */
static void leave_idle(pg_db *db)
{
    pg_idle(&db->base); /* a read's held COMMIT */
    pg_settle(db);
    if (PQstatus(db->conn) == CONNECTION_OK)
        pg_rollback(&db->base, NULL); /* only what is still open */
}

void pg_close(prm_db *base)
{
    pg_db *db = (pg_db *)base;
    pg_drop_deferred(db);
    leave_idle(db);
    for (size_t i = 0; i < db->ncache; i++)
        free(db->cache[i].sql);
    PQfinish(db->conn);
    free(db->ids);
    pg_bulk_end(db);
    store_base_free(base);
    free(db);
}

/* Record the schema version this prm writes (sql: an INSERT or UPDATE of
 * prm_meta with the version as $1). */
static prm_code set_version(pg_db *db, const char *sql, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_int(&p, store_schema_version);
    prm_code rc = pg_run(db, sql, &p, err);
    pgp_free(&p);
    return rc;
}

/* Run one migration file (statements, or only comments); a failure names
 * the file. */
static prm_code run_migration(pg_db *db, const store_migration *m,
                              prm_error *err)
{
    PGresult *res = PQexec(db->conn, m->sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    prm_code rc = PRM_OK;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
        status != PGRES_EMPTY_QUERY)
        rc = pg_fail(db, res, err, m->name);
    if (rc != PRM_OK)
        rc = prm_error_set(err, rc, "cannot upgrade the team database to "
                           "schema version %d: %s", m->version, err->message);
    PQclear(res);
    return rc;
}

/* The select list of a row's image, for row_to_json: each field with a
 * column of the kind, in field order, under its name (a reference's id
 * under the field's name), money as an amount, the owner of a team
 * database's partners and tasks; a project's link as project and
 * partner (info NULL). */
static void image_select(FILE *f, const prm_kind_info *info)
{
    if (info == NULL) {
        fputs("SELECT r.project_id AS project, r.partner_id AS partner", f);
        return;
    }
    fputs("SELECT ", f);
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col != NULL && info->fields[i].type == PRM_F_MONEY)
            /* cents, as an amount: 12.5 */
            fprintf(f, "%strim_scale(r.\"%s\"::numeric / 100) AS \"%s\"",
                    n++ ? ", " : "", col, info->fields[i].name);
        else if (col != NULL)
            fprintf(f, "%sr.\"%s\" AS \"%s\"", n++ ? ", " : "", col,
                    info->fields[i].name);
    }
    if (store_owned(info))
        fputs(", r.owner AS owner", f);
}

/* prm_image(kind, row), the JSON image of a row the audit triggers of
 * changes and deletes keep. */
static void image_function(FILE *f)
{
    fputs("CREATE OR REPLACE FUNCTION prm_image(kind text, r record) RETURNS "
          "json\nLANGUAGE plpgsql AS $$\nDECLARE\n    j json;\nBEGIN\n"
          "    CASE kind\n", f);
    for (int k = 0; k <= PRM_KIND_COUNT; k++) {
        const prm_kind_info *info =
            k < PRM_KIND_COUNT ? prm_kind_get((prm_kind)k) : NULL;
        fprintf(f, "    WHEN '%s' THEN\n        SELECT row_to_json(x) INTO j "
                   "FROM (", info ? info->name : "project_partner");
        image_select(f, info);
        fputs(") AS x;\n", f);
    }
    fputs("    END CASE;\n    RETURN j;\nEND\n$$;\n", f);
}

/* prm_audit_added (schema_pg.sql), each kind's image written out in its
 * INSERT: a call of prm_image for every row of a bulk import's batch
 * took a third of the audit log's time. */
static void audit_added_function(FILE *f)
{
    fputs("CREATE OR REPLACE FUNCTION prm_audit_added() RETURNS trigger\n"
          "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "
          "public AS $$\nDECLARE\n"
          "    entry_kind text := TG_ARGV[0];\n"
          "    c bigint := nullif(current_setting('prm.change', true), "
          "'')::bigint;\n"
          "    entry_at text := coalesce(nullif(current_setting('prm.now', "
          "true), ''), to_char(now() AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'));\n"
          "    entry_command text := coalesce(nullif(current_setting("
          "'prm.command', true), ''), '(sql)');\n"
          "    entry_undoes bigint := nullif(current_setting('prm.undoes', "
          "true), '')::bigint;\nBEGIN\n"
          "    IF NOT EXISTS (SELECT 1 FROM added) THEN\n"
          "        RETURN NULL;\n    END IF;\n"
          "    IF c IS NULL THEN\n        c := prm_next_change();\n"
          "    END IF;\n    CASE entry_kind\n", f);
    for (int k = 0; k <= PRM_KIND_COUNT; k++) {
        const prm_kind_info *info =
            k < PRM_KIND_COUNT ? prm_kind_get((prm_kind)k) : NULL;
        fprintf(f, "    WHEN '%s' THEN\n        INSERT INTO audit (change, "
                   "at, \"user\", command, action, kind, record, before, "
                   "after, undoes) SELECT c, entry_at, session_user, "
                   "entry_command, 'add', entry_kind, %s, NULL, (SELECT "
                   "row_to_json(x) FROM (",
                info ? info->name : "project_partner",
                info ? "r.id" : "r.project_id");
        image_select(f, info);
        fprintf(f, ") AS x)::text, entry_undoes FROM added AS r ORDER BY "
                   "%s;\n",
                info ? "r.id" : "r.project_id, r.partner_id");
    }
    fputs("    END CASE;\n    RETURN NULL;\nEND\n$$;\n", f);
}

/* The functions that write a row's image, made from this prm's kind
 * tables (so that a kind's new field is in the images the moment the
 * database has its column); malloc'd, NULL when out of memory. */
static char *image_functions_sql(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (f == NULL)
        return NULL;
    image_function(f);
    audit_added_function(f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Make (or make again) prm_image and prm_audit_added from this prm's kind
 * tables. */
static prm_code make_image_function(pg_db *db, prm_error *err)
{
    char *sql = image_functions_sql();
    if (sql == NULL)
        return prm_error_nomem(err);
    PGresult *res = PQexec(db->conn, sql);
    prm_code rc = PRM_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(db, res, err, "making the audit images' function");
    PQclear(res);
    free(sql);
    return rc;
}

/* Bring a team database of an older schema version up to this prm's, in
 * one transaction under the lock that creating one takes: two first
 * connections at once upgrade it once.  Only the schema's owner (the
 * admin who created it, or a superuser) can; anyone else is told who must
 * open it first, and nothing changes. */
static prm_code upgrade_schema(pg_db *db, prm_error *err)
{
    prm_code rc = pg_simple(db, "BEGIN", err);
    if (rc != PRM_OK)
        return rc;
    PGresult *res = PQexec(
        db->conn, "SELECT pg_advisory_xact_lock(" PG_INIT_LOCK "), (SELECT "
                  "max(version) FROM prm_meta), session_user, pg_has_role("
                  "(SELECT tableowner FROM pg_tables WHERE tablename = "
                  "'prm_meta' AND schemaname = 'public'), 'USAGE')");
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(db, res, err, "reading the schema version");
    int64_t version = rc == PRM_OK ? pg_int(res, 0, 1) : 0;
    bool may = rc == PRM_OK && strcmp(PQgetvalue(res, 0, 3), "t") == 0;
    if (rc == PRM_OK)
        snprintf(db->base.user, sizeof db->base.user, "%s",
                 PQgetvalue(res, 0, 2));
    PQclear(res);
    if (rc == PRM_OK && !may && version < store_schema_version)
        rc = prm_error_set(err, PRM_EDB,
                           "this team database has schema version %lld and "
                           "%s may not upgrade it to %d: its owner (the "
                           "admin who created it) must open it with this prm "
                           "first",
                           (long long)version, db->base.user,
                           store_schema_version);
    const store_migration *m = store_pg_migrations;
    for (; rc == PRM_OK && m->version != 0; m++)
        if (m->version > version)
            rc = run_migration(db, m, err);
    /* The images name every field the upgraded tables have. */
    if (rc == PRM_OK && version < store_schema_version)
        rc = make_image_function(db, err);
    if (rc == PRM_OK && version < store_schema_version)
        rc = set_version(db, "UPDATE prm_meta SET version = $1", err);
    if (rc != PRM_OK) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
        return rc;
    }
    return pg_simple(db, "COMMIT", err);
}

static prm_code create_schema(pg_db *db, prm_error *err)
{
    prm_code rc = pg_simple(db, "BEGIN", err);
    if (rc != PRM_OK)
        return rc;
    /* Two first connections at once: one creates, the other waits and
     * finds it done. */
    PGresult *res = PQexec(db->conn,
                           "SELECT pg_advisory_xact_lock(" PG_INIT_LOCK "), "
                           "to_regclass('prm_meta') IS NULL");
    bool missing = res && PQresultStatus(res) == PGRES_TUPLES_OK &&
                   strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(db, res, err, "creating the schema");
    PQclear(res);
    if (rc == PRM_OK && missing) {
        res = PQexec(db->conn, prm_schema_pg_sql);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(db, res, err, "creating the schema");
        PQclear(res);
        if (rc == PRM_OK)
            rc = make_image_function(db, err);
        /* The creator is the database's first admin. */
        if (rc == PRM_OK)
            rc = pg_simple(db, "GRANT prm_admin TO CURRENT_USER", err);
        if (rc == PRM_OK)
            rc = set_version(db, "INSERT INTO prm_meta (version) VALUES ($1)",
                             err);
    }
    if (rc != PRM_OK) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
        return prm_error_set(err, PRM_EDB,
                             "this team database has no prm schema yet, and "
                             "%s cannot create it (%s); an admin, a user who "
                             "may create tables and roles, must open it first",
                             db->base.user, err->message);
    }
    return pg_simple(db, "COMMIT", err);
}

/* What opening learns from its first round trip. */
typedef struct greeting {
    bool missing;    /* no prm schema yet */
    bool known;      /* the two below were read */
    int64_t version; /* prm_meta's */
    bool keyring;    /* the keyring has its row: encryption is on */
} greeting;

/*
 * The session's settings, whether prm's schema is there and (when it is)
 * who the user is.  Quiet NOTICEs (CREATE ... IF NOT EXISTS) stay off the
 * terminal.  No JIT compilation: prm's statements run for a second or two
 * at most, and compiling the costliest of them (the deal conflicts, the
 * healthiest partners) took 0.3 to 1 s of it at 1M partners, more than it
 * saved (doc/design.md, team databases).
 */
#define GREET_SQL                                                          \
    "SET client_min_messages = warning; SET jit = off; "                   \
    "SELECT to_regclass('prm_meta') IS NULL, session_user, "               \
    "CASE WHEN to_regclass('prm_meta') IS NOT NULL THEN "                  \
    ROLE_OF("session_user") " END"

/* With the schema's version and whether encryption is on: each read on
 * its own was a round trip more for every command run one-shot. */
#define GREET_KNOWN_SQL                                                    \
    GREET_SQL "; SELECT (SELECT max(version) FROM prm_meta), "             \
              "EXISTS (SELECT 1 FROM keyring WHERE id = 1)"

static void greeted(pg_db *db, const PGresult *res, greeting *g)
{
    g->missing = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    snprintf(db->base.user, sizeof db->base.user, "%s", PQgetvalue(res, 0, 1));
    snprintf(db->role, sizeof db->role, "%s", PQgetvalue(res, 0, 2));
}

/* The greeting and the version in one round trip, the statements' results
 * read in turn.  False when any failed: there is no schema, an older one
 * has no keyring, or the user may not read it.  The failure took the
 * settings back with it (one implicit transaction), and greet starts
 * again. */
static bool greet_known(pg_db *db, greeting *g)
{
    if (!PQsendQuery(db->conn, GREET_KNOWN_SQL))
        return false;
    bool ok = true;
    int selects = 0;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_TUPLES_OK && PQntuples(res) == 1 && selects == 0)
            greeted(db, res, g);
        else if (status == PGRES_TUPLES_OK && PQntuples(res) == 1) {
            g->version = pg_int(res, 0, 0);
            g->keyring = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        } else if (status != PGRES_COMMAND_OK)
            ok = false;
        selects += status == PGRES_TUPLES_OK;
        PQclear(res);
    }
    g->known = ok && selects == 2;
    return g->known;
}

static prm_code greet(pg_db *db, greeting *g, prm_error *err)
{
    *g = (greeting){.known = false};
    if (greet_known(db, g))
        return PRM_OK;
    PGresult *res = PQexec(db->conn, GREET_SQL);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        prm_code rc = pg_fail(db, res, err, "opening the team database");
        PQclear(res);
        return rc;
    }
    greeted(db, res, g);
    PQclear(res);
    return PRM_OK;
}

/* prm's schema made or brought up to date (*changed says so). */
static prm_code check_schema(pg_db *db, const greeting *g, bool *changed,
                             prm_error *err)
{
    *changed = g->missing;
    prm_code rc = g->missing ? create_schema(db, err) : PRM_OK;
    int64_t version = g->version;
    if (rc == PRM_OK && !g->known)
        rc = pg_counts(db, "SELECT max(version) FROM prm_meta", NULL, &version,
                       1, err);
    if (rc == PRM_OK && version > store_schema_version)
        rc = prm_error_set(err, PRM_EDB,
                           "the team database has schema version %lld, newer "
                           "than this prm knows (%d); upgrade prm to open it",
                           (long long)version, store_schema_version);
    else if (rc == PRM_OK && version < store_schema_version) {
        rc = upgrade_schema(db, err);
        *changed = true;
    }
    return rc;
}

/* Who the user is and their prm role, read again after the schema (and
 * with it the roles) was made or upgraded. */
static prm_code who_am_i(pg_db *db, prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(db, "SELECT session_user, " ROLE_OF("session_user"),
                           NULL, &res, err);
    if (rc != PRM_OK)
        return rc;
    snprintf(db->base.user, sizeof db->base.user, "%s", PQgetvalue(res, 0, 0));
    snprintf(db->role, sizeof db->role, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    return PRM_OK;
}

/* Refused without a prm role. */
static prm_code require_role(const pg_db *db, prm_error *err)
{
    if (db->role[0] == '\0')
        return prm_error_set(err, PRM_EFORBIDDEN,
                             "%s has no role on this team database; an admin "
                             "gives one with: user add %s role=viewer (or "
                             "manager, admin)",
                             db->base.user, db->base.user);
    return PRM_OK;
}

prm_code store_pg_open(const char *uri, prm_db **out, prm_error *err)
{
    *out = NULL;
    prm_code loaded = pq_load(err);
    if (loaded != PRM_OK)
        return loaded;
    pg_db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return prm_error_nomem(err);
    store_base_init(&db->base, &store_pg_engine);
    db->conn = PQconnectdb(uri);
    prm_code rc = PRM_OK;
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        size_t n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        rc = prm_error_set(err, PRM_EDB, "cannot connect to the team database: "
                           "%.*s", (int)n, msg);
    }
    greeting g = {.known = false};
    bool changed = false;
    if (rc == PRM_OK)
        rc = greet(db, &g, err);
    /* with no role, the user may not read even the schema's version */
    if (rc == PRM_OK && !g.missing)
        rc = require_role(db, err);
    if (rc == PRM_OK)
        rc = check_schema(db, &g, &changed, err);
    if (rc == PRM_OK && changed)
        rc = who_am_i(db, err);
    if (rc == PRM_OK)
        rc = require_role(db, err);
    /* whether encryption is on, as the greeting read it (store.c reads
     * it when the schema has just changed) */
    db->base.encrypted = g.keyring;
    db->base.encrypted_known = rc == PRM_OK && g.known && !changed;
    if (rc != PRM_OK) {
        pg_close(&db->base);
        return rc;
    }
    *out = &db->base;
    return PRM_OK;
}
