/*
 * keyring.c - the database's key for its sealed fields, and turning
 * encryption on and off.
 *
 * One random master key (32 bytes) is what seals; the keyring table keeps
 * it wrapped (XChaCha20-Poly1305) under a key derived from the passphrase
 * with Argon2id, the limits, salt and version bound in as associated
 * data: a changed byte anywhere in the row, or a wrong passphrase, fails
 * to unwrap, and prm refuses to open the database rather than read
 * garbage.  Changing the passphrase rewraps the same key: one row.
 *
 * Turning encryption on seals every sensitive value of every record and
 * every audit entry's images and command in one transaction, then (a
 * file) vacuums the database and empties its WAL, so that no page keeps
 * the text.  Off opens them all again.  Both walk a table in batches of
 * ids, so memory stays flat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kdf.h"
#include "store/engine.h"
#include "store/seal.h"

enum {
    MASTER = 32,
    KEK = crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    WRAPPED = NONCE + MASTER + crypto_aead_xchacha20poly1305_ietf_ABYTES,
    SALT = crypto_pwhash_SALTBYTES,
    VERSION = 1,
    BATCH = 500,
    MAX_SENSITIVE = 8, /* of one kind (a batch's columns) */
    VARIANT = sodium_base64_VARIANT_URLSAFE_NO_PADDING
};

static const char wrong[] =
    "wrong passphrase, or the database's key row was changed";

/* The keyring row as stored. */
typedef struct keyring {
    int64_t version, ops, mem;
    char salt[64], wrapped[128];
    bool found;
} keyring;

static bool ring_row(void *ctx, const char *const *cols, size_t n)
{
    keyring *k = ctx;
    if (n < 5 || cols[0] == NULL || cols[1] == NULL || cols[2] == NULL ||
        cols[3] == NULL || cols[4] == NULL)
        return false;
    k->version = strtoll(cols[0], NULL, 10);
    k->ops = strtoll(cols[1], NULL, 10);
    k->mem = strtoll(cols[2], NULL, 10);
    snprintf(k->salt, sizeof k->salt, "%s", cols[3]);
    snprintf(k->wrapped, sizeof k->wrapped, "%s", cols[4]);
    k->found = true;
    return false;
}

static prm_code ring_read(prm_db *db, keyring *k, prm_error *err)
{
    *k = (keyring){.found = false};
    return db->engine->rows(db,
                            "SELECT version, opslimit, memlimit, salt, "
                            "wrapped FROM keyring WHERE id = 1",
                            NULL, 0, ring_row, k, "reading the keyring", err);
}

prm_code store_keyring_load(prm_db *db, prm_error *err)
{
    if (db->encrypted_known)
        return PRM_OK;
    keyring k;
    prm_code rc = ring_read(db, &k, err);
    db->encrypted = rc == PRM_OK && k.found;
    return rc;
}

bool prm_encrypted(const prm_db *db)
{
    return db->encrypted;
}

void prm_set_passphrase_fn(prm_db *db, prm_passphrase_fn fn, void *ctx)
{
    db->passphrase_fn = fn;
    db->passphrase_ctx = ctx;
}

/* What the wrapped key is bound to: every other column of its row. */
static int ring_ad(char *ad, size_t size, const keyring *k)
{
    return snprintf(ad, size, "prm keyring %lld %lld %lld %s",
                    (long long)k->version, (long long)k->ops,
                    (long long)k->mem, k->salt);
}

/* The key that wraps the master key, from pass and the row's salt. */
static prm_code ring_kek(const keyring *k, const char *pass, size_t len,
                         unsigned char kek[KEK], prm_error *err)
{
    unsigned char salt[SALT];
    size_t saltlen = 0;
    if (sodium_base642bin(salt, sizeof salt, k->salt, strlen(k->salt), NULL,
                          &saltlen, NULL, VARIANT) != 0 ||
        saltlen != SALT)
        return prm_error_set(err, PRM_EINVALID_VALUE, "%s", wrong);
    prm_code rc = core_kdf_derive(kek, KEK, pass, len, salt, (uint64_t)k->ops,
                                  (uint64_t)k->mem, err);
    if (rc != PRM_OK && err->code == PRM_EINVALID_VALUE)
        prm_error_set(err, PRM_EINVALID_VALUE, "%s", wrong);
    return rc;
}

