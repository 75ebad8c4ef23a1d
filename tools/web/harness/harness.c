/*
** The wasm32 test harness of tools/web/test-wasm.sh: a WASI command linked
** from the very objects of digitinfer.wasm (the runtime built as Embedded
** Swift and tools/web/runtime-shim.c), plus this file and the picture
** generator of the C tests (Tests/c/support.c). wasmkit runs it.
**
**   - the golden vectors (Tests/DigitInferTests/Golden: expected.txt,
**     inputs.bin, tiny.dgi, reference.dgi): dgi_infer must reproduce every
**     int8 logit the host wrote, and dgi_classify the digit and a proper
**     distribution, as Tests/c/test_golden.c checks on the host;
**   - dgi_preprocess: the lines of Golden/preprocess-expected.txt, each
**     input drawn by pic_random() exactly as Tests/c/test_preprocess.c
**     draws it (the line holds the input's checksum, so a drawing that
**     differed would show);
**   - the shipped model (models/mnist-int8.dgi) on models/samples/scan-9.pgm
**     through dgi_preprocess, as digitinfer-cli does on the host, and on
**     the ten digits of pic_digit() drawn dark on a white 280x280 canvas,
**     the way the web page calls the runtime;
**   - dgi_read_number (when the header has it): a number drawn with
**     pic_digit() on a white 560x240 canvas as the page's "a number" pad
**     holds it, read digit for digit with its boxes in reading order, and
**     the argument errors;
**   - the page's bump allocator (web_alloc, web_mark, web_release);
**   - "layout NAME field=offset..." lines: the wasm32 layout of the structs
**     app.js reads (test-wasm.sh compares them with app.js's constants).
**
** The data is compiled in with #embed (the golden directory and the model
** directory are the embed paths). Output goes through WASI fd_write; the
** last line is "wasm: N passed, M failed" and the exit status is 0 only if
** nothing failed. With -DPREPROCESS_STEP=k only every k-th preprocessing
** case runs (the interpreter is slow on the 800x600 ones).
*/
#include <stddef.h>
#include <stdint.h>

#include "digitinfer.h"
#include "support.h"

#ifndef PREPROCESS_STEP
#define PREPROCESS_STEP 1
#endif

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
typedef struct ciovec {
  const void *buf;
  size_t len;
} ciovec;
WASI(fd_write) int32_t fd_write(int32_t fd, const ciovec *iovs, size_t count, size_t *written);
WASI(proc_exit) _Noreturn void proc_exit(int32_t code);

/* tools/web/runtime-shim.c */
void *web_alloc(size_t n);
uintptr_t web_mark(void);
void web_release(uintptr_t mark);

static const unsigned char golden_inputs[] = {
#embed "inputs.bin"
};
static const char golden_expected[] = {
#embed "expected.txt"
    , 0};
static const unsigned char tiny_dgi[] = {
#embed "tiny.dgi"
};
static const unsigned char reference_dgi[] = {
#embed "reference.dgi"
};
static const char preprocess_expected[] = {
#embed "preprocess-expected.txt"
    , 0};
static const unsigned char mnist_dgi[] = {
#embed "mnist-int8.dgi"
};
static const unsigned char scan_9_pgm[] = {
#embed "samples/scan-9.pgm"
};

/* ---- output ---------------------------------------------------------------- */

/* A string being built; silently truncated at its capacity. */
typedef struct text {
  char *p;
  size_t len, cap;
} text;

