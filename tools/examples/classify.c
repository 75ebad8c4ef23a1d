/*
** classify: the whole libdigitinfer workflow in one small program.
**
**   cc classify.c $(pkg-config --cflags --libs digitinfer) -o classify
**   ./classify model.dgi seven.pgm
**
** IMAGE is a 28x28 binary PGM (P5, maxval 255) or a raw 784-byte file, with
** white ink (255) on black (0) as in MNIST.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digitinfer.h"

/* Reads a whole file into a malloc'd buffer. Returns NULL (errno set) on failure. */
static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = (unsigned char *)malloc(n > 0 ? (size_t)n : 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
      free(data);
      data = NULL;
      errno = EIO;
    }
    *size = (size_t)n;
  }
  fclose(f);
  return data;
}

/* Skips whitespace and '#' comments between PGM header fields. */
static const unsigned char *pgm_skip(const unsigned char *p, const unsigned char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '#')) {
    if (*p == '#') {
      while (p < end && *p != '\n') p++;
    } else {
      p++;
    }
  }
  return p;
}

/* Parses one decimal PGM header field; returns -1 if there is none. */
static long pgm_number(const unsigned char **p, const unsigned char *end) {
  long value = -1;
  *p = pgm_skip(*p, end);
  while (*p < end && **p >= '0' && **p <= '9' && value < 100000) {
    value = (value < 0 ? 0 : 10 * value) + (**p - '0');
    (*p)++;
  }
  return value;
}

/* Finds the 784 pixels of a raw image or a 28x28 P5 PGM with maxval 255. */
static const unsigned char *image_pixels(const unsigned char *file, size_t size) {
  const unsigned char *p = file + 2, *end = file + size;
  long width, height, maxval;
  if (size < 2 || file[0] != 'P' || file[1] != '5') {
    return size == DGI_INPUT_SIZE ? file : NULL;
  }
  width = pgm_number(&p, end);
  height = pgm_number(&p, end);
  maxval = pgm_number(&p, end);
  if (width != DGI_INPUT_WIDTH || height != DGI_INPUT_HEIGHT || maxval != 255) return NULL;
  p++; /* the single whitespace character that ends the header */
  return end - p >= DGI_INPUT_SIZE ? p : NULL;
}

/* Every library failure ends here: say what failed and why, exit 1. */
static void check(dgi_status status, const char *what) {
  if (status != DGI_OK) {
    fprintf(stderr, "classify: %s: %s\n", what, dgi_status_message(status));
    exit(1);
  }
}

int main(int argc, char **argv) {
  size_t model_size, image_size, scratch_size;
  unsigned char *model_bytes, *image;
  const unsigned char *pixels;
  void *scratch;
  dgi_model model;
  dgi_model_info info;
  dgi_result result;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.dgi IMAGE   (IMAGE: 28x28 P5 PGM or 784 raw bytes)\n", argv[0]);
    return 1;
  }

  /* The library reads the model in place: keep the bytes alive while it is used. */
  model_bytes = read_file(argv[1], &model_size);
  if (!model_bytes) {
    fprintf(stderr, "classify: cannot read %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  check(dgi_model_open(&model, model_bytes, model_size), argv[1]);
  check(dgi_model_get_info(&model, &info), argv[1]);

  image = read_file(argv[2], &image_size);
  if (!image) {
    fprintf(stderr, "classify: cannot read %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  pixels = image_pixels(image, image_size);
  if (!pixels) {
    fprintf(stderr, "classify: %s: %s (expected a 28x28 P5 PGM with maxval 255, or 784 raw bytes)\n",
            argv[2], dgi_status_message(DGI_ERROR_IMAGE));
    return 1;
  }

  /* All working memory comes from the caller; the library never allocates. */
  scratch_size = dgi_model_scratch_size(&model);
  scratch = malloc(scratch_size);
  if (!scratch) {
    fprintf(stderr, "classify: out of memory (%lu bytes of scratch)\n", (unsigned long)scratch_size);
    return 1;
  }
  check(dgi_classify(&model, pixels, scratch, scratch_size, &result), argv[2]);

  printf("model %s\n", info.name[0] ? info.name : "(unnamed)");
  printf("digit %d (confidence %.1f%%)\n", (int)result.digit, 100.0 * result.confidence);

  free(scratch);
  free(image);
  free(model_bytes);
  return 0;
}
