/*
** dgi_read_number from C: numbers drawn by support.c's pen (pic_digit),
** read by the shipped model (models/mnist-int8.dgi).
**
**   - "42", "2026", "326 751" (a gap between groups), dark on light and
**     light on dark, on shaded paper, digits of different sizes, a slanted
**     baseline, specks and a dot, a 4 and a 5 in two strokes, touching
**     pairs (split, and flagged DGI_DIGIT_SPLIT): the string read, the
**     boxes in reading order and inside the image;
**   - a single digit reads as dgi_preprocess + dgi_classify read it;
**   - every argument error gives its documented status in the documented
**     order and writes nothing; max_digits 0 counts; DGI_ERROR_TOO_MANY
**     writes the first max_digits; a blank page is DGI_ERROR_NO_INK, a
**     dash DGI_ERROR_NOT_A_DIGIT, both with count 0;
**   - the scratch size: bounded whatever the image (the documented bound,
**     checked over every reduced size), exact (one byte less is refused),
**     and any alignment and content of it gives the same answer; the
**     image, scratch and digits end against inaccessible pages;
**   - random pictures (noise, scribbles, blobs, digits, specks) never crash
**     and give only documented statuses.
**
** Usage: test_read_number GOLDEN_DIR [--print]
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* The documented bound of dgi_read_number_scratch_size, beyond the model's
   own scratch (include/digitinfer.h). */
#define READ_SCRATCH_BOUND (374u * 1024u)
#define MAX_DIGITS 16

static dgi_model model;
static int print_all;

typedef struct reading {
  dgi_status status;
  size_t count;
  char text[MAX_DIGITS + 1];
  dgi_number_digit digits[MAX_DIGITS];
} reading;

static void read_picture(const picture *p, uint32_t flags, reading *r) {
  size_t n = dgi_read_number_scratch_size(&model, p->width, p->height), i;
  void *scratch = malloc(n);
  if (!scratch) exit(2);
  memset(r, 0, sizeof *r);
  r->status = dgi_read_number(&model, p->pixels, p->width, p->height, p->stride, flags, scratch, n, r->digits,
                              MAX_DIGITS, &r->count);
  for (i = 0; i < r->count && i < MAX_DIGITS; i++) r->text[i] = (char)('0' + r->digits[i].result.digit);
  r->text[i] = 0;
  free(scratch);
}

static picture new_picture(uint32_t w, uint32_t h, uint8_t paper) {
  picture p;
  p.width = w, p.height = h, p.stride = w;
  p.pixels = (uint8_t *)malloc((size_t)w * h);
  if (!p.pixels) exit(2);
  pic_fill(&p, paper);
  return p;
}

/* pic_number in pixels. */
static void draw_number(picture *p, const char *text, int32_t x, int32_t y, int32_t w, int32_t h, int32_t advance,
                        int32_t slant, uint8_t ink) {
  pic_number(p, text, 16 * x, 16 * y, 16 * w, 16 * h, 16 * advance, 16 * slant, ink);
}

/* Checks that `r` read `want`, boxes left to right inside the picture. */
static void expect_reading(const char *label, const picture *p, const reading *r, const char *want, int want_split) {
  size_t i;
  int ordered = 1, inside = 1, split = 0;
  if (print_all) printf("%s: status %d, '%s'\n", label, (int)r->status, r->text);
  CHECK(r->status == DGI_OK, "%s: status %d", label, (int)r->status);
  CHECK(strcmp(r->text, want) == 0, "%s: read '%s', want '%s'", label, r->text, want);
  for (i = 0; i < r->count && i < MAX_DIGITS; i++) {
    const dgi_number_digit *d = &r->digits[i];
    if (print_all)
      printf("  %d (%.3f) box %u,%u %ux%u%s\n", d->result.digit, d->result.confidence, d->x, d->y, d->width,
             d->height, d->flags & DGI_DIGIT_SPLIT ? " split" : "");
    inside &= d->width > 0 && d->height > 0 && d->x + d->width <= p->width && d->y + d->height <= p->height;
    /* Reading order; neighbours overlap by at most a third of the narrower. */
    if (i > 0) {
      const dgi_number_digit *e = &r->digits[i - 1];
      uint32_t narrow = d->width < e->width ? d->width : e->width;
      ordered &= e->x < d->x && e->x + e->width <= d->x + narrow / 3;
    }
    split += (d->flags & DGI_DIGIT_SPLIT) != 0;
  }
  CHECK(inside, "%s: a box outside the picture", label);
  CHECK(ordered, "%s: boxes not in reading order", label);
  if (want_split >= 0) CHECK(split == want_split, "%s: %d split digits, want %d", label, split, want_split);
}