static prm_code unwrap(const keyring *k, const char *pass, size_t len,
                       unsigned char master[MASTER], prm_error *err)
{
    if (k->version != VERSION)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "the database's key is of version %lld, which "
                             "this prm does not know: a newer prm made it",
                             (long long)k->version);
    unsigned char kek[KEK], bin[WRAPPED];
    size_t binlen = 0;
    char ad[160];
    int adlen = ring_ad(ad, sizeof ad, k);
    prm_code rc = ring_kek(k, pass, len, kek, err);
    bool ok = rc == PRM_OK &&
              sodium_base642bin(bin, sizeof bin, k->wrapped,
                                strlen(k->wrapped), NULL, &binlen, NULL,
                                VARIANT) == 0 &&
              binlen == WRAPPED &&
              crypto_aead_xchacha20poly1305_ietf_decrypt(
                  master, NULL, NULL, bin + NONCE, WRAPPED - NONCE,
                  (const unsigned char *)ad, (unsigned long long)adlen, bin,
                  kek) == 0;
    sodium_memzero(kek, sizeof kek);
    if (rc == PRM_OK && !ok)
        rc = prm_error_set(err, PRM_EINVALID_VALUE, "%s", wrong);
    return rc;
}

prm_code prm_unlock(prm_db *db, const char *pass, size_t passlen,
                    prm_error *err)
{
    if (sodium_init() < 0)
        return prm_error_set(err, PRM_EIO, "libsodium could not start");
    keyring k;
    unsigned char master[MASTER];
    prm_code rc = ring_read(db, &k, err);
    if (rc == PRM_OK && !k.found)
        return PRM_OK; /* nothing to unlock */
    if (rc == PRM_OK)
        rc = unwrap(&k, pass, passlen, master, err);
    if (rc == PRM_OK)
        rc = store_keys_set(db, master, err);
    sodium_memzero(master, sizeof master);
    return rc;
}

/* A new row for master under pass: fresh salt, the cost of today. */
static prm_code wrap(const unsigned char master[MASTER], const char *pass,
                     size_t len, keyring *k, prm_error *err)
{
    uint64_t ops, mem;
    core_kdf_limits(&ops, &mem);
    unsigned char salt[SALT], kek[KEK], bin[WRAPPED];
    randombytes_buf(salt, sizeof salt);
    *k = (keyring){.version = VERSION, .ops = (int64_t)ops,
                   .mem = (int64_t)mem, .found = true};
    sodium_bin2base64(k->salt, sizeof k->salt, salt, sizeof salt, VARIANT);
    prm_code rc = ring_kek(k, pass, len, kek, err);
    if (rc != PRM_OK)
        return rc;
    char ad[160];
    int adlen = ring_ad(ad, sizeof ad, k);
    randombytes_buf(bin, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bin + NONCE, NULL, master, MASTER, (const unsigned char *)ad,
        (unsigned long long)adlen, NULL, bin, kek);
    sodium_memzero(kek, sizeof kek);
    sodium_bin2base64(k->wrapped, sizeof k->wrapped, bin, sizeof bin,
                      VARIANT);
    return PRM_OK;
}

static prm_code ring_write(prm_db *db, const keyring *k, bool replace,
                           prm_error *err)
{
    prm_value p[5] = {
        {.type = PRM_V_INT, .i = k->version},
        {.type = PRM_V_INT, .i = k->ops},
        {.type = PRM_V_INT, .i = k->mem},
        {.type = PRM_V_TEXT, .s = k->salt, .len = strlen(k->salt)},
        {.type = PRM_V_TEXT, .s = k->wrapped, .len = strlen(k->wrapped)},
    };
    const char *sql = replace
                          ? "UPDATE keyring SET version = $1, opslimit = $2, "
                            "memlimit = $3, salt = $4, wrapped = $5 WHERE id "
                            "= 1"
                          : "INSERT INTO keyring (id, version, opslimit, "
                            "memlimit, salt, wrapped) VALUES (1, $1, $2, $3, "
                            "$4, $5)";
    return db->engine->exec(db, sql, p, 5, NULL, 0, NULL, "writing the keyring",
                            err);
}