static void t_char(text *t, char c) {
  if (t->len + 1 < t->cap) t->p[t->len++] = c;
  t->p[t->len] = '\0';
}
static void t_str(text *t, const char *s) {
  while (*s) t_char(t, *s++);
}
static void t_uint(text *t, uint64_t v) {
  char d[24];
  int n = 0;
  do d[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  while (n) t_char(t, d[--n]);
}
static void t_int(text *t, int64_t v) {
  if (v < 0) t_char(t, '-');
  t_uint(t, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}
static void t_hex16(text *t, uint64_t v) {
  int i;
  for (i = 60; i >= 0; i -= 4) t_char(t, "0123456789abcdef"[(v >> i) & 15]);
}
/* A probability as 0.dddddd (six decimals, truncated), for the log. */
static void t_prob(text *t, float p) {
  uint32_t micro = (uint32_t)(p * 1e6f + 0.5f);
  t_uint(t, micro / 1000000);
  t_char(t, '.');
  t_char(t, (char)('0' + micro / 100000 % 10));
  t_char(t, (char)('0' + micro / 10000 % 10));
  t_char(t, (char)('0' + micro / 1000 % 10));
}

static void write_out(const char *s, size_t n) {
  ciovec v;
  size_t written = 0;
  while (n) {
    v.buf = s, v.len = n;
    if (fd_write(1, &v, 1, &written) != 0 || written == 0) return;
    s += written, n -= written;
  }
}
static size_t length(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
static void say(const char *s) { write_out(s, length(s)); }
#define TEXT(name, size) \
  char name##_buf[size]; \
  text name = {name##_buf, 0, size}; \
  name##_buf[0] = '\0'

static unsigned long passed, failed;
/* Counts one check; prints `what` (and detail, if any) when it fails. */
static int expect(int ok, const char *what, const char *detail) {
  if (ok) {
    passed++;
    return 1;
  }
  failed++;
  if (failed <= 25) {
    say("FAILED: ");
    say(what);
    if (detail) {
      say(": ");
      say(detail);
    }
    say("\n");
  }
  return 0;
}

/* ---- parsing the embedded text files ---------------------------------------- */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
static const char *skip_spaces(const char *s) {
  while (is_space(*s)) s++;
  return s;
}
/* A decimal integer, optionally negative; 0 on failure (sets *ok = 0). */
static long parse_int(const char **s, int *ok) {
  const char *p = skip_spaces(*s);
  int negative = *p == '-', digits = 0;
  long v = 0;
  if (negative) p++;
  while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0'), digits++;
  if (!digits) *ok = 0;
  *s = p;
  return negative ? -v : v;
}
/* The next line of a NUL-terminated text: copies it (without '\n') into
   line[cap] and returns where the following one starts, or 0 at the end. */
static const char *next_line(const char *s, char *line, size_t cap) {
  size_t n = 0;
  if (!*s) return 0;
  while (*s && *s != '\n') {
    if (n + 1 < cap && *s != '\r') line[n++] = *s;
    s++;
  }
  line[n] = '\0';
  return *s ? s + 1 : s;
}
static int same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* ---- golden vectors -------------------------------------------------------- */

static const unsigned char *golden_model_bytes(const char *name, size_t *size) {
  if (same(name, "tiny.dgi")) return *size = sizeof tiny_dgi, tiny_dgi;
  if (same(name, "reference.dgi")) return *size = sizeof reference_dgi, reference_dgi;
  return *size = 0, (const unsigned char *)0;
}

static void test_golden_vectors(void) {
  const char *s = golden_expected;
  char line[256], model_name[64] = "", current[64] = "";
  size_t images = sizeof golden_inputs / DGI_INPUT_SIZE, cases = 0, models = 0;
  dgi_model *m = (dgi_model *)web_alloc(sizeof(dgi_model));
  unsigned char *scratch = 0;
  size_t n = 0;
  uintptr_t mark = web_mark();

  expect(sizeof golden_inputs % DGI_INPUT_SIZE == 0 && images > 0, "inputs.bin holds whole images", 0);
  while ((s = next_line(s, line, sizeof line)) != 0) {
    const char *p = skip_spaces(line);
    size_t k = 0, size, index;
    int ok = 1, digit, i, best = 0, in_range = 1;
    int8_t want[10], got[DGI_MAX_CLASSES]; /* dgi_infer writes DGI_MAX_CLASSES, 0 past the model's classes */
    dgi_result r;
    float sum = 0;
    TEXT(what, 160);
    TEXT(detail, 200);

    if (!*p) continue;
    while (*p && !is_space(*p) && k + 1 < sizeof model_name) model_name[k++] = *p++;
    model_name[k] = '\0';
    index = (size_t)parse_int(&p, &ok);
    digit = (int)parse_int(&p, &ok);
    for (i = 0; i < 10; i++) want[i] = (int8_t)parse_int(&p, &ok);
    if (!expect(ok && index < images, "expected.txt line parses", line)) continue;
    if (!same(model_name, current)) {
      const unsigned char *bytes = golden_model_bytes(model_name, &size);
      for (k = 0; k < sizeof current && (current[k] = model_name[k]) != 0; k++) {}
      web_release(mark);
      models++;
      if (!expect(bytes != 0, "expected.txt names a golden model", model_name)) continue;
      expect(dgi_model_open(m, bytes, size) == DGI_OK, "golden model opens", model_name);
      n = dgi_model_scratch_size(m);
      scratch = (unsigned char *)web_alloc(n ? n : 1);
    }
    cases++;
    t_str(&what, model_name), t_str(&what, " #"), t_uint(&what, index);
    if (expect(dgi_infer(m, golden_inputs + index * DGI_INPUT_SIZE, scratch, n, got) == DGI_OK, what.p,
               "dgi_infer failed")) {
      int equal = 1;
      for (i = 0; i < 10; i++) equal &= got[i] == want[i];
      for (i = 10; i < DGI_MAX_CLASSES; i++) equal &= got[i] == 0; /* the golden models have 10 classes */
      t_str(&detail, "logits");
      for (i = 0; i < 10; i++) t_char(&detail, ' '), t_int(&detail, got[i]);
      t_str(&detail, ", expected");
      for (i = 0; i < 10; i++) t_char(&detail, ' '), t_int(&detail, want[i]);
      expect(equal, what.p, detail.p);
    }
    __builtin_memset(&r, 0xFF, sizeof r);
    if (!expect(dgi_classify(m, golden_inputs + index * DGI_INPUT_SIZE, scratch, n, &r) == DGI_OK, what.p,
                "dgi_classify failed"))
      continue;
    for (i = 0; i < 10; i++) {
      in_range &= r.probabilities[i] >= 0.0f && r.probabilities[i] <= 1.0f;
      sum += r.probabilities[i];
      if (want[i] > want[best]) best = i;
    }
    expect(r.digit == digit && digit == best, what.p, "dgi_classify digit differs from expected.txt");
    expect(r.digit >= 0 && r.digit < 10 && r.confidence == r.probabilities[r.digit], what.p,
           "confidence is not probabilities[digit]");
    expect(r.not_a_digit == 0.0f && r.best_digit == r.digit, what.p, "a 10-class model: not_a_digit not 0");
    expect(in_range && __builtin_fabsf(sum - 1.0f) <= 1e-5f, what.p, "probabilities are not a distribution");
  }
  expect(models == 2 && cases == 2 * images, "expected.txt covers two models, every image twice", 0);
  web_release(mark);
  {
    TEXT(t, 120);
    t_str(&t, "golden vectors: ");
    t_uint(&t, cases);
    t_str(&t, " cases (");
    t_uint(&t, images);
    t_str(&t, " images, 2 models)\n");
    say(t.p);
  }
}

/* ---- preprocessing golden lines ------------------------------------------- */


static void preprocess_line(int i, text *line) {
  preprocess_case c = golden_preprocess_case(i);
  uint32_t w = c.width, h = c.height, rng = c.seed, pad = 0xC0FFEEu, y, flags = c.flags;
  size_t stride = c.stride, need = (size_t)(h - 1) * stride + w, k;
  int kind = c.kind;
  uintptr_t mark = web_mark();
  picture pic;
  uint64_t input = FNV1A64_INIT;
  uint8_t *pixels = (uint8_t *)web_alloc(DGI_INPUT_SIZE);
  size_t scratch_size = dgi_preprocess_scratch_size(w, h);
  void *scratch = web_alloc(scratch_size);
  dgi_preprocess_info info;
  dgi_status s;

  pic.pixels = (uint8_t *)web_alloc(need), pic.width = w, pic.height = h, pic.stride = stride;
  if (!pic.pixels || !pixels || !scratch) {
    t_str(line, "out of memory");
    web_release(mark);
    return;
  }
  /* The padding between rows is never read; fill it with noise anyway. */
  for (k = 0; k < need; k++) pic.pixels[k] = (uint8_t)(lcg_next(&pad) >> 24);
  pic_random(&pic, kind, &rng);
  for (y = 0; y < h; y++) input = fnv1a64(input, pic.pixels + (size_t)y * stride, w);
  s = dgi_preprocess(pic.pixels, w, h, stride, flags, scratch, scratch_size, pixels, &info);
  t_uint(line, (uint64_t)i), t_char(line, ' ');
  t_uint(line, w), t_char(line, ' '), t_uint(line, h), t_char(line, ' ');
  t_uint(line, flags), t_char(line, ' '), t_uint(line, (uint64_t)kind), t_char(line, ' ');
  t_hex16(line, input), t_char(line, ' '), t_uint(line, (uint64_t)s);
  if (s == DGI_OK) {
    const uint32_t fields[] = {info.ink, info.x, info.y, info.width, info.height,
                               info.paper, info.components, info.dropped};
    for (k = 0; k < 8; k++) t_char(line, ' '), t_uint(line, fields[k]);
    t_char(line, ' ');
    t_hex16(line, fnv1a64(FNV1A64_INIT, pixels, DGI_INPUT_SIZE));
  } else {
    t_str(line, " - - - - - - - - -");
  }
  web_release(mark);
}

static void test_preprocess_golden(void) {
  const char *s = preprocess_expected;
  char want[256];
  int i = 0, checked = 0;
  while ((s = next_line(s, want, sizeof want)) != 0) {
    if (want[0] == '#' || want[0] == '\0') continue;
    if (i % PREPROCESS_STEP == 0) {
      TEXT(got, 256);
      TEXT(detail, 600);
      preprocess_line(i, &got);
      t_str(&detail, "\n  expected ");
      t_str(&detail, want);
      t_str(&detail, "\n  got      ");
      t_str(&detail, got.p);
      expect(same(want, got.p), "preprocess-expected.txt line", detail.p);
      checked++;
    }
    i++;
  }
  expect(i == GOLDEN_CASES, "preprocess-expected.txt has all the cases", 0);
  {
    TEXT(t, 120);
    t_str(&t, "preprocess golden: ");
    t_uint(&t, (uint64_t)checked);
    t_str(&t, " of ");
    t_uint(&t, (uint64_t)i);
    t_str(&t, " cases\n");
    say(t.p);
  }
}

/* ---- the shipped model, as the CLI and the page use it ------------------------ */

/* The digit dgi_preprocess and dgi_classify find in an image, or -1 - status. */
static int classify_image(const dgi_model *m, const uint8_t *image, uint32_t w, uint32_t h, size_t stride,
                          uint32_t flags, dgi_result *r) {
  uintptr_t mark = web_mark();
  size_t pre = dgi_preprocess_scratch_size(w, h), n = dgi_model_scratch_size(m);
  void *scratch = web_alloc(pre > n ? pre : n);
  uint8_t input[DGI_INPUT_SIZE];
  dgi_status s = dgi_preprocess(image, w, h, stride, flags, scratch, pre, input, 0);
  if (s == DGI_OK) s = dgi_classify(m, input, scratch, n, r);
  web_release(mark);
  return s == DGI_OK ? r->digit : -1 - (int)s;
}

/* A binary PGM (P5, maxval 255): header fields separated by blanks and
   comments. Returns the pixels, or 0. */
static const uint8_t *read_pgm(const unsigned char *b, size_t size, uint32_t *w, uint32_t *h) {
  size_t i = 2;
  long v[3];
  int k;
  if (size < 2 || b[0] != 'P' || b[1] != '5') return 0;
  for (k = 0; k < 3; k++) {
    for (;;) {
      while (i < size && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
      if (i < size && b[i] == '#') {
        while (i < size && b[i] != '\n') i++;
      } else {
        break;
      }
    }
    v[k] = 0;
    while (i < size && b[i] >= '0' && b[i] <= '9') v[k] = v[k] * 10 + (b[i++] - '0');
  }
  i++; /* one blank after maxval */
  if (v[2] != 255 || v[0] <= 0 || v[1] <= 0 || size - i < (size_t)v[0] * (size_t)v[1]) return 0;
  *w = (uint32_t)v[0], *h = (uint32_t)v[1];
  return b + i;
}

static void test_shipped_model(void) {
  dgi_model m;
  dgi_result r;
  uint32_t w = 0, h = 0;
  const uint8_t *scan;
  int d, got;
  TEXT(t, 400);

  if (!expect(dgi_model_open(&m, mnist_dgi, sizeof mnist_dgi) == DGI_OK, "models/mnist-int8.dgi opens", 0))
    return;
  scan = read_pgm(scan_9_pgm, sizeof scan_9_pgm, &w, &h);
  if (expect(scan != 0, "models/samples/scan-9.pgm parses", 0)) {
    got = classify_image(&m, scan, w, h, w, DGI_INK_AUTO, &r);
    t_str(&t, "scan-9.pgm: ");
    t_int(&t, got);
    t_str(&t, " (");
    t_prob(&t, r.confidence);
    t_str(&t, ")\n");
    say(t.p);
    expect(got == 9, "models/samples/scan-9.pgm is a 9", t.p);
  }

  /* The page: dark strokes on a white 280x280 canvas, DGI_INK_DARK. */
  t.len = 0;
  t_str(&t, "drawn on a 280x280 canvas:");
  for (d = 0; d < 10; d++) {
    uintptr_t mark = web_mark();
    picture pic;
    pic.width = pic.height = 280, pic.stride = 280;
    pic.pixels = (uint8_t *)web_alloc(280 * 280);
    pic_fill(&pic, 255);
    pic_digit(&pic, d, 16 * 70, 16 * 40, 16 * 140, 16 * 200, 16 * 9, 0);
    got = classify_image(&m, pic.pixels, 280, 280, 280, DGI_INK_DARK, &r);
    web_release(mark);
    t_char(&t, ' ');
    t_int(&t, got);
    expect(got == d, "pic_digit drawn on a canvas", 0);
  }
  t_char(&t, '\n');
  say(t.p);
}

/* ---- whole numbers, as the page's "a number" pad holds them ------------------- */

#ifdef DGI_DIGIT_SPLIT
/* The digits of `number` drawn dark on white across a w x h canvas as the
   page's test mode draws them: one cell each, 20 pixels of margin. */
static void draw_number(picture *pic, const char *number, uint32_t w, uint32_t h) {
  size_t n = length(number), i;
  int32_t cell = (int32_t)((w - 40) * 16 / n); /* 1/16 pixels, as pic_digit takes them */
  int32_t dw = cell * 6 / 10 < (int32_t)h * 16 / 2 ? cell * 6 / 10 : (int32_t)h * 16 / 2;
  pic->width = w, pic->height = h, pic->stride = w;
  pic_fill(pic, 255);
  for (i = 0; i < n; i++)
    pic_digit(pic, number[i] - '0', 16 * 20 + (int32_t)i * cell + cell / 5, (int32_t)h * 16 * 15 / 100, dw,
              (int32_t)h * 16 * 70 / 100, 16 * 9, 0);
}

static void test_read_number(void) {
  static const char *const numbers[] = {"2026", "7391", "45", "80"};
  const uint32_t w = 560, h = 240;
  dgi_model model, *m = &model;
  static dgi_number_digit digits[8];
  size_t count, i, k, n;
  uintptr_t mark = web_mark();
  uint8_t *image = (uint8_t *)web_alloc(w * h);
  void *scratch;
  picture pic;
  dgi_status s;
  TEXT(t, 400);

  if (!expect(dgi_model_open(m, mnist_dgi, sizeof mnist_dgi) == DGI_OK, "models/mnist-int8.dgi opens", 0)) return;
  n = dgi_read_number_scratch_size(m, w, h);
  scratch = web_alloc(n);
  if (!expect(n > 0 && image && scratch, "dgi_read_number_scratch_size(560x240) > 0", 0)) return;
  pic.pixels = image;
  for (k = 0; k < sizeof numbers / sizeof *numbers; k++) {
    const char *number = numbers[k];
    size_t len = length(number);
    int in_order = 1, right = 1;
    draw_number(&pic, number, w, h);
    count = 99;
    s = dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count);
    t.len = 0;
    t_str(&t, "read_number, drew ");
    t_str(&t, number);
    t_str(&t, ": status ");
    t_int(&t, s);
    t_str(&t, ", read ");
    for (i = 0; i < count && i < 8; i++) {
      const dgi_number_digit *d = &digits[i];
      t_int(&t, d->result.digit);
      if (d->result.digit != number[i] - '0' || i >= len) right = 0;
      /* reading order, inside the image, around the drawn digit's centre */
      if (d->x + d->width > w || d->y + d->height > h || (i > 0 && d->x <= digits[i - 1].x)) in_order = 0;
    }
    t_char(&t, '\n');
    say(t.p);
    expect(s == DGI_OK && count == len && right, "dgi_read_number reads the drawn number", t.p);
    expect(s == DGI_OK && in_order, "  its boxes in reading order, inside the image", 0);
  }

  draw_number(&pic, "2026", w, h);
  count = 0;
  s = dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 2, &count);
  expect(s == DGI_ERROR_TOO_MANY && count == 4 && digits[0].result.digit == 2 && digits[1].result.digit == 0,
         "max_digits 2 of 4: DGI_ERROR_TOO_MANY, *count 4, the first two written", 0);
  count = 0;
  s = dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, 0, 0, &count);
  expect(s == DGI_ERROR_TOO_MANY && count == 4, "digits NULL, max_digits 0: only the count (4)", 0);
  expect(dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n - 1, digits, 8, &count) == DGI_ERROR_SCRATCH,
         "scratch one byte short: DGI_ERROR_SCRATCH", 0);
  expect(dgi_read_number(m, image, w, h, w, DGI_INK_DARK, 0, n, digits, 8, &count) == DGI_ERROR_SCRATCH,
         "scratch NULL: DGI_ERROR_SCRATCH", 0);
  expect(dgi_read_number(m, image, w, h, w - 1, DGI_INK_DARK, scratch, n, digits, 8, &count) == DGI_ERROR_IMAGE,
         "stride < width: DGI_ERROR_IMAGE", 0);
  expect(dgi_read_number(m, image, 0, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count) == DGI_ERROR_IMAGE,
         "width 0: DGI_ERROR_IMAGE", 0);
  expect(dgi_read_number(m, image, w, h, w, 7, scratch, n, digits, 8, &count) == DGI_ERROR_IMAGE,
         "ink flags 7: DGI_ERROR_IMAGE", 0);
  expect(dgi_read_number(m, 0, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count) == DGI_ERROR_ARGUMENT,
         "image NULL: DGI_ERROR_ARGUMENT", 0);
  expect(dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, 0, 8, &count) == DGI_ERROR_ARGUMENT,
         "digits NULL: DGI_ERROR_ARGUMENT", 0);
  expect(dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, 0) == DGI_ERROR_ARGUMENT,
         "count NULL: DGI_ERROR_ARGUMENT", 0);
  {
    dgi_model closed;
    for (i = 0; i < sizeof closed; i++) ((unsigned char *)&closed)[i] = 0;
    expect(dgi_read_number(&closed, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count) == DGI_ERROR_NOT_OPEN,
           "a model record never opened: DGI_ERROR_NOT_OPEN", 0);
  }
  pic_fill(&pic, 255);
  count = 99;
  s = dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count);
  expect(s == DGI_ERROR_NO_INK && count == 0, "a blank page: DGI_ERROR_NO_INK, *count 0", 0);
  pic_stroke(&pic, 16 * 40, 16 * (int32_t)h / 2, 16 * ((int32_t)w - 40), 16 * (int32_t)h / 2, 16 * 9, 0);
  count = 99;
  s = dgi_read_number(m, image, w, h, w, DGI_INK_DARK, scratch, n, digits, 8, &count);
  expect(s == DGI_ERROR_NOT_A_DIGIT && count == 0, "a long dash: DGI_ERROR_NOT_A_DIGIT, *count 0", 0);
  web_release(mark);
}
#endif

