/*
** ABI 2's "not a digit" (docs/FORMAT.md 10.7): the dgi_result layout, and
** what dgi_classify / dgi_infer report for models whose outputs are fixed
** logits, built here byte by byte from the format document: flatten, then a
** dense layer with zero weights whose biases are twice the logits,
** requantized by 0.5 (multiplier 2^30, shift 0), output scale 1/16. Its
** softmax_beta is 1512775, the worked example's: a logit 32 below the best
** weighs 145315229 against the best's 2^30, so the expected probabilities
** are quotients of those integers.
**
** Usage: test_not_a_digit GOLDEN_DIR (unused: the models are built here)
*/
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define E_BEST 1073741824.0f /* 2^30 */
#define E_32 145315229.0f    /* 2^-(32 * 1512775 / 2^24), Q30 (FORMAT.md section 11) */

static void put16(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}

/* The constant model of `classes` outputs (1 to 12: 12 only to be refused). */
static unsigned char *constant_model(const int8_t *logits, uint32_t classes, size_t *size) {
  enum { HEADER = 64, RECORD = 32, TABLE = 64, NAME = TABLE + 2 * RECORD };
  size_t weights = NAME + 16, bias = weights + ((784 * classes + 15) & ~(size_t)15);
  size_t multipliers = bias + ((4 * classes + 15) & ~(size_t)15);
  size_t shifts = multipliers + ((4 * classes + 15) & ~(size_t)15);
  size_t total = shifts + classes;
  unsigned char *f = (unsigned char *)calloc(1, total), *r;
  uint32_t i;
  float scale = 1.0f / 16;
  uint32_t scale_bits;
  memcpy(&scale_bits, &scale, 4);

  memcpy(f, "DGIF", 4);
  put16(f + 4, 1);
  put16(f + 6, classes > 10 ? 2 : 1);
  write_u32le(f + 8, HEADER);
  write_u32le(f + 12, (uint32_t)total);
  put16(f + 24, 2);                  /* layers */
  put16(f + 26, 28);
  put16(f + 28, 28);
  put16(f + 30, 1);
  put16(f + 32, classes);
  f[34] = 0x80;                      /* input zero point -128 */
  write_u32le(f + 36, 1512775);      /* softmax_beta for scale 1/16 */
  write_u32le(f + 40, 784 + 16);     /* arenas A (784) and B (classes, aligned to 16) */
  write_u32le(f + 44, TABLE);
  write_u32le(f + 48, NAME);         /* name "" and metadata "": one NUL each */
  write_u32le(f + 56, NAME + 1);

  r = f + TABLE; /* flatten 28x28x1 -> 1x1x784 */
  r[0] = 4;
  r[2] = r[3] = 0x80;
  put16(r + 4, 28), put16(r + 6, 28), put16(r + 8, 1);
  put16(r + 10, 1), put16(r + 12, 1), put16(r + 14, 784);
  r[16] = r[17] = r[18] = r[19] = 1;
  write_u32le(r + 24, 0x3b808081u); /* 1/255 */

  r = f + TABLE + RECORD; /* dense 784 -> classes, output zero point 0 */
  r[0] = 3;
  r[2] = 0x80;
  put16(r + 4, 1), put16(r + 6, 1), put16(r + 8, 784);
  put16(r + 10, 1), put16(r + 12, 1), put16(r + 14, classes);
  r[16] = r[17] = r[18] = r[19] = 1;
  write_u32le(r + 20, (uint32_t)weights);
  write_u32le(r + 24, scale_bits);
  for (i = 0; i < classes; i++) {
    write_u32le(f + bias + 4 * i, (uint32_t)(2 * (int32_t)logits[i]));
    write_u32le(f + multipliers + 4 * i, 1u << 30);
  }
  write_u32le(f + 16, dgi_file_crc(f, total));
  *size = total;
  return f;
}

typedef struct opened {
  dgi_model model;
  unsigned char *bytes;
  void *scratch;
  size_t n;
} opened;