/* --- the rewrite ------------------------------------------------------------ */

/* A batch of rows read: ids and up to STORE_MAX_ROW_COLUMNS texts each. */
typedef struct batch {
    size_t n, ncols;
    int64_t id[BATCH];
    char *text[BATCH][MAX_SENSITIVE];
    int64_t last;
    bool nomem;
} batch;

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        for (size_t c = 0; c < b->ncols; c++)
            free(b->text[i][c]);
    b->n = 0;
}

static bool batch_row(void *ctx, const char *const *cols, size_t n)
{
    batch *b = ctx;
    b->id[b->n] = strtoll(cols[0], NULL, 10);
    for (size_t c = 0; c < b->ncols; c++) {
        const char *col = c + 1 < n ? cols[c + 1] : NULL;
        b->text[b->n][c] = col != NULL ? strdup(col) : NULL;
        if (col != NULL && b->text[b->n][c] == NULL)
            b->nomem = true;
    }
    b->last = b->id[b->n];
    b->n++;
    return b->n < BATCH;
}

/* The next batch of a SELECT whose $1 is the last id read. */
static prm_code batch_read(prm_db *db, const sqlbuf *sql, batch *b,
                           prm_error *err)
{
    batch_free(b);
    prm_value after = {.type = PRM_V_INT, .i = b->last};
    prm_code rc = db->engine->rows(db, sql->text, &after, 1, batch_row, b,
                                   "sealing", err);
    if (rc == PRM_OK && b->nomem)
        rc = prm_error_nomem(err);
    return rc;
}

/* What check counts: sealed values that open, and those that do not (or
 * text left unsealed), with the first of them. */
typedef struct verify {
    int64_t opened, failed;
    char first[160];
} verify;

static void verify_value(prm_db *db, verify *v, const char *kind,
                         const char *field, int64_t id, const char *text)
{
    size_t len = strlen(text), outlen;
    prm_error err = {.code = PRM_OK};
    char *opened = store_is_sealed(text, len)
                       ? store_open_value(db, kind, field, id, text, len,
                                          &outlen, &err)
                       : NULL;
    if (opened != NULL) {
        v->opened++;
        free(opened);
        return;
    }
    if (v->failed++ == 0)
        snprintf(v->first, sizeof v->first, "the %s of %s %lld", field, kind,
                 (long long)id);
}

/* A text sealed or opened as the rewrite asks; NULL (and *err) when it
 * fails, else malloc'd (the same text when it needs no change). */
static char *resealed_value(prm_db *db, const char *kind, const char *field,
                            int64_t id, const char *text, bool seal,
                            prm_error *err)
{
    size_t len = strlen(text), outlen;
    char *out;
    if (store_is_sealed(text, len) == seal)
        out = strdup(text);
    else if (seal)
        out = store_seal_value(db, kind, field, id, text, len);
    else
        return store_open_value(db, kind, field, id, text, len, &outlen, err);
    if (out == NULL)
        prm_error_nomem(err);
    return out;
}

