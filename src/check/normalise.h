/* The normalised view of a text that the lexicon engine matches against.
 *
 * One flat table (struct pgd_charmap, 64K uint16 entries for the BMP) says for every code
 * point what it becomes:
 *   - a kept character, possibly changed: full-width ASCII -> ASCII, upper -> lower case,
 *     traditional -> simplified (OpenCC t2s, one character to one character);
 *   - PGD_NM_SPACE: an invisible or decorative separator, dropped (spaces, U+3000, zero-width
 *     characters, symbols such as ★※·•●◆*_~ and the in-word marks . - /); a phrase may span
 *     any number of them;
 *   - PGD_NM_PUNCT: clause punctuation, dropped (，、：“”（）《》,:'" ...); the lexicon scan
 *     lets a phrase span it only when the phrase has 3+ characters and EVERY gap between its
 *     characters holds a separator ("法,轮,功"), so that "国家安全,泄露" or "香港，独…" never
 *     join words of a normal sentence into a false phrase;
 *   - PGD_NM_BOUNDARY: a hard boundary (line ends, 。！？；!?;), written as '\n' in the
 *     normalised text; no phrase and no context window crosses it.
 * Code points above the BMP are kept unchanged; invalid UTF-8 bytes are boundaries.
 *
 * pgd_normalise() makes the normalised bytes in one pass, plus a checkpoint every 64 normalised
 * bytes (original offset, normalised offset); struct pgd_nm_iter re-walks from the nearest
 * checkpoint to map a match back to the exact original characters, so the hot loop writes no
 * per-byte offset map. */
#ifndef PGD_CHECK_NORMALISE_H
#define PGD_CHECK_NORMALISE_H
#include <stddef.h>
#include <stdint.h>

#include "pubguard/err.h"

enum {
	PGD_NM_SPACE = 0,    /* dropped anywhere */
	PGD_NM_PUNCT = 1,    /* dropped; a phrase spans it only when evenly spaced */
	PGD_NM_BOUNDARY = 2, /* '\n' in the normalised text */
};

#define PGD_CHARMAP_SIZE 65536u

struct pgd_charmap {
	uint16_t map[PGD_CHARMAP_SIZE]; /* code point -> class (0..2) or kept code point */
};

/* Build the table: width, case, separators, and traditional->simplified from OpenCC's
 * t2s configuration (opencc_dir/t2s.json; NULL: /usr/share/opencc). new: free(). */
int pgd_charmap_build(const char *opencc_dir, struct pgd_charmap **out, struct pgd_err *err);

/* Class or mapped code point of cp (cp above the BMP maps to itself). */
static inline uint32_t pgd_charmap_get(const struct pgd_charmap *cm, uint32_t cp)
{
	return cp < PGD_CHARMAP_SIZE ? cm->map[cp] : cp;
}

#define PGD_NM_CKPT_SHIFT 7
struct pgd_nm_ckpt {
	uint32_t i, o; /* original and normalised offset at a character start */
};
/* Room needed in the checkpoint array for an input of len bytes. */
#define PGD_NM_CKPT_ROOM(len) (((len) >> PGD_NM_CKPT_SHIFT) + 2)

/* Normalise s[0..len) (len < 4 GiB) into out (room for len bytes: the normalised text is
 * never longer) and ckpt (room for PGD_NM_CKPT_ROOM(len) entries); *nckpt gets the number of
 * checkpoints written. Returns the normalised length. Every boundary character is one '\n'. */
size_t pgd_normalise(const struct pgd_charmap *cm, const char *s, size_t len, char *out,
		     struct pgd_nm_ckpt *ckpt, size_t *nckpt);

/* The table of the fast path: for every BMP code point its normalised UTF-8 bytes (low 3
 * bytes) and their count (top byte: 0 dropped, 1 ASCII or '\n', 2 or 3). */
struct pgd_nm_enc {
	uint32_t enc[PGD_CHARMAP_SIZE];
};
/* new: free(). */
struct pgd_nm_enc *pgd_nm_enc_build(const struct pgd_charmap *cm);
/* pgd_normalise() with the table: the same output and checkpoints, faster. */
size_t pgd_normalise_fast(const struct pgd_charmap *cm, const struct pgd_nm_enc *enc,
			  const char *s, size_t len, char *out, struct pgd_nm_ckpt *ckpt,
			  size_t *nckpt);

/* Walks the original text character by character in step with the normalised text. */
struct pgd_nm_iter {
	const struct pgd_charmap *cm;
	const char *s;
	size_t len;
	size_t i, o;      /* next original / normalised offset */
};
/* One kept character (a normalised character, including '\n' for a boundary). */
struct pgd_nm_char {
	size_t orig, orig_len; /* its bytes in the original */
	size_t norm, norm_len; /* its bytes in the normalised text */
	uint32_t cp;           /* normalised code point ('\n' for a boundary) */
	unsigned dropped;      /* bit (1 << class) for each separator class dropped before it */
};
/* Position it so that the next pgd_nm_iter_next() returns the character that produced
 * normalised byte norm_pos (a character start). */
void pgd_nm_iter_seek(struct pgd_nm_iter *it, const struct pgd_charmap *cm, const char *s,
		      size_t len, const struct pgd_nm_ckpt *ckpt, size_t nckpt, size_t norm_pos);
/* Next kept character; 0 at the end of the text. */
int pgd_nm_iter_next(struct pgd_nm_iter *it, struct pgd_nm_char *c);

/* Normalise a phrase (lexicon entry, exception, context word) into a new NUL-terminated
 * string; *out_len gets its length. Separators are dropped; a boundary character makes the
 * phrase invalid (returns NULL). new: free(). */
char *pgd_normalise_phrase(const struct pgd_charmap *cm, const char *s, size_t len,
			   size_t *out_len);

/* Length in bytes of the UTF-8 character starting with byte b (1 for invalid lead bytes). */
static inline unsigned pgd_utf8_lead_len(unsigned char b)
{
	return b < 0xC0 ? 1u : b < 0xE0 ? 2u : b < 0xF0 ? 3u : b < 0xF8 ? 4u : 1u;
}

#endif