/* A number drawn on plain paper (or paper shading from `paper` on the left
   to `shade` on the right, when shade is set), with noise of amplitude
   `noise` over it when set. */
typedef struct number_case {
  const char *label, *text, *want;
  uint32_t width, height;
  uint8_t paper, shade, noise, ink;
  int32_t x, y, w, h, advance, slant;
  int want_split;
} number_case;

static const number_case number_cases[] = {
    {"42", "42", "42", 300, 120, 235, 0, 0, 30, 80, 95, 44, 70, 70, 0, 0},
    {"2026 on shaded paper", "2026", "2026", 420, 110, 230, 170, 6, 40, 40, 90, 50, 70, 90, 0, 0},
    {"2026 light on dark", "2026", "2026", 420, 110, 20, 0, 0, 220, 40, 90, 50, 70, 90, 0, 0}, /* chalk on a board */
    {"326 751", "326 751", "326751", 640, 110, 240, 0, 0, 25, 30, 90, 44, 64, 80, 0, 0},
    {"slanted 90817", "90817", "90817", 520, 170, 240, 0, 0, 25, 30, 140, 44, 64, 90, 8, 0}, /* rises 8 px a digit */
    {"7305 small in a 2400x1800 photo", "7305", "7305", 2400, 1800, 210, 150, 5, 40, 1000, 950, 40, 60, 60, 0, 0},
    {"touching 27", "27", "27", 260, 110, 235, 0, 0, 30, 40, 90, 56, 70, 52, 0, 2}, /* the 2's foot runs into the 7 */
};

static void read_cases(void) {
  reading r;
  picture p;
  uint32_t rng = 77;
  size_t i;

  for (i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
    const number_case *c = &number_cases[i];
    p = new_picture(c->width, c->height, c->paper);
    if (c->shade) pic_gradient(&p, c->paper, c->shade);
    draw_number(&p, c->text, c->x, c->y, c->w, c->h, c->advance, c->slant, c->ink);
    if (c->noise) pic_noise(&p, &rng, c->noise);
    read_picture(&p, DGI_INK_AUTO, &r);
    expect_reading(c->label, &p, &r, c->want, c->want_split);
    free(p.pixels);
  }

  p = new_picture(420, 160, 230); /* sizes 50 to 110 px */
  draw_number(&p, "3", 30, 130, 60, 110, 0, 0, 30);
  draw_number(&p, "8", 140, 130, 40, 50, 0, 0, 30);
  draw_number(&p, "6", 230, 130, 50, 80, 0, 0, 30);
  draw_number(&p, "4", 320, 130, 55, 95, 0, 0, 30);
  read_picture(&p, DGI_INK_AUTO, &r);
  expect_reading("sizes 3864", &p, &r, "3864", 0);
  free(p.pixels);

  p = new_picture(400, 120, 235); /* specks, a dot, a speck line */
  draw_number(&p, "45", 60, 95, 50, 70, 110, 0, 30);
  pic_stroke(&p, 16 * 200, 16 * 90, 16 * 200, 16 * 90, 40, 30); /* a decimal point */
  pic_stroke(&p, 16 * 20, 16 * 20, 16 * 21, 16 * 21, 24, 30);
  pic_stroke(&p, 16 * 330, 16 * 30, 16 * 331, 16 * 30, 24, 30);
  pic_stroke(&p, 16 * 280, 16 * 100, 16 * 282, 16 * 101, 20, 30);
  read_picture(&p, DGI_INK_AUTO, &r);
  expect_reading("45 with specks (4 and 5 in two strokes)", &p, &r, "45", 0);
  free(p.pixels);

  p = new_picture(300, 110, 235);
  draw_number(&p, "30", 40, 90, 56, 70, 50, 0, 30);
  draw_number(&p, "8", 170, 90, 50, 70, 0, 0, 30);
  read_picture(&p, DGI_INK_AUTO, &r);
  expect_reading("touching 30 then 8", &p, &r, "308", 2);
  free(p.pixels);
}

