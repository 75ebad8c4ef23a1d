/*
** classify: the whole libdigitinfer workflow in one small program.
**
**   cc classify.c $(pkg-config --cflags --libs digitinfer) -o classify
**   ./classify model.dgi seven.pgm
**
** IMAGE is a binary PGM (P5, 8-bit: maxval 1 to 255) of any size up to
** 32768x32768, with dark ink on light paper (a scan, a photo) or light ink
** on dark (MNIST itself); or 784 raw bytes, a 28x28 image. Photos convert
** with e.g. `convert photo.jpg -colorspace Gray photo.pgm` (ImageMagick).
**
** Every image goes through dgi_preprocess(), which finds the digit, decides
** the polarity and makes the model's 28x28 input (white ink on black,
** 20x20, centred), then dgi_classify() reads it. Even images that are
** already 28x28 MNIST-style should take this path: it is what the model
** expects.
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

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Skips whitespace and '#' comments between PGM header fields. */
static const unsigned char *pgm_skip(const unsigned char *p, const unsigned char *end) {
  while (p < end && (is_space(*p) || *p == '#')) {
    if (*p == '#') {
      while (p < end && *p != '\n') p++;
    } else {
      p++;
    }
  }
  return p;
}

/* Parses one decimal PGM header field; -1 if there is none. Values are
   capped at 1000000, more than any valid field. */
static long pgm_number(const unsigned char **p, const unsigned char *end) {
  long value = -1;
  *p = pgm_skip(*p, end);
  for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
    value = (value < 0 ? 0 : 10 * value) + (**p - '0');
    if (value > 1000000) value = 1000000;
  }
  return value;
}

/* Finds the pixels of a P5 PGM (scaled to 0..255 in place if maxval is
   below 255) or of a raw 784-byte 28x28 image. On failure returns NULL and
   says why in *problem. */
static unsigned char *image_pixels(unsigned char *file, size_t size, uint32_t *width, uint32_t *height,
                                   const char **problem) {
  const unsigned char *p = file + 2, *end = file + size;
  long w, h, maxval;
  unsigned char *pixels;
  size_t i, count;
  if (size < 2 || file[0] != 'P' || file[1] != '5') {
    *width = DGI_INPUT_WIDTH;
    *height = DGI_INPUT_HEIGHT;
    *problem = "not a binary PGM (P5) nor 784 raw bytes";
    return size == DGI_INPUT_SIZE ? file : NULL;
  }
  w = pgm_number(&p, end);
  h = pgm_number(&p, end);
  maxval = pgm_number(&p, end);
  if (w < 0 || h < 0 || maxval < 0 || p == end || !is_space(*p)) {
    *problem = "malformed PGM header";
    return NULL;
  }
  if (w < 1 || h < 1 || w > (long)DGI_PREPROCESS_MAX_SIDE || h > (long)DGI_PREPROCESS_MAX_SIDE) {
    *problem = "width and height must be 1 to 32768";
    return NULL;
  }
  if (maxval < 1 || maxval > 255) {
    *problem = "maxval must be 1 to 255 (8-bit PGM)";
    return NULL;
  }
  p++; /* the single whitespace character that ends the header */
  count = (size_t)w * (size_t)h;
  if ((size_t)(end - p) < count) {
    *problem = "the pixel data is shorter than width x height";
    return NULL;
  }
  pixels = file + (p - file);
  for (i = 0; maxval < 255 && i < count; i++)
    pixels[i] = (unsigned char)(pixels[i] >= maxval ? 255 : (pixels[i] * 255 + maxval / 2) / maxval);
  *width = (uint32_t)w;
  *height = (uint32_t)h;
  return pixels;
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
  unsigned char *model_bytes, *file, *image;
  uint8_t pixels[DGI_INPUT_SIZE];
  uint32_t width, height;
  const char *problem = "";
  void *scratch;
  dgi_model model;
  dgi_model_info info;
  dgi_preprocess_info found;
  dgi_result result;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.dgi IMAGE   (IMAGE: 8-bit P5 PGM of any size, or 784 raw bytes)\n",
            argv[0]);
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

  file = read_file(argv[2], &image_size);
  if (!file) {
    fprintf(stderr, "classify: cannot read %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  image = image_pixels(file, image_size, &width, &height, &problem);
  if (!image) {
    fprintf(stderr, "classify: %s: %s: %s\n", argv[2], dgi_status_message(DGI_ERROR_IMAGE), problem);
    return 1;
  }

  /* All working memory comes from the caller; the library never allocates.
     One buffer serves both steps: the larger of the two sizes. */
  scratch_size = dgi_model_scratch_size(&model);
  if (dgi_preprocess_scratch_size(width, height) > scratch_size)
    scratch_size = dgi_preprocess_scratch_size(width, height);
  scratch = malloc(scratch_size);
  if (!scratch) {
    fprintf(stderr, "classify: out of memory (%lu bytes of scratch)\n", (unsigned long)scratch_size);
    return 1;
  }
  check(dgi_preprocess(image, width, height, width, DGI_INK_AUTO, scratch, scratch_size, pixels, &found),
        argv[2]);
  check(dgi_classify(&model, pixels, scratch, scratch_size, &result), argv[2]);

  printf("model %s\n", info.name[0] ? info.name : "(unnamed)");
  printf("image %ux%u, %s ink, digit at %u,%u size %ux%u\n", (unsigned)width, (unsigned)height,
         found.ink == DGI_INK_DARK ? "dark" : "light", (unsigned)found.x, (unsigned)found.y,
         (unsigned)found.width, (unsigned)found.height);
  if (result.digit == DGI_NOT_A_DIGIT) /* only a model with the "not a digit" class says so */
    printf("not a digit (confidence %.1f%%, best guess %d)\n", 100.0 * result.confidence, (int)result.best_digit);
  else
    printf("digit %d (confidence %.1f%%)\n", (int)result.digit, 100.0 * result.confidence);

  free(scratch);
  free(file);
  free(model_bytes);
  return 0;
}
