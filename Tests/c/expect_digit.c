/*
** Prints the digit dgi_classify gives for MODEL and a raw grayscale image
** (28x28 unless WIDTH and HEIGHT are given) after dgi_preprocess with
** DGI_INK_AUTO, as tools/examples/classify does, so that tools/test-c.sh
** can check what the example prints without trusting its PGM parsing.
**
** Usage: expect_digit MODEL.dgi IMAGE.raw [WIDTH HEIGHT]
**        expect_digit --status-message CODE   (prints dgi_status_message(CODE))
**        expect_digit --kernels MODEL.dgi     (prints the kernel set the model runs)
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

int main(int argc, char **argv) {
  size_t model_size, image_size, n;
  unsigned char *model_bytes, *image, *scratch;
  uint8_t pixels[DGI_INPUT_SIZE];
  uint32_t width = DGI_INPUT_WIDTH, height = DGI_INPUT_HEIGHT;
  dgi_model m;
  dgi_result r;
  dgi_status s;

  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: %s MODEL.dgi IMAGE.raw [WIDTH HEIGHT] | --status-message CODE | --kernels MODEL.dgi\n",
            argv[0]);
    return 2;
  }
  if (argc == 5) {
    width = (uint32_t)strtoul(argv[3], NULL, 10);
    height = (uint32_t)strtoul(argv[4], NULL, 10);
  }
  if (strcmp(argv[1], "--status-message") == 0) {
    printf("%s\n", dgi_status_message((dgi_status)atoi(argv[2])));
    return 0;
  }
  if (strcmp(argv[1], "--kernels") == 0) {
    model_bytes = load_file(argv[2], &model_size);
    if ((s = dgi_model_open(&m, model_bytes, model_size)) != DGI_OK) {
      fprintf(stderr, "%s: %s\n", argv[2], dgi_status_message(s));
      return 2;
    }
    printf("%s\n", dgi_kernels_name(dgi_model_kernels(&m)));
    free(model_bytes);
    return 0;
  }
  model_bytes = load_file(argv[1], &model_size);
  image = load_file(argv[2], &image_size);
  if (image_size != (size_t)width * height) {
    fprintf(stderr, "%s: %lu bytes, not %ux%u\n", argv[2], (unsigned long)image_size, width, height);
    return 2;
  }
  if ((s = dgi_model_open(&m, model_bytes, model_size)) != DGI_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], dgi_status_message(s));
    return 2;
  }
  n = dgi_model_scratch_size(&m);
  if (dgi_preprocess_scratch_size(width, height) > n) n = dgi_preprocess_scratch_size(width, height);
  scratch = (unsigned char *)malloc(n);
  if ((s = dgi_preprocess(image, width, height, width, DGI_INK_AUTO, scratch, n, pixels, NULL)) != DGI_OK ||
      (s = dgi_classify(&m, pixels, scratch, n, &r)) != DGI_OK) {
    fprintf(stderr, "%s: %s\n", argv[2], dgi_status_message(s));
    return 2;
  }
  printf("%d\n", (int)r.digit);
  free(scratch);
  free(image);
  free(model_bytes);
  return 0;
}