/* One digit: the same answer as dgi_preprocess + dgi_classify. */
static void single_digits(void) {
  size_t pn = dgi_preprocess_scratch_size(120, 100), mn = dgi_model_scratch_size(&model);
  void *ps = malloc(pn), *ms = malloc(mn);
  int d, same = 0, same_pixels = 0;
  for (d = 0; d < 10; d++) {
    picture p = new_picture(120, 100, 225);
    uint8_t pixels[784];
    dgi_result want;
    reading r;
    pic_digit(&p, d, 16 * 40, 16 * 15, 16 * 42, 16 * 70, 16 * 5, 35);
    if (dgi_preprocess(p.pixels, 120, 100, 120, 0, ps, pn, pixels, NULL) != DGI_OK ||
        dgi_classify(&model, pixels, ms, mn, &want) != DGI_OK)
      want.digit = -2;
    read_picture(&p, DGI_INK_AUTO, &r);
    same += r.status == DGI_OK && r.count == 1 && r.digits[0].result.digit == want.digit;
    same_pixels += r.count == 1 && memcmp(r.digits[0].pixels, pixels, 784) == 0;
    free(p.pixels);
  }
  CHECK(same == 10, "single digits: %d of 10 read as dgi_preprocess + dgi_classify read them", same);
  /* Images under 128 px are not reduced by either, and a clean digit keeps
     the same strokes: the model inputs are the very same bytes. */
  CHECK(same_pixels == 10, "single digits: %d of 10 with dgi_preprocess's exact pixels", same_pixels);
  free(ps);
  free(ms);
}

