// Fuzz target (b): dgi_preprocess with fuzzed sizes, strides, flags and
// pixels. Besides "no crash, no read past the image or the scratch" (both
// end at guard pages, the image read-only), it checks what digitinfer.h and
// docs/PREPROCESSING.md promise:
//   - the status order ARGUMENT, IMAGE, SCRATCH, NO_INK, and that a failed
//     call leaves pixels[] and *info untouched;
//   - rows are found through `stride` alone: a padded copy of the image
//     gives the same answer as the tight one;
//   - the flags only choose the polarity (step 1): DGI_INK_AUTO equals the
//     forced flag it reports, and the inverted image with the opposite flag
//     gives the same 28x28 pixels and digit box;
//   - scratch is dgi_preprocess_scratch_size() bytes, at most 145 KiB.
// Input: width (u16), height (u16), flags byte, stride padding byte, pixel
// mode byte, then pixel bytes (used cyclically).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digitinfer.h"
#define FUZZ_NAME "fuzz-preprocess"
#include "guard.h"


// Keeps one execution in the milliseconds; the API's own limit (32768 a
// side) is exercised by the argument checks below, not by pixel work.
enum { MAX_PIXELS = 1 << 18, MAX_SCRATCH = 145 * 1024 };

static guard_buffer image_pages, padded_pages, scratch_pages;

typedef struct outcome {
  dgi_status status;
  uint8_t pixels[784];
  dgi_preprocess_info info;
} outcome;

static void run(outcome *out, const uint8_t *image, uint32_t w, uint32_t h, size_t stride, uint32_t flags,
                uint8_t fill) {
  size_t need = dgi_preprocess_scratch_size(w, h);
  unsigned char *scratch = guard_end(&scratch_pages, need);
  memset(scratch, fill, need);  // its previous content must not matter
  memset(out->pixels, 0xA5, sizeof out->pixels);
  memset(&out->info, 0xA5, sizeof out->info);
  out->status = dgi_preprocess(image, w, h, stride, flags, scratch, need, out->pixels, &out->info);
  CHECK(out->status == DGI_OK || out->status == DGI_ERROR_NO_INK, "%ux%u stride %zu flags %u: status %d", w, h,
        stride, flags, out->status);
  if (out->status != DGI_OK) {
    for (int i = 0; i < 784; i++) CHECK(out->pixels[i] == 0xA5, "a failed call wrote pixels");
    return;
  }
  const dgi_preprocess_info *in = &out->info;
  CHECK(in->ink == DGI_INK_DARK || in->ink == DGI_INK_LIGHT, "info.ink %u", in->ink);
  CHECK(flags == DGI_INK_AUTO || in->ink == flags, "forced ink %u reported as %u", flags, in->ink);
  CHECK(in->width >= 1 && in->height >= 1 && (uint64_t)in->x + in->width <= w && (uint64_t)in->y + in->height <= h,
        "box %u,%u %ux%u outside %ux%u", in->x, in->y, in->width, in->height, w, h);
  CHECK(in->paper <= 255 && in->components >= 1, "paper %u, components %u", in->paper, in->components);
}

static int same_digit(const outcome *a, const outcome *b) {
  return a->status == b->status &&
         (a->status != DGI_OK ||
          (memcmp(a->pixels, b->pixels, 784) == 0 && a->info.x == b->info.x && a->info.y == b->info.y &&
           a->info.width == b->info.width && a->info.height == b->info.height &&
           a->info.components == b->info.components && a->info.dropped == b->info.dropped));
}

