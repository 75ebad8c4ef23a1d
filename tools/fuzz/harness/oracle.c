// Written from docs/FORMAT.md, not from the runtime's Swift code: every
// check cites its rule, and the arithmetic follows sections 10 and 11 to the
// letter (floor divisions spelled out, 64-bit intermediates throughout).
#include "oracle.h"

#include <stdlib.h>
#include <string.h>

enum {
  TRUNCATED = 2, MAGIC = 3, VERSION = 4, CHECKSUM = 5, MALFORMED = 6, UNSUPPORTED = 7,
  CONV2D = 1, MAXPOOL2D = 2, DENSE = 3, FLATTEN = 4,
  RELU = 1, SAME = 2,
};
// The fuzzer should steer by the runtime's inference code and by the
// validation rules (the oracle's checks count as coverage); the oracle's
// own arithmetic loops would only add noise and cost time under coverage.
#if defined(__clang__)
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif
#define INT32_LIMIT 2147483647LL   // 2^31 - 1
#define ELEMENT_LIMIT (1LL << 24)  // rules L5, B7

static uint32_t u16(const uint8_t *b, uint64_t o) { return (uint32_t)b[o] | (uint32_t)b[o + 1] << 8; }
static uint32_t u32(const uint8_t *b, uint64_t o) { return u16(b, o) | u16(b, o + 2) << 16; }
static int32_t i32(const uint8_t *b, uint64_t o) { return (int32_t)u32(b, o); }
static int32_t i8(const uint8_t *b, uint64_t o) { return (int8_t)b[o]; }
static uint64_t align16(uint64_t n) { return (n + 15) & ~(uint64_t)15; }

