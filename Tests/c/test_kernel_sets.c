/*
** Every kernel set this CPU runs against the reference set, on random valid
** networks written here byte by byte from docs/FORMAT.md: convolutions with
** rectangular kernels, valid and same padding, with and without a max-pool
** after them, odd channel counts, any zero points, dense layers, up to ten
** classes. The golden models reach only pooled convolutions with a few
** channel counts; this reaches the rest of each set's paths (the unpooled
** and padded convolutions of the AArch64 sdot set, the channel tails of
** every blocked kernel) on whatever CPU runs it: the host, or qemu-aarch64
** in tools/test-aarch64-linux.sh.
**
** Usage: test_kernel_sets [GOLDEN_DIR]   (the argument is accepted and unused)
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define NETWORKS 60
#define IMAGES 3

enum { CONV2D = 1, MAXPOOL2D = 2, DENSE = 3, FLATTEN = 4 };
enum { RELU = 1, SAME = 2 };

typedef struct spec {
  int kind, flags, kh, kw;
  int in_h, in_w, in_c, out_h, out_w, out_c;
  int in_zp, out_zp;
} spec;

static uint32_t below(uint64_t *rng, uint32_t n) { return (uint32_t)(rng_next(rng) % n); }

static void put16(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* A random network: 1 to 3 convolutions (each maybe followed by a max-pool),
   flatten, then 1 or 2 dense layers. Returns the layer count. */
static int design(uint64_t *rng, spec *layers) {
  int n = 0, h = 28, w = 28, c = 1, zp = -128, convs = 1 + (int)below(rng, 3), i, dense;
  for (i = 0; i < convs && h >= 1 && w >= 1; i++) {
    spec s;
    memset(&s, 0, sizeof s);
    s.kind = CONV2D;
    s.flags = below(rng, 4) ? RELU : 0;
    if (below(rng, 3) == 0) s.flags |= SAME;
    s.kh = 1 + (int)below(rng, 5);
    s.kw = 1 + (int)below(rng, 5);
    if (s.flags & SAME) s.kh |= 1, s.kw |= 1; /* same padding needs odd kernels */
    if (!(s.flags & SAME) && (s.kh > h || s.kw > w)) s.kh = s.kw = 1;
    s.in_h = h, s.in_w = w, s.in_c = c;
    s.out_h = (s.flags & SAME) ? h : h - s.kh + 1;
    s.out_w = (s.flags & SAME) ? w : w - s.kw + 1;
    s.out_c = 1 + (int)below(rng, i == 0 ? 24 : 40);
    if ((long)s.kh * s.kw * s.in_c > 1200) s.out_c = 1 + s.out_c % 8; /* keep the run short */
    s.in_zp = zp;
    s.out_zp = (int)below(rng, 256) - 128;
    layers[n++] = s;
    h = s.out_h, w = s.out_w, c = s.out_c, zp = s.out_zp;
    if (h >= 2 && w >= 2 && below(rng, 3) != 0) {
      spec p;
      memset(&p, 0, sizeof p);
      p.kind = MAXPOOL2D, p.kh = p.kw = 2;
      p.in_h = h, p.in_w = w, p.in_c = c;
      p.out_h = h / 2, p.out_w = w / 2, p.out_c = c;
      p.in_zp = p.out_zp = zp;
      layers[n++] = p;
      h /= 2, w /= 2;
    }
  }
  {
    spec f;
    memset(&f, 0, sizeof f);
    f.kind = FLATTEN, f.kh = f.kw = 1;
    f.in_h = h, f.in_w = w, f.in_c = c;
    f.out_h = f.out_w = 1, f.out_c = h * w * c;
    f.in_zp = f.out_zp = zp;
    layers[n++] = f;
    c = h * w * c;
  }
  dense = 1 + (int)below(rng, 2);
  for (i = 0; i < dense; i++) {
    spec d;
    memset(&d, 0, sizeof d);
    d.kind = DENSE, d.kh = d.kw = 1;
    d.flags = (i + 1 < dense && below(rng, 2)) ? RELU : 0;
    d.in_h = d.in_w = 1, d.in_c = c;
    d.out_h = d.out_w = 1;
    d.out_c = i + 1 < dense ? 1 + (int)below(rng, c > 4000 ? 16 : 70) : 1 + (int)below(rng, 10);
    d.in_zp = zp;
    d.out_zp = (int)below(rng, 256) - 128;
    layers[n++] = d;
    c = d.out_c, zp = d.out_zp;
  }
  return n;
}

