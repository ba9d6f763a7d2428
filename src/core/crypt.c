/*
 * crypt.c - encrypted files: exports (and what imports read back) sealed
 * with a passphrase, libsodium's documented constructions only.
 *
 * Format, version 1:
 *   "PRMCRYPT" (8 bytes), version (1 byte, 1),
 *   Argon2id opslimit and memlimit (8 bytes each, little-endian), salt
 *   (16 bytes), secretstream header (24 bytes);
 *   then chunks, each a 4-byte little-endian length and that many bytes
 *   of XChaCha20-Poly1305 secretstream ciphertext of at most 64 KiB of
 *   text, the last tagged FINAL.
 * Every byte counts: the whole header is each chunk's associated data
 * (so a changed limit that Argon2id would round away still shows), a
 * chunk's length says where the next one starts, and a file that stops
 * before its FINAL chunk is refused as damaged.  A reader
 * checks the whole file before handing out its first byte, so an import
 * never begins on a file it would have to give up half way.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kdf.h"
#include "prm/prm.h"

#define MAGIC "PRMCRYPT"
enum {
    MAGIC_LEN = 8,
    HEADER_LEN = MAGIC_LEN + 1 + 8 + 8 + crypto_pwhash_SALTBYTES +
                 crypto_secretstream_xchacha20poly1305_HEADERBYTES,
    CHUNK = 65536,
    SEALED = CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES,
    MAX_MEMLIMIT = 1 << 30, /* a damaged header must not ask for more */
    MAX_OPSLIMIT = 64
};

static const char damaged[] = "wrong passphrase or damaged file";

/* --- the key --------------------------------------------------------------- */

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The cost of a new file's key: libsodium's interactive limits, or its
 * least with PRM_KDF=fast (the tests, which derive hundreds of keys). */