static int open_constant(opened *o, const int8_t *logits, uint32_t classes) {
  size_t size;
  dgi_status s;
  o->bytes = constant_model(logits, classes, &size);
  s = dgi_model_open(&o->model, o->bytes, size);
  CHECK(s == DGI_OK, "constant model of %u classes: %s", classes, dgi_status_message(s));
  o->n = dgi_model_scratch_size(&o->model);
  o->scratch = malloc(o->n ? o->n : 1);
  return s == DGI_OK;
}

static void close_constant(opened *o) {
  free(o->scratch);
  free(o->bytes);
}

static dgi_result classify(opened *o) {
  static const uint8_t blank[784];
  dgi_result r;
  memset(&r, 0xFF, sizeof r); /* every field must be written */
  CHECK(dgi_classify(&o->model, blank, o->scratch, o->n, &r) == DGI_OK, "classify");
  return r;
}

static float digit_sum(const dgi_result *r) {
  float sum = 0;
  int i;
  for (i = 0; i < 10; i++) sum += r->probabilities[i];
  return sum;
}

static void test_layout(void) {
  CHECK(DGI_ABI_VERSION == 2u && dgi_abi_version() == 2u, "ABI %u", dgi_abi_version());
  CHECK(strcmp(DGI_VERSION, "1.1.0") == 0, "version %s", DGI_VERSION);
  CHECK(DGI_MAX_CLASSES == 11 && DGI_CLASS_NOT_A_DIGIT == 10 && DGI_NOT_A_DIGIT == -1, "constants");
  CHECK(offsetof(dgi_result, probabilities) == 8, "probabilities at %lu",
        (unsigned long)offsetof(dgi_result, probabilities));
  CHECK(offsetof(dgi_result, not_a_digit) == 48, "not_a_digit at %lu", (unsigned long)offsetof(dgi_result, not_a_digit));
  CHECK(offsetof(dgi_result, best_digit) == 52, "best_digit at %lu", (unsigned long)offsetof(dgi_result, best_digit));
  CHECK(sizeof(dgi_result) == 56, "sizeof(dgi_result) %lu", (unsigned long)sizeof(dgi_result));
}

/* Ten digits at -16, "not a digit" at 16. */
static void test_refusal(void) {
  int8_t logits[11] = {-16, -16, -16, -16, -16, -16, -16, -16, -16, -16, 16};
  float total = 2526894114.0f; /* 2^30 + 10 * 145315229 */
  opened o;
  dgi_result r;
  dgi_model_info info;
  int i, same = 1;
  if (!open_constant(&o, logits, 11)) return;
  CHECK(dgi_model_get_info(&o.model, &info) == DGI_OK && info.class_count == 11 && info.format_minor == 2,
        "info: %u classes, minor %u", info.class_count, info.format_minor);
  r = classify(&o);
  CHECK(r.digit == DGI_NOT_A_DIGIT, "digit %d, not DGI_NOT_A_DIGIT", (int)r.digit);
  CHECK(r.not_a_digit == E_BEST / total, "not_a_digit %.9g", (double)r.not_a_digit);
  CHECK(r.confidence == r.not_a_digit, "confidence %.9g is not not_a_digit", (double)r.confidence);
  for (i = 0; i < 10; i++) same &= r.probabilities[i] == E_32 / total;
  CHECK(same, "the digits' probabilities are not 145315229 / total");
  CHECK(r.best_digit == 0, "best_digit %d of ten tied digits", (int)r.best_digit);
  CHECK(fabsf(digit_sum(&r) + r.not_a_digit - 1.0f) <= 1e-6f, "sum %.9g", (double)(digit_sum(&r) + r.not_a_digit));
  close_constant(&o);

  /* The best guess of a refusal: digit 7 at 0, the other digits at -16. */
  logits[7] = 0;
  same = 1;
  if (!open_constant(&o, logits, 11)) return;
  r = classify(&o);
  CHECK(r.digit == DGI_NOT_A_DIGIT && r.best_digit == 7, "digit %d best %d", (int)r.digit, (int)r.best_digit);
  for (i = 0; i < 10; i++) same &= i == 7 || r.probabilities[i] < r.probabilities[7];
  CHECK(same && r.not_a_digit > r.probabilities[7], "7 is not the most probable digit");
  close_constant(&o);
}

