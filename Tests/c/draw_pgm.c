/*
** Writes a binary PGM (P5) of any size with one handwritten-looking digit,
** drawn by Tests/c/support.c, for tools/test-c.sh to feed the example
** tools/examples/classify.c: images that are not 28x28 MNIST crops.
**
** Usage: draw_pgm [--light] [--maxval N] [--raw] WIDTH HEIGHT DIGIT OUTPUT
**   dark ink on light, slightly uneven, slightly noisy paper by default;
**   --light: light ink on dark; DIGIT -1: a blank page; DIGIT of several
**   characters, e.g. "2026" or "326 751": that number in one row (pic_number);
**   --maxval N: write levels 0..N (N < 256); --raw: only the pixels, no header.
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

int main(int argc, char **argv) {
  int light = 0, raw = 0, digit, arg = 1;
  long maxval = 255;
  uint32_t rng = 2718, w, h, i;
  picture pic;
  FILE *f;

  for (; arg < argc && argv[arg][0] == '-' && argv[arg][1] == '-'; arg++) {
    if (strcmp(argv[arg], "--light") == 0) {
      light = 1;
    } else if (strcmp(argv[arg], "--raw") == 0) {
      raw = 1;
    } else if (strcmp(argv[arg], "--maxval") == 0 && arg + 1 < argc) {
      maxval = atol(argv[++arg]);
    } else {
      break;
    }
  }
  if (argc - arg != 4 || maxval < 1 || maxval > 255 || atol(argv[arg]) < 1 || atol(argv[arg + 1]) < 1) {
    fprintf(stderr, "usage: %s [--light] [--maxval N] [--raw] WIDTH HEIGHT DIGIT OUTPUT\n", argv[0]);
    return 2;
  }
  w = (uint32_t)atol(argv[arg]);
  h = (uint32_t)atol(argv[arg + 1]);
  digit = atoi(argv[arg + 2]);
  pic.width = w, pic.height = h, pic.stride = w;
  pic.pixels = (uint8_t *)malloc((size_t)w * h);
  if (!pic.pixels) return 2;

  /* Paper a little darker on the right, as under a lamp; the digit in the
     middle, 60% of the height, with a pen about 1/20 of it. */
  pic_gradient(&pic, light ? 30 : 235, light ? 45 : 205);
  if (strlen(argv[arg + 2]) > 1) {
    /* A number across the middle: digits 60% of the height, or narrower
       so that it fits the width. */
    int32_t n = (int32_t)strlen(argv[arg + 2]), dh = 16 * (int32_t)h * 6 / 10, dw = dh * 6 / 10;
    if (dw * 13 / 10 * n > 16 * (int32_t)w * 9 / 10) dw = 16 * (int32_t)w * 9 / 10 * 10 / 13 / n;
    pic_number(&pic, argv[arg + 2], (16 * (int32_t)w - dw * 13 / 10 * n) / 2 + dw * 15 / 100,
               (16 * (int32_t)h + dh) / 2, dw, dh, dw * 13 / 10, 0, light ? 230 : 35);
  } else if (digit >= 0) {
    int32_t dh = 16 * (int32_t)h * 6 / 10, dw = dh * 7 / 10;
    pic_digit(&pic, digit, (16 * (int32_t)w - dw) / 2, (16 * (int32_t)h - dh) / 2, dw, dh, dh / 22 + 8,
              light ? 230 : 35);
  }
  pic_noise(&pic, &rng, 4);
  for (i = 0; i < w * h; i++) pic.pixels[i] = (uint8_t)((pic.pixels[i] * maxval + 127) / 255);

  if (!(f = fopen(argv[arg + 3], "wb"))) {
    perror(argv[arg + 3]);
    return 2;
  }
  if (!raw) fprintf(f, "P5\n# drawn by Tests/c/draw_pgm.c\n%u %u\n%ld\n", w, h, maxval);
  if (fwrite(pic.pixels, 1, (size_t)w * h, f) != (size_t)w * h || fclose(f) != 0) {
    perror(argv[arg + 3]);
    return 2;
  }
  free(pic.pixels);
  return 0;
}
