/*
** dgi_preprocess from C: the documented contract, memory safety, a fuzz
** loop, the properties a caller relies on, and golden outputs.
**
**   - every argument error gives its documented status, in the documented
**     order, and leaves pixels[] and *info untouched;
**   - images, scratch, pixels[] and *info end against an inaccessible page
**     (images also start right after one, and are read-only), for strides
**     equal to and larger than the width and sizes from 1x1 to 32768x1;
**   - thousands of random images (noise, blank, lines, blobs, digits,
**     scribbles, specks and frames, any size up to 400, padded strides,
**     any flags): never a crash, only documented statuses, the output
**     written in full on DGI_OK and not at all otherwise, the same answer
**     whatever the scratch's content and alignment, the stride padding, and
**     whether info is asked for; DGI_INK_AUTO equals the polarity it
**     reports, forced;
**   - scratch sizes; uniform images have no ink; an inverted image with
**     DGI_INK_LIGHT gives exactly the original's DGI_INK_DARK answer (the
**     implementation flips with XOR 255 before anything else); info is
**     consistent with the image;
**   - Tests/DigitInferTests/Golden/preprocess-expected.txt: a checksum of
**     the 784 outputs (and the info) for fixed generated images, so that any
**     port or build can be checked for bit-identical preprocessing.
**     `test_preprocess --print` writes that file.
**
** Usage: test_preprocess GOLDEN_DIR [FUZZ_COUNT [FUZZ_SEED]] | --print
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define MAX_SIDE DGI_PREPROCESS_MAX_SIDE
#ifndef FUZZ_SIDE
#define FUZZ_SIDE 400
#endif
#define FUZZ_PAD 64

static guarded g_scratch, g_pixels, g_info;
static size_t max_scratch; /* dgi_preprocess_scratch_size(128, 128) */
static uint32_t g_rng = 12345;
static int fuzz_count = 3000;     /* argv[2], for longer runs by hand */
static uint32_t fuzz_seed = 31337; /* argv[3] */

/* What one call gives. */
typedef struct outcome {
  dgi_status status;
  uint8_t pixels[DGI_INPUT_SIZE];
  dgi_preprocess_info info;
} outcome;

static int all_bytes(const void *p, size_t n, unsigned char v) {
  const unsigned char *b = (const unsigned char *)p;
  size_t i;
  for (i = 0; i < n; i++)
    if (b[i] != v) return 0;
  return 1;
}

static int valid_flags(uint32_t flags) {
  return flags == DGI_INK_AUTO || flags == DGI_INK_DARK || flags == DGI_INK_LIGHT;
}

/* Info consistent with the image: a box inside it, a polarity, a level,
   component counts possible on the (at most 128x128) reduced copy. */
static int info_is_consistent(const dgi_preprocess_info *info, uint32_t w, uint32_t h, uint32_t flags) {
  return (info->ink == DGI_INK_DARK || info->ink == DGI_INK_LIGHT) &&
         (flags == DGI_INK_AUTO || info->ink == flags) && info->width >= 1 && info->height >= 1 &&
         (uint64_t)info->x + info->width <= w && (uint64_t)info->y + info->height <= h && info->paper <= 255 &&
         info->components >= 1 && (uint64_t)info->components + info->dropped <= 128 * 128;
}

/*
** Runs dgi_preprocess on `pic` twice: first with a scratch of exactly the
** documented size ending at a guard page, zero-filled, and pixels[] and
** info against guard pages; then with a misaligned scratch full of random
** bytes, other sentinels, and (sometimes) no info. Checks the status is
** documented, the output is written in full iff DGI_OK (two sentinels) and
** untouched otherwise, and both calls agree. The first answer goes to *out.
*/
static dgi_status exercise(const char *what, const picture *pic, uint32_t flags, int with_info, outcome *out) {
  size_t size = dgi_preprocess_scratch_size(pic->width, pic->height), i;
  unsigned char *scratch = guarded_tail(&g_scratch, size);
  uint8_t *pixels = guarded_tail(&g_pixels, DGI_INPUT_SIZE);
  dgi_preprocess_info *info = (dgi_preprocess_info *)guarded_tail(&g_info, sizeof(dgi_preprocess_info));
  size_t misalign = 1 + lcg_below(&g_rng, 7);
  dgi_status s, again;
  int documented;

  CHECK(size > 0 && size <= max_scratch, "%s: scratch size %lu", what, (unsigned long)size);
  memset(scratch, 0, size);
  memset(pixels, 0xAB, DGI_INPUT_SIZE);
  memset(info, 0xA5, sizeof *info);
  s = dgi_preprocess(pic->pixels, pic->width, pic->height, pic->stride, flags, scratch, size, pixels, info);
  documented = valid_flags(flags) ? s == DGI_OK || s == DGI_ERROR_NO_INK : s == DGI_ERROR_IMAGE;
  CHECK(documented, "%s %ux%u stride %lu flags %u: status %d (%s)", what, pic->width, pic->height,
        (unsigned long)pic->stride, flags, (int)s, dgi_status_message(s));
  out->status = s;
  memcpy(out->pixels, pixels, DGI_INPUT_SIZE);
  memcpy(&out->info, info, sizeof *info);
  if (s == DGI_OK) {
    CHECK(info_is_consistent(info, pic->width, pic->height, flags),
          "%s %ux%u: info ink %u box %u,%u %ux%u paper %u components %u dropped %u", what, pic->width,
          pic->height, info->ink, info->x, info->y, info->width, info->height, info->paper, info->components,
          info->dropped);
  } else {
    CHECK(all_bytes(pixels, DGI_INPUT_SIZE, 0xAB) && all_bytes(info, sizeof *info, 0xA5),
          "%s %ux%u: status %d but pixels or info written", what, pic->width, pic->height, (int)s);
  }

  /* Again: other scratch content and alignment, other sentinels. */
  scratch = guarded_tail(&g_scratch, size + misalign);
  for (i = 0; i < size; i++) scratch[i] = (unsigned char)lcg_next(&g_rng);
  memset(pixels, 0x54, DGI_INPUT_SIZE);
  memset(info, 0x5A, sizeof *info);
  again = dgi_preprocess(pic->pixels, pic->width, pic->height, pic->stride, flags, scratch, size, pixels,
                         with_info ? info : NULL);
  CHECK(again == s, "%s %ux%u: status %d, then %d with other scratch", what, pic->width, pic->height, (int)s,
        (int)again);
  if (again == DGI_OK && s == DGI_OK) {
    CHECK(memcmp(pixels, out->pixels, DGI_INPUT_SIZE) == 0,
          "%s %ux%u flags %u: pixels differ between two calls (scratch content/alignment, or unwritten bytes)",
          what, pic->width, pic->height, flags);
    CHECK(with_info ? memcmp(info, &out->info, sizeof *info) == 0 : all_bytes(info, sizeof *info, 0x5A),
          "%s %ux%u: info differs between two calls", what, pic->width, pic->height);
  } else if (again != DGI_OK) {
    CHECK(all_bytes(pixels, DGI_INPUT_SIZE, 0x54) && all_bytes(info, sizeof *info, 0x5A),
          "%s %ux%u: status %d but pixels or info written", what, pic->width, pic->height, (int)again);
  }
  return s;
}