void core_kdf_limits(uint64_t *ops, uint64_t *mem)
{
    const char *fast = getenv("PRM_KDF");
    bool least = fast != NULL && strcmp(fast, "fast") == 0;
    *ops = least ? crypto_pwhash_OPSLIMIT_MIN
                 : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = least ? crypto_pwhash_MEMLIMIT_MIN
                 : crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

prm_code core_kdf_derive(unsigned char *key, size_t keylen,
                         const char *pass, size_t passlen,
                         const unsigned char *salt, uint64_t ops, uint64_t mem,
                         prm_error *err)
{
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > MAX_OPSLIMIT ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > MAX_MEMLIMIT)
        return prm_error_set(err, PRM_EINVALID_VALUE, "%s", damaged);
    if (crypto_pwhash(key, keylen,
                      pass, passlen, salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return prm_error_set(err, PRM_EIO,
                             "not enough memory to derive the key");
    return PRM_OK;
}

/* --- writing ------------------------------------------------------------------ */

typedef struct sealer {
    FILE *out;
    unsigned char header[HEADER_LEN]; /* each chunk's associated data */
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char text[CHUNK];
    size_t len;
    bool failed;
} sealer;

static bool seal_chunk(sealer *s, unsigned char tag)
{
    unsigned char sealed[SEALED], len[4];
    unsigned long long n;
    crypto_secretstream_xchacha20poly1305_push(&s->st, sealed, &n, s->text,
                                               s->len, s->header, HEADER_LEN,
                                               tag);
    for (int i = 0; i < 4; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    s->len = 0;
    return fwrite(len, 1, 4, s->out) == 4 &&
           fwrite(sealed, 1, (size_t)n, s->out) == n;
}

static ssize_t seal_write(void *c, const char *buf, size_t size)
{
    sealer *s = c;
    for (size_t done = 0; done < size;) {
        size_t n = size - done < CHUNK - s->len ? size - done : CHUNK - s->len;
        memcpy(s->text + s->len, buf + done, n);
        s->len += n;
        done += n;
        if (s->len == CHUNK && !seal_chunk(s, 0)) {
            s->failed = true;
            return -1;
        }
    }
    return (ssize_t)size;
}

/* The FINAL chunk, even empty, so that a cut file shows. */
static int seal_close(void *c)
{
    sealer *s = c;
    bool ok = !s->failed && seal_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_FINAL) &&
              fflush(s->out) == 0;
    sodium_memzero(s, sizeof *s);
    free(s);
    return ok ? 0 : EOF;
}

prm_code prm_seal_open(FILE *out, const char *pass, size_t passlen,
                       FILE **sealed, prm_error *err)
{
    if (sodium_init() < 0)
        return prm_error_set(err, PRM_EIO, "libsodium could not start");
    unsigned char header[HEADER_LEN], *p = header;
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    uint64_t ops, mem;
    core_kdf_limits(&ops, &mem);
    memcpy(p, MAGIC, MAGIC_LEN);
    p[MAGIC_LEN] = 1;
    put_le64(p + MAGIC_LEN + 1, ops);
    put_le64(p + MAGIC_LEN + 9, mem);
    unsigned char *salt = p + MAGIC_LEN + 17;
    randombytes_buf(salt, crypto_pwhash_SALTBYTES);
    sealer *s = calloc(1, sizeof *s);
    if (s == NULL)
        return prm_error_nomem(err);
    prm_code rc = core_kdf_derive(key, sizeof key, pass, passlen, salt, ops, mem, err);
    if (rc == PRM_OK)
        crypto_secretstream_xchacha20poly1305_init_push(
            &s->st, salt + crypto_pwhash_SALTBYTES, key);
    sodium_memzero(key, sizeof key);
    cookie_io_functions_t io = {.write = seal_write, .close = seal_close};
    s->out = out;
    memcpy(s->header, header, HEADER_LEN);
    if (rc == PRM_OK && fwrite(header, 1, HEADER_LEN, out) != HEADER_LEN)
        rc = prm_error_set(err, PRM_EIO, "cannot write the encrypted file");
    if (rc == PRM_OK && (*sealed = fopencookie(s, "w", io)) == NULL)
        rc = prm_error_nomem(err);
    if (rc != PRM_OK)
        free(s);
    return rc;
}

/* --- reading ------------------------------------------------------------------ */

typedef struct opener {
    FILE *in;
    unsigned char ad[HEADER_LEN]; /* the file's header */
    long start; /* where the chunks begin */
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    unsigned char text[CHUNK];
    size_t len, at;
    bool final, failed;
} opener;

/* The next chunk into o->text; false at a damaged one, or past the end
 * without a FINAL tag. */
static bool open_chunk(opener *o)
{
    unsigned char len[4], sealed[SEALED];
    if (o->final || fread(len, 1, 4, o->in) != 4)
        return false;
    size_t n = (size_t)len[0] | (size_t)len[1] << 8 | (size_t)len[2] << 16 |
               (size_t)len[3] << 24;
    unsigned long long got;
    unsigned char tag;
    if (n < crypto_secretstream_xchacha20poly1305_ABYTES || n > SEALED ||
        fread(sealed, 1, n, o->in) != n ||
        crypto_secretstream_xchacha20poly1305_pull(&o->st, o->text, &got,
                                                   &tag, sealed, n, o->ad,
                                                   HEADER_LEN) != 0)
        return false;
    o->len = (size_t)got;
    o->at = 0;
    o->final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    return true;
}

static bool rewind_stream(opener *o)
{
    return fseek(o->in, o->start, SEEK_SET) == 0 &&
           crypto_secretstream_xchacha20poly1305_init_pull(&o->st, o->header,
                                                           o->key) == 0;
}

static ssize_t open_read(void *c, char *buf, size_t size)
{
    opener *o = c;
    size_t done = 0;
    while (done < size && !o->failed) {
        if (o->at == o->len) {
            if (o->final)
                break;
            if (!open_chunk(o)) {
                o->failed = true;
                return -1;
            }
            continue;
        }
        size_t n = o->len - o->at < size - done ? o->len - o->at : size - done;
        memcpy(buf + done, o->text + o->at, n);
        o->at += n;
        done += n;
    }
    return (ssize_t)done;
}

static int open_close(void *c)
{
    opener *o = c;
    sodium_memzero(o, sizeof *o);
    free(o);
    return 0;
}

bool prm_is_sealed(FILE *in)
{
    char magic[MAGIC_LEN];
    long at = ftell(in);
    if (at < 0) /* a pipe: what is read cannot be given back */
        return false;
    /* Nearly the magic is a damaged sealed file, to be said so, not read
     * as JSON or CSV (which never start with six of these letters). */
    int same = 0;
    if (fread(magic, 1, MAGIC_LEN, in) == MAGIC_LEN)
        for (int i = 0; i < MAGIC_LEN; i++)
            same += magic[i] == MAGIC[i];
    fseek(in, at, SEEK_SET);
    return same >= MAGIC_LEN - 2;
}

prm_code prm_sealed_open(FILE *in, const char *pass, size_t passlen,
                         FILE **text, prm_error *err)
{
    if (sodium_init() < 0)
        return prm_error_set(err, PRM_EIO, "libsodium could not start");
    unsigned char h[HEADER_LEN];
    if (fread(h, 1, HEADER_LEN, in) != HEADER_LEN ||
        memcmp(h, MAGIC, MAGIC_LEN) != 0 || h[MAGIC_LEN] != 1)
        return prm_error_set(err, PRM_EINVALID_VALUE, "%s", damaged);
    opener *o = calloc(1, sizeof *o);
    if (o == NULL)
        return prm_error_nomem(err);
    o->in = in;
    o->start = ftell(in);
    memcpy(o->ad, h, HEADER_LEN);
    memcpy(o->header, h + MAGIC_LEN + 17 + crypto_pwhash_SALTBYTES,
           sizeof o->header);
    prm_code rc = core_kdf_derive(o->key, sizeof o->key, pass, passlen, h + MAGIC_LEN + 17,
                         get_le64(h + MAGIC_LEN + 1),
                         get_le64(h + MAGIC_LEN + 9), err);
    /* The whole file checked first: every chunk, and the FINAL one last. */
    bool whole = rc == PRM_OK && o->start >= 0 && rewind_stream(o);
    while (whole && !o->final)
        whole = open_chunk(o);
    if (whole) /* nothing may follow the FINAL chunk */
        whole = fgetc(in) == EOF;
    if (rc == PRM_OK && !whole)
        rc = prm_error_set(err, PRM_EINVALID_VALUE, "%s", damaged);
    if (rc == PRM_OK && !rewind_stream(o))
        rc = prm_error_set(err, PRM_EIO, "cannot read the file again");
    o->final = false;
    o->len = o->at = 0;
    cookie_io_functions_t io = {.read = open_read, .close = open_close};
    if (rc == PRM_OK && (*text = fopencookie(o, "r", io)) == NULL)
        rc = prm_error_nomem(err);
    if (rc != PRM_OK)
        open_close(o);
    return rc;
}

void prm_wipe(void *p, size_t len)
{
    sodium_memzero(p, len);
}
