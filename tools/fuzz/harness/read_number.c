// Fuzz target (e): dgi_read_number with fuzzed sizes, strides, flags and
// pixels, read by the shipped model (models/mnist-int8.dgi, found from the
// repository root the build passes as FUZZ_REPO, or $DIGITINFER_FUZZ_MODEL).
// Besides "no crash, no read past the image, scratch or digits" (all end at
// guard pages, the image read-only), it checks what digitinfer.h promises:
//   - the status is OK, NO_INK, NOT_A_DIGIT or TOO_MANY; a box lies inside
//     the image, a digit is 0..9 with its confidence its probability;
//     NO_INK and NOT_A_DIGIT set the count to 0;
//   - rows are found through `stride` alone: a padded copy reads the same;
//   - TOO_MANY writes exactly the first max_digits of the whole reading;
//   - the documented refusals in the documented order, writing nothing;
//   - scratch is dgi_read_number_scratch_size() bytes, at most 374 KiB
//     beyond the model's.
// Input: as for the preprocess target: width (u16), height (u16), flags
// byte, stride padding byte, mode byte, then pixel bytes (used cyclically).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digitinfer.h"
#define FUZZ_NAME "fuzz-read"
#include "guard.h"

#ifndef FUZZ_REPO
#define FUZZ_REPO "."
#endif

// Smaller images than the preprocess target: every digit found costs a
// classification, and a split up to ten more.
enum { MAX_PIXELS = 1 << 16, MAX_DIGITS = 64, BOUND = 374 * 1024 };

static dgi_model model;
static unsigned char *model_bytes;
static guard_buffer image_pages, padded_pages, scratch_pages, digit_pages;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *path = getenv("DIGITINFER_FUZZ_MODEL");
  char fallback[4096];
  if (!path) {
    snprintf(fallback, sizeof fallback, "%s/models/mnist-int8.dgi", FUZZ_REPO);
    path = fallback;
  }
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL, "cannot open the model %s", path);
  static unsigned char buffer[1 << 20];
  size_t n = fread(buffer, 1, sizeof buffer, f);
  fclose(f);
  model_bytes = buffer;
  CHECK(dgi_model_open(&model, model_bytes, n) == DGI_OK, "cannot open the model %s", path);
  return 0;
}

typedef struct reading {
  dgi_status status;
  size_t count;
  dgi_number_digit digits[MAX_DIGITS];
} reading;

static void run(reading *r, const uint8_t *image, uint32_t w, uint32_t h, size_t stride, uint32_t flags,
                size_t max_digits, uint8_t fill) {
  size_t need = dgi_read_number_scratch_size(&model, w, h);
  unsigned char *scratch = guard_end(&scratch_pages, need);
  memset(scratch, fill, need);  // its previous content must not matter
  dgi_number_digit *digits = (dgi_number_digit *)guard_end(&digit_pages, max_digits * sizeof *digits);
  memset(digits, 0xA5, max_digits * sizeof *digits);
  r->count = 12345;
  r->status = dgi_read_number(&model, image, w, h, stride, flags, scratch, need, max_digits ? digits : NULL,
                              max_digits, &r->count);
  CHECK(r->status == DGI_OK || r->status == DGI_ERROR_NO_INK || r->status == DGI_ERROR_NOT_A_DIGIT ||
            r->status == DGI_ERROR_TOO_MANY,
        "%ux%u stride %zu flags %u: status %d", w, h, stride, flags, r->status);
  CHECK((r->status != DGI_ERROR_NO_INK && r->status != DGI_ERROR_NOT_A_DIGIT) || r->count == 0,
        "NO_INK or NOT_A_DIGIT with count %zu", r->count);
  CHECK(r->status != DGI_OK || (r->count >= 1 && r->count <= max_digits), "OK with count %zu", r->count);
  CHECK(r->status != DGI_ERROR_TOO_MANY || r->count > max_digits, "TOO_MANY with count %zu", r->count);
  size_t written = r->count < max_digits ? r->count : max_digits;
  for (size_t i = 0; i < written; i++) {
    const dgi_number_digit *d = &digits[i];
    CHECK(d->result.digit >= 0 && d->result.digit <= 9, "digit %d", d->result.digit);
    CHECK(d->result.confidence == d->result.probabilities[d->result.digit], "confidence");
    CHECK(d->width >= 1 && d->height >= 1 && (uint64_t)d->x + d->width <= w && (uint64_t)d->y + d->height <= h,
          "box %u,%u %ux%u outside %ux%u", d->x, d->y, d->width, d->height, w, h);
    CHECK((d->flags & ~DGI_DIGIT_SPLIT) == 0, "flags %u", d->flags);
  }
  const unsigned char *rest = (const unsigned char *)(digits + written);
  for (size_t i = 0; i < (max_digits - written) * sizeof *digits; i++) CHECK(rest[i] == 0xA5, "wrote past the count");
  memcpy(r->digits, digits, (written < MAX_DIGITS ? written : MAX_DIGITS) * sizeof *digits);
}