static void arguments(void) {
  picture p = new_picture(200, 100, 235);
  size_t n, count = 99;
  unsigned char *scratch;
  dgi_number_digit digits[3], blank;
  dgi_model closed;
  draw_number(&p, "712", 20, 85, 40, 64, 60, 0, 30);
  n = dgi_read_number_scratch_size(&model, 200, 100);
  scratch = (unsigned char *)malloc(n);
  memset(digits, 0xAB, sizeof digits);
  memset(&blank, 0xAB, sizeof blank);
  memset(&closed, 0, sizeof closed);

  CHECK(n > 0, "scratch size %lu", (unsigned long)n);
  CHECK(dgi_read_number_scratch_size(NULL, 200, 100) == 0, "NULL model has no scratch size");
  CHECK(dgi_read_number_scratch_size(&closed, 200, 100) == 0, "closed model has no scratch size");
  CHECK(dgi_read_number_scratch_size(&model, 0, 100) == 0, "width 0");
  CHECK(dgi_read_number_scratch_size(&model, 100, 0) == 0, "height 0");
  CHECK(dgi_read_number_scratch_size(&model, DGI_PREPROCESS_MAX_SIDE + 1, 1) == 0, "too wide");

#define READ(m, img, w, h, s, f, sc, sn, d, md, c) dgi_read_number(m, img, w, h, s, f, sc, sn, d, md, c)
  CHECK(READ(NULL, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_ARGUMENT, "NULL model");
  CHECK(READ(&closed, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_NOT_OPEN, "closed");
  CHECK(READ(&model, NULL, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_ARGUMENT, "NULL image");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, NULL) == DGI_ERROR_ARGUMENT, "NULL count");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, NULL, 3, &count) == DGI_ERROR_ARGUMENT, "NULL digits");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, (size_t)-1, digits, 3, &count) == DGI_ERROR_ARGUMENT,
        "scratch_size above PTRDIFF_MAX");
  CHECK(READ(&model, p.pixels, 0, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_IMAGE, "width 0");
  CHECK(READ(&model, p.pixels, 200, 0, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_IMAGE, "height 0");
  CHECK(READ(&model, p.pixels, 200, 100, 199, 0, scratch, n, digits, 3, &count) == DGI_ERROR_IMAGE, "stride");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 3, scratch, n, digits, 3, &count) == DGI_ERROR_IMAGE, "flags");
  CHECK(READ(&model, p.pixels, 200, 100, (size_t)-1 / 2, 0, scratch, n, digits, 3, &count) == DGI_ERROR_IMAGE,
        "stride overflow");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, NULL, n, digits, 3, &count) == DGI_ERROR_SCRATCH, "NULL scratch");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n - 1, digits, 3, &count) == DGI_ERROR_SCRATCH,
        "scratch one byte short");
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, 0, digits, 3, &count) == DGI_ERROR_SCRATCH, "scratch 0");
  CHECK(count == 99, "count written on an argument error");
  CHECK(memcmp(&digits[0], &blank, sizeof blank) == 0 && memcmp(&digits[2], &blank, sizeof blank) == 0,
        "digits written on an argument error");

  /* Counting only, then too few, then enough. */
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, NULL, 0, &count) == DGI_ERROR_TOO_MANY && count == 3,
        "max_digits 0: TOO_MANY, count %lu", (unsigned long)count);
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, digits, 2, &count) == DGI_ERROR_TOO_MANY && count == 3,
        "max_digits 2: TOO_MANY, count %lu", (unsigned long)count);
  CHECK(digits[0].result.digit == 7 && digits[1].result.digit == 1 && memcmp(&digits[2], &blank, sizeof blank) == 0,
        "max_digits 2 writes the first two only (%d %d)", digits[0].result.digit, digits[1].result.digit);
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_OK && count == 3 &&
            digits[2].result.digit == 2,
        "max_digits 3: OK, count %lu", (unsigned long)count);

  /* Nothing there. */
  pic_fill(&p, 128);
  count = 99;
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_NO_INK && count == 0,
        "blank: NO_INK, count 0");
  CHECK(READ(&model, p.pixels, 1, 1, 1, 0, scratch, n, digits, 3, &count) == DGI_ERROR_NO_INK, "1x1");
  /* Ink, but nothing the model reads as a digit: a long dash. */
  pic_stroke(&p, 16 * 30, 16 * 50, 16 * 170, 16 * 50, 16 * 4, 20);
  count = 99;
  CHECK(READ(&model, p.pixels, 200, 100, 200, 0, scratch, n, digits, 3, &count) == DGI_ERROR_NOT_A_DIGIT && count == 0,
        "a dash: NOT_A_DIGIT, count 0 (count %lu)", (unsigned long)count);
  CHECK(strstr(dgi_status_message(DGI_ERROR_NOT_A_DIGIT), "none of the ink") != NULL, "NOT_A_DIGIT has its message");
  CHECK(strstr(dgi_status_message(DGI_ERROR_TOO_MANY), "max_digits") != NULL, "TOO_MANY has its message");
#undef READ
  free(scratch);
  free(p.pixels);
}

/* The documented bound holds for every reduced size (the size depends only
   on it), and for images up to the largest. */
static void scratch_bound(void) {
  size_t model_scratch = dgi_model_scratch_size(&model), largest = 0, s;
  uint32_t w, h;
  int over = 0;
  for (w = 1; w <= 1024; w++) {
    for (h = 1; (uint64_t)w * h <= 32768; h = h < 40 ? h + 1 : h + h / 16) {
      s = dgi_read_number_scratch_size(&model, w, h);
      if (s > largest) largest = s;
      over += s == 0 || s > READ_SCRATCH_BOUND + model_scratch;
    }
    s = dgi_read_number_scratch_size(&model, w, 32768 / w);
    if (s > largest) largest = s;
    over += s > READ_SCRATCH_BOUND + model_scratch;
  }
  CHECK(over == 0, "%d sizes above the bound", over);
  /* Images that are reduced get the largest, room to analyse the number's
     own extent again at any reduction. */
  s = dgi_read_number_scratch_size(&model, DGI_PREPROCESS_MAX_SIDE, DGI_PREPROCESS_MAX_SIDE);
  CHECK(s == largest, "largest image: %lu, largest reduced size %lu", (unsigned long)s, (unsigned long)largest);
  s = dgi_read_number_scratch_size(&model, DGI_PREPROCESS_MAX_SIDE, 1);
  CHECK(s == largest, "32768x1: %lu", (unsigned long)s);
  s = dgi_read_number_scratch_size(&model, 4000, 3000);
  CHECK(s == largest, "4000x3000: %lu", (unsigned long)s);
  s = dgi_read_number_scratch_size(&model, 200, 100);
  CHECK(s > 0 && s < largest, "200x100: %lu", (unsigned long)s);
  if (print_all)
    printf("largest scratch %lu = model %lu + %lu\n", (unsigned long)largest, (unsigned long)model_scratch,
           (unsigned long)(largest - model_scratch));
}