/* The .dgi bytes of a design (docs/FORMAT.md sections 3 to 8), random
   parameters within the rules; *size gets the file size. malloc'd. */
static unsigned char *encode(uint64_t *rng, const spec *layers, int count, size_t *size) {
  size_t at = 64 + 32 * (size_t)count, total = at + 2 + 1, arena[2] = {784, 0};
  unsigned char *b;
  int k, current = 0;
  for (k = 0; k < count; k++) {
    const spec *s = &layers[k];
    if (s->kind == CONV2D || s->kind == DENSE) {
      size_t n = (size_t)s->out_c, fan = (size_t)s->kh * s->kw * s->in_c;
      total = align16(align16(align16(align16(total) + fan * n) + 4 * n) + 4 * n) + n;
    }
  }
  b = (unsigned char *)calloc(1, total);
  if (!b) exit(2);
  memcpy(b + at, "r", 2); /* name "r", NUL */
  at += 2;
  b[at++] = 0; /* empty metadata */
  for (k = 0; k < count; k++) {
    const spec *s = &layers[k];
    unsigned char *r = b + 64 + 32 * k;
    uint32_t params = 0;
    r[0] = (unsigned char)s->kind, r[1] = (unsigned char)s->flags;
    r[2] = (unsigned char)(int8_t)s->in_zp, r[3] = (unsigned char)(int8_t)s->out_zp;
    put16(r + 4, (uint32_t)s->in_h), put16(r + 6, (uint32_t)s->in_w), put16(r + 8, (uint32_t)s->in_c);
    put16(r + 10, (uint32_t)s->out_h), put16(r + 12, (uint32_t)s->out_w), put16(r + 14, (uint32_t)s->out_c);
    r[16] = (unsigned char)s->kh, r[17] = (unsigned char)s->kw;
    r[18] = r[19] = (unsigned char)(s->kind == MAXPOOL2D ? 2 : 1);
    if (s->kind == CONV2D || s->kind == DENSE) {
      size_t n = (size_t)s->out_c, fan = (size_t)s->kh * s->kw * s->in_c, j;
      /* Typical |acc| is about 4400 * sqrt(fan) (weights of rms 73, centred
         inputs of rms about 60): a right shift of log2(66 * sqrt(fan))
         brings it to about 50, so that outputs spread over int8. */
      int shift = 1;
      while ((uint64_t)1 << (2 * shift) < (uint64_t)4356 * fan) shift++;
      at = align16(at);
      params = (uint32_t)at;
      for (j = 0; j < fan * n; j++) b[at + j] = (unsigned char)(int8_t)((int)below(rng, 255) - 127);
      at = align16(at + fan * n);
      for (j = 0; j < n; j++) write_u32le(b + at + 4 * j, (uint32_t)((int32_t)below(rng, 20001) - 10000));
      at = align16(at + 4 * n);
      for (j = 0; j < n; j++) write_u32le(b + at + 4 * j, (1u << 30) + below(rng, 1u << 30));
      at = align16(at + 4 * n);
      for (j = 0; j < n; j++) b[at + j] = (unsigned char)(shift - 1 + (int)below(rng, 3));
      at += n;
    }
    write_u32le(r + 20, params);
    write_u32le(r + 24, 0x3D800000u); /* out_scale 0.0625, informative */
    if (s->kind != FLATTEN) {
      size_t e = (size_t)s->out_h * s->out_w * s->out_c;
      current ^= 1;
      if (e > arena[current]) arena[current] = e;
    }
  }
  /* Header (section 5). */
  write_u32le(b + 0, 0x46494744u);
  put16(b + 4, 1), put16(b + 6, 1);
  write_u32le(b + 8, 64), write_u32le(b + 12, (uint32_t)total);
  put16(b + 24, (uint32_t)count), put16(b + 26, 28), put16(b + 28, 28), put16(b + 30, 1);
  put16(b + 32, (uint32_t)layers[count - 1].out_c);
  b[34] = 0x80;
  write_u32le(b + 36, 1u << 24);
  write_u32le(b + 40, (uint32_t)(align16(arena[0]) + align16(arena[1])));
  write_u32le(b + 44, 64);
  write_u32le(b + 48, (uint32_t)(64 + 32 * count)), write_u32le(b + 52, 1);
  write_u32le(b + 56, (uint32_t)(64 + 32 * count + 2)), write_u32le(b + 60, 0);
  write_u32le(b + 16, dgi_file_crc(b, total));
  *size = total;
  return b;
}