/* ---- argument errors ---------------------------------------------------- */

static void test_status_message(void) {
  const char *m = dgi_status_message(DGI_ERROR_NO_INK);
  int i;
  CHECK(m != NULL && m[0] != '\0', "DGI_ERROR_NO_INK has no message");
  for (i = 0; i < (int)DGI_ERROR_NO_INK; i++)
    CHECK(m == NULL || strcmp(m, dgi_status_message((dgi_status)i)) != 0,
          "DGI_ERROR_NO_INK shares its message with status %d", i);
}

static void test_scratch_sizes(void) {
  static const uint32_t bad[] = {0, MAX_SIDE + 1, MAX_SIDE + 2, 65536, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
  uint32_t rng = 99, w, h;
  size_t i, j, s;
  int n;

  max_scratch = dgi_preprocess_scratch_size(128, 128);
  CHECK(max_scratch > 0 && max_scratch <= 145 * 1024, "scratch for 128x128: %lu", (unsigned long)max_scratch);
  CHECK(dgi_preprocess_scratch_size(28, 28) > 0 && dgi_preprocess_scratch_size(28, 28) <= 15 * 1024,
        "scratch for 28x28: %lu", (unsigned long)dgi_preprocess_scratch_size(28, 28));
  CHECK(dgi_preprocess_scratch_size(64, 64) <= 43 * 1024, "scratch for 64x64: %lu",
        (unsigned long)dgi_preprocess_scratch_size(64, 64));
  CHECK(dgi_preprocess_scratch_size(MAX_SIDE, MAX_SIDE) == max_scratch, "scratch for the largest image %lu",
        (unsigned long)dgi_preprocess_scratch_size(MAX_SIDE, MAX_SIDE));
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(dgi_preprocess_scratch_size(bad[i], 28) == 0, "scratch size for width %u", bad[i]);
    CHECK(dgi_preprocess_scratch_size(28, bad[i]) == 0, "scratch size for height %u", bad[i]);
    for (j = 0; j < sizeof bad / sizeof *bad; j++)
      CHECK(dgi_preprocess_scratch_size(bad[i], bad[j]) == 0, "scratch size for %ux%u", bad[i], bad[j]);
    CHECK(dgi_preprocess_scratch_size(bad[i], MAX_SIDE) == 0 && dgi_preprocess_scratch_size(MAX_SIDE, bad[i]) == 0,
          "scratch size for %u and the largest side", bad[i]);
  }
  /* Positive for every valid size, never above the 128x128 value; images
     of 128 or more on both sides need exactly that. */
  for (n = 0; n < 20000; n++) {
    w = 1 + (n % 4 == 0 ? lcg_below(&rng, MAX_SIDE) : lcg_below(&rng, 600));
    h = 1 + (n % 3 == 0 ? lcg_below(&rng, MAX_SIDE) : lcg_below(&rng, 600));
    s = dgi_preprocess_scratch_size(w, h);
    CHECK(s > 0 && s <= max_scratch, "scratch size for %ux%u: %lu", w, h, (unsigned long)s);
    if (w >= 128 && h >= 128 && w % 128 == 0 && h % 128 == 0)
      CHECK(s == max_scratch, "scratch size for %ux%u: %lu", w, h, (unsigned long)s);
  }
  for (w = 1; w <= 300; w++) {
    CHECK(dgi_preprocess_scratch_size(w, 1) > 0 && dgi_preprocess_scratch_size(1, w) > 0 &&
              dgi_preprocess_scratch_size(w, MAX_SIDE) <= max_scratch,
          "scratch size for width %u", w);
  }
}

/* One call that must fail with `want`, writing nothing. */
static void expect_error(const char *what, dgi_status want, const uint8_t *image, uint32_t w, uint32_t h,
                         size_t stride, uint32_t flags, void *scratch, size_t scratch_size, int null_pixels,
                         int null_info) {
  uint8_t *pixels = guarded_tail(&g_pixels, DGI_INPUT_SIZE);
  dgi_preprocess_info *info = (dgi_preprocess_info *)guarded_tail(&g_info, sizeof(dgi_preprocess_info));
  dgi_status s;
  memset(pixels, 0xAB, DGI_INPUT_SIZE);
  memset(info, 0xA5, sizeof *info);
  s = dgi_preprocess(image, w, h, stride, flags, scratch, scratch_size, null_pixels ? NULL : pixels,
                     null_info ? NULL : info);
  CHECK(s == want, "%s: status %d (%s), expected %d (%s)", what, (int)s, dgi_status_message(s), (int)want,
        dgi_status_message(want));
  CHECK(all_bytes(pixels, DGI_INPUT_SIZE, 0xAB) && all_bytes(info, sizeof *info, 0xA5),
        "%s: pixels or info written on failure", what);
}

