/* Functions that are too easy to misuse. Include this last in every .c file (after
 * system headers): a call to any of them is then a compile error. (git's banned.h) */
#ifndef PUBGUARD_BANNED_H
#define PUBGUARD_BANNED_H

#define PGD_BANNED(func) sorry_##func##_is_banned_in_pubguard

#undef strcpy
#define strcpy(x, y) PGD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PGD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PGD_BANNED(strncpy)
#undef sprintf
#define sprintf(...) PGD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PGD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PGD_BANNED(strtok)
#undef atoi
#define atoi(x) PGD_BANNED(atoi)
#undef atol
#define atol(x) PGD_BANNED(atol)
#undef gets
#define gets(x) PGD_BANNED(gets)
#undef system
#define system(x) PGD_BANNED(system)

#endif
