/*
 * users.c - who may do what on a team database: a partner's owner, and
 * the users with their roles (admin, manager, viewer), which are
 * PostgreSQL roles granted prm_admin, prm_manager or prm_viewer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"

/* --- owners and users ------------------------------------------------------ */

static const char *const roles[] = {"admin", "manager", "viewer", NULL};

static bool known_role(const char *role)
{
    for (size_t i = 0; roles[i] != NULL; i++)
        if (strcmp(roles[i], role) == 0)
            return true;
    return false;
}

static prm_code user_role_of(pg_db *db, const char *name, char *role,
                             size_t size, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_str(&p, name);
    PGresult *res;
    prm_code rc = pg_query(db,
                           "SELECT " ROLE_OF("r.oid") " FROM pg_roles AS r "
                           "WHERE r.rolname = $1",
                           &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    snprintf(role, size, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return PRM_OK;
}

prm_code pg_set_owner(prm_db *base, const prm_kind_info *info, int64_t id,
                      const char *user, bool *changed, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    char role[16];
    *changed = false;
    prm_code rc = user_role_of(db, user, role, sizeof role, err);
    if (rc != PRM_OK)
        return rc;
    if (strcmp(role, "admin") != 0 && strcmp(role, "manager") != 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid owner '%s': an owner is a manager or "
                             "admin of this database (see user list)",
                             user);
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    pgp_str(&p, user);
    PGresult *res;
    pgp_str(&p, store_now(base));
    rc = pg_query(db,
                  info->kind == PRM_TASK
                      ? "UPDATE tasks SET owner = $2, updated_at = $3 WHERE "
                        "id = $1 AND owner IS DISTINCT FROM $2"
                      : "UPDATE partners SET owner = $2, updated_at = $3 "
                        "WHERE id = $1 AND owner IS DISTINCT FROM $2",
                  &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    *changed = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (*changed)
        return PRM_OK;
    /* Nothing written: the partner has that owner, or this user may not
     * change it (then the lock finds no row, as store_differs's does). */
    pg_params q = {.n = 0};
    pgp_int(&q, id);
    rc = pg_query(db,
                  info->kind == PRM_TASK
                      ? "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE"
                      : "SELECT 1 FROM partners WHERE id = $1 FOR UPDATE",
                  &q, &res, err);
    if (rc != PRM_OK)
        return rc;
    bool hidden = PQntuples(res) == 0;
    PQclear(res);
    return hidden ? pg_hidden_row(&db->base, info, id, err)
                  : PRM_OK;
}

/* Run a statement about roles: their names cannot be parameters, so they
 * are quoted by libpq. */
static prm_code role_statement(pg_db *db, const char *fmt, const char *name,
                               const char *role, prm_error *err)
{
    char *ident = PQescapeIdentifier(db->conn, name, strlen(name));
    if (ident == NULL)
        return prm_error_set(err, PRM_EINVALID_VALUE, "invalid user name '%s'",
                             name);
    char sql[512];
    snprintf(sql, sizeof sql, fmt, ident, role);
    PQfreemem(ident);
    return pg_simple(db, sql, err);
}

static prm_code grant_role(pg_db *db, const char *name, const char *role,
                           prm_error *err)
{
    /* The prm roles they are a direct member of, to take back. */
    pg_params p = {.n = 0};
    pgp_str(&p, name);
    PGresult *res;
    prm_code rc = pg_query(db,
                           "SELECT substr(r.rolname, 5) FROM pg_auth_members "
                           "AS m JOIN pg_roles AS r ON r.oid = m.roleid JOIN "
                           "pg_roles AS u ON u.oid = m.member WHERE u.rolname "
                           "= $1 AND r.rolname IN ('prm_admin', "
                           "'prm_manager', 'prm_viewer')",
                           &p, &res, err);
    for (int r = 0; rc == PRM_OK && r < PQntuples(res); r++)
        rc = role_statement(db, "REVOKE prm_%2$s FROM %1$s", name,
                            PQgetvalue(res, r, 0), err);
    if (res != NULL)
        PQclear(res);
    if (rc == PRM_OK)
        rc = role_statement(db, "GRANT prm_%2$s TO %1$s", name, role, err);
    /* Admins manage users: that takes CREATEROLE, which is not inherited. */
    if (rc == PRM_OK)
        rc = role_statement(db,
                            strcmp(role, "admin") == 0
                                ? "ALTER ROLE %1$s CREATEROLE"
                                : "ALTER ROLE %1$s NOCREATEROLE",
                            name, role, err);
    return rc;
}

static prm_code check_role(const char *role, prm_error *err)
{
    if (known_role(role))
        return PRM_OK;
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "invalid role '%s': use admin, manager or viewer",
                         role);
}

prm_code pg_user_add(prm_db *base, const char *name, const char *role,
                            const char *password, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_code rc = check_role(role, err);
    if (rc != PRM_OK)
        return rc;
    if (password == NULL) {
        rc = role_statement(db, "CREATE ROLE %1$s LOGIN", name, role, err);
    } else {
        char *lit = PQescapeLiteral(db->conn, password, strlen(password));
        if (lit == NULL)
            return prm_error_set(err, PRM_EINVALID_VALUE, "invalid password");
        char fmt[600];
        snprintf(fmt, sizeof fmt, "CREATE ROLE %%1$s LOGIN PASSWORD %s", lit);
        PQfreemem(lit);
        rc = role_statement(db, fmt, name, role, err);
    }
    if (rc != PRM_OK && strstr(err->message, "already exists") != NULL)
        return prm_error_set(err, PRM_ECONFLICT,
                             "a user named '%s' already exists; change their "
                             "role with: user role %s role=%s",
                             name, name, role);
    if (rc == PRM_OK)
        rc = grant_role(db, name, role, err);
    return rc;
}

prm_code pg_user_role(prm_db *base, const char *name, const char *role,
                             prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_code rc = check_role(role, err);
    char now[16];
    if (rc == PRM_OK)
        rc = user_role_of(db, name, now, sizeof now, err);
    if (rc == PRM_OK && now[0] == '\0')
        return prm_error_set(err, PRM_ENOT_FOUND,
                             "no user named '%s' (see user list)", name);
    if (rc == PRM_OK)
        rc = grant_role(db, name, role, err);
    return rc;
}

prm_code pg_user_list(prm_db *base, prm_user_fn fn, void *ctx,
                             prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(
        (pg_db *)base,
        "SELECT r.rolname, " ROLE_OF("r.oid") ", (SELECT count(*) FROM "
        "partners WHERE owner = r.rolname) FROM pg_roles AS r WHERE "
        "r.rolcanlogin AND pg_has_role(r.oid, 'prm_viewer', 'MEMBER') ORDER "
        "BY r.rolname",
        NULL, &res, err);
    if (rc != PRM_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++) {
        prm_user_info u = {PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
                        pg_int(res, r, 2)};
        if (!fn(ctx, &u))
            break;
    }
    PQclear(res);
    return PRM_OK;
}

