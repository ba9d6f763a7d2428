/*
 * agenda.c - the agenda a file keeps (prm_agenda, schema.sql): what prm
 * does to it as it adds a record, where the triggers do the rest.
 *
 * An insert trigger would make SQLite keep a statement journal of every
 * page the insert touches (piped task adds took 2.4 times as long), so
 * the add runs these after its insert, as it counts the record.  Each is
 * written so that SQLite needs no statement journal for it either: OR
 * IGNORE where it inserts (nothing it does can abort half way), a delete
 * before it where an item is made again.
 */
#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store/sqlite/sqlite_db.h"

/* A deal's items, and its partner made again where the deal may change
 * it: a partner not kept (the deal may make it busy), or kept busy only
 * until its approved deals expire.  One kept busy for good stays as it
 * is (made again for every deal, a piped deal add took 19 us more, not
 * 5). */
#define DEAL_PARTNER "(SELECT partner_id FROM deals WHERE id = $1)"
static const char deal_partner_cleared[] =
    "DELETE FROM prm_agenda WHERE kind = 'partner_quiet' AND id = "
    DEAL_PARTNER " AND live_until IS NOT NULL";
static const char deal_added[] =
    "INSERT OR IGNORE INTO prm_agenda SELECT * FROM prm_agenda_deals WHERE id "
    "= $1 UNION ALL SELECT * FROM prm_agenda_quiet WHERE id = " DEAL_PARTNER
    " AND NOT EXISTS (SELECT 1 FROM prm_agenda AS k WHERE k.kind = "
    "'partner_quiet' AND k.id = " DEAL_PARTNER ")";

const char *sdb_agenda_added(const prm_kind_info *info, enum kind_stmt which)
{
    switch (info->kind) {
    case PRM_TASK:
        return which == KS_AGENDA ? "INSERT OR IGNORE INTO prm_agenda SELECT "
                                    "* FROM prm_agenda_tasks WHERE id = $1"
                                  : NULL;
    case PRM_PROJECT:
        /* its partners, linked next, make it again (prm_agenda_link) */
        return which == KS_AGENDA ? "INSERT OR IGNORE INTO prm_agenda SELECT "
                                    "* FROM prm_agenda_projects WHERE id = $1"
                                  : NULL;
    case PRM_DEAL:
        return which == KS_AGENDA_CLEAR ? deal_partner_cleared : deal_added;
    default:
        return NULL;
    }
}

/* The partner and time of the communication id: from the values bound,
 * else read (a communication put back by undo). */
static prm_code contact_of(sqlite_db *db, const prm_kind_info *info,
                           int64_t id, const prm_value *const values[],
                           int64_t *partner, char *at, size_t size,
                           prm_error *err)
{
    int p = prm_field_index(info, "partner");
    int when = prm_field_index(info, "at");
    if (values != NULL && p >= 0 && when >= 0 &&
        values[p]->type == PRM_V_INT && values[when]->type == PRM_V_TEXT) {
        *partner = values[p]->i;
        snprintf(at, size, "%.*s", (int)values[when]->len, values[when]->s);
        return PRM_OK;
    }
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT partner_id, at FROM communications WHERE "
                             "id = ?1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    if (src == SQLITE_ROW) {
        *partner = sqlite3_column_int64(stmt, 0);
        snprintf(at, size, "%s", (const char *)sqlite3_column_text(stmt, 1));
        src = sqlite3_step(stmt);
    }
    sqlite3_reset(stmt);
    return src == SQLITE_DONE ? PRM_OK
                              : sdb_fail(db, src, err, "reading a contact");
}

/* The date of a partner kept moves with its last contact, which the new
 * communication is when none of the partner's is later (a partner with
 * none before is dated by its created_at, which may be later). */
prm_code sdb_agenda_contact(sqlite_db *db, const prm_kind_info *info,
                            int64_t id, const prm_value *const values[],
                            prm_error *err)
{
    int64_t partner = 0;
    char at[64] = "";
    prm_code rc = contact_of(db, info, id, values, &partner, at, sizeof at,
                             err);
    sqlite3_stmt *stmt;
    if (rc == PRM_OK)
        rc = sdb_cached(db,
                        "UPDATE OR IGNORE prm_agenda SET date = strftime('%Y-"
                        "%m-%dT%H:%M:%SZ', ?2, '90 days'), extra = ?2 WHERE "
                        "kind = 'partner_quiet' AND id = ?1 AND extra IS NOT "
                        "?2 AND ?2 >= (SELECT max(c.at) FROM communications "
                        "AS c WHERE c.partner_id = ?1)",
                        &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, partner, err);
    if (rc == PRM_OK &&
        sqlite3_bind_text(stmt, 2, at, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        rc = sdb_fail(db, sqlite3_errcode(db->sql), err, "binding");
    return rc == PRM_OK ? sdb_run(db, stmt, err, "keeping the agenda") : rc;
}
