/*
 * seal.c - sealing and opening the values of sensitive fields (seal.h),
 * with libsodium's documented constructions only: a data key and a hash
 * key derived (crypto_kdf) from one random master key, XChaCha20-Poly1305
 * (IETF) with a random nonce per value, keyed BLAKE2b for the hash that
 * equality filters compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "store/engine.h"
#include "store/seal.h"

#define TOKEN "prm1:"
enum {
    TOKEN_LEN = 5,
    HASH_BYTES = 16,
    HASH_TEXT = 22, /* base64 of 16 bytes, no padding */
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES,
    VARIANT = sodium_base64_VARIANT_URLSAFE_NO_PADDING
};

struct store_keys {
    unsigned char master[32]; /* what the keyring wraps */
    unsigned char seal[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    unsigned char hash[crypto_generichash_KEYBYTES];
};

bool store_sealing(const prm_db *db)
{
    return db->keys != NULL;
}

void store_keys_free(prm_db *db)
{
    if (db->keys != NULL)
        sodium_free(db->keys); /* zeroes it */
    db->keys = NULL;
}

prm_code store_keys_set(prm_db *db, const unsigned char master[32],
                        prm_error *err)
{
    store_keys_free(db);
    db->keys = sodium_malloc(sizeof *db->keys);
    if (db->keys == NULL)
        return prm_error_nomem(err);
    memcpy(db->keys->master, master, sizeof db->keys->master);
    crypto_kdf_derive_from_key(db->keys->seal, sizeof db->keys->seal, 1,
                               "prm-seal", master);
    crypto_kdf_derive_from_key(db->keys->hash, sizeof db->keys->hash, 2,
                               "prm-hash", master);
    return PRM_OK;
}

const unsigned char *store_keys_master(const prm_db *db)
{
    return db->keys->master;
}

bool store_is_sealed(const char *s, size_t len)
{
    return len > STORE_SEAL_PREFIX_LEN && memcmp(s, TOKEN, TOKEN_LEN) == 0 &&
           s[STORE_SEAL_PREFIX_LEN - 1] == ':';
}

/* The associated data of a value: what it belongs to. */
static int bound_to(char *ad, size_t size, const char *kind,
                    const char *field, int64_t id)
{
    int n = snprintf(ad, size, "prm1 %s %s %lld", kind, field, (long long)id);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* "prm1:HASH:" into out (STORE_SEAL_PREFIX_LEN + 1 bytes). */
static void hash_prefix(const struct store_keys *k, const char *kind,
                        const char *field, const char *s, size_t len,
                        char *out)
{
    unsigned char h[HASH_BYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->hash, sizeof k->hash, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind,
                              strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)field,
                              strlen(field) + 1);
    crypto_generichash_update(&st, (const unsigned char *)s, len);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(out, TOKEN, TOKEN_LEN);
    sodium_bin2base64(out + TOKEN_LEN, HASH_TEXT + 1, h, sizeof h, VARIANT);
    out[STORE_SEAL_PREFIX_LEN - 1] = ':';
    out[STORE_SEAL_PREFIX_LEN] = '\0';
}

char *store_seal_prefix(const prm_db *db, const char *kind, const char *field,
                        const char *s, size_t len)
{
    char *out = malloc(STORE_SEAL_PREFIX_LEN + 1);
    if (out != NULL)
        hash_prefix(db->keys, kind, field, s, len, out);
    return out;
}

char *store_seal_value(const prm_db *db, const char *kind, const char *field,
                       int64_t id, const char *s, size_t len)
{
    char ad[200];
    int adlen = bound_to(ad, sizeof ad, kind, field, id);
    if (adlen < 0 || len > SIZE_MAX / 2 - NONCE - TAG)
        return NULL;
    size_t binlen = NONCE + len + TAG;
    size_t textlen = sodium_base64_ENCODED_LEN(binlen, VARIANT);
    unsigned char *bin = malloc(binlen);
    char *out = malloc(STORE_SEAL_PREFIX_LEN + textlen);
    if (bin == NULL || out == NULL) {
        free(bin);
        free(out);
        return NULL;
    }
    randombytes_buf(bin, NONCE);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bin + NONCE, &clen, (const unsigned char *)s, len,
        (const unsigned char *)ad, (unsigned long long)adlen, NULL, bin,
        db->keys->seal);
    hash_prefix(db->keys, kind, field, s, len, out);
    sodium_bin2base64(out + STORE_SEAL_PREFIX_LEN, textlen, bin, binlen,
                      VARIANT);
    free(bin);
    return out;
}

