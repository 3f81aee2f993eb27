/* UTF-8 primitives. */
#ifndef PUBGUARD_UTF8_H
#define PUBGUARD_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s[0..len). Returns bytes consumed (1..4), or -1 for an invalid
 * or truncated sequence (overlongs and surrogates are invalid); *cp is then U+FFFD. */
int pgd_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp into out (4 bytes room); returns bytes written (0 for an invalid cp). */
int pgd_utf8_encode(uint32_t cp, char out[4]);
/* 1 when all of s[0..len) is valid UTF-8. */
int pgd_utf8_valid(const char *s, size_t len);
/* Number of code points in s[0..len) (invalid bytes count one each). */
size_t pgd_utf8_count(const char *s, size_t len);

#endif
