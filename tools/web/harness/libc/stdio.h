/* Declarations only, so that Tests/c/support.c compiles for wasm32 without
   a libc: the test harness uses its drawing, LCG and FNV functions, which
   call nothing, and the linker drops the rest (file and guard-page helpers)
   with their references. Any use that survived would fail to link. */
#ifndef DGI_WEB_STDIO_H
#define DGI_WEB_STDIO_H
#include <stdarg.h>
#include <stddef.h>
typedef struct FILE FILE;
extern FILE *stdout, *stderr;
#define SEEK_SET 0
#define SEEK_END 2
int printf(const char *, ...);
int fprintf(FILE *, const char *, ...);
int snprintf(char *, size_t, const char *, ...);
int fputc(int, FILE *);
int fputs(const char *, FILE *);
int fflush(FILE *);
FILE *fopen(const char *, const char *);
int fclose(FILE *);
int fseek(FILE *, long, int);
long ftell(FILE *);
size_t fread(void *, size_t, size_t, FILE *);
int fscanf(FILE *, const char *, ...);
int feof(FILE *);
void perror(const char *);
#endif
