#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

unsigned long check_passed, check_failed;

void check_fail_message(const char *file, int line, const char *expr) {
  check_failed++;
  if (check_failed <= 25) fprintf(stderr, "%s:%d: FAILED: %s: ", file, line, expr);
  if (check_failed == 26) fprintf(stderr, "(further failures not shown)\n");
}

int check_report(const char *program) {
  fflush(stdout);
  printf("%s: %lu passed, %lu failed\n", program, check_passed, check_failed);
  return check_failed == 0 ? 0 : 1;
}

unsigned char *load_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long n;
  if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  data = (unsigned char *)malloc((size_t)n + 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

unsigned char *golden_model(const golden_set *g, const char *name, size_t *size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", g->dir, name);
  return load_file(path, size);
}

const uint8_t *golden_image(const golden_set *g, size_t index) {
  return g->inputs + index * DGI_INPUT_SIZE;
}

void golden_load(golden_set *g, const char *dir) {
  char path[4096];
  size_t size, capacity = 64;
  FILE *f;
  golden_case c;
  int l[10], i;
  unsigned long index;

  g->dir = dir;
  snprintf(path, sizeof path, "%s/inputs.bin", dir);
  g->inputs = load_file(path, &size);
  g->image_count = size / DGI_INPUT_SIZE;
  if (size == 0 || size % DGI_INPUT_SIZE != 0) {
    fprintf(stderr, "%s: %lu bytes is not a whole number of images\n", path, (unsigned long)size);
    exit(2);
  }

  snprintf(path, sizeof path, "%s/expected.txt", dir);
  if (!(f = fopen(path, "r"))) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  g->cases = (golden_case *)malloc(capacity * sizeof *g->cases);
  g->case_count = 0;
  while (fscanf(f, "%63s %lu %d %d %d %d %d %d %d %d %d %d %d", c.model, &index,
                &c.digit, &l[0], &l[1], &l[2], &l[3], &l[4], &l[5], &l[6], &l[7], &l[8], &l[9]) == 13) {
    for (i = 0; i < 10; i++) c.logits[i] = (int8_t)l[i];
    c.index = index;
    if (c.index >= g->image_count) {
      fprintf(stderr, "%s: image %lu out of range\n", path, (unsigned long)c.index);
      exit(2);
    }
    if (g->case_count == capacity) {
      capacity *= 2;
      g->cases = (golden_case *)realloc(g->cases, capacity * sizeof *g->cases);
    }
    if (!g->cases) exit(2);
    g->cases[g->case_count++] = c;
  }
  if (!feof(f) || g->case_count == 0) {
    fprintf(stderr, "%s: malformed line %lu\n", path, (unsigned long)g->case_count + 1);
    exit(2);
  }
  fclose(f);
}

uint64_t rng_next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* Layout: [guard page][span: capacity rounded up to pages][guard page],
   with the buffer at the end of the span. */
void guarded_init(guarded *g, size_t capacity) {
  size_t page = page_size();
  size_t span = (capacity + page - 1) / page * page;
  unsigned char *map = (unsigned char *)mmap(NULL, span + 2 * page, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED || mprotect(map, page, PROT_NONE) != 0 ||
      mprotect(map + page + span, page, PROT_NONE) != 0) {
    perror("mmap");
    exit(2);
  }
  g->base = map + page + span - capacity;
  g->capacity = capacity;
}

void guarded_free(guarded *g) {
  size_t page = page_size();
  size_t span = (g->capacity + page - 1) / page * page;
  munmap(g->base + g->capacity - span - page, span + 2 * page);
  g->base = NULL;
  g->capacity = 0;
}

unsigned char *guarded_tail(const guarded *g, size_t size) {
  return g->base + (g->capacity - size);
}

unsigned char *guarded_head(const guarded *g) {
  size_t page = page_size();
  return g->base + g->capacity - (g->capacity + page - 1) / page * page;
}

void guarded_protect(const guarded *g, int writable) {
  size_t page = page_size();
  size_t span = (g->capacity + page - 1) / page * page;
  if (span && mprotect(guarded_head(g), span, writable ? PROT_READ | PROT_WRITE : PROT_READ) != 0) {
    perror("mprotect");
    exit(2);
  }
}

uint32_t crc32_update(uint32_t crc, const unsigned char *bytes, size_t size) {
  uint32_t c = crc ^ 0xFFFFFFFFu;
  size_t i;
  int k;
  for (i = 0; i < size; i++) {
    c ^= bytes[i];
    for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

uint32_t dgi_file_crc(const unsigned char *bytes, size_t file_size) {
  return crc32_update(crc32_update(0, bytes, 16), bytes + 20, file_size - 20);
}

uint32_t read_u32le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void write_u32le(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

uint64_t fnv1a64(uint64_t hash, const unsigned char *bytes, size_t size) {
  size_t i;
  for (i = 0; i < size; i++) hash = (hash ^ bytes[i]) * 0x100000001b3u;
  return hash;
}

uint32_t lcg_next(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

uint32_t lcg_below(uint32_t *state, uint32_t n) {
  return (uint32_t)(((uint64_t)lcg_next(state) * n) >> 32);
}

static uint8_t clamp_level(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

void pic_fill(picture *p, uint8_t level) {
  uint32_t x, y;
  for (y = 0; y < p->height; y++)
    for (x = 0; x < p->width; x++) p->pixels[y * p->stride + x] = level;
}

void pic_gradient(picture *p, uint8_t left, uint8_t right) {
  uint32_t x, y, last = p->width > 1 ? p->width - 1 : 1;
  for (y = 0; y < p->height; y++)
    for (x = 0; x < p->width; x++)
      p->pixels[y * p->stride + x] = (uint8_t)(left + ((int32_t)right - (int32_t)left) * (int32_t)x / (int32_t)last);
}

void pic_noise(picture *p, uint32_t *rng, int amplitude) {
  uint32_t x, y;
  for (y = 0; y < p->height; y++) {
    for (x = 0; x < p->width; x++) {
      uint8_t *at = &p->pixels[y * p->stride + x];
      *at = clamp_level(*at + (int32_t)lcg_below(rng, 2u * (uint32_t)amplitude + 1u) - amplitude);
    }
  }
}

/* floor(sqrt(v)), bit by bit. */
static uint64_t isqrt64(uint64_t v) {
  uint64_t r = 0, bit = (uint64_t)1 << 62;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= r + bit) {
      v -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

/* The first pixel index whose span reaches `unit` (1/16 px), clamped to [0, limit]. */
static int32_t pixel_at(int64_t unit, uint32_t limit) {
  if (unit < 0) return 0;
  return unit / 16 > (int64_t)limit ? (int32_t)limit : (int32_t)(unit / 16);
}

void pic_stroke(picture *p, int32_t ax, int32_t ay, int32_t bx, int32_t by, int32_t radius, uint8_t ink) {
  int64_t dx = (int64_t)bx - ax, dy = (int64_t)by - ay, length2 = dx * dx + dy * dy;
  int64_t length = (int64_t)isqrt64((uint64_t)length2), reach = radius + 16;
  int32_t x0, x1, y0, y1, x, y;
  if (p->width == 0 || p->height == 0) return;
  x0 = pixel_at((ax < bx ? ax : bx) - reach, p->width - 1);
  x1 = pixel_at((int64_t)(ax > bx ? ax : bx) + reach, p->width - 1);
  y0 = pixel_at((ay < by ? ay : by) - reach, p->height - 1);
  y1 = pixel_at((int64_t)(ay > by ? ay : by) + reach, p->height - 1);
  if ((ax > bx ? ax : bx) + reach < 0 || (ay > by ? ay : by) + reach < 0) return;
  for (y = y0; y <= y1; y++) {
    for (x = x0; x <= x1; x++) {
      int64_t px = 16 * (int64_t)x + 8 - ax, py = 16 * (int64_t)y + 8 - ay;
      int64_t along = px * dx + py * dy, d, coverage;
      int32_t old, mixed;
      uint8_t *at = &p->pixels[(size_t)y * p->stride + (size_t)x];
      if (length == 0 || along <= 0) {
        d = (int64_t)isqrt64((uint64_t)(px * px + py * py));
      } else if (along >= length2) {
        d = (int64_t)isqrt64((uint64_t)((px - dx) * (px - dx) + (py - dy) * (py - dy)));
      } else {
        d = px * dy - py * dx;
        d = (d < 0 ? -d : d) / length;
      }
      coverage = d <= radius - 8 ? 256 : d >= radius + 8 ? 0 : (radius + 8 - d) * 16;
      if (coverage == 0) continue;
      old = *at;
      mixed = old + (int32_t)(((int64_t)ink - old) * coverage / 256);
      if ((mixed > ink ? mixed - ink : ink - mixed) < (old > ink ? old - ink : ink - old)) *at = (uint8_t)mixed;
    }
  }
}

/* Polylines of the digits in a 64x64 box; -1 ends a stroke, -2 the digit. */
static const int8_t digit_shapes[10][40] = {
    {32, 0, 54, 8, 64, 32, 54, 56, 32, 64, 10, 56, 0, 32, 10, 8, 32, 0, -2},
    {22, 12, 38, 0, 34, 64, -2},
    {4, 14, 18, 2, 40, 0, 58, 12, 56, 28, 0, 64, 64, 64, -2},
    {4, 6, 32, 0, 56, 12, 30, 30, 58, 44, 34, 64, 2, 58, -2},
    {40, 0, 2, 42, 64, 42, -1, 46, 16, 46, 64, -2},
    {60, 0, 10, 0, 6, 28, 40, 26, 62, 42, 44, 62, 4, 58, -2},
    {50, 0, 14, 24, 4, 48, 24, 64, 50, 56, 54, 38, 30, 30, 8, 42, -2},
    {0, 4, 64, 2, 22, 64, -2},
    {32, 30, 8, 14, 30, 0, 56, 14, 32, 30, 6, 46, 30, 64, 58, 46, 32, 30, -2},
    {56, 22, 34, 34, 10, 22, 22, 2, 48, 4, 56, 22, 46, 64, -2},
};

void pic_digit(picture *p, int d, int32_t x, int32_t y, int32_t w, int32_t h, int32_t radius, uint8_t ink) {
  const int8_t *s = digit_shapes[d % 10];
  int i = 0;
  while (s[i] != -2) {
    if (s[i] == -1) {
      i++;
      continue;
    }
    if (s[i + 2] >= 0) {
      pic_stroke(p, x + s[i] * w / 64, y + s[i + 1] * h / 64, x + s[i + 2] * w / 64, y + s[i + 3] * h / 64,
                 radius, ink);
    }
    i += 2;
  }
}

void pic_number(picture *p, const char *text, int32_t x, int32_t baseline, int32_t w, int32_t h, int32_t advance,
                int32_t slant, uint8_t ink) {
  int32_t k = 0, r = h / 14;
  for (; *text; text++, k++) {
    int32_t dx = x + k * advance, dy = baseline - k * slant - h;
    if (*text < '0' || *text > '9') continue;
    if (*text == '5') { /* the bar, then the body: two strokes */
      pic_stroke(p, dx + 10 * w / 16, dy, dx + w - 16, dy, r, ink);
      pic_stroke(p, dx + 10 * w / 16, dy, dx + 8 * w / 16, dy + 7 * h / 16, r, ink);
      pic_stroke(p, dx + 8 * w / 16, dy + 7 * h / 16, dx + 14 * w / 16, dy + 7 * h / 16, r, ink);
      pic_stroke(p, dx + 14 * w / 16, dy + 7 * h / 16, dx + w, dy + 11 * h / 16, r, ink);
      pic_stroke(p, dx + w, dy + 11 * h / 16, dx + 12 * w / 16, dy + h, r, ink);
      pic_stroke(p, dx + 12 * w / 16, dy + h, dx + w / 16, dy + 15 * h / 16, r, ink);
      continue;
    }
    pic_digit(p, *text - '0', dx, dy, w, h, r, ink);
  }
}

/* A random point in 1/16 px, somewhat beyond the picture on every side. */
static int32_t random_coordinate(uint32_t *rng, uint32_t side) {
  return (int32_t)lcg_below(rng, 16 * side + 64) - 32;
}

/* A digit of random shape, size and pen; usually whole, sometimes cut by
   the picture's edge. */
static void random_digit(picture *p, uint32_t *rng, uint8_t ink) {
  int32_t side = 16 * (int32_t)(p->width < p->height ? p->width : p->height);
  int32_t h = side * (int32_t)(20 + lcg_below(rng, 80)) / 100 + 16;
  int32_t w = h * (int32_t)(40 + lcg_below(rng, 60)) / 100 + 8;
  int32_t radius = h * (int32_t)(1 + lcg_below(rng, 12)) / 100, extra = (int32_t)lcg_below(rng, 12);
  int32_t room_x = 16 * (int32_t)p->width - w, room_y = 16 * (int32_t)p->height - h, x, y;
  if (lcg_below(rng, 4) != 0 && room_x > 0 && room_y > 0) {
    x = (int32_t)lcg_below(rng, (uint32_t)room_x);
    y = (int32_t)lcg_below(rng, (uint32_t)room_y);
  } else { /* the centre anywhere */
    x = (int32_t)lcg_below(rng, 16 * p->width) - w / 2;
    y = (int32_t)lcg_below(rng, 16 * p->height) - h / 2;
  }
  pic_digit(p, (int)lcg_below(rng, 10), x, y, w, h, radius + extra, ink);
}

void pic_random(picture *p, int kind, uint32_t *rng) {
  /* Paper and ink: dark on light or light on dark, usually contrasted. */
  int light = (int)lcg_below(rng, 3) == 0;
  uint8_t paper = (uint8_t)(light ? lcg_below(rng, 90) : 165 + lcg_below(rng, 91));
  int32_t contrast = lcg_below(rng, 8) == 0 ? (int32_t)lcg_below(rng, 48) : 60 + (int32_t)lcg_below(rng, 196);
  uint8_t ink = clamp_level(light ? paper + contrast : paper - contrast);
  uint32_t n, i, k;

  pic_fill(p, paper);
  switch (kind) {
  case PIC_BLANK:
    break;
  case PIC_NOISE:
    pic_noise(p, rng, 255);
    break;
  case PIC_FAINT:
    pic_noise(p, rng, 1 + (int)lcg_below(rng, 12));
    break;
  case PIC_LINE: { /* (declarations, not arguments: C leaves their order open) */
    int32_t ax = random_coordinate(rng, p->width), ay = random_coordinate(rng, p->height);
    int32_t bx = random_coordinate(rng, p->width), by = random_coordinate(rng, p->height);
    pic_stroke(p, ax, ay, bx, by, (int32_t)lcg_below(rng, 64), ink);
    break;
  }
  case PIC_BLOBS:
    for (n = 1 + lcg_below(rng, 6), i = 0; i < n; i++) {
      int32_t x = random_coordinate(rng, p->width), y = random_coordinate(rng, p->height);
      pic_stroke(p, x, y, x, y, 4 + (int32_t)lcg_below(rng, 16 * 20), ink);
    }
    break;
  case PIC_DIGIT:
    random_digit(p, rng, ink);
    break;
  case PIC_DIRTY:
    random_digit(p, rng, ink);
    for (n = lcg_below(rng, 12), i = 0; i < n; i++) { /* specks */
      int32_t x = random_coordinate(rng, p->width), y = random_coordinate(rng, p->height);
      pic_stroke(p, x, y, x + 8, y + 8, 8 + (int32_t)lcg_below(rng, 24), ink);
    }
    if (lcg_below(rng, 2)) { /* a frame along the border */
      int32_t m = (int32_t)lcg_below(rng, 48), r = 8 + (int32_t)lcg_below(rng, 40);
      int32_t right = 16 * (int32_t)p->width - m, bottom = 16 * (int32_t)p->height - m;
      pic_stroke(p, m, m, right, m, r, ink);
      pic_stroke(p, right, m, right, bottom, r, ink);
      pic_stroke(p, right, bottom, m, bottom, r, ink);
      pic_stroke(p, m, bottom, m, m, r, ink);
    }
    pic_noise(p, rng, (int)lcg_below(rng, 20));
    break;
  case PIC_SCRIBBLE:
    for (n = 1 + lcg_below(rng, 4), i = 0; i < n; i++) {
      int32_t x = random_coordinate(rng, p->width), y = random_coordinate(rng, p->height);
      int32_t r = (int32_t)lcg_below(rng, 16 * 4);
      for (k = 1 + lcg_below(rng, 5); k > 0; k--) {
        int32_t nx = random_coordinate(rng, p->width), ny = random_coordinate(rng, p->height);
        pic_stroke(p, x, y, nx, ny, r, ink);
        x = nx;
        y = ny;
      }
    }
    break;
  case PIC_GRADIENT:
    pic_gradient(p, paper, clamp_level(light ? paper + 40 : paper - 80));
    random_digit(p, rng, ink);
    break;
  default: /* PIC_PEPPER */
    for (n = 1 + lcg_below(rng, 1 + p->width * p->height / 50), i = 0; i < n; i++) {
      uint32_t y = lcg_below(rng, p->height), x = lcg_below(rng, p->width);
      p->pixels[y * p->stride + x] = (uint8_t)lcg_next(rng);
    }
    break;
  }
}

/* ---- the golden preprocessing cases ---------------------------------------- */

static const uint32_t golden_sizes[][2] = {
    {1, 1},     {2, 2},     {3, 1},     {1, 3},     {1, 60},    {60, 1},    {5, 5},    {12, 9},
    {28, 28},   {28, 28},   {20, 28},   {28, 20},   {32, 32},   {45, 60},   {64, 64},  {96, 72},
    {100, 100}, {127, 129}, {128, 128}, {129, 7},   {7, 129},   {150, 200}, {200, 150}, {255, 257},
    {300, 200}, {200, 300}, {33, 400},  {400, 33},  {512, 384}, {640, 480}, {1000, 40}, {40, 1000},
    {999, 3},   {3, 999},   {801, 601}, {257, 1025}};
static const int golden_kinds[] = {PIC_DIGIT, PIC_DIRTY,  PIC_GRADIENT, PIC_LINE,  PIC_BLOBS, PIC_DIGIT,
                                   PIC_SCRIBBLE, PIC_BLANK, PIC_NOISE, PIC_DIGIT, PIC_FAINT, PIC_PEPPER,
                                   PIC_DIRTY, PIC_GRADIENT};

preprocess_case golden_preprocess_case(int i) {
  const uint32_t *wh = golden_sizes[i % (int)(sizeof golden_sizes / sizeof *golden_sizes)];
  preprocess_case c;
  c.width = wh[0];
  c.height = wh[1];
  c.flags = i % 6 == 4 ? DGI_INK_DARK : i % 6 == 5 ? DGI_INK_LIGHT : DGI_INK_AUTO;
  c.seed = 0x9E3779B9u * (uint32_t)(i + 1);
  c.stride = c.width + (i % 4 == 3 ? GOLDEN_STRIDE_PAD : 0);
  c.kind = golden_kinds[i % (int)(sizeof golden_kinds / sizeof *golden_kinds)];
  return c;
}