/* Every sensitive value of a kind sealed or opened, or (v) verified. */
static prm_code reseal_kind(prm_db *db, const prm_kind_info *info, bool seal,
                            verify *v, prm_error *err)
{
    sqlbuf select = {.len = 0}, update = {.len = 0};
    const prm_field *f[MAX_SENSITIVE];
    size_t n = 0;
    sql_add(&select, "SELECT id");
    sql_add(&update, "UPDATE %s SET ", store_table(info));
    for (size_t i = 0; i < info->nfields; i++)
        if (info->fields[i].flags & PRM_FF_SENSITIVE) {
            if (n == MAX_SENSITIVE)
                return prm_error_set(err, PRM_EDB,
                                     "internal error: %s has more than %d "
                                     "sensitive fields",
                                     info->name, MAX_SENSITIVE);
            f[n] = &info->fields[i];
            sql_add(&select, ", \"%s\"", store_column(f[n]));
            sql_add(&update, "%s\"%s\" = $%zu", n ? ", " : "",
                    store_column(f[n]), n + 1);
            n++;
        }
    if (n == 0)
        return PRM_OK;
    sql_add(&select, " FROM %s WHERE id > $1 ORDER BY id LIMIT %d",
            store_table(info), BATCH);
    sql_add(&update, " WHERE id = $%zu", n + 1);
    batch b = {.ncols = n};
    prm_code rc = PRM_OK;
    do {
        rc = batch_read(db, &select, &b, err);
        for (size_t r = 0; rc == PRM_OK && v != NULL && r < b.n; r++)
            for (size_t c = 0; c < n; c++)
                if (b.text[r][c] != NULL)
                    verify_value(db, v, info->name, f[c]->name, b.id[r],
                                 b.text[r][c]);
        for (size_t r = 0; rc == PRM_OK && v == NULL && r < b.n; r++) {
            prm_value p[MAX_SENSITIVE + 1];
            char *owned[MAX_SENSITIVE] = {NULL};
            for (size_t c = 0; c < n && rc == PRM_OK; c++) {
                p[c] = (prm_value){.type = PRM_V_NULL};
                if (b.text[r][c] == NULL)
                    continue;
                owned[c] = resealed_value(db, info->name, f[c]->name, b.id[r],
                                          b.text[r][c], seal, err);
                if (owned[c] == NULL)
                    rc = err->code;
                else
                    p[c] = (prm_value){.type = PRM_V_TEXT, .s = owned[c],
                                       .len = strlen(owned[c])};
            }
            p[n] = (prm_value){.type = PRM_V_INT, .i = b.id[r]};
            if (rc == PRM_OK)
                rc = store_exec_built(db, &update, p, n + 1, NULL, 0, NULL,
                                      "sealing", err);
            for (size_t c = 0; c < n; c++)
                free(owned[c]);
        }
    } while (rc == PRM_OK && b.n == BATCH);
    batch_free(&b);
    return rc;
}

/* One audit entry's command and images, sealed or opened.  A command
 * left out (an add's, that its image gives back) stays out: it is made
 * again from the image, sealed values and all (store_command_open). */
static prm_code reseal_entry(prm_db *db, const sqlbuf *update, int64_t id,
                             char *const text[5], bool seal, prm_error *err)
{
    /* text: kind, record, command, before, after */
    int64_t record = text[1] != NULL ? strtoll(text[1], NULL, 10) : 0;
    const char *command = text[2] != NULL ? text[2] : "";
    char *cmd = NULL, *before = NULL, *after = NULL;
    size_t len = strlen(command), outlen;
    prm_code rc = PRM_OK;
    if (len > 0 && store_is_sealed(command, len) != seal) {
        cmd = seal ? store_seal_command(db, command, len)
                   : store_open_value(db, "audit", "command", 0, command, len,
                                      &outlen, err);
        if (cmd == NULL)
            rc = seal ? prm_error_nomem(err) : err->code;
    }
    if (rc == PRM_OK)
        rc = store_image_reseal(db, text[0], record, text[3], seal, &before,
                                err);
    if (rc == PRM_OK)
        rc = store_image_reseal(db, text[0], record, text[4], seal, &after,
                                err);
    if (rc == PRM_OK && (cmd != NULL || before != NULL || after != NULL)) {
        const char *v[3] = {cmd != NULL ? cmd : command,
                            before != NULL ? before : text[3],
                            after != NULL ? after : text[4]};
        prm_value p[4];
        for (int i = 0; i < 3; i++)
            p[i] = v[i] == NULL ? (prm_value){.type = PRM_V_NULL}
                                : (prm_value){.type = PRM_V_TEXT, .s = v[i],
                                              .len = strlen(v[i])};
        p[3] = (prm_value){.type = PRM_V_INT, .i = id};
        rc = store_exec_built(db, update, p, 4, NULL, 0, NULL,
                              "sealing the audit log", err);
    }
    free(cmd);
    free(before);
    free(after);
    return rc;
}