// The documented refusals, in the documented order; nothing is written.
static void check_refusals(const uint8_t *image, uint32_t w, uint32_t h, size_t need) {
  uint8_t pixels[784];
  memset(pixels, 0x3C, sizeof pixels);
  unsigned char *scratch = guard_end(&scratch_pages, need);
  CHECK(dgi_preprocess(NULL, w, h, w, 0, scratch, need, pixels, NULL) == DGI_ERROR_ARGUMENT, "NULL image");
  CHECK(dgi_preprocess(image, w, h, w, 0, scratch, need, NULL, NULL) == DGI_ERROR_ARGUMENT, "NULL pixels");
  CHECK(dgi_preprocess(image, w, h, w, 0, scratch, (size_t)PTRDIFF_MAX + 1, pixels, NULL) == DGI_ERROR_ARGUMENT,
        "scratch_size above PTRDIFF_MAX");
  CHECK(dgi_preprocess(image, 0, h, w, 0, scratch, need, pixels, NULL) == DGI_ERROR_IMAGE, "width 0");
  CHECK(dgi_preprocess(image, w, 0, w, 0, scratch, need, pixels, NULL) == DGI_ERROR_IMAGE, "height 0");
  CHECK(dgi_preprocess(image, DGI_PREPROCESS_MAX_SIDE + 1, h, (size_t)DGI_PREPROCESS_MAX_SIDE + 1, 0, scratch, need,
                       pixels, NULL) == DGI_ERROR_IMAGE, "width above the limit");
  if (w > 1) CHECK(dgi_preprocess(image, w, h, w - 1, 0, scratch, need, pixels, NULL) == DGI_ERROR_IMAGE, "stride < width");
  if (h > 1)
    CHECK(dgi_preprocess(image, w, h, (size_t)PTRDIFF_MAX, 0, scratch, need, pixels, NULL) == DGI_ERROR_IMAGE,
          "(height - 1) * stride overflows");
  // Unknown flags are IMAGE even when the scratch is also missing (IMAGE first).
  CHECK(dgi_preprocess(image, w, h, w, 3, NULL, 0, pixels, NULL) == DGI_ERROR_IMAGE, "flags 3");
  CHECK(dgi_preprocess(image, w, h, w, 0x80000000u, scratch, need, pixels, NULL) == DGI_ERROR_IMAGE, "high flag");
  CHECK(dgi_preprocess(image, w, h, w, 0, NULL, need, pixels, NULL) == DGI_ERROR_SCRATCH, "NULL scratch");
  unsigned char *short_scratch = guard_end(&scratch_pages, need - 1);
  CHECK(dgi_preprocess(image, w, h, w, 0, short_scratch, need - 1, pixels, NULL) == DGI_ERROR_SCRATCH,
        "scratch one byte short");
  for (int i = 0; i < 784; i++) CHECK(pixels[i] == 0x3C, "a refused call wrote pixels");
  CHECK(dgi_preprocess_scratch_size(0, h) == 0 && dgi_preprocess_scratch_size(w, 0) == 0 &&
        dgi_preprocess_scratch_size(DGI_PREPROCESS_MAX_SIDE + 1, h) == 0, "scratch size of an invalid size");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_image_input in;
  const uint8_t *image = fuzz_image_read(&image_pages, data, size, MAX_PIXELS, &in);
  if (image == NULL) return 0;
  uint32_t w = in.w, h = in.h, flags = in.flags;

  size_t need = dgi_preprocess_scratch_size(w, h);
  CHECK(need > 0 && need <= MAX_SCRATCH, "scratch for %ux%u is %zu bytes", w, h, need);
  if (in.mode & 2) check_refusals(image, w, h, need);

  outcome tight, other;
  run(&tight, image, w, h, w, flags, in.mode);

  // The same rows, `in.pad` bytes further apart, the padding full of noise.
  size_t stride = w + in.pad;
  const uint8_t *padded = fuzz_padded(&padded_pages, image, w, h, stride, in.mode);
  run(&other, padded, w, h, stride, flags, (uint8_t)~in.mode);
  CHECK(same_digit(&tight, &other) && (tight.status != DGI_OK || memcmp(&tight.info, &other.info, sizeof tight.info) == 0),
        "%ux%u: stride %zu differs from the tight stride %u", w, h, stride, w);

  if (tight.status != DGI_OK && flags == DGI_INK_AUTO) return 0;  // no polarity was reported
  // AUTO decides a polarity; forcing that one changes nothing.
  uint32_t ink = tight.status == DGI_OK ? tight.info.ink : flags;
  if (flags == DGI_INK_AUTO) {
    run(&other, image, w, h, w, ink, in.mode);
    CHECK(same_digit(&tight, &other) && tight.info.paper == other.info.paper,
          "%ux%u: auto differs from forcing its choice %u", w, h, ink);
  }
  // The inverted image with the opposite flag is the same digit.
  guard_writable(&padded_pages, 1);
  uint8_t *inverted = guard_end(&padded_pages, (size_t)w * h);
  for (size_t i = 0; i < (size_t)w * h; i++) inverted[i] = (uint8_t)(255 - image[i]);
  guard_writable(&padded_pages, 0);
  run(&other, inverted, w, h, w, ink == DGI_INK_DARK ? DGI_INK_LIGHT : DGI_INK_DARK, in.mode);
  CHECK(same_digit(&tight, &other), "%ux%u: the inverted image with the opposite ink flag differs", w, h);
  return 0;
}
