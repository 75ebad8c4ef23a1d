/* Declarations only: see stdio.h. */
#ifndef DGI_WEB_STDLIB_H
#define DGI_WEB_STDLIB_H
#include <stddef.h>
void *malloc(size_t);
void *realloc(void *, size_t);
void free(void *);
void exit(int);
int atoi(const char *);
#endif