/* An audit entry's command, and its images' sensitive values, open. */
static prm_code verify_entry(prm_db *db, verify *v, int64_t id,
                             char *const text[5])
{
    char what[64];
    snprintf(what, sizeof what, "entry %lld", (long long)id);
    const char *command = text[2] != NULL ? text[2] : "";
    if (command[0] != '\0')
        verify_value(db, v, "audit", "command", 0, command);
    for (int i = 3; i < 5; i++) {
        char *opened = NULL;
        prm_error err = {.code = PRM_OK};
        int64_t record = text[1] != NULL ? strtoll(text[1], NULL, 10) : 0;
        if (store_image_reseal(db, text[0], record, text[i], false, &opened,
                               &err) == PRM_OK) {
            v->opened += opened != NULL;
        } else if (v->failed++ == 0)
            snprintf(v->first, sizeof v->first, "an image of audit %s",
                     what);
        free(opened);
    }
    return PRM_OK;
}

/* The audit log's commands and images sealed or opened, or (v)
 * verified. */
static prm_code reseal_audit(prm_db *db, bool seal, verify *v,
                             prm_error *err)
{
    sqlbuf select = {.len = 0}, update = {.len = 0};
    sql_add(&select,
            "SELECT id, kind, record, command, before, after FROM audit "
            "WHERE id > $1 ORDER BY id LIMIT %d",
            BATCH);
    sql_add(&update, "%s", db->engine->audit_reseal);
    batch b = {.ncols = 5};
    prm_code rc = PRM_OK;
    do {
        rc = batch_read(db, &select, &b, err);
        for (size_t r = 0; rc == PRM_OK && r < b.n; r++)
            rc = v != NULL ? verify_entry(db, v, b.id[r], b.text[r])
                           : reseal_entry(db, &update, b.id[r], b.text[r],
                                          seal, err);
    } while (rc == PRM_OK && b.n == BATCH);
    batch_free(&b);
    return rc;
}

/* Every sensitive value and audit entry sealed or opened, and the keyring
 * written or dropped, in one transaction. */
/* encrypt runs in a transaction of its own, and a file is vacuumed after
 * it: not inside a script's --atomic one. */
static prm_code own_transaction(prm_db *db, prm_error *err)
{
    if (prm_in_transaction(db))
        return prm_error_set(err, PRM_ECONFLICT,
                             "encrypt runs in a transaction of its own: run "
                             "it without --atomic");
    return prm_begin(db, err);
}

static prm_code reseal_all(prm_db *db, bool seal, const keyring *k,
                           prm_error *err)
{
    prm_code rc = own_transaction(db, err);
    if (rc != PRM_OK)
        return rc;
    rc = db->engine->reseal_begin(db, err);
    if (rc == PRM_OK)
        rc = seal ? ring_write(db, k, false, err)
                  : db->engine->exec(db, "DELETE FROM keyring", NULL, 0, NULL,
                                     0, NULL, "writing the keyring", err);
    for (int i = 0; rc == PRM_OK && i < PRM_KIND_COUNT; i++)
        rc = reseal_kind(db, prm_kind_get((prm_kind)i), seal, NULL, err);
    if (rc == PRM_OK)
        rc = reseal_audit(db, seal, NULL, err);
    if (rc == PRM_OK)
        rc = db->engine->reseal_end(db, err);
    if (rc == PRM_OK)
        return prm_commit(db, err);
    prm_error ignored;
    prm_rollback(db, &ignored);
    return rc;
}

static prm_code compact(prm_db *db, prm_error *err)
{
    return db->engine->compact != NULL ? db->engine->compact(db, err) : PRM_OK;
}

