/* The one small crypto interface (SM3, HMAC-SM3, SM4 sealing, Argon2id passwords, the
 * SM3 audit hash chain). Only src/crypto/ may use OpenSSL or libargon2, so a certified
 * module or an HSM can replace this layer without touching its callers.
 * Fallible functions return 0 or a negative PGD_ERR_* and fill err (may be NULL). */
#ifndef PUBGUARD_CRYPTO_H
#define PUBGUARD_CRYPTO_H
#include <stddef.h>
#include <stdint.h>

#include "pubguard/err.h"

#define PGD_SM3_LEN 32 /* SM3 digest and HMAC-SM3 tag, bytes */
#define PGD_KEY_LEN 32 /* master key, bytes */

/* ---- SM3 (GB/T 32905) ---- */

/* out = SM3(data). Aborts only if the OpenSSL provider is missing SM3 (a broken install). */
void pgd_sm3(const void *data, size_t len, unsigned char out[PGD_SM3_LEN]);

/* Incremental SM3 for long or chained input: new -> update* -> final. final resets the
 * context, so it can be reused for the next message. */
struct pgd_sm3_ctx;
struct pgd_sm3_ctx *pgd_sm3_new(void); /* new: release with pgd_sm3_free */
void pgd_sm3_update(struct pgd_sm3_ctx *c, const void *data, size_t len);
void pgd_sm3_final(struct pgd_sm3_ctx *c, unsigned char out[PGD_SM3_LEN]);
void pgd_sm3_free(struct pgd_sm3_ctx *c); /* accepts NULL */

/* ---- SHA-256 (content addresses: patrol evidence, page hashes; not a security boundary) ---- */
#define PGD_SHA256_LEN 32
void pgd_sha256(const void *data, size_t len, unsigned char out[PGD_SHA256_LEN]);
/* Lower-case hex of SHA-256(data) into out (65 bytes, NUL-terminated). */
void pgd_sha256_hex(const void *data, size_t len, char out[65]);

/* Lower-case hex of n bytes into out, which holds at least 2n+1 chars (NUL-terminated). */
void pgd_hex(const unsigned char *in, size_t n, char *out);
/* Parse exactly 2*n hex digits (either case) from hex into out[n]. 0, or PGD_ERR_INVALID. */
int pgd_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t n);

/* ---- HMAC-SM3 ---- */
int pgd_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
	unsigned char out[PGD_SM3_LEN], struct pgd_err *err);

/* ---- SM4 (GB/T 32907) raw block, for known-answer tests only ---- */
int pgd_sm4_encrypt_block(const unsigned char key[16], const unsigned char in[16],
	unsigned char out[16], struct pgd_err *err);

/* ---- Master key (kept in a file outside the database) ---- */
struct pgd_key {
	unsigned char bytes[PGD_KEY_LEN];
};

/* Load a key file: exactly 32 raw bytes, or 64 hex digits (optionally followed by one
 * newline). The file must be a regular file with no group/other permission bits
 * (chmod 600), else PGD_ERR_INVALID; unreadable -> PGD_ERR_IO; bad content -> PGD_ERR_FORMAT. */
int pgd_key_load(const char *path, struct pgd_key *key, struct pgd_err *err);
/* Create path (must not exist: an existing key is never overwritten) with mode 0600 and
 * write a fresh random key as 64 hex digits + newline. key (may be NULL) receives it. */
int pgd_key_generate(const char *path, struct pgd_key *key, struct pgd_err *err);
void pgd_key_wipe(struct pgd_key *key); /* accepts NULL */

/* ---- Sealing secrets (account custody) ----
 * Blob v1: 0x01 | IV[16] | SM4-CTR ciphertext (same length as plaintext) | tag[32],
 * tag = HMAC-SM3(mac_key, 0x01 | IV | ciphertext | aad | u64be(aad_len)) (encrypt-then-MAC).
 * enc_key = first 16 bytes of HKDF-Expand-SM3(master, "pubguard seal v1 enc", 32),
 * mac_key = HKDF-Expand-SM3(master, "pubguard seal v1 mac", 32).
 * aad (may be NULL with aad_len 0) binds the blob to its context, e.g. "platform:42":
 * unsealing with other aad fails, so a blob cannot be moved to another row. */
#define PGD_SEAL_VERSION 1
#define PGD_SEAL_OVERHEAD (1 + 16 + PGD_SM3_LEN)
#define PGD_SEAL_MAX_PLAINTEXT (1u << 20)

/* *blob is new (free with free(); it holds no secret). PGD_ERR_TOO_LARGE over the cap. */
int pgd_seal(const struct pgd_key *key, const void *aad, size_t aad_len,
	const void *plaintext, size_t len, unsigned char **blob, size_t *blob_len,
	struct pgd_err *err);
/* Verify the tag in constant time, then decrypt. Any change to the blob, another key or
 * other aad -> PGD_ERR_INTEGRITY and *plaintext stays NULL. *plaintext is new, has a
 * NUL after its len bytes, and must be released with pgd_secret_free(p, len). */
int pgd_unseal(const struct pgd_key *key, const void *aad, size_t aad_len,
	const unsigned char *blob, size_t blob_len, unsigned char **plaintext, size_t *len,
	struct pgd_err *err);
/* Wipe len bytes (plus the NUL pgd_unseal adds) and free. Accepts NULL. */
void pgd_secret_free(void *p, size_t len);

/* ---- Passwords: Argon2id, PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash) ---- */
struct pgd_argon2_params {
	uint32_t t_cost;     /* iterations; default 3 */
	uint32_t m_cost_kib; /* memory in KiB; default 65536 (64 MiB) */
	uint32_t parallelism; /* lanes; default 1 */
	uint32_t salt_len;   /* bytes; default 16 */
	uint32_t hash_len;   /* bytes; default 32 */
};
#define PGD_PASSWORD_MAX 1024 /* bytes; longer passwords are refused (hashing cost) */

void pgd_argon2_defaults(struct pgd_argon2_params *p);
/* *encoded is new (free with free()). params may be NULL for the defaults. */
int pgd_password_hash(const struct pgd_argon2_params *params, const char *password,
	char **encoded, struct pgd_err *err);
/* *match = 1 if password matches encoded, 0 if not. Returns 0, or PGD_ERR_INVALID when
 * encoded is not a well-formed argon2id string (then *match = 0). */
int pgd_password_verify(const char *encoded, const char *password, int *match,
	struct pgd_err *err);

/* ---- Audit hash chain ----
 * link_i = SM3(link_{i-1} || SM3(entry_i)), link_{-1} = the genesis value (32 zero bytes
 * unless the caller anchors the chain elsewhere). */
int pgd_chain_hash(const unsigned char prev[PGD_SM3_LEN], const void *entry, size_t len,
	unsigned char out[PGD_SM3_LEN], struct pgd_err *err);

struct pgd_chain_entry {
	const void *data;   /* borrowed: the entry's canonical bytes */
	size_t len;
	const unsigned char *hash; /* borrowed: its stored link, PGD_SM3_LEN bytes */
};

/* Recompute the chain from genesis (NULL = zeros). All links good -> 0. Else
 * PGD_ERR_INTEGRITY and *first_bad = index of the first entry whose stored link does not
 * match (an edited entry names itself; a deleted entry names the one after it). If head
 * is not NULL it is the last link recorded elsewhere; a chain that does not end in it
 * (the tail was cut off) gives *first_bad = n. */
int pgd_chain_verify(const unsigned char *genesis, const struct pgd_chain_entry *entries,
	size_t n, const unsigned char *head, size_t *first_bad, struct pgd_err *err);

#endif