uint32_t oracle_crc32(uint32_t crc, const uint8_t *bytes, size_t n) {
  // Bitwise, reflected polynomial 0xEDB88320 (section 6): slow but plainly right.
  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= bytes[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static int fail(const char **rule_out, const char *rule, int status) {
  if (rule_out) *rule_out = rule;
  return status;
}
#define FAIL(rule, status) return fail(rule_out, rule, status)

// H20 and H21: a NUL-terminated string of `length` bytes inside the file.
static int bad_string(const uint8_t *b, uint64_t offset, uint64_t length, uint32_t header_size, uint32_t file_size) {
  if (offset < header_size || offset + length >= file_size) return 1;
  if (b[offset + length] != 0) return 1;
  return memchr(b + offset, 0, (size_t)length) != NULL;
}

uint64_t oracle_layer_parameters(const oracle_layer *l) {
  if (l->kind != CONV2D && l->kind != DENSE) return 0;
  return (uint64_t)l->kernel_h * l->kernel_w * l->in_c * l->out_c + l->out_c;
}

// Section 13.2, one record; *params_end advances past its block.
static int check_layer(const uint8_t *b, uint32_t file_size, oracle_layer *l, uint64_t *params_end,
                       const char **rule_out) {
  uint64_t h = l->in_h, w = l->in_w, c = l->in_c;
  switch (l->kind) {
  case CONV2D:
    if (l->flags & ~(uint32_t)(RELU | SAME)) FAIL("C1", UNSUPPORTED);
    if (l->stride_h != 1 || l->stride_w != 1) FAIL("C2", UNSUPPORTED);
    if (l->kernel_h == 0 || l->kernel_w == 0) FAIL("C3", MALFORMED);
    if (l->flags & SAME) {
      if (l->kernel_h % 2 == 0 || l->kernel_w % 2 == 0) FAIL("C4", UNSUPPORTED);
      if (l->out_h != h || l->out_w != w) FAIL("C5", MALFORMED);
      l->pad_h = (l->kernel_h - 1) / 2;
      l->pad_w = (l->kernel_w - 1) / 2;
    } else {
      if (l->kernel_h > h || l->kernel_w > w) FAIL("C6", MALFORMED);
      if (l->out_h != h - l->kernel_h + 1 || l->out_w != w - l->kernel_w + 1) FAIL("C7", MALFORMED);
    }
    break;
  case DENSE:
    if (l->flags & ~(uint32_t)RELU) FAIL("D1", UNSUPPORTED);
    if (h != 1 || w != 1 || l->out_h != 1 || l->out_w != 1) FAIL("D2", MALFORMED);
    if (l->kernel_h != 1 || l->kernel_w != 1 || l->stride_h != 1 || l->stride_w != 1) FAIL("D3", MALFORMED);
    break;
  case MAXPOOL2D:
    if (l->flags != 0) FAIL("P1", UNSUPPORTED);
    if (l->kernel_h != 2 || l->kernel_w != 2 || l->stride_h != 2 || l->stride_w != 2) FAIL("P2", UNSUPPORTED);
    if (l->out_h != h / 2 || l->out_w != w / 2 || l->out_c != c) FAIL("P3", MALFORMED);
    if (l->out_zp != l->in_zp || l->weights != 0) FAIL("P4", MALFORMED);
    break;
  case FLATTEN:
    if (l->flags != 0) FAIL("F1", UNSUPPORTED);
    if (l->kernel_h != 1 || l->kernel_w != 1 || l->stride_h != 1 || l->stride_w != 1) FAIL("F2", MALFORMED);
    if (l->out_h != 1 || l->out_w != 1 || l->out_c != h * w * c) FAIL("F3", MALFORMED);
    if (l->out_zp != l->in_zp || l->weights != 0) FAIL("F4", MALFORMED);
    break;
  }
  if ((uint64_t)l->out_h * l->out_w * l->out_c > ELEMENT_LIMIT) FAIL("L5", UNSUPPORTED);
  if (l->kind != CONV2D && l->kind != DENSE) return 0;

  // Section 8.3: the four arrays of the parameter block.
  uint64_t n = l->out_c, fan_in = (uint64_t)l->kernel_h * l->kernel_w * c;
  uint64_t p = l->weights;  // the record's `params`
  l->bias = align16(p + fan_in * n);
  l->multipliers = align16(l->bias + 4 * n);
  l->shifts = align16(l->multipliers + 4 * n);
  uint64_t end = l->shifts + n;
  if (p % 16 != 0 || p < *params_end || end > file_size) FAIL("B1", MALFORMED);
  *params_end = end;
  if (memchr(b + p, 0x80, (size_t)(fan_in * n)) != NULL) FAIL("B2", MALFORMED);
  if (fan_in * 255 * 127 > INT32_LIMIT) FAIL("B3", UNSUPPORTED);
  int64_t bias_limit = INT32_LIMIT - (int64_t)(fan_in * 255 * 127);
  for (uint64_t o = 0; o < n; o++) {
    int64_t bias = i32(b, l->bias + 4 * o);
    if (bias > bias_limit || bias < -bias_limit) FAIL("B4", MALFORMED);
    if (i32(b, l->multipliers + 4 * o) < 0) FAIL("B5", MALFORMED);
    if (b[l->shifts + o] > 31) FAIL("B6", MALFORMED);
  }
  if (l->kind == CONV2D && (h + 2 * l->pad_h) * (w + 2 * l->pad_w) * c > ELEMENT_LIMIT) FAIL("B7", UNSUPPORTED);
  return 0;
}

int oracle_open(oracle_model *m, const uint8_t *b, size_t size, const char **rule_out) {
  memset(m, 0, sizeof *m);
  if (size < 4) FAIL("H1", TRUNCATED);
  if (u32(b, 0) != 0x46494744u) FAIL("H2", MAGIC);
  if (size < 64) FAIL("H3", TRUNCATED);
  if (u16(b, 4) != 1) FAIL("H4", VERSION);
  uint32_t header_size = u32(b, 8), file_size = u32(b, 12);
  if (header_size < 64 || header_size % 16 != 0) FAIL("H5", MALFORMED);
  if (file_size > size) FAIL("H6", TRUNCATED);
  if (file_size < header_size) FAIL("H7", MALFORMED);
  uint32_t crc = oracle_crc32(oracle_crc32(0, b, 16), b + 20, file_size - 20);
  if (u32(b, 16) != crc) FAIL("H8", CHECKSUM);
  if (u32(b, 20) != 0) FAIL("H9", UNSUPPORTED);
  uint32_t layer_count = u16(b, 24);
  if (layer_count == 0) FAIL("H10", MALFORMED);
  if (layer_count > ORACLE_MAX_LAYERS) FAIL("H11", UNSUPPORTED);
  uint32_t in_h = u16(b, 26), in_w = u16(b, 28), in_c = u16(b, 30);
  if (in_h == 0 || in_w == 0 || in_c == 0) FAIL("H12", MALFORMED);
  if (in_h != 28 || in_w != 28 || in_c != 1) FAIL("H13", UNSUPPORTED);
  uint32_t class_count = u16(b, 32);
  if (class_count == 0) FAIL("H14", MALFORMED);
  if (class_count > ORACLE_MAX_CLASSES) FAIL("H15", UNSUPPORTED);
  if (i8(b, 34) != -128) FAIL("H16", UNSUPPORTED);
  if (b[35] != 0) FAIL("H17", MALFORMED);
  uint32_t beta = u32(b, 36);
  if (beta == 0 || beta > INT32_LIMIT) FAIL("H18", MALFORMED);
  uint64_t table = u32(b, 44);
  if (table < header_size || table % 16 != 0 || table + 32ull * layer_count > file_size) FAIL("H19", MALFORMED);
  if (bad_string(b, u32(b, 48), u32(b, 52), header_size, file_size)) FAIL("H20", MALFORMED);
  if (bad_string(b, u32(b, 56), u32(b, 60), header_size, file_size)) FAIL("H21", MALFORMED);

  // Section 13.2, tracking the current shape and zero point; section 12's
  // arenas at the same time (flatten writes nothing and switches nothing).
  uint32_t h = 28, w = 28, c = 1;
  int32_t zp = -128;
  uint64_t params_end = table + 32ull * layer_count;
  uint64_t max_a = 784, max_b = 0;
  int in_a = 1;
  for (uint32_t i = 0; i < layer_count; i++) {
    const uint8_t *r = b + table + 32ull * i;
    oracle_layer *l = &m->layers[i];
    l->kind = r[0];
    l->flags = r[1];
    l->in_zp = (int8_t)r[2];
    l->out_zp = (int8_t)r[3];
    l->in_h = u16(r, 4), l->in_w = u16(r, 6), l->in_c = u16(r, 8);
    l->out_h = u16(r, 10), l->out_w = u16(r, 12), l->out_c = u16(r, 14);
    l->kernel_h = r[16], l->kernel_w = r[17], l->stride_h = r[18], l->stride_w = r[19];
    l->weights = u32(r, 20);
    l->out_scale_bits = u32(r, 24);
    if (l->kind < 1 || l->kind > 4) FAIL("L1", UNSUPPORTED);
    if (u32(r, 28) != 0) FAIL("L2", MALFORMED);
    if (l->in_h != h || l->in_w != w || l->in_c != c || l->in_zp != zp) FAIL("L3", MALFORMED);
    if (l->out_h == 0 || l->out_w == 0 || l->out_c == 0) FAIL("L4", MALFORMED);
    int status = check_layer(b, file_size, l, &params_end, rule_out);
    if (status != 0) return status;
    h = l->out_h, w = l->out_w, c = l->out_c, zp = l->out_zp;
    if (l->kind != FLATTEN) {
      uint64_t elements = (uint64_t)h * w * c;
      in_a = !in_a;
      if (in_a && elements > max_a) max_a = elements;
      if (!in_a && elements > max_b) max_b = elements;
    }
  }
  if (h != 1 || w != 1 || c != class_count) FAIL("E1", MALFORMED);
  uint32_t scratch = u32(b, 40);
  m->arena_a = align16(max_a);
  m->arena_b = align16(max_b);
  if (scratch < m->arena_a + m->arena_b) FAIL("E2", MALFORMED);
  if (scratch > INT32_LIMIT) FAIL("E3", UNSUPPORTED);

  m->bytes = b;
  m->format_major = 1;
  m->format_minor = u16(b, 6);
  m->file_size = file_size;
  m->crc32 = crc;
  m->layer_count = layer_count;
  m->class_count = class_count;
  m->softmax_beta = beta;
  m->scratch_size = scratch;
  m->name_offset = u32(b, 48);
  m->metadata_offset = u32(b, 56);
  if (rule_out) *rule_out = "";
  return 0;
}

// floor(a / 2^s) for s >= 1, without relying on how C shifts negative numbers.
NO_COVERAGE static int64_t floor_shift(int64_t a, int s) {
  int64_t d = (int64_t)1 << s;
  int64_t q = a / d;  // truncates toward zero
  return (a % d != 0 && a < 0) ? q - 1 : q;
}

// Section 10.4, the two rounding steps, then zero point and clamp.
NO_COVERAGE static int8_t output(int64_t acc, int64_t m, int shift, int32_t zp, int relu) {
  int64_t h = floor_shift(acc * m + ((int64_t)1 << 30), 31);
  int64_t r = h;
  if (shift > 0) {
    int64_t half = (int64_t)1 << (shift - 1);
    r = h >= 0 ? floor_shift(h + half, shift) : -floor_shift(-h + half, shift);
  }
  int64_t y = r + zp, low = relu ? zp : -128;
  if (y < low) y = low;
  if (y > 127) y = 127;
  return (int8_t)y;
}

// Section 10.2, for both conv2d and dense (a dense layer is a 1x1 conv2d on
// a 1x1 input).
NO_COVERAGE static void conv2d(const uint8_t *b, const oracle_layer *l, const int8_t *x, int8_t *y) {
  for (uint32_t oy = 0; oy < l->out_h; oy++)
    for (uint32_t ox = 0; ox < l->out_w; ox++)
      for (uint32_t o = 0; o < l->out_c; o++) {
        int64_t acc = i32(b, l->bias + 4 * (uint64_t)o);
        for (uint32_t ky = 0; ky < l->kernel_h; ky++)
          for (uint32_t kx = 0; kx < l->kernel_w; kx++) {
            int64_t iy = (int64_t)oy + ky - l->pad_h, ix = (int64_t)ox + kx - l->pad_w;
            if (iy < 0 || iy >= l->in_h || ix < 0 || ix >= l->in_w) continue;
            for (uint32_t i = 0; i < l->in_c; i++) {
              int64_t xv = x[((uint64_t)iy * l->in_w + (uint64_t)ix) * l->in_c + i];
              int64_t wv = (int8_t)b[l->weights + (((uint64_t)o * l->kernel_h + ky) * l->kernel_w + kx) * l->in_c + i];
              acc += (xv - l->in_zp) * wv;
            }
          }
        y[((uint64_t)oy * l->out_w + ox) * l->out_c + o] =
            output(acc, i32(b, l->multipliers + 4 * (uint64_t)o), b[l->shifts + o], l->out_zp, l->flags & RELU);
      }
}

// Section 10.5.
NO_COVERAGE static void maxpool2d(const oracle_layer *l, const int8_t *x, int8_t *y) {
  for (uint32_t oy = 0; oy < l->out_h; oy++)
    for (uint32_t ox = 0; ox < l->out_w; ox++)
      for (uint32_t c = 0; c < l->out_c; c++) {
        int8_t best = -128;
        for (uint32_t dy = 0; dy < 2; dy++)
          for (uint32_t dx = 0; dx < 2; dx++) {
            int8_t v = x[((uint64_t)(2 * oy + dy) * l->in_w + 2 * ox + dx) * l->in_c + c];
            if (v > best) best = v;
          }
        y[((uint64_t)oy * l->out_w + ox) * l->out_c + c] = best;
      }
}

NO_COVERAGE int oracle_infer(const oracle_model *m, const uint8_t pixels[784], int8_t logits[ORACLE_MAX_CLASSES]) {
  // Plain buffers per tensor, not the spec's arenas: the oracle checks the
  // values, and the fuzzer checks the runtime's arenas by their bounds.
  size_t largest = 784;
  for (uint32_t i = 0; i < m->layer_count; i++) {
    size_t n = (size_t)m->layers[i].out_h * m->layers[i].out_w * m->layers[i].out_c;
    if (n > largest) largest = n;
  }
  int8_t *x = malloc(largest), *y = malloc(largest);
  if (x == NULL || y == NULL) {
    free(x);
    free(y);
    return -1;
  }
  for (int i = 0; i < 784; i++) x[i] = (int8_t)(pixels[i] - 128);  // section 10.1
  for (uint32_t i = 0; i < m->layer_count; i++) {
    const oracle_layer *l = &m->layers[i];
    if (l->kind == FLATTEN) continue;  // section 10.6: the same bytes
    if (l->kind == MAXPOOL2D) maxpool2d(l, x, y);
    else conv2d(m->bytes, l, x, y);
    int8_t *t = x;
    x = y;
    y = t;
  }
  memset(logits, 0, ORACLE_MAX_CLASSES);
  memcpy(logits, x, m->class_count);
  free(x);
  free(y);
  return 0;
}

// Section 11, step 2: E(f), a Q30 approximation of 2^(-f / 2^24).
NO_COVERAGE static uint64_t exp2_neg(uint64_t f) {
  const uint64_t one = 1ull << 30;
  uint64_t y = (f * 744261118ull) >> 24, p = one;
  for (uint64_t k = 10; k >= 1; k--) p = one - ((y * p) >> 30) / k;
  return p;
}

int oracle_softmax(const oracle_model *m, const int8_t logits[ORACLE_MAX_CLASSES],
                   float probabilities[ORACLE_MAX_CLASSES]) {
  uint32_t n = m->class_count, best = 0;
  for (uint32_t i = 1; i < n; i++)
    if (logits[i] > logits[best]) best = i;
  uint64_t e[ORACLE_MAX_CLASSES] = {0}, total = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t t = (uint64_t)(logits[best] - logits[i]) * m->softmax_beta;
    uint64_t whole = t >> 24, f = t & 0xFFFFFF;
    e[i] = whole >= 40 ? 0 : exp2_neg(f) >> whole;
    total += e[i];
  }
  for (uint32_t i = 0; i < ORACLE_MAX_CLASSES; i++) probabilities[i] = i < n ? (float)e[i] / (float)total : 0.0f;
  return (int)best;
}

int oracle_best_digit(const oracle_model *m, const int8_t logits[ORACLE_MAX_CLASSES]) {
  uint32_t n = m->class_count < ORACLE_NOT_A_DIGIT ? m->class_count : ORACLE_NOT_A_DIGIT, best = 0;
  for (uint32_t i = 1; i < n; i++)
    if (logits[i] > logits[best]) best = i;
  return (int)best;
}