/* ---- the structs as app.js reads them ------------------------------------- */

#define FIELD(t, type, name, field)                                                                                    \
  do {                                                                                                                 \
    t_char(&t, ' ');                                                                                                   \
    t_str(&t, name);                                                                                                   \
    t_char(&t, '=');                                                                                                   \
    t_uint(&t, offsetof(type, field));                                                                                 \
  } while (0)
/* The box both structs carry, under the same names. */
#define BOX(t, type)                                                                                                   \
  do {                                                                                                                 \
    FIELD(t, type, "x", x);                                                                                            \
    FIELD(t, type, "y", y);                                                                                            \
    FIELD(t, type, "width", width);                                                                                    \
    FIELD(t, type, "height", height);                                                                                  \
  } while (0)

static void print_layout(void) {
  TEXT(t, 400);
  t_str(&t, "layout ABI ");
  t_uint(&t, DGI_ABI_VERSION);
  t_str(&t, "\nlayout RESULT size=");
  t_uint(&t, sizeof(dgi_result));
  FIELD(t, dgi_result, "digit", digit);
  FIELD(t, dgi_result, "confidence", confidence);
  FIELD(t, dgi_result, "probabilities", probabilities);
#if DGI_ABI_VERSION >= 2
  FIELD(t, dgi_result, "notADigit", not_a_digit);
  FIELD(t, dgi_result, "bestDigit", best_digit);
#endif
  t_str(&t, "\nlayout INFO size=");
  t_uint(&t, sizeof(dgi_preprocess_info));
  FIELD(t, dgi_preprocess_info, "ink", ink);
  BOX(t, dgi_preprocess_info);
#ifdef DGI_DIGIT_SPLIT
  t_str(&t, "\nlayout NUMBER_DIGIT size=");
  t_uint(&t, sizeof(dgi_number_digit));
  FIELD(t, dgi_number_digit, "result", result);
  BOX(t, dgi_number_digit);
  FIELD(t, dgi_number_digit, "flags", flags);
  FIELD(t, dgi_number_digit, "pixels", pixels);
#endif
  t_char(&t, '\n');
  say(t.p);
}