/* Random pictures against guard pages: documented statuses only, and the
   same answer with a misaligned scratch full of noise. */
static void hostile(void) {
  guarded g_image, g_scratch, g_digits;
  uint32_t rng = 4242;
  uint64_t seed = 99;
  int i, bad = 0, differ = 0;
  guarded_init(&g_image, 260 * 260);
  guarded_init(&g_scratch, 600 * 1024);
  guarded_init(&g_digits, 8 * sizeof(dgi_number_digit));
  for (i = 0; i < 300; i++) {
    uint32_t w = 1 + lcg_below(&rng, 260), h = 1 + lcg_below(&rng, 260);
    picture p;
    size_t n = dgi_read_number_scratch_size(&model, w, h), c1 = 0, c2 = 0, k;
    unsigned char *scratch = guarded_tail(&g_scratch, n);
    dgi_number_digit *digits = (dgi_number_digit *)guarded_tail(&g_digits, 8 * sizeof(dgi_number_digit));
    dgi_number_digit first[8];
    dgi_status s1, s2;
    uint32_t flags = lcg_below(&rng, 3);
    p.width = w, p.height = h, p.stride = w;
    p.pixels = guarded_tail(&g_image, (size_t)w * h);
    pic_random(&p, (int)lcg_below(&rng, PIC_KINDS), &rng);
    guarded_protect(&g_image, 0);
    memset(scratch, 0, n);
    s1 = dgi_read_number(&model, p.pixels, w, h, w, flags, scratch, n, digits, 8, &c1);
    memcpy(first, digits, sizeof first);
    bad += !(s1 == DGI_OK || s1 == DGI_ERROR_NO_INK || s1 == DGI_ERROR_NOT_A_DIGIT || s1 == DGI_ERROR_TOO_MANY);
    /* Misaligned scratch full of noise. */
    scratch = guarded_tail(&g_scratch, n + 3);
    for (k = 0; k < n + 3; k++) scratch[k] = (unsigned char)rng_next(&seed);
    s2 = dgi_read_number(&model, p.pixels, w, h, w, flags, scratch + 3, n, digits, 8, &c2);
    differ += s1 != s2 || c1 != c2 || (c1 > 0 && memcmp(first, digits, (c1 < 8 ? c1 : 8) * sizeof *digits) != 0);
    guarded_protect(&g_image, 1);
  }
  CHECK(bad == 0, "%d random pictures gave an undocumented status", bad);
  CHECK(differ == 0, "%d random pictures read differently with another scratch", differ);
  guarded_free(&g_image);
  guarded_free(&g_scratch);
  guarded_free(&g_digits);
}

int main(int argc, char **argv) {
  char path[4096];
  size_t size;
  unsigned char *bytes;
  if (argc < 2) {
    fprintf(stderr, "usage: %s GOLDEN_DIR [--print]\n", argv[0]);
    return 2;
  }
  print_all = argc > 2 && strcmp(argv[2], "--print") == 0;
  snprintf(path, sizeof path, "%s/../../../models/mnist-int8.dgi", argv[1]);
  bytes = load_file(path, &size);
  if (dgi_model_open(&model, bytes, size) != DGI_OK) {
    fprintf(stderr, "cannot open %s\n", path);
    return 2;
  }
  read_cases();
  single_digits();
  arguments();
  scratch_bound();
  hostile();
  free(bytes);
  return check_report("test_read_number");
}
