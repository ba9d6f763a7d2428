/*
 * seal.c - sealing and opening the values of sensitive fields (seal.h),
 * with libsodium's documented constructions only: a data key and a hash
 * key derived (crypto_kdf) from one random master key, XChaCha20-Poly1305
 * (IETF) with a random nonce per value, keyed SipHash (shorthash, its
 * 128-bit form) for the hash that equality filters compare.
 */
#include <stdint.h>
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
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES
};

struct store_keys {
    unsigned char master[32]; /* what the keyring wraps */
    store_nonces nonces;      /* the main thread's */
    unsigned char seal[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    unsigned char hash[crypto_shorthash_siphashx24_KEYBYTES];
};

bool store_sealing(const prm_db *db)
{
    return db->keys != NULL;
}

void store_keys_free(prm_db *db)
{
    store_ahead_stop(db); /* its thread reads the keys */
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
    store_nonces_init(&db->keys->nonces);
    crypto_kdf_derive_from_key(db->keys->seal, sizeof db->keys->seal, 1,
                               "prm-seal", master);
    crypto_kdf_derive_from_key(db->keys->hash, sizeof db->keys->hash, 3,
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

/* The associated data of a value: what it belongs to, "prm1 KIND FIELD ID".
 * Written by hand: snprintf was a twentieth of a bulk load's sealing. */
static int bound_to(char *ad, size_t size, const char *kind,
                    const char *field, int64_t id)
{
    size_t klen = strlen(kind), flen = strlen(field);
    char digits[24];
    size_t nd = 0;
    /* the magnitude as unsigned: INT64_MIN has no positive twin */
    uint64_t mag = id < 0 ? (uint64_t)0 - (uint64_t)id : (uint64_t)id;
    do {
        digits[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (id < 0)
        digits[nd++] = '-';
    size_t n = 5 + klen + 1 + flen + 1 + nd;
    if (n >= size)
        return -1;
    char *p = ad;
    memcpy(p, "prm1 ", 5);
    p += 5;
    memcpy(p, kind, klen);
    p += klen;
    *p++ = ' ';
    memcpy(p, field, flen);
    p += flen;
    *p++ = ' ';
    while (nd > 0)
        *p++ = digits[--nd];
    *p = '\0';
    return (int)n;
}

/* --- base64 ----------------------------------------------------------------
 *
 * URL-safe, without padding.  libsodium's codec runs in constant time, for
 * secrets; what is encoded here is a hash and a ciphertext, public by
 * design, and libsodium's took as long as the encryption itself on every
 * value a bulk load sealed. */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* n bytes as text at out (room for b64_len(n) + 1); returns its end. */
static size_t b64_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

static char *b64_encode(char *out, const unsigned char *in, size_t n)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = b64_alphabet[v >> 18];
        *out++ = b64_alphabet[v >> 12 & 63];
        *out++ = b64_alphabet[v >> 6 & 63];
        *out++ = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        *out++ = b64_alphabet[in[i] >> 2];
        *out++ = b64_alphabet[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
        *out++ = b64_alphabet[v >> 10];
        *out++ = b64_alphabet[v >> 4 & 63];
        *out++ = b64_alphabet[(v & 15) << 2];
    }
    *out = '\0';
    return out;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* The bytes of n characters of text into out (room for n * 3 / 4);
 * false for a character outside the alphabet, a length no encoding
 * has, or bits left over that are not zero (one text for one value). */
static bool b64_decode(unsigned char *out, const char *in, size_t n,
                       size_t *len)
{
    if (n % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return false;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (unsigned char)(acc >> bits);
        }
    }
    *len = k;
    return (acc & ((1u << bits) - 1)) == 0;
}

/* "prm1:HASH:" into out (STORE_SEAL_PREFIX_LEN + 1 bytes): SipHash-2-4
 * with a 128-bit output (libsodium's shorthash_siphashx24), keyed, of
 * the kind, the field and the value. */
static void hash_prefix(const struct store_keys *k, const char *kind,
                        const char *field, const char *s, size_t len,
                        char *out)
{
    unsigned char h[HASH_BYTES], small[256], *in = small;
    size_t klen = strlen(kind) + 1, flen = strlen(field) + 1;
    size_t n = klen + flen + len;
    if (n > sizeof small && (in = malloc(n)) == NULL)
        in = NULL;
    if (in != NULL) {
        memcpy(in, kind, klen);
        memcpy(in + klen, field, flen);
        memcpy(in + klen + flen, s, len);
        crypto_shorthash_siphashx24(h, in, n, k->hash);
    } else {
        /* out of memory for a long value: a prefix no value has, so
         * that equality finds nothing rather than the wrong record */
        memset(h, 0xff, sizeof h);
    }
    if (in != small)
        free(in);
    memcpy(out, TOKEN, TOKEN_LEN);
    b64_encode(out + TOKEN_LEN, h, sizeof h);
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

void store_nonces_init(store_nonces *n)
{
    n->used = sizeof n->pool; /* drawn when first needed */
}

static void new_nonce(store_nonces *n, unsigned char *nonce)
{
    if (n->used + NONCE > sizeof n->pool) {
        /* libsodium's generator fills from a fresh random seed: one
         * system call for the pool, not one for each 256 bytes */
        unsigned char seed[randombytes_SEEDBYTES];
        randombytes_buf(seed, sizeof seed);
        randombytes_buf_deterministic(n->pool, sizeof n->pool, seed);
        sodium_memzero(seed, sizeof seed);
        n->used = 0;
    }
    memcpy(nonce, n->pool + n->used, NONCE);
    /* a nonce is used once: its bytes go */
    sodium_memzero(n->pool + n->used, NONCE);
    n->used += NONCE;
}

size_t store_sealed_size(size_t len)
{
    if (len > SIZE_MAX / 2 - NONCE - TAG)
        return 0;
    return STORE_SEAL_PREFIX_LEN + b64_len(NONCE + len + TAG) + 1;
}

bool store_seal_into(const prm_db *db, store_nonces *nonces,
                     const char *kind, const char *field, int64_t id,
                     const char *s, size_t len, char *out)
{
    char ad[200];
    int adlen = bound_to(ad, sizeof ad, kind, field, id);
    if (adlen < 0 || store_sealed_size(len) == 0)
        return false;
    size_t binlen = NONCE + len + TAG;
    /* most values are short: their ciphertext on the stack */
    unsigned char small[1024];
    unsigned char *bin = binlen <= sizeof small ? small : malloc(binlen);
    if (bin == NULL)
        return false;
    new_nonce(nonces, bin);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bin + NONCE, &clen, (const unsigned char *)s, len,
        (const unsigned char *)ad, (unsigned long long)adlen, NULL, bin,
        db->keys->seal);
    hash_prefix(db->keys, kind, field, s, len, out);
    b64_encode(out + STORE_SEAL_PREFIX_LEN, bin, binlen);
    if (bin != small)
        free(bin);
    return true;
}

char *store_seal_value(const prm_db *db, const char *kind, const char *field,
                       int64_t id, const char *s, size_t len)
{
    size_t size = store_sealed_size(len);
    char *out = size > 0 ? malloc(size) : NULL;
    if (out != NULL && !store_seal_into(db, &db->keys->nonces, kind, field,
                                        id, s, len, out)) {
        free(out);
        out = NULL;
    }
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
    if (!store_is_sealed(s, len))
        return does_not_open(kind, field, id, err);
    char ad[200];
    int adlen = bound_to(ad, sizeof ad, kind, field, id);
    const char *body = s + STORE_SEAL_PREFIX_LEN;
    size_t bodylen = len - STORE_SEAL_PREFIX_LEN;
    unsigned char *bin = malloc(bodylen);
    char *out = malloc(bodylen + 1);
    size_t binlen = 0;
    unsigned long long mlen = 0;
    bool ok = adlen >= 0 && bin != NULL && out != NULL &&
              b64_decode(bin, body, bodylen, &binlen) &&
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

/* Text being built, grown as needed. */
typedef struct text_buf {
    char *s;
    size_t len, cap;
    bool failed;
} text_buf;

static void text_put(text_buf *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = realloc(t->s, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* A value as the command an add's image gives back writes it: bare when
 * every byte may be, else in double quotes with \" and \\. */
static void command_value(text_buf *t, const char *v, size_t n)
{
    bool bare = n > 0;
    for (size_t i = 0; i < n && bare; i++)
        bare = store_bare_char((unsigned char)v[i]);
    if (bare) {
        text_put(t, v, n);
        return;
    }
    text_put(t, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"' || v[i] == '\\')
            text_put(t, "\\", 1);
        text_put(t, v + i, 1);
    }
    text_put(t, "\"", 1);
}

/* A command made again from an add's sealed image (SQLite leaves out the
 * command an image gives back): each " FIELD=prm1:..." word opened, and
 * written as the command was typed. */
static char *open_words(const prm_db *db, const char *kind, int64_t record,
                        const char *command, prm_error *err)
{
    text_buf t = {.s = NULL};
    const prm_kind_info *info = prm_kind_find(kind);
    const char *p = command, *eq;
    while ((eq = strstr(p, "=" TOKEN)) != NULL) {
        const char *word = eq;
        while (word > p && word[-1] != ' ')
            word--;
        const char *end = eq + 1;
        while (*end != '\0' && *end != ' ')
            end++;
        char field[64];
        size_t flen = (size_t)(eq - word), len;
        if (flen > 0 && flen < sizeof field) {
            memcpy(field, word, flen);
            field[flen] = '\0';
        }
        const prm_field *f = flen > 0 && flen < sizeof field && info != NULL
                                 ? prm_field_find(info, field)
                                 : NULL;
        if (f == NULL || !(f->flags & PRM_FF_SENSITIVE)) {
            /* text that only looks like a sealed word */
            text_put(&t, p, (size_t)(end - p));
            p = end;
            continue;
        }
        char *v = store_open_value(db, kind, field, record, eq + 1,
                                   (size_t)(end - eq - 1), &len, err);
        if (v == NULL) {
            free(t.s);
            return NULL;
        }
        text_put(&t, p, (size_t)(eq + 1 - p));
        command_value(&t, v, len);
        free(v);
        p = end;
    }
    text_put(&t, p, strlen(p));
    if (t.failed) {
        free(t.s);
        prm_error_nomem(err);
        return NULL;
    }
    return t.s;
}

prm_code store_command_open(const prm_db *db, const char *kind,
                            int64_t record, const char *command, char **out,
                            prm_error *err)
{
    size_t len = command != NULL ? strlen(command) : 0, outlen;
    *out = NULL;
    if (store_is_sealed(command, len))
        *out = store_open_value(db, "audit", "command", 0, command, len,
                                &outlen, err);
    else if (len > 0 && strstr(command, "=" TOKEN) != NULL)
        *out = open_words(db, kind, record, command, err);
    else
        return PRM_OK;
    return *out != NULL ? PRM_OK : err->code;
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
        /* sealed ahead on the second thread, or now */
        char *sealed = store_ahead_take(db, info, i, id, v->s, v->len);
        if (sealed == NULL)
            sealed = store_seal_value(db, info->name, info->fields[i].name,
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