static void test_arguments(void) {
  enum { W = 200, H = 150 };
  static const uint32_t bad_flags[] = {3, 4, 5, 8, 0x10, 0x100, 0x80000000u, 0x80000001u, 0xFFFFFFFFu};
  guarded image_buffer;
  uint8_t *image;
  picture pic;
  size_t n = dgi_preprocess_scratch_size(W, H), small = dgi_preprocess_scratch_size(28, 28), i;
  unsigned char *scratch = guarded_tail(&g_scratch, n);
  outcome ok;
  char what[96];

  guarded_init(&image_buffer, (size_t)W * H);
  image = guarded_tail(&image_buffer, (size_t)W * H);
  pic.pixels = image, pic.width = W, pic.height = H, pic.stride = W;
  pic_fill(&pic, 235);
  pic_digit(&pic, 7, 16 * 70, 16 * 45, 16 * 45, 16 * 60, 16 * 4, 30);
  CHECK(exercise("a drawn seven", &pic, DGI_INK_AUTO, 1, &ok) == DGI_OK && ok.info.ink == DGI_INK_DARK,
        "a dark seven on light paper: status %d, ink %u", (int)ok.status, ok.info.ink);
  CHECK(ok.info.paper == 235, "paper of a seven on uniform 235: %u", ok.info.paper);
  CHECK(ok.info.x >= 60 && ok.info.x <= 75 && ok.info.y >= 38 && ok.info.y <= 50 && ok.info.width >= 40 &&
            ok.info.width <= 55 && ok.info.height >= 55 && ok.info.height <= 70,
        "box of the seven drawn at 70,45 45x60: %u,%u %ux%u", ok.info.x, ok.info.y, ok.info.width,
        ok.info.height);
  CHECK(n >= small, "scratch for 200x150 (%lu) below 28x28's (%lu)", (unsigned long)n, (unsigned long)small);

  /* DGI_ERROR_ARGUMENT: image or pixels NULL, whatever else is wrong. */
  expect_error("image NULL", DGI_ERROR_ARGUMENT, NULL, W, H, W, 0, scratch, n, 0, 0);
  expect_error("image NULL, info NULL", DGI_ERROR_ARGUMENT, NULL, W, H, W, 0, scratch, n, 0, 1);
  expect_error("pixels NULL", DGI_ERROR_ARGUMENT, image, W, H, W, 0, scratch, n, 1, 0);
  expect_error("image and pixels NULL", DGI_ERROR_ARGUMENT, NULL, W, H, W, 0, scratch, n, 1, 1);
  expect_error("image NULL and width 0", DGI_ERROR_ARGUMENT, NULL, 0, H, W, 0, scratch, n, 0, 0);
  expect_error("image NULL and bad flags", DGI_ERROR_ARGUMENT, NULL, W, H, W, 7, scratch, n, 0, 0);
  expect_error("image NULL and scratch NULL", DGI_ERROR_ARGUMENT, NULL, W, H, W, 0, NULL, 0, 0, 0);
  expect_error("pixels NULL and stride < width", DGI_ERROR_ARGUMENT, image, W, H, W - 1, 0, scratch, n, 1, 0);
  expect_error("pixels NULL and scratch NULL", DGI_ERROR_ARGUMENT, image, W, H, W, 0, NULL, n, 1, 0);

  /* DGI_ERROR_IMAGE: sizes, stride, flags; before any scratch check. */
  expect_error("width 0", DGI_ERROR_IMAGE, image, 0, H, W, 0, scratch, n, 0, 0);
  expect_error("height 0", DGI_ERROR_IMAGE, image, W, 0, W, 0, scratch, n, 0, 0);
  expect_error("0x0", DGI_ERROR_IMAGE, image, 0, 0, 0, 0, scratch, n, 0, 0);
  expect_error("width 0, stride 0", DGI_ERROR_IMAGE, image, 0, 1, 0, 0, scratch, n, 0, 0);
  expect_error("width above the limit", DGI_ERROR_IMAGE, image, MAX_SIDE + 1, 1, MAX_SIDE + 1, 0, scratch, n, 0, 0);
  expect_error("height above the limit", DGI_ERROR_IMAGE, image, 1, MAX_SIDE + 1, 1, 0, scratch, n, 0, 0);
  expect_error("width 2^32-1", DGI_ERROR_IMAGE, image, 0xFFFFFFFFu, 1, (size_t)0xFFFFFFFFu, 0, scratch, n, 0, 0);
  expect_error("height 2^32-1", DGI_ERROR_IMAGE, image, 1, 0xFFFFFFFFu, 1, 0, scratch, n, 0, 0);
  expect_error("height 2^31", DGI_ERROR_IMAGE, image, 1, 0x80000000u, 1, 0, scratch, n, 0, 0);
  expect_error("stride = width - 1", DGI_ERROR_IMAGE, image, W, H, W - 1, 0, scratch, n, 0, 0);
  expect_error("stride 0", DGI_ERROR_IMAGE, image, W, H, 0, 0, scratch, n, 0, 0);
  expect_error("stride 1, width 2", DGI_ERROR_IMAGE, image, 2, 1, 1, 0, scratch, n, 0, 0);
  for (i = 0; i < sizeof bad_flags / sizeof *bad_flags; i++) {
    snprintf(what, sizeof what, "flags %#x", bad_flags[i]);
    expect_error(what, DGI_ERROR_IMAGE, image, W, H, W, bad_flags[i], scratch, n, 0, 0);
    snprintf(what, sizeof what, "flags %#x, no info", bad_flags[i]);
    expect_error(what, DGI_ERROR_IMAGE, image, W, H, W, bad_flags[i], scratch, n, 0, 1);
  }
  expect_error("width 0 and scratch NULL", DGI_ERROR_IMAGE, image, 0, H, W, 0, NULL, 0, 0, 0);
  expect_error("bad flags and scratch NULL", DGI_ERROR_IMAGE, image, W, H, W, 3, NULL, 0, 0, 0);
  expect_error("stride < width and scratch too small", DGI_ERROR_IMAGE, image, W, H, W - 1, 0, scratch, 1, 0, 0);
  /* Rows that cannot be addressed: (height - 1) * stride overflows. No
     such buffer can exist; the library must not compute addresses from it. */
  expect_error("(height-1)*stride overflows", DGI_ERROR_IMAGE, image, W, H, (size_t)-1 / 2, 0, scratch, n, 0, 0);
  expect_error("(height-1)*stride overflows, stride 2^63-ish", DGI_ERROR_IMAGE, image, W, 3,
               (size_t)-1 / 2 - 5, 0, scratch, n, 0, 0);
  expect_error("stride SIZE_MAX, height 2", DGI_ERROR_IMAGE, image, W, 2, (size_t)-1, 0, scratch, n, 0, 0);

  /* DGI_ERROR_SCRATCH: NULL or smaller than the documented size. */
  expect_error("scratch NULL", DGI_ERROR_SCRATCH, image, W, H, W, 0, NULL, n, 0, 0);
  expect_error("scratch NULL, size 0", DGI_ERROR_SCRATCH, image, W, H, W, 0, NULL, 0, 0, 0);
  expect_error("scratch size 0", DGI_ERROR_SCRATCH, image, W, H, W, 0, scratch, 0, 0, 0);
  /* A size above PTRDIFF_MAX is no buffer's: an argument error. */
  expect_error("scratch_size SIZE_MAX", DGI_ERROR_ARGUMENT, image, W, H, W, 0, scratch, (size_t)-1, 0, 0);
  expect_error("scratch_size PTRDIFF_MAX + 1", DGI_ERROR_ARGUMENT, image, W, H, W, 0, scratch, (size_t)-1 / 2 + 1, 0,
               0);
  expect_error("scratch one byte short", DGI_ERROR_SCRATCH, image, W, H, W, 0, guarded_tail(&g_scratch, n - 1),
               n - 1, 0, 0);
  expect_error("scratch for 28x28", DGI_ERROR_SCRATCH, image, W, H, W, 0, guarded_tail(&g_scratch, small), small, 0, 0);
  expect_error("scratch one byte short, forced dark", DGI_ERROR_SCRATCH, image, W, H, W, DGI_INK_DARK,
               guarded_tail(&g_scratch, n - 1), n - 1, 0, 1);

  /* DGI_ERROR_NO_INK comes last: only with valid arguments. */
  pic_fill(&pic, 200);
  expect_error("uniform image", DGI_ERROR_NO_INK, image, W, H, W, 0, scratch, n, 0, 0);
  expect_error("uniform image, no info", DGI_ERROR_NO_INK, image, W, H, W, 0, scratch, n, 0, 1);
  expect_error("uniform image, scratch short", DGI_ERROR_SCRATCH, image, W, H, W, 0, scratch, n - 1, 0, 0);
  guarded_free(&image_buffer);
}