static char *does_not_open(const char *kind, const char *field, int64_t id,
                           prm_error *err)
{
    prm_error_set(err, PRM_EDB,
                  "the sealed %s of %s %lld does not open: it was changed, "
                  "or moved from another record, outside prm (prm check "
                  "lists them)",
                  field, kind, (long long)id);
    return NULL;
}

char *store_open_value(const prm_db *db, const char *kind, const char *field,
                       int64_t id, const char *s, size_t len, size_t *outlen,
                       prm_error *err)
{
    if (db->keys == NULL) {
        prm_error_set(err, PRM_EDB,
                      "the database is encrypted and was not unlocked");
        return NULL;
    }
    char ad[200];
    int adlen = bound_to(ad, sizeof ad, kind, field, id);
    const char *body = s + STORE_SEAL_PREFIX_LEN;
    size_t bodylen = len - STORE_SEAL_PREFIX_LEN;
    unsigned char *bin = malloc(bodylen);
    char *out = malloc(bodylen + 1);
    size_t binlen = 0;
    unsigned long long mlen = 0;
    bool ok = adlen >= 0 && bin != NULL && out != NULL && store_is_sealed(s, len) &&
              sodium_base642bin(bin, bodylen, body, bodylen, NULL, &binlen,
                                NULL, VARIANT) == 0 &&
              binlen >= NONCE + TAG &&
              crypto_aead_xchacha20poly1305_ietf_decrypt(
                  (unsigned char *)out, &mlen, NULL, bin + NONCE,
                  binlen - NONCE, (const unsigned char *)ad,
                  (unsigned long long)adlen, bin, db->keys->seal) == 0;
    free(bin);
    if (ok) {
        /* The hash too, so that what equality finds is what is there. */
        char prefix[STORE_SEAL_PREFIX_LEN + 1];
        hash_prefix(db->keys, kind, field, out, (size_t)mlen, prefix);
        ok = memcmp(prefix, s, STORE_SEAL_PREFIX_LEN) == 0;
    }
    if (!ok) {
        bool nomem = bin == NULL || out == NULL;
        free(out);
        if (nomem) {
            prm_error_nomem(err);
            return NULL;
        }
        return does_not_open(kind, field, id, err);
    }
    out[mlen] = '\0';
    *outlen = (size_t)mlen;
    return out;
}

char *store_seal_command(const prm_db *db, const char *command, size_t len)
{
    return store_seal_value(db, "audit", "command", 0, command, len);
}

/* --- rows and images ------------------------------------------------------ */

static bool sealable(const prm_field *f, const prm_value *v)
{
    return (f->flags & PRM_FF_SENSITIVE) && v->type == PRM_V_TEXT;
}

bool store_row_has_sensitive(const prm_kind_info *info, const store_row *row)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (row->set[i] && sealable(&info->fields[i], &row->v[i]))
            return true;
    return false;
}

void store_sealed_free(store_sealed_row *s)
{
    for (size_t i = 0; i < STORE_MAX_FIELDS; i++) {
        free(s->owned[i]);
        s->owned[i] = NULL;
    }
}

prm_code store_seal_row(const prm_db *db, const prm_kind_info *info,
                        int64_t id, const store_row *in, store_sealed_row *out,
                        prm_error *err)
{
    out->row = *in;
    memset(out->owned, 0, sizeof out->owned);
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_value *v = &in->v[i];
        if (!in->set[i] || !sealable(&info->fields[i], v))
            continue;
        char *sealed = store_seal_value(db, info->name, info->fields[i].name,
                                        id, v->s, v->len);
        if (sealed == NULL) {
            store_sealed_free(out);
            return prm_error_nomem(err);
        }
        out->owned[i] = sealed;
        out->row.v[i].s = sealed;
        out->row.v[i].len = strlen(sealed);
    }
    return PRM_OK;
}

/* Where the value of top-level key name begins in the JSON object text,
 * and how long it is; NULL when the object has no such key.  Images are
 * flat objects whose values are strings, numbers, null and (a project's
 * partners) arrays of numbers. */
