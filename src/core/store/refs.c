/*
 * refs.c - the references a transaction has already looked up.
 *
 * A command that names a record (comm add partner=Acme, partner=17) looks
 * it up before it writes: on a team database a round trip of its own, as
 * long as the insert that follows.  A file or a script of such lines
 * names the same few partners again and again, so a batch remembers what
 * each reference was found to be, and asks the database once.
 *
 * What is remembered holds only while nothing can change it:
 *   - inside one batch, and only while it holds the writers' lock
 *     (SQLite's, or the advisory lock prm's writers take on a team
 *     database, to the transaction's end), so that no one else renames
 *     or deletes a record meanwhile;
 *   - while the commands that run only add records: an add gives no
 *     record another name or id, and takes none away (names are unique).
 *     Any other command that writes (update, delete, undo, import...)
 *     forgets everything first and remembers nothing while it runs;
 *   - until a command fails: its savepoint is rolled back, and with it
 *     whatever it added and may have been looked up, and on a team
 *     database the lock, when it was the one that took it.
 * Only what was found is remembered, never that something was not.
 */
#include <stdlib.h>
#include <string.h>

#include "store/engine.h"

enum {
    REF_SLOTS = 512, /* a power of two: a batch's partners, and more */
    REF_TEXT = 48    /* names longer than this are looked up each time */
};

typedef struct ref_slot {
    uint32_t generation; /* 0: never used */
    uint8_t kind;
    bool by_name;
    int64_t id;
    char name[REF_TEXT];
} ref_slot;

struct store_refs {
    uint32_t generation; /* a slot of another is forgotten */
    ref_slot slot[REF_SLOTS];
};

void store_refs_free(prm_db *db)
{
    free(db->refs);
    db->refs = NULL;
}

void store_refs_forget(prm_db *db)
{
    if (db->refs != NULL && ++db->refs->generation == 0) {
        /* wrapped: the old slots would look current again */
        memset(db->refs->slot, 0, sizeof db->refs->slot);
        db->refs->generation = 1;
    }
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static ref_slot *slot_of(struct store_refs *r, const prm_kind_info *info,
                         bool by_name, int64_t id, const char *name,
                         size_t len)
{
    unsigned char key[2] = {(unsigned char)info->kind, by_name};
    uint32_t h = fnv(2166136261u, key, sizeof key);
    h = by_name ? fnv(h, name, len) : fnv(h, &id, sizeof id);
    return &r->slot[h & (REF_SLOTS - 1)];
}

static bool holds(const struct store_refs *r, const ref_slot *s,
                  const prm_kind_info *info, bool by_name)
{
    return s->generation == r->generation && s->kind == info->kind &&
           s->by_name == by_name;
}

bool store_refs_known_id(const prm_db *db, const prm_kind_info *info,
                         int64_t id)
{
    if (!db->refs_use || db->refs == NULL)
        return false;
    ref_slot *s = slot_of(db->refs, info, false, id, NULL, 0);
    return holds(db->refs, s, info, false) && s->id == id;
}

bool store_refs_known_name(const prm_db *db, const prm_kind_info *info,
                           const char *name, int64_t *id)
{
    size_t len = strlen(name);
    if (!db->refs_use || db->refs == NULL || len >= REF_TEXT)
        return false;
    ref_slot *s = slot_of(db->refs, info, true, 0, name, len);
    if (!holds(db->refs, s, info, true) || strcmp(s->name, name) != 0)
        return false;
    *id = s->id;
    return true;
}

/* The memory a new entry goes in, or NULL when nothing may be remembered
 * now (or there is no memory for it: then nothing is). */
static struct store_refs *take(prm_db *db)
{
    if (!db->refs_use)
        return NULL;
    if (db->refs == NULL) {
        db->refs = calloc(1, sizeof *db->refs);
        if (db->refs != NULL)
            db->refs->generation = 1;
    }
    return db->refs;
}

void store_refs_keep_id(prm_db *db, const prm_kind_info *info, int64_t id)
{
    if (take(db) == NULL)
        return;
    ref_slot *s = slot_of(db->refs, info, false, id, NULL, 0);
    *s = (ref_slot){.generation = db->refs->generation,
                    .kind = (uint8_t)info->kind, .id = id};
}

void store_refs_keep_name(prm_db *db, const prm_kind_info *info,
                          const char *name, int64_t id)
{
    size_t len = strlen(name);
    if (len >= REF_TEXT || take(db) == NULL)
        return;
    ref_slot *s = slot_of(db->refs, info, true, 0, name, len);
    *s = (ref_slot){.generation = db->refs->generation,
                    .kind = (uint8_t)info->kind, .by_name = true, .id = id};
    memcpy(s->name, name, len + 1);
}

/* Whether the batch holds the writers' lock is what its change numbers
 * already know (store_changes: read under the lock, given back with a
 * failed command's savepoint, forgotten as a transaction begins or
 * ends).  Before the engine begins the command: nothing is kept past a
 * transaction, or from when the lock was not held, or into a command
 * that may rename or delete. */
void store_refs_cmd_begin(prm_db *db, bool fresh, bool writes)
{
    if (fresh || !db->changes.known || (writes && !db->cmd_adds_only))
        store_refs_forget(db);
}

/* Once the engine has begun it (ok) or failed to. */
void store_refs_cmd_started(prm_db *db, bool ok, bool writes)
{
    bool adds = db->cmd_adds_only;
    db->cmd_adds_only = false;
    db->refs_use = ok && db->changes.known && (adds || !writes);
    if (!ok)
        store_refs_forget(db);
}

void store_refs_cmd_end(prm_db *db, prm_code rc)
{
    db->refs_use = false;
    if (rc != PRM_OK)
        store_refs_forget(db);
}