/* A stride above PTRDIFF_MAX with one row is valid by the header's words
   (stride >= width); the row address never uses it. Accepting it, or
   rejecting it as DGI_ERROR_IMAGE like dgi_model_open's sizes above
   PTRDIFF_MAX, are both safe; anything else is not. */
static void test_huge_stride_single_row(void) {
  enum { W = 60 };
  guarded image_buffer;
  picture pic;
  outcome plain, wide;
  size_t strides[3];
  int i;
  strides[0] = (size_t)-1 / 2; /* PTRDIFF_MAX on the usual ABIs */
  strides[1] = (size_t)-1 / 2 + 1;
  strides[2] = (size_t)-1;
  guarded_init(&image_buffer, W);
  pic.pixels = guarded_tail(&image_buffer, W), pic.width = W, pic.height = 1, pic.stride = W;
  pic_fill(&pic, 255);
  memset(pic.pixels + 20, 0, 15);
  guarded_protect(&image_buffer, 0);
  exercise("one row", &pic, DGI_INK_AUTO, 1, &plain);
  pic.stride = strides[0];
  exercise("one row, stride PTRDIFF_MAX", &pic, DGI_INK_AUTO, 1, &wide);
  CHECK(wide.status == plain.status && memcmp(&wide, &plain, sizeof wide) == 0,
        "one row with stride PTRDIFF_MAX: status %d, with stride = width %d", (int)wide.status, (int)plain.status);
  for (i = 1; i < 3; i++) {
    uint8_t *pixels = guarded_tail(&g_pixels, DGI_INPUT_SIZE);
    dgi_status s;
    memset(pixels, 0xAB, DGI_INPUT_SIZE);
    s = dgi_preprocess(pic.pixels, W, 1, strides[i], DGI_INK_AUTO, guarded_tail(&g_scratch, max_scratch),
                       max_scratch, pixels, NULL);
    CHECK(s == DGI_ERROR_IMAGE ? all_bytes(pixels, DGI_INPUT_SIZE, 0xAB)
                               : s == plain.status && memcmp(pixels, plain.pixels, DGI_INPUT_SIZE) == 0,
          "one row with stride %#lx: status %d", (unsigned long)strides[i], (int)s);
  }
  guarded_free(&image_buffer);
}

/* ---- guard pages ----------------------------------------------------------- */

/* Where the image goes in its guarded buffer: its last byte right before
   the trailing guard page, or its first right after the leading one. */
static picture place(const guarded *g, uint32_t w, uint32_t h, size_t stride, int at_head) {
  picture pic;
  size_t need = (size_t)(h - 1) * stride + w;
  pic.pixels = at_head ? guarded_head(g) : guarded_tail(g, need);
  pic.width = w, pic.height = h, pic.stride = stride;
  return pic;
}

/* Random bytes everywhere the image may not be read: between rows. */
static void fill_padding(picture *pic) {
  size_t need = (size_t)(pic->height - 1) * pic->stride + pic->width, i;
  for (i = 0; i < need; i++) pic->pixels[i] = (uint8_t)(lcg_next(&g_rng) >> 24);
}