int main(int argc, char **argv) {
  uint64_t rng = 0x5EED0001u;
  uint32_t supported = dgi_kernels_supported();
  int net, sets = 0, k;
  (void)argc, (void)argv;
  for (k = 1; k < 32; k++) sets += (supported >> k) & 1;
  printf("kernel sets: %d this CPU runs (", sets);
  for (k = 1; k < 32; k++)
    if (supported & (1u << k)) printf(" %s", dgi_kernels_name((dgi_kernels)k));
  printf(" ), %d random networks\n", NETWORKS);
  for (net = 0; net < NETWORKS; net++) {
    spec layers[16];
    int count = design(&rng, layers), image;
    size_t size, scratch_size;
    unsigned char *bytes = encode(&rng, layers, count, &size), *scratch;
    dgi_model m;
    dgi_status s = dgi_model_open(&m, bytes, size);
    CHECK(s == DGI_OK, "network %d: dgi_model_open: %s", net, dgi_status_message(s));
    if (s != DGI_OK) {
      free(bytes);
      continue;
    }
    scratch_size = dgi_model_scratch_size(&m);
    scratch = (unsigned char *)malloc(scratch_size);
    if (!scratch) exit(2);
    for (image = 0; image < IMAGES; image++) {
      uint8_t pixels[DGI_INPUT_SIZE];
      int8_t want[DGI_MAX_CLASSES], got[DGI_MAX_CLASSES];
      int j;
      for (j = 0; j < DGI_INPUT_SIZE; j++) pixels[j] = (uint8_t)(image == 0 ? (j * 7) & 255 : below(&rng, 256));
      CHECK(dgi_model_set_kernels(&m, DGI_KERNELS_REFERENCE) == DGI_OK, "network %d: reference", net);
      CHECK(dgi_infer(&m, pixels, scratch, scratch_size, want) == DGI_OK, "network %d: reference infer", net);
      for (k = 2; k < 32; k++) {
        if (!(supported & (1u << k))) continue;
        memset(scratch, 0xA5, scratch_size); /* stale data must not matter */
        CHECK(dgi_model_set_kernels(&m, (dgi_kernels)k) == DGI_OK, "network %d: set %d", net, k);
        CHECK(dgi_infer(&m, pixels, scratch, scratch_size, got) == DGI_OK, "network %d: infer", net);
        CHECK(memcmp(want, got, (size_t)layers[count - 1].out_c) == 0,
              "network %d (%d layers, first conv %dx%d %d->%d%s%s), image %d: %s differs from reference", net,
              count, layers[0].kh, layers[0].kw, layers[0].in_c, layers[0].out_c,
              (layers[0].flags & SAME) ? " same" : "", layers[1].kind == MAXPOOL2D ? " pooled" : "", image,
              dgi_kernels_name((dgi_kernels)k));
      }
    }
    free(scratch);
    free(bytes);
  }
  return check_report("kernel_sets");
}
