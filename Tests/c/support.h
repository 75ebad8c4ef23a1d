/*
** Shared helpers of the C tests: assertions with pass/fail counts, file
** loading, the golden vectors, a seeded RNG, guard-paged buffers, CRC-32.
** Every test program ends with check_report(), whose last line
** "N passed, M failed" tools/test-c.sh adds up.
*/
#ifndef DIGITINFER_TEST_SUPPORT_H
#define DIGITINFER_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "digitinfer.h"

extern unsigned long check_passed, check_failed;
void check_fail_message(const char *file, int line, const char *expr);

/* CHECK(condition, printf-format, ...): counts a pass or prints a failure
   (the first 25 failures only, so a broken loop does not flood the log). */
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (cond) {                                           \
      check_passed++;                                     \
    } else {                                              \
      check_fail_message(__FILE__, __LINE__, #cond);      \
      if (check_failed <= 25) {                           \
        fprintf(stderr, __VA_ARGS__);                     \
        fputc('\n', stderr);                              \
      }                                                   \
    }                                                     \
  } while (0)

/* Prints "PROGRAM: N passed, M failed" and returns the exit status. */
int check_report(const char *program);

/* A whole file in a malloc'd buffer; exits with a message if it cannot. */
unsigned char *load_file(const char *path, size_t *size);

/* Tests/DigitInferTests/Golden: two models, N images, expected logits. */
typedef struct golden_case {
  char model[64];  /* file name, e.g. "tiny.dgi" */
  size_t index;    /* image number in inputs.bin */
  int digit;       /* dgi_result.digit */
  int8_t logits[10];
} golden_case;

typedef struct golden_set {
  const char *dir;
  unsigned char *inputs; /* image_count * DGI_INPUT_SIZE bytes */
  size_t image_count;
  golden_case *cases;
  size_t case_count;
} golden_set;

void golden_load(golden_set *g, const char *dir);
/* The model file `name` of the golden directory, malloc'd. */
unsigned char *golden_model(const golden_set *g, const char *name, size_t *size);
const uint8_t *golden_image(const golden_set *g, size_t index);

/* splitmix64: deterministic, so a failure reproduces. */
uint64_t rng_next(uint64_t *state);

/* A buffer whose last byte is followed by an inaccessible page, so that
   reading even one byte past the end crashes instead of passing silently. */
typedef struct guarded {
  unsigned char *base;
  size_t capacity; /* usable bytes */
} guarded;
void guarded_init(guarded *g, size_t capacity);
void guarded_free(guarded *g);
/* Where `size` bytes must start to end exactly at the guard page. */
unsigned char *guarded_tail(const guarded *g, size_t size);

/* CRC-32 as in zlib and the .dgi format; chain calls by passing the
   previous result as `crc`, starting from 0. */
uint32_t crc32_update(uint32_t crc, const unsigned char *bytes, size_t size);
/* The CRC a .dgi file must store at offset 16: every byte of the file's
   first `file_size` except the field itself. */
uint32_t dgi_file_crc(const unsigned char *bytes, size_t file_size);
uint32_t read_u32le(const unsigned char *p);
void write_u32le(unsigned char *p, uint32_t v);

#endif