static void test_guard_pages(void) {
  static const uint32_t sizes[][2] = {
      {1, 1},    {1, 2},  {2, 1},     {1, 50},   {50, 1},  {1, 1000}, {1000, 1}, {2, 2},   {3, 3},
      {28, 28},  {129, 7}, {7, 129},  {300, 200}, {200, 300}, {1000, 40}, {40, 1000}, {128, 128}, {255, 257},
      {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}}; /* zeros: random sizes */
  static const uint32_t flags[] = {DGI_INK_AUTO, DGI_INK_DARK, DGI_INK_LIGHT};
  uint32_t rng = 2024;
  size_t k;
  int pad, at_head, content, f;
  guarded g;
  char what[96];

  for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    uint32_t w = sizes[k][0] ? sizes[k][0] : 1 + lcg_below(&rng, 700);
    uint32_t h = sizes[k][1] ? sizes[k][1] : 1 + lcg_below(&rng, 700);
    size_t n = dgi_preprocess_scratch_size(w, h);
    guarded_init(&g, (size_t)(h - 1) * (w + 61) + w);
    for (pad = 0; pad < 2; pad++) {
      size_t stride = w + (pad ? 1 + lcg_below(&rng, 60) : 0);
      for (at_head = 0; at_head < 2; at_head++) {
        picture pic = place(&g, w, h, stride, at_head);
        for (content = 0; content < 3; content++) {
          guarded_protect(&g, 1);
          fill_padding(&pic);
          if (content == 0) { /* a dark digit on light paper */
            pic_fill(&pic, 240);
            pic_digit(&pic, (int)(k % 10), 16 * (int32_t)w / 5, 16 * (int32_t)h / 6, 16 * (int32_t)w * 3 / 5,
                      16 * (int32_t)h * 2 / 3, 16 * (int32_t)(w < h ? w : h) / 12 + 10, 20);
          } else if (content == 1) { /* one dark pixel, last in the image */
            pic_fill(&pic, 250);
            pic.pixels[(size_t)(h - 1) * stride + w - 1] = 0;
          } else {
            pic_random(&pic, (int)lcg_below(&rng, PIC_KINDS), &rng);
          }
          guarded_protect(&g, 0); /* the image is only read */
          for (f = 0; f < 3; f++) {
            outcome o;
            snprintf(what, sizeof what, "guarded %s content %d pad %d", at_head ? "head" : "tail", content, pad);
            exercise(what, &pic, flags[f], f != 1, &o);
          }
          expect_error("guarded, scratch one byte short", DGI_ERROR_SCRATCH, pic.pixels, w, h, stride, 0,
                       guarded_tail(&g_scratch, n - 1), n - 1, 0, 0);
        }
      }
    }
    guarded_free(&g);
  }
}

/* The largest sides, and an image too large to be anything but a test of
   cost; each against guard pages. */
static void test_large(void) {
  guarded g;
  picture pic;
  outcome o, o2;
  uint32_t w, h;

  /* 32768 x 1 and 1 x 32768: a dark dash in a long strip. */
  for (w = 0; w < 2; w++) {
    uint32_t width = w ? MAX_SIDE : 1, height = w ? 1 : MAX_SIDE;
    guarded_init(&g, MAX_SIDE);
    pic = place(&g, width, height, width, 0);
    pic_fill(&pic, 230);
    memset(pic.pixels + 20000, 10, 300);
    guarded_protect(&g, 0);
    CHECK(exercise("largest strip", &pic, DGI_INK_AUTO, 1, &o) == DGI_OK && o.info.ink == DGI_INK_DARK,
          "a dash in a %ux%u strip: status %d", width, height, (int)o.status);
    CHECK(o.status != DGI_OK || (w ? o.info.x : o.info.y) == 20000,
          "a dash at 20000 in a %ux%u strip found at %u,%u", width, height, o.info.x, o.info.y);
    guarded_protect(&g, 1);
    pic.pixels[0] = 0; /* the first pixel darkest: nothing may break */
    guarded_protect(&g, 0);
    exercise("largest strip, dark corner", &pic, DGI_INK_AUTO, 1, &o);
    exercise("largest strip, dark corner", &pic, DGI_INK_LIGHT, 1, &o);
    guarded_free(&g);
  }
  /* MAX_SIDE x 2 with a padded stride; MAX_SIDE + 1 is refused. */
  guarded_init(&g, (size_t)MAX_SIDE + 7 + MAX_SIDE);
  pic = place(&g, MAX_SIDE, 2, MAX_SIDE + 7, 0);
  fill_padding(&pic);
  pic_fill(&pic, 0);
  memset(pic.pixels + 1000, 255, 100);
  memset(pic.pixels + MAX_SIDE + 7 + 1000, 255, 100);
  guarded_protect(&g, 0);
  CHECK(exercise("32768x2", &pic, DGI_INK_AUTO, 1, &o) == DGI_OK && o.info.ink == DGI_INK_LIGHT &&
            o.info.x == 1000 && o.info.width == 100 && o.info.height == 2,
        "32768x2: status %d ink %u box %u,%u %ux%u", (int)o.status, o.info.ink, o.info.x, o.info.y, o.info.width,
        o.info.height);
  expect_error("width 32769", DGI_ERROR_IMAGE, pic.pixels, MAX_SIDE + 1, 1, MAX_SIDE + 1, 0,
               guarded_tail(&g_scratch, max_scratch), max_scratch, 0, 0);
  guarded_free(&g);

  /* 3000 x 2000 with a digit: exactly one of the 128x128 scratch. */
  w = 3000, h = 2000;
  CHECK(dgi_preprocess_scratch_size(w, h) <= max_scratch, "scratch for 3000x2000");
  guarded_init(&g, (size_t)w * h);
  pic = place(&g, w, h, w, 0);
  pic_fill(&pic, 210);
  pic_digit(&pic, 4, 16 * 1200, 16 * 600, 16 * 500, 16 * 700, 16 * 40, 40);
  guarded_protect(&g, 0);
  CHECK(exercise("3000x2000", &pic, DGI_INK_AUTO, 1, &o) == DGI_OK && o.info.ink == DGI_INK_DARK &&
            o.info.paper == 210,
        "a four in 3000x2000: status %d ink %u paper %u", (int)o.status, o.info.ink, o.info.paper);
  /* The same digit drawn at a quarter of the size in a quarter of the
     frame reads nearly the same (the fit is scale-free). */
  guarded_free(&g);
  w = 750, h = 500;
  guarded_init(&g, (size_t)w * h);
  pic = place(&g, w, h, w, 0);
  pic_fill(&pic, 210);
  pic_digit(&pic, 4, 16 * 300, 16 * 150, 16 * 125, 16 * 175, 16 * 10, 40);
  CHECK(exercise("750x500", &pic, DGI_INK_AUTO, 1, &o2) == DGI_OK, "a four in 750x500");
  {
    long diff = 0;
    int i;
    for (i = 0; i < DGI_INPUT_SIZE; i++) diff += labs((long)o.pixels[i] - (long)o2.pixels[i]);
    CHECK(diff < 10 * DGI_INPUT_SIZE, "a four at full and quarter scale differ by %ld per pixel on average",
          diff / DGI_INPUT_SIZE);
  }
  guarded_free(&g);
}

