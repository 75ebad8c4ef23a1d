// oracle-cli MODEL [IMAGES]: the fuzzers' oracle on one file, for
// check_oracle.py to compare with tools/format/dgi.py. Prints
//   status CODE RULE
// and, for a valid model, one line per 784-byte image of IMAGES:
//   INDEX CLASS L0..L10 P0..P10    (CLASS 10: "not a digit"; probabilities as
//                                   exact hexadecimal floats, of every class)
#include <stdio.h>
#include <stdlib.h>

#include "oracle.h"

static unsigned char *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  size_t cap = 1 << 16, n = 0;
  unsigned char *b = malloc(cap);
  size_t got;
  while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) b = realloc(b, cap *= 2);
  }
  fclose(f);
  if (!b) exit(2);
  *size = n;
  return b;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: oracle-cli MODEL [IMAGES]\n");
    return 2;
  }
  size_t size, images_size = 0;
  unsigned char *bytes = slurp(argv[1], &size);
  oracle_model m;
  const char *rule;
  int status = oracle_open(&m, bytes, size, &rule);
  printf("status %d %s\n", status, status ? rule : "-");
  if (status != 0 || argc < 3) return 0;
  unsigned char *images = slurp(argv[2], &images_size);
  for (size_t k = 0; k < images_size / 784; k++) {
    int8_t logits[ORACLE_MAX_CLASSES];
    float p[ORACLE_MAX_CLASSES];
    if (oracle_infer(&m, images + 784 * k, logits) != 0) return 2;
    int digit = oracle_softmax(&m, logits, p);
    printf("%zu %d", k, digit);
    for (int i = 0; i < ORACLE_MAX_CLASSES; i++) printf(" %d", logits[i]);
    for (int i = 0; i < ORACLE_MAX_CLASSES; i++) printf(" %a", (double)p[i]);
    printf("\n");
  }
  return 0;
}