/* Digit 4 and "not a digit" tie at 16: the first index, the digit, wins. */
static void test_tie(void) {
  int8_t logits[11] = {-16, -16, -16, -16, 16, -16, -16, -16, -16, -16, 16};
  float total = 3455320709.0f; /* 2 * 2^30 + 9 * 145315229 */
  opened o;
  dgi_result r;
  if (!open_constant(&o, logits, 11)) return;
  r = classify(&o);
  CHECK(r.digit == 4 && r.best_digit == 4, "digit %d best %d", (int)r.digit, (int)r.best_digit);
  CHECK(r.confidence == E_BEST / total && r.probabilities[4] == r.confidence && r.not_a_digit == r.confidence,
        "tied probabilities %.9g %.9g %.9g", (double)r.confidence, (double)r.probabilities[4], (double)r.not_a_digit);
  close_constant(&o);
}

/* A 10-class model: never refuses; not_a_digit 0, best_digit the digit. */
static void test_ten_classes(void) {
  int8_t logits[10] = {-16, -16, -16, 16, -16, -16, -16, -16, -16, -16};
  float total = 2381578885.0f; /* 2^30 + 9 * 145315229 */
  opened o;
  dgi_result r;
  dgi_model_info info;
  if (!open_constant(&o, logits, 10)) return;
  CHECK(dgi_model_get_info(&o.model, &info) == DGI_OK && info.format_minor == 1, "a 10-class model is 1.1");
  r = classify(&o);
  CHECK(r.digit == 3 && r.best_digit == 3 && r.not_a_digit == 0.0f, "digit %d best %d not_a_digit %g",
        (int)r.digit, (int)r.best_digit, (double)r.not_a_digit);
  CHECK(r.confidence == E_BEST / total && r.probabilities[0] == E_32 / total, "probabilities");
  CHECK(fabsf(digit_sum(&r) - 1.0f) <= 1e-6f, "sum %.9g", (double)digit_sum(&r));
  close_constant(&o);
}

/* dgi_infer writes exactly 11 logits, 0 past the class count; the batch
   call 11 per image. */
static void test_infer(void) {
  static const uint8_t blank[2 * 784];
  const int8_t logits[11] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11};
  const uint32_t counts[3] = {11, 10, 2};
  int k;
  for (k = 0; k < 3; k++) {
    opened o;
    int8_t out[24];
    int i, ok = 1, batch_ok = 1;
    if (!open_constant(&o, logits, counts[k])) continue;
    memset(out, 0x5A, sizeof out);
    CHECK(dgi_infer(&o.model, blank, o.scratch, o.n, out) == DGI_OK, "infer");
    for (i = 0; i < 16; i++)
      ok &= out[i] == (i < (int)counts[k] ? logits[i] : i < 11 ? 0 : 0x5A);
    CHECK(ok, "%u classes: dgi_infer did not write 11 logits, zero-padded", counts[k]);
    memset(out, 0x5A, sizeof out);
    CHECK(dgi_infer_batch(&o.model, blank, 2, o.scratch, o.n, out) == DGI_OK, "infer_batch");
    for (i = 0; i < 24; i++)
      batch_ok &= out[i] == (i >= 22 ? 0x5A : i % 11 < (int)counts[k] ? logits[i % 11] : 0);
    CHECK(batch_ok, "%u classes: dgi_infer_batch did not write 2 x 11 logits", counts[k]);
    close_constant(&o);
  }
}

static void test_twelve_classes(void) {
  const int8_t logits[12] = {0};
  size_t size;
  unsigned char *bytes = constant_model(logits, 12, &size);
  dgi_model m;
  CHECK(dgi_model_open(&m, bytes, size) == DGI_ERROR_UNSUPPORTED, "a 12-class model opens");
  free(bytes);
}

int main(void) {
  test_layout();
  test_refusal();
  test_tie();
  test_ten_classes();
  test_infer();
  test_twelve_classes();
  return check_report("test_not_a_digit");
}