/* ---- properties ------------------------------------------------------------ */

static void test_uniform_and_faint(void) {
  static const uint8_t levels[] = {0, 1, 37, 128, 200, 254, 255};
  static const uint32_t sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {28, 28}, {64, 48}, {129, 7}, {300, 200}, {1000, 40}};
  static const uint32_t flags[] = {DGI_INK_AUTO, DGI_INK_DARK, DGI_INK_LIGHT};
  guarded g;
  size_t k, l;
  int f, amplitude;
  uint32_t rng = 5;

  guarded_init(&g, 300 * 200);
  for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    picture pic = place(&g, sizes[k][0], sizes[k][1], sizes[k][0], 0);
    for (l = 0; l < sizeof levels; l++) {
      pic_fill(&pic, levels[l]);
      for (f = 0; f < 3; f++) {
        outcome o;
        CHECK(exercise("uniform", &pic, flags[f], 1, &o) == DGI_ERROR_NO_INK,
              "uniform %ux%u at %u, flags %u: status %d", pic.width, pic.height, levels[l], flags[f], (int)o.status);
      }
    }
    /* Paper with faint noise (a range of 9 levels of 255): nothing stands out. */
    for (amplitude = 1; amplitude <= 4; amplitude++) {
      outcome o;
      pic_fill(&pic, (uint8_t)(40 + 50 * amplitude));
      pic_noise(&pic, &rng, amplitude);
      CHECK(exercise("faint noise", &pic, DGI_INK_AUTO, 1, &o) == DGI_ERROR_NO_INK,
            "paper with noise +-%d, %ux%u: status %d", amplitude, pic.width, pic.height, (int)o.status);
    }
  }
  guarded_free(&g);
}

/* dgi_preprocess flips dark ink with XOR 255 (= 255 - v) before anything
   else, so an inverted image read as light ink is exactly the original
   read as dark ink, and the other way round. Only info.paper, in input
   units, is mirrored. */
static void test_inversion(void) {
  enum { COUNT = 300, SIDE = 300 };
  static const int kinds[] = {PIC_DIGIT, PIC_DIRTY, PIC_GRADIENT, PIC_SCRIBBLE, PIC_BLOBS, PIC_LINE, PIC_NOISE, PIC_PEPPER};
  guarded a, b;
  uint32_t rng = 77;
  int n, ok = 0, auto_ok = 0;

  guarded_init(&a, SIDE * SIDE);
  guarded_init(&b, SIDE * SIDE);
  for (n = 0; n < COUNT; n++) {
    uint32_t w = 1 + lcg_below(&rng, SIDE), h = 1 + lcg_below(&rng, SIDE);
    picture pic = place(&a, w, h, w, 0), inv = place(&b, w, h, w, 0);
    int clean = n % 4 == 0, mode;
    uint8_t paper = (uint8_t)lcg_below(&rng, 256);
    size_t i;
    outcome o, oi;

    if (clean) { /* a whole digit on uniform paper: its border is all paper */
      uint8_t ink = (uint8_t)(paper > 127 ? paper - 60 - lcg_below(&rng, paper - 59) : paper + 60 + lcg_below(&rng, 196 - paper));
      w = 40 + w % 200, h = 40 + h % 200;
      pic = place(&a, w, h, w, 0), inv = place(&b, w, h, w, 0);
      pic_fill(&pic, paper);
      pic_digit(&pic, n % 10, 16 * (int32_t)w / 4, 16 * (int32_t)h / 4, 16 * (int32_t)w / 2, 16 * (int32_t)h / 2,
                16 * (int32_t)(w < h ? w : h) / 25 + 8, ink);
    } else {
      pic_random(&pic, kinds[n % 8], &rng);
    }
    for (i = 0; i < (size_t)w * h; i++) inv.pixels[i] = (uint8_t)(255 - pic.pixels[i]);
    for (mode = 0; mode < 2; mode++) {
      uint32_t flag = mode ? DGI_INK_LIGHT : DGI_INK_DARK, mirror = mode ? DGI_INK_DARK : DGI_INK_LIGHT;
      exercise("inversion, original", &pic, flag, 1, &o);
      exercise("inversion, inverted", &inv, mirror, 1, &oi);
      CHECK(o.status == oi.status, "inverted %ux%u kind %d: status %d, original %d", w, h, kinds[n % 8],
            (int)oi.status, (int)o.status);
      if (o.status != DGI_OK || oi.status != DGI_OK) continue;
      ok++;
      CHECK(memcmp(o.pixels, oi.pixels, DGI_INPUT_SIZE) == 0, "inverted %ux%u (case %d): other pixels", w, h, n);
      CHECK(oi.info.ink == mirror && o.info.ink == flag && o.info.x == oi.info.x && o.info.y == oi.info.y &&
                o.info.width == oi.info.width && o.info.height == oi.info.height &&
                o.info.components == oi.info.components && o.info.dropped == oi.info.dropped,
            "inverted %ux%u (case %d): other info", w, h, n);
      if (clean)
        CHECK(o.info.paper == paper && oi.info.paper == 255u - paper,
              "clean digit on paper %u: paper %u, inverted %u", paper, o.info.paper, oi.info.paper);
    }
    /* A clean digit is recognised either way round by DGI_INK_AUTO. */
    if (clean) {
      exercise("inversion, auto", &pic, DGI_INK_AUTO, 1, &o);
      exercise("inversion, auto inverted", &inv, DGI_INK_AUTO, 1, &oi);
      auto_ok += o.status == DGI_OK;
      CHECK(o.status == DGI_OK && oi.status == DGI_OK && o.info.ink != oi.info.ink &&
                memcmp(o.pixels, oi.pixels, DGI_INPUT_SIZE) == 0,
            "clean digit %d on %u, %ux%u: auto gives ink %u / %u, status %d / %d", n % 10, paper, w, h, o.info.ink,
            oi.info.ink, (int)o.status, (int)oi.status);
    }
  }
  CHECK(ok > COUNT, "only %d of %d inversion pairs were DGI_OK", ok, 2 * COUNT);
  guarded_free(&a);
  guarded_free(&b);
  (void)auto_ok;
}

