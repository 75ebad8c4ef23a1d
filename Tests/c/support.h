/*
** Shared helpers of the C tests: assertions with pass/fail counts, file
** loading, the golden vectors, a seeded RNG, guard-paged buffers, CRC-32,
** and deterministic drawings for dgi_preprocess.
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
   reading even one byte past the end crashes instead of passing silently.
   The whole pages that hold it are preceded by an inaccessible page too. */
typedef struct guarded {
  unsigned char *base;
  size_t capacity; /* usable bytes */
} guarded;
void guarded_init(guarded *g, size_t capacity);
void guarded_free(guarded *g);
/* Where `size` bytes must start to end exactly at the guard page. */
unsigned char *guarded_tail(const guarded *g, size_t size);
/* The first accessible byte, right after the leading guard page: `size`
   bytes from here start exactly at it (size <= capacity). */
unsigned char *guarded_head(const guarded *g);
/* Makes the buffer read-only (writable = 0) or read-write again, so that a
   function that must only read it crashes if it writes. */
void guarded_protect(const guarded *g, int writable);

/* CRC-32 as in zlib and the .dgi format; chain calls by passing the
   previous result as `crc`, starting from 0. */
uint32_t crc32_update(uint32_t crc, const unsigned char *bytes, size_t size);
/* The CRC a .dgi file must store at offset 16: every byte of the file's
   first `file_size` except the field itself. */
uint32_t dgi_file_crc(const unsigned char *bytes, size_t file_size);
uint32_t read_u32le(const unsigned char *p);
void write_u32le(unsigned char *p, uint32_t v);

/* FNV-1a, 64 bits: start from FNV1A64_INIT, chain by passing the result. */
#define FNV1A64_INIT 0xcbf29ce484222325u
uint64_t fnv1a64(uint64_t hash, const unsigned char *bytes, size_t size);

/*
** Deterministic test images for dgi_preprocess. Integer arithmetic only,
** and no two random draws in one expression (C leaves the order of
** function arguments open), so every platform and compiler draws the same
** bytes: the golden file
** Tests/DigitInferTests/Golden/preprocess-expected.txt (from
** test_preprocess --print) depends on every detail here, so regenerate it
** if anything below changes.
*/

/* The LCG of Numerical Recipes: state = state * 1664525 + 1013904223. */
uint32_t lcg_next(uint32_t *state);
/* A number in [0, n) from the high bits of the next state; 0 if n is 0. */
uint32_t lcg_below(uint32_t *state, uint32_t n);

/* An 8-bit grayscale picture: row y starts at pixels + y * stride. */
typedef struct picture {
  uint8_t *pixels;
  uint32_t width, height;
  size_t stride;
} picture;

/* Coordinates and lengths in 1/16 pixel: pixel (x, y) covers
   [16x, 16x + 16) x [16y, 16y + 16). */
void pic_fill(picture *p, uint8_t level);
/* Paper changing linearly from `left` at x = 0 to `right` at the last column. */
void pic_gradient(picture *p, uint8_t left, uint8_t right);
/* Adds uniform noise in [-amplitude, amplitude] to every pixel, clamped. */
void pic_noise(picture *p, uint32_t *rng, int amplitude);
/* A round pen of `radius` from a to b, anti-aliased over one pixel; never
   moves a pixel away from `ink`. */
void pic_stroke(picture *p, int32_t ax, int32_t ay, int32_t bx, int32_t by, int32_t radius, uint8_t ink);
/* Digit d (0-9) drawn with polylines inside the box (x, y, w, h). */
void pic_digit(picture *p, int d, int32_t x, int32_t y, int32_t w, int32_t h, int32_t radius, uint8_t ink);

/* A number of one row: the digits of `text` (anything else leaves a gap)
   w wide and h tall, each `advance` right of the one before, the first
   standing on `baseline` and each next `slant` higher; pen radius h/14.
   A 4 and a 5 have two strokes each (the 5's bar is drawn apart). */
void pic_number(picture *p, const char *text, int32_t x, int32_t baseline, int32_t w, int32_t h, int32_t advance,
                int32_t slant, uint8_t ink);

/* What pic_random draws. */
enum {
  PIC_BLANK,    /* one level */
  PIC_NOISE,    /* every pixel random */
  PIC_FAINT,    /* paper with faint noise only */
  PIC_LINE,     /* one straight stroke */
  PIC_BLOBS,    /* a few discs */
  PIC_DIGIT,    /* a digit, dark or light, anywhere (maybe cut by the edge) */
  PIC_DIRTY,    /* a digit with specks, frame lines and noise */
  PIC_SCRIBBLE, /* random polylines */
  PIC_GRADIENT, /* a digit on unevenly lit paper */
  PIC_PEPPER,   /* isolated random pixels */
  PIC_KINDS
};
/* Draws a picture of the given kind (any size, 1x1 included). */
void pic_random(picture *p, int kind, uint32_t *rng);

/*
** The cases of Tests/DigitInferTests/Golden/preprocess-expected.txt, shared
** by every program that checks them (the C tests, the Python tests, the wasm
** and Cortex-M harnesses): case i (0 <= i < GOLDEN_CASES) is a width x height
** picture of `kind` with rows `stride` bytes apart (at most GOLDEN_STRIDE_PAD
** more than the width), drawn by pic_random() from an LCG seeded with
** `seed`, and preprocessed with `flags`.
*/
#define GOLDEN_CASES 96
#define GOLDEN_STRIDE_PAD 13
typedef struct preprocess_case {
  uint32_t width, height, flags, seed;
  size_t stride;
  int kind;
} preprocess_case;
preprocess_case golden_preprocess_case(int i);

#endif
