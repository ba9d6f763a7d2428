/*
 * kdf.h - a key from a passphrase (Argon2id), shared by encrypted files
 * (crypt.c) and the keyring of a database's sealed fields (store/seal.c).
 */
#ifndef PRM_KDF_H
#define PRM_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "prm/prm.h"

/* The cost of a new key: libsodium's interactive limits, or its least
 * with PRM_KDF=fast (the tests, which derive hundreds of keys). */
void core_kdf_limits(uint64_t *ops, uint64_t *mem);

/* keylen bytes from pass and salt (crypto_pwhash_SALTBYTES); limits out
 * of range (a damaged header) are "wrong passphrase or damaged file". */
prm_code core_kdf_derive(unsigned char *key, size_t keylen, const char *pass,
                         size_t passlen, const unsigned char *salt,
                         uint64_t ops, uint64_t mem, prm_error *err);

#endif /* PRM_KDF_H */
