/*
 * seal.h - sensitive fields sealed at rest (seal.c).
 *
 * With encryption on, the store seals every value of a sensitive field
 * before it writes it and opens it as it reads it back, so that the rest
 * of the core, and every output, sees only the text the user gave.  A
 * sealed value is the text
 *
 *     prm1:HHHHHHHHHHHHHHHHHHHHHH:BODY
 *
 * HHHH a keyed hash (SipHash, 16 bytes, URL-safe base64) of the kind, the
 * field and the value, which equality filters compare, and BODY a random
 * nonce and the XChaCha20-Poly1305 ciphertext of the value, with the
 * kind, the field and the record's id as associated data.  The audit log's
 * images hold the same sealed values, and its commands are sealed whole.
 */
#ifndef PRM_STORE_SEAL_H
#define PRM_STORE_SEAL_H

#include "store/store.h"

/* "prm1:" and the hash and its colon: what equality compares. */
enum { STORE_SEAL_PREFIX_LEN = 5 + 22 + 1 };

/* Whether text is a sealed value. */
bool store_is_sealed(const char *s, size_t len);
/* Whether the database's values are sealed now (unlocked, encryption on). */
bool store_sealing(const prm_db *db);

/* Read at open: whether the database has a keyring (encryption on). */
prm_code store_keyring_load(prm_db *db, prm_error *err);
/* The error of encryption turned on (now_on) or off by another prm since
 * this one opened the database (store.c). */
prm_code store_keyring_changed(prm_error *err, bool now_on);
void store_keys_free(prm_db *db);
/* The data and hash keys, derived from the master key (keyring.c). */
prm_code store_keys_set(prm_db *db, const unsigned char master[32],
                        prm_error *err);
/* The master key of an unlocked database (to wrap it anew). */
const unsigned char *store_keys_master(const prm_db *db);

/* Random nonces, drawn a page at a time: one getrandom() call per value
 * was a fifth of the cost of a bulk load.  Each thread that seals has its
 * own. */
typedef struct store_nonces {
    unsigned char pool[4096];
    size_t used;
} store_nonces;
void store_nonces_init(store_nonces *n);

/* A value sealed for field of a record of kind with id; malloc'd. */
char *store_seal_value(const prm_db *db, const char *kind, const char *field,
                       int64_t id, const char *s, size_t len);
/* The size of a value of len bytes sealed, its NUL included (0: too
 * long to seal), and the same sealing into out, which has that room,
 * with the nonces given: what another thread calls. */
size_t store_sealed_size(size_t len);
bool store_seal_into(const prm_db *db, store_nonces *nonces,
                     const char *kind, const char *field, int64_t id,
                     const char *s, size_t len, char *out);

/* Sealing ahead (seal_ahead.c): while a script's lines run, a second
 * thread seals the values of adds further on, which the front end has
 * told of (prm_hint_add), for the id each add is expected to get.
 *   begin  a new look-ahead: what earlier hints left unused goes; false
 *          when sealing ahead is of no use (encryption off);
 *   next_id  the id the next add of kind hinted in this look-ahead is
 *          expected to get (0: not known);
 *   queue  one value of such an add, for field (an index of info's);
 *   take   the value sealed ahead for exactly this kind, field, id and
 *          text, malloc'd; NULL when there is none (the caller seals);
 *   stop   end the thread and drop what it holds (before the keys go). */
bool store_ahead_begin(prm_db *db);
int64_t store_ahead_next_id(prm_db *db, const prm_kind_info *info);
void store_ahead_queue(prm_db *db, const prm_kind_info *info, size_t field,
                       int64_t id, const char *s, size_t len);
char *store_ahead_take(const prm_db *db, const prm_kind_info *info,
                       size_t field, int64_t id, const char *s, size_t len);
void store_ahead_stop(prm_db *db);
/* Wait until the thread has sealed all it was given (for tests). */
void store_ahead_settle(prm_db *db);
/* What an equality filter on field compares: "prm1:HASH:"; malloc'd. */
char *store_seal_prefix(const prm_db *db, const char *kind, const char *field,
                        const char *s, size_t len);
/* A sealed value opened (malloc'd, NUL-terminated, *len its length);
 * NULL with PRM_EDB when it does not open (changed, or moved from
 * another record), or PRM_ENOMEM. */
char *store_open_value(const prm_db *db, const char *kind, const char *field,
                       int64_t id, const char *s, size_t len, size_t *outlen,
                       prm_error *err);

/* The values of row that are sensitive, sealed for record id, into out
 * (a copy of in); *owned gets what to free (store_sealed_free). */
typedef struct store_sealed_row {
    store_row row;
    char *owned[STORE_MAX_FIELDS];
} store_sealed_row;
prm_code store_seal_row(const prm_db *db, const prm_kind_info *info,
                        int64_t id, const store_row *in, store_sealed_row *out,
                        prm_error *err);
void store_sealed_free(store_sealed_row *s);
/* Whether row gives a sensitive field a value (and so needs the id). */
bool store_row_has_sensitive(const prm_kind_info *info, const store_row *row);

/* An audit image (JSON text) with the sensitive fields of kind sealed or
 * opened; *out NULL when nothing changes, else malloc'd. */
prm_code store_image_reseal(const prm_db *db, const char *kind,
                            int64_t record, const char *image, bool seal,
                            char **out, prm_error *err);
/* A command of the audit log, sealed whole; malloc'd. */
char *store_seal_command(const prm_db *db, const char *command, size_t len);
/* A command read from the log, opened (*out malloc'd): sealed whole, or
 * made again from an add's sealed image, its sealed values in it (those
 * of record of kind); *out NULL when there is nothing to open. */
prm_code store_command_open(const prm_db *db, const char *kind,
                            int64_t record, const char *command, char **out,
                            prm_error *err);

/* check: with encryption on, that every sealed value of the records and
 * the audit log opens (keyring.c). */
prm_code store_check_sealed(prm_db *db, prm_check_report *r, prm_error *err);

#endif /* PRM_STORE_SEAL_H */
