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

void guarded_init(guarded *g, size_t capacity) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t span = (capacity + page - 1) / page * page;
  unsigned char *map = (unsigned char *)mmap(NULL, span + page, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED || mprotect(map + span, page, PROT_NONE) != 0) {
    perror("mmap");
    exit(2);
  }
  g->base = map + span - capacity;
  g->capacity = capacity;
}

void guarded_free(guarded *g) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t span = (g->capacity + page - 1) / page * page;
  munmap(g->base + g->capacity - span, span + page);
  g->base = NULL;
  g->capacity = 0;
}

unsigned char *guarded_tail(const guarded *g, size_t size) {
  return g->base + (g->capacity - size);
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