/* ---- fuzz ------------------------------------------------------------------ */

static uint32_t random_flags(uint32_t *rng) {
  uint32_t r = lcg_below(rng, 20);
  if (r < 12) return DGI_INK_AUTO;
  if (r < 15) return DGI_INK_DARK;
  if (r < 18) return DGI_INK_LIGHT;
  return r == 18 ? 3 + lcg_below(rng, 5) : lcg_next(rng) | 4;
}

static uint32_t random_side(uint32_t *rng) {
  uint32_t r = lcg_below(rng, 10);
  return r == 0 ? 1 + lcg_below(rng, 4) : r == 1 ? 1 + lcg_below(rng, 40) : 1 + lcg_below(rng, FUZZ_SIDE);
}

static void test_fuzz(void) {
  guarded g, plain;
  uint32_t rng = fuzz_seed;
  unsigned long counts[16] = {0}, by_kind_ok[PIC_KINDS] = {0}, off_centre = 0, blank = 0;
  int n;

  guarded_init(&g, (size_t)(FUZZ_SIDE - 1) * (FUZZ_SIDE + FUZZ_PAD) + FUZZ_SIDE);
  guarded_init(&plain, (size_t)FUZZ_SIDE * FUZZ_SIDE);
  for (n = 0; n < fuzz_count; n++) {
    uint32_t w = random_side(&rng), h = random_side(&rng), flags = random_flags(&rng);
    size_t stride = w + (lcg_below(&rng, 3) == 0 ? 1 + lcg_below(&rng, FUZZ_PAD) : 0);
    int kind = (int)lcg_below(&rng, PIC_KINDS);
    picture pic;
    outcome o, o2;
    dgi_status s;

    guarded_protect(&g, 1);
    pic = place(&g, w, h, stride, n % 2);
    fill_padding(&pic);
    pic_random(&pic, kind, &rng);
    guarded_protect(&g, 0);
    s = exercise("fuzz", &pic, flags, n % 3 != 0, &o);
    counts[s < 16 ? s : 15]++;
    if (s != DGI_OK) continue;
    by_kind_ok[kind]++;

    /* DGI_INK_AUTO decides a polarity; forcing it changes nothing. */
    if (flags == DGI_INK_AUTO) {
      exercise("fuzz, forced as found", &pic, o.info.ink, 1, &o2);
      CHECK(o2.status == DGI_OK && memcmp(&o2, &o, sizeof o) == 0,
            "fuzz %d (%ux%u kind %d): auto found ink %u, forcing it gives status %d and other bytes", n, w, h, kind,
            o.info.ink, (int)o2.status);
    }
    /* Stride padding is never read: the same image packed gives the same. */
    if (stride != w || n % 8 == 0) {
      picture packed = place(&plain, w, h, w, n % 16 < 8);
      uint32_t y;
      guarded_protect(&plain, 1);
      for (y = 0; y < h; y++) memcpy(packed.pixels + (size_t)y * w, pic.pixels + (size_t)y * stride, w);
      guarded_protect(&plain, 0);
      exercise("fuzz, packed", &packed, flags, 1, &o2);
      CHECK(o2.status == DGI_OK && memcmp(&o2, &o, sizeof o) == 0,
            "fuzz %d (%ux%u kind %d): stride %lu and stride %u differ", n, w, h, kind, (unsigned long)stride, w);
    }
    /* The output is a digit centred by mass, as documented. */
    {
      long s_ = 0, sx = 0, sy = 0;
      int x, y;
      for (y = 0; y < 28; y++)
        for (x = 0; x < 28; x++) {
          s_ += o.pixels[y * 28 + x];
          sx += (long)o.pixels[y * 28 + x] * x;
          sy += (long)o.pixels[y * 28 + x] * y;
        }
      if (s_ == 0) {
        if (blank++ < 3)
          printf("fuzz %d (%ux%u kind %d flags %u): DGI_OK, all zero; box %u,%u %ux%u, %u components\n", n, w, h,
                 kind, flags, o.info.x, o.info.y, o.info.width, o.info.height, o.info.components);
      } else if (labs(2 * sx - 28 * s_) > 2 * s_ || labs(2 * sy - 28 * s_) > 2 * s_) {
        off_centre++; /* mass cut off by the frame: a few pepper pictures */
      }
    }
  }
  CHECK(blank == 0, "%lu DGI_OK answers of the fuzz are all zero", blank);
  CHECK(off_centre <= (unsigned long)fuzz_count / 200, "%lu DGI_OK answers have their centre of mass more than 1 px off (14, 14)",
        off_centre);
  printf("fuzz: %d images up to %dx%d: %lu OK, %lu no ink, %lu bad flags; OK by kind:", fuzz_count, FUZZ_SIDE,
         FUZZ_SIDE, counts[DGI_OK], counts[DGI_ERROR_NO_INK], counts[DGI_ERROR_IMAGE]);
  for (n = 0; n < PIC_KINDS; n++) printf(" %lu", by_kind_ok[n]);
  printf("; %lu off centre\n", off_centre);
  CHECK(counts[DGI_OK] > (unsigned long)fuzz_count / 3 && counts[DGI_ERROR_NO_INK] > (unsigned long)fuzz_count / 60,
        "the fuzz should see many of both outcomes: %lu OK, %lu no ink", counts[DGI_OK], counts[DGI_ERROR_NO_INK]);
  guarded_free(&g);
  guarded_free(&plain);
}