static void check_refusals(const uint8_t *image, uint32_t w, uint32_t h, size_t need) {
  dgi_number_digit digit;
  dgi_model closed;
  size_t count = 77;
  memset(&digit, 0x3C, sizeof digit);
  memset(&closed, 0, sizeof closed);
  unsigned char *scratch = guard_end(&scratch_pages, need);
  CHECK(dgi_read_number(NULL, image, w, h, w, 0, scratch, need, &digit, 1, &count) == DGI_ERROR_ARGUMENT, "NULL model");
  CHECK(dgi_read_number(&model, NULL, w, h, w, 0, scratch, need, &digit, 1, &count) == DGI_ERROR_ARGUMENT, "NULL image");
  CHECK(dgi_read_number(&model, image, w, h, w, 0, scratch, need, &digit, 1, NULL) == DGI_ERROR_ARGUMENT, "NULL count");
  CHECK(dgi_read_number(&model, image, w, h, w, 0, scratch, need, NULL, 1, &count) == DGI_ERROR_ARGUMENT, "NULL digits");
  CHECK(dgi_read_number(&closed, image, w, h, w, 0, scratch, need, &digit, 1, &count) == DGI_ERROR_NOT_OPEN, "closed");
  CHECK(dgi_read_number(&model, image, 0, h, w, 0, scratch, need, &digit, 1, &count) == DGI_ERROR_IMAGE, "width 0");
  if (w > 1) CHECK(dgi_read_number(&model, image, w, h, w - 1, 0, scratch, need, &digit, 1, &count) == DGI_ERROR_IMAGE, "stride");
  CHECK(dgi_read_number(&model, image, w, h, w, 3, NULL, 0, &digit, 1, &count) == DGI_ERROR_IMAGE, "flags 3 before scratch");
  CHECK(dgi_read_number(&model, image, w, h, w, 0, NULL, need, &digit, 1, &count) == DGI_ERROR_SCRATCH, "NULL scratch");
  unsigned char *short_scratch = guard_end(&scratch_pages, need - 1);
  CHECK(dgi_read_number(&model, image, w, h, w, 0, short_scratch, need - 1, &digit, 1, &count) == DGI_ERROR_SCRATCH,
        "scratch one byte short");
  const unsigned char *b = (const unsigned char *)&digit;
  for (size_t i = 0; i < sizeof digit; i++) CHECK(b[i] == 0x3C, "a refused call wrote a digit");
  CHECK(count == 77, "a refused call wrote the count");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_image_input in;
  const uint8_t *image = fuzz_image_read(&image_pages, data, size, MAX_PIXELS, &in);
  if (image == NULL) return 0;
  uint32_t w = in.w, h = in.h, flags = in.flags;

  size_t need = dgi_read_number_scratch_size(&model, w, h);
  CHECK(need > 0 && need <= BOUND + dgi_model_scratch_size(&model), "scratch for %ux%u is %zu bytes", w, h, need);
  if (in.mode & 2) check_refusals(image, w, h, need);

  static reading whole, other;
  run(&whole, image, w, h, w, flags, MAX_DIGITS, in.mode);

  // The same rows, `in.pad` bytes further apart, the padding full of noise.
  size_t stride = w + in.pad;
  const uint8_t *padded = fuzz_padded(&padded_pages, image, w, h, stride, in.mode);
  run(&other, padded, w, h, stride, flags, MAX_DIGITS, (uint8_t)~in.mode);
  size_t shown = whole.count < MAX_DIGITS ? whole.count : MAX_DIGITS;
  CHECK(whole.status == other.status && whole.count == other.count &&
            memcmp(whole.digits, other.digits, shown * sizeof *whole.digits) == 0,
        "%ux%u: stride %zu reads differently from the tight stride", w, h, stride);

  // Fewer places than digits: the first ones, and the whole count.
  if (whole.count > 1 && whole.count <= MAX_DIGITS) {
    size_t few = (size_t)(in.mode >> 2) % whole.count;
    run(&other, image, w, h, w, flags, few, in.mode);
    CHECK(other.status == DGI_ERROR_TOO_MANY && other.count == whole.count &&
              memcmp(whole.digits, other.digits, few * sizeof *whole.digits) == 0,
          "%ux%u: max_digits %zu does not give the first of %zu", w, h, few, whole.count);
  }
  return 0;
}