static const char *value_of(const char *json, const char *name, size_t *len)
{
    size_t namelen = strlen(name);
    int depth = 0;
    for (const char *p = json; *p != '\0'; p++) {
        if (*p == '{' || *p == '[') {
            depth++;
            continue;
        }
        if (*p == '}' || *p == ']') {
            depth--;
            continue;
        }
        if (*p != '"')
            continue;
        const char *start = p++;
        while (*p != '\0' && *p != '"')
            p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
        if (*p == '\0')
            return NULL;
        const char *after = p + 1;
        while (*after == ' ')
            after++;
        if (*after != ':')
            continue; /* a value, not a key */
        bool match = depth == 1 && (size_t)(p - start - 1) == namelen &&
                     memcmp(start + 1, name, namelen) == 0;
        if (!match)
            continue;
        const char *v = after + 1;
        while (*v == ' ')
            v++;
        const char *end = v;
        if (*end == '"') {
            for (end++; *end != '\0' && *end != '"';)
                end += (*end == '\\' && end[1] != '\0') ? 2 : 1;
            if (*end == '"')
                end++;
        } else
            while (*end != '\0' && *end != ',' && *end != '}')
                end++;
        *len = (size_t)(end - v);
        return v;
    }
    return NULL;
}

/* A JSON string as SQLite and PostgreSQL write one (store_json_escape). */
static char *json_quoted(const char *s, size_t len)
{
    char *out = len <= (SIZE_MAX - 3) / 6 ? malloc(6 * len + 3) : NULL;
    if (out != NULL) {
        out[0] = '"';
        char *end = store_json_escape(out + 1, s, len);
        end[0] = '"';
        end[1] = '\0';
    }
    return out;
}

/* The new text of one image value (a JSON string token): sealed, or
 * opened; NULL with *err set, or with *same when it stays as it is. */
static char *reseal_token(const prm_db *db, const char *kind,
                          const char *field, int64_t record, const char *tok,
                          size_t toklen, bool seal, bool *same,
                          prm_error *err)
{
    *same = false;
    if (toklen < 2 || tok[0] != '"') { /* null */
        *same = true;
        return NULL;
    }
    bool sealed = store_is_sealed(tok + 1, toklen - 2);
    if (sealed == seal) {
        *same = true;
        return NULL;
    }
    if (!seal) {
        size_t len;
        char *text = store_open_value(db, kind, field, record, tok + 1,
                                      toklen - 2, &len, err);
        char *quoted = text != NULL ? json_quoted(text, len) : NULL;
        if (text != NULL && quoted == NULL)
            prm_error_nomem(err);
        free(text);
        return quoted;
    }
    cJSON *v = cJSON_ParseWithLength(tok, toklen);
    char *sealed_text = NULL, *quoted = NULL;
    if (cJSON_IsString(v))
        sealed_text = store_seal_value(db, kind, field, record, v->valuestring,
                                       strlen(v->valuestring));
    if (sealed_text != NULL)
        quoted = json_quoted(sealed_text, strlen(sealed_text));
    if (quoted == NULL && cJSON_IsString(v))
        prm_error_nomem(err);
    else if (quoted == NULL)
        prm_error_set(err, PRM_EDB,
                      "the audit image of %s %lld is not as prm wrote it",
                      kind, (long long)record);
    cJSON_Delete(v);
    free(sealed_text);
    return quoted;
}

prm_code store_image_reseal(const prm_db *db, const char *kind,
                            int64_t record, const char *image, bool seal,
                            char **out, prm_error *err)
{
    *out = NULL;
    const prm_kind_info *info = prm_kind_find(kind);
    if (info == NULL || image == NULL)
        return PRM_OK; /* a project's link: nothing sensitive */
    char *text = NULL;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        if (!(f->flags & PRM_FF_SENSITIVE))
            continue;
        const char *cur = text != NULL ? text : image;
        size_t toklen;
        const char *tok = value_of(cur, f->name, &toklen);
        if (tok == NULL)
            continue;
        bool same;
        char *repl = reseal_token(db, kind, f->name, record, tok, toklen,
                                  seal, &same, err);
        if (same)
            continue;
        if (repl == NULL) {
            free(text);
            return err->code;
        }
        size_t head = (size_t)(tok - cur), tail = strlen(tok + toklen);
        size_t rlen = strlen(repl);
        char *next = malloc(head + rlen + tail + 1);
        if (next == NULL) {
            free(repl);
            free(text);
            return prm_error_nomem(err);
        }
        memcpy(next, cur, head);
        memcpy(next + head, repl, rlen);
        memcpy(next + head + rlen, tok + toklen, tail + 1);
        free(repl);
        free(text);
        text = next;
    }
    *out = text;
    return PRM_OK;
}
