/* Declarations of what the harness defines itself (see stdio.h). */
#ifndef DGI_WEB_STRING_H
#define DGI_WEB_STRING_H
#include <stddef.h>
void *memset(void *, int, size_t);
void *memcpy(void *, const void *, size_t);
int memcmp(const void *, const void *, size_t);
int strcmp(const char *, const char *);
size_t strlen(const char *);
#endif