/* ---- golden outputs ------------------------------------------------------ */


/* Case i as one line of the golden file (no newline). */
static void golden_line(int i, guarded *g, char *line, size_t size) {
  preprocess_case c = golden_preprocess_case(i);
  uint32_t w = c.width, h = c.height, rng = c.seed, flags = c.flags, y;
  size_t stride = c.stride;
  int kind = c.kind;
  picture pic;
  outcome o;
  uint64_t input = FNV1A64_INIT;

  guarded_protect(g, 1);
  pic = place(g, w, h, stride, 0);
  fill_padding(&pic);
  pic_random(&pic, kind, &rng);
  for (y = 0; y < h; y++) input = fnv1a64(input, pic.pixels + (size_t)y * stride, w);
  guarded_protect(g, 0);
  exercise("golden", &pic, flags, 1, &o);
  if (o.status == DGI_OK) {
    snprintf(line, size, "%d %u %u %u %d %016llx %d %u %u %u %u %u %u %u %u %016llx", i, w, h, flags, kind,
             (unsigned long long)input, (int)o.status, o.info.ink, o.info.x, o.info.y, o.info.width, o.info.height,
             o.info.paper, o.info.components, o.info.dropped,
             (unsigned long long)fnv1a64(FNV1A64_INIT, o.pixels, DGI_INPUT_SIZE));
  } else {
    snprintf(line, size, "%d %u %u %u %d %016llx %d - - - - - - - - -", i, w, h, flags, kind,
             (unsigned long long)input, (int)o.status);
  }
}

static const char golden_header[] =
    "# dgi_preprocess golden outputs, written by `test_preprocess --print` (Tests/c/test_preprocess.c)\n"
    "# and checked by tools/test-c.sh. Inputs are drawn by pic_random() in Tests/c/support.c (integer\n"
    "# arithmetic only) from an LCG seeded with 0x9E3779B9 * (case + 1); rows may be padded (stride),\n"
    "# the padding filled with other LCG bytes. A port or build preprocesses bit-identically if it\n"
    "# reproduces every line. Fields:\n"
    "# case width height flags kind input_fnv1a64 status ink x y width height paper components dropped output_fnv1a64\n"
    "# input_fnv1a64: FNV-1a (64-bit) of the width x height pixels, row by row, without padding;\n"
    "# output_fnv1a64: FNV-1a (64-bit) of the 784 bytes of pixels[]; info and output are '-' unless status is 0.\n";

static void test_golden(const char *dir) {
  char path[4096], want[256], got[256];
  FILE *f;
  guarded g;
  int i = 0, mismatches = 0;
  size_t max = 0, k;

  for (k = 0; k < GOLDEN_CASES; k++) {
    preprocess_case c = golden_preprocess_case((int)k);
    size_t need = (size_t)(c.height - 1) * c.stride + c.width;
    if (need > max) max = need;
  }
  guarded_init(&g, max);
  if (!dir) {
    fputs(golden_header, stdout);
    for (i = 0; i < GOLDEN_CASES; i++) {
      golden_line(i, &g, got, sizeof got);
      printf("%s\n", got);
    }
    guarded_free(&g);
    return;
  }
  snprintf(path, sizeof path, "%s/preprocess-expected.txt", dir);
  if (!(f = fopen(path, "r"))) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  while (fgets(want, sizeof want, f)) {
    if (want[0] == '#') continue;
    want[strcspn(want, "\r\n")] = '\0';
    if (i >= GOLDEN_CASES) {
      CHECK(0, "%s: more than %d cases", path, GOLDEN_CASES);
      break;
    }
    golden_line(i, &g, got, sizeof got);
    CHECK(strcmp(want, got) == 0, "%s case %d:\n  expected %s\n  got      %s", path, i, want, got);
    mismatches += strcmp(want, got) != 0;
    i++;
  }
  fclose(f);
  CHECK(i == GOLDEN_CASES, "%s has %d cases, not %d", path, i, GOLDEN_CASES);
  printf("golden: %d cases of %s, %d differ\n", i, path, mismatches);
  guarded_free(&g);
}

int main(int argc, char **argv) {
  int print = argc == 2 && strcmp(argv[1], "--print") == 0;
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s GOLDEN_DIR [FUZZ_COUNT [FUZZ_SEED]] | --print\n", argv[0]);
    return 2;
  }
  if (argc >= 3) fuzz_count = atoi(argv[2]);
  if (argc >= 4) fuzz_seed = (uint32_t)strtoul(argv[3], NULL, 10);
  max_scratch = dgi_preprocess_scratch_size(128, 128);
  guarded_init(&g_scratch, max_scratch + 8);
  guarded_init(&g_pixels, DGI_INPUT_SIZE);
  guarded_init(&g_info, sizeof(dgi_preprocess_info));
  if (print) {
    test_golden(NULL);
    return check_failed == 0 ? 0 : 1;
  }
  test_status_message();
  test_scratch_sizes();
  test_arguments();
  test_huge_stride_single_row();
  test_guard_pages();
  test_large();
  test_uniform_and_faint();
  test_inversion();
  test_fuzz();
  test_golden(argv[1]);
  guarded_free(&g_scratch);
  guarded_free(&g_pixels);
  guarded_free(&g_info);
  return check_report("preprocess");
}