/* ---- the page's allocator --------------------------------------------------- */

static void test_allocator(void) {
  uintptr_t mark = web_mark();
  unsigned char *a = (unsigned char *)web_alloc(1), *b = (unsigned char *)web_alloc(3 << 20);
  size_t pages = __builtin_wasm_memory_size(0);
  expect(a && b && (uintptr_t)a % 16 == 0 && (uintptr_t)b % 16 == 0 && b >= a + 16, "web_alloc: aligned blocks", 0);
  expect(b && (uintptr_t)b + (3 << 20) <= pages * 65536u, "web_alloc grows the memory", 0);
  if (b) b[(3 << 20) - 1] = 1;
  web_release(mark);
  expect(web_mark() == mark && web_alloc(16) == a, "web_release frees back to a mark", 0);
  expect(web_alloc((size_t)-8) == 0, "web_alloc: impossible sizes give 0", 0);
  web_release(mark);
}

static int run(void) {
  TEXT(t, 80);
  say("digitinfer wasm32 harness (wasmkit)\n");
  expect(dgi_abi_version() == DGI_ABI_VERSION, "dgi_abi_version", 0);
  expect(dgi_status_message(DGI_ERROR_NO_INK) != 0, "dgi_status_message", 0);
  print_layout();
  test_allocator();
  test_golden_vectors();
  test_preprocess_golden();
  test_shipped_model();
#ifdef DGI_DIGIT_SPLIT
  test_read_number();
#endif
  t_str(&t, "wasm: ");
  t_uint(&t, passed);
  t_str(&t, " passed, ");
  t_uint(&t, failed);
  t_str(&t, " failed\n");
  say(t.p);
  return failed == 0 ? 0 : 1;
}

void _start(void) { proc_exit(run()); }
