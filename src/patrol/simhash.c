/* SimHash over character bigrams: the near-duplicate fingerprint used to match an item found
 * on a platform to an approved one (Art. 14) and to tell a defaced home page from an updated
 * one. Only letters and digits count (any script; ASCII folded to lower case), so spacing,
 * punctuation and line breaks do not move the hash. */
#include <stdint.h>
#include <string.h>

#include "pubguard/patrol.h"
#include "core/banned.h"

/* Next code point of s[*i..len) (invalid bytes are skipped as U+FFFD). */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	uint32_t c = s[*i];
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (n == 0 || *i + n > len) {
		(*i)++;
		return 0xFFFD;
	}
	if (n > 1) {
		c &= 0x7Fu >> n;
		for (size_t k = 1; k < n; k++) {
			if ((s[*i + k] & 0xC0) != 0x80) {
				(*i)++;
				return 0xFFFD;
			}
			c = (c << 6) | (s[*i + k] & 0x3F);
		}
	}
	*i += n;
	return c;
}

/* Letters and digits: ASCII alphanumerics, CJK ideographs, fullwidth alphanumerics, and other
 * scripts' letters above U+00BF outside the punctuation and symbol blocks. */
static int counts(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c == 0xFFFD || c < 0xC0)
		return 0;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
	    (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	    (c >= 0xFF5B && c <= 0xFF65) || (c >= 0xE000 && c <= 0xF8FF))
		return 0;
	return 1;
}

static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xFF21 && c <= 0xFF3A) /* fullwidth A-Z */
		return c - 0xFF21 + 'a';
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 0xFF41 + 'a';
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10 + '0';
	return c;
}

/* splitmix64 finaliser: a well-mixed 64-bit hash of a bigram. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* The vote of each of the 64 bits is kept in bit-sliced counters: plane[k] holds bit k of all
 * 64 counts, so adding one hash costs a few word operations (a ripple carry) instead of 64
 * increments — the patrol fingerprints every page it fetches. A bit of the result is set when
 * more than half of the bigrams voted for it. */
#define PLANES 40 /* counts up to 2^40 bigrams */

uint64_t pgd_simhash(const char *text, size_t len)
{
	uint64_t plane[PLANES];
	uint32_t prev = 0;
	size_t i = 0, grams = 0;
	uint64_t out = 0;

	if (!text)
		return 0;
	memset(plane, 0, sizeof(plane));
	while (i < len) {
		uint32_t c = next_cp((const unsigned char *)text, len, &i);
		uint64_t carry;
		if (!counts(c))
			continue;
		c = fold(c);
		if (prev) {
			carry = mix(((uint64_t)prev << 32) | c);
			for (int k = 0; carry && k < PLANES; k++) {
				uint64_t t = plane[k] & carry;
				plane[k] ^= carry;
				carry = t;
			}
			grams++;
		}
		prev = c;
	}
	if (grams == 0)
		return 0;
	for (int b = 0; b < 64; b++) {
		uint64_t n = 0;
		for (int k = 0; k < PLANES; k++)
			n |= ((plane[k] >> b) & 1) << k;
		if (2 * n > grams) /* ones outvote zeros */
			out |= (uint64_t)1 << b;
	}
	return out ? out : 1; /* 0 means "unknown" */
}

int pgd_simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}