prm_code prm_encrypt_on(prm_db *db, const char *pass, size_t passlen,
                        prm_error *err)
{
    if (db->encrypted)
        return prm_error_set(err, PRM_ECONFLICT,
                             "encryption is on already (encrypt passphrase "
                             "changes the passphrase)");
    if (sodium_init() < 0)
        return prm_error_set(err, PRM_EIO, "libsodium could not start");
    unsigned char master[MASTER];
    randombytes_buf(master, sizeof master);
    keyring k;
    prm_code rc = wrap(master, pass, passlen, &k, err);
    if (rc == PRM_OK)
        rc = store_keys_set(db, master, err);
    sodium_memzero(master, sizeof master);
    if (rc == PRM_OK)
        rc = reseal_all(db, true, &k, err);
    if (rc != PRM_OK) {
        store_keys_free(db);
        return rc;
    }
    db->encrypted = true;
    return compact(db, err);
}

static prm_code need_unlocked(prm_db *db, prm_error *err)
{
    if (!db->encrypted)
        return prm_error_set(err, PRM_ECONFLICT,
                             "encryption is off (encrypt on turns it on)");
    if (db->keys == NULL)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "the database is locked: give its passphrase");
    return PRM_OK;
}

prm_code prm_encrypt_off(prm_db *db, prm_error *err)
{
    prm_code rc = need_unlocked(db, err);
    if (rc == PRM_OK)
        rc = reseal_all(db, false, NULL, err);
    if (rc != PRM_OK)
        return rc;
    store_keys_free(db);
    db->encrypted = false;
    return compact(db, err);
}

prm_code prm_encrypt_passphrase(prm_db *db, const char *pass, size_t passlen,
                                prm_error *err)
{
    prm_code rc = need_unlocked(db, err);
    if (rc != PRM_OK)
        return rc;
    keyring k;
    rc = wrap(store_keys_master(db), pass, passlen, &k, err);
    if (rc == PRM_OK)
        rc = own_transaction(db, err);
    if (rc != PRM_OK)
        return rc;
    rc = ring_write(db, &k, true, err);
    if (rc == PRM_OK)
        return prm_commit(db, err);
    prm_error ignored;
    prm_rollback(db, &ignored);
    return rc;
}

prm_code store_check_sealed(prm_db *db, prm_check_report *r, prm_error *err)
{
    r->encrypted = db->encrypted;
    if (!db->encrypted)
        return PRM_OK;
    verify v = {.opened = 0};
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    for (int i = 0; rc == PRM_OK && i < PRM_KIND_COUNT; i++)
        rc = reseal_kind(db, prm_kind_get((prm_kind)i), false, &v, err);
    if (rc == PRM_OK)
        rc = reseal_audit(db, false, &v, err);
    rc = store_cmd_end(db, rc, err);
    r->sealed_values = v.opened;
    r->sealed_failed = v.failed;
    if (rc == PRM_OK && v.failed > 0) {
        char what[300];
        snprintf(what, sizeof what,
                 "%lld sealed values do not open (the first: %s)",
                 (long long)v.failed, v.first);
        store_check_problem(r, "%s", what);
    }
    return rc;
}

prm_code store_unlock_from(prm_db *other, prm_db *db, prm_error *err)
{
    if (!other->encrypted)
        return PRM_OK;
    if (db->passphrase_fn == NULL)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "the backup's sensitive fields are encrypted "
                             "and no passphrase can be asked for");
    char pass[256];
    size_t len = 0;
    prm_code rc = db->passphrase_fn(db->passphrase_ctx, pass, sizeof pass,
                                    &len, err);
    if (rc == PRM_OK)
        rc = prm_unlock(other, pass, len, err);
    sodium_memzero(pass, sizeof pass);
    return rc;
}

prm_code store_keyring_share(prm_db *from, prm_db *to, prm_error *err)
{
    if (!from->encrypted)
        return PRM_OK;
    if (from->keys == NULL)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "the database is locked: give its passphrase");
    keyring k;
    prm_code rc = ring_read(from, &k, err);
    if (rc == PRM_OK && k.found)
        rc = ring_write(to, &k, false, err);
    if (rc == PRM_OK)
        rc = store_keys_set(to, store_keys_master(from), err);
    if (rc == PRM_OK)
        to->encrypted = true;
    return rc;
}
