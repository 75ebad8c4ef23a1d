/*
** Prints the digit dgi_classify gives for MODEL and a raw 784-byte image,
** so that tools/test-c.sh can check what tools/examples/classify prints
** without trusting the example's own PGM parsing.
**
** Usage: expect_digit MODEL.dgi IMAGE.raw
**        expect_digit --status-message CODE   (prints dgi_status_message(CODE))
*/
#include <stdlib.h>
#include <string.h>

#include "support.h"

int main(int argc, char **argv) {
  size_t model_size, image_size, n;
  unsigned char *model_bytes, *image, *scratch;
  dgi_model m;
  dgi_result r;
  dgi_status s;

  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL.dgi IMAGE.raw | --status-message CODE\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "--status-message") == 0) {
    printf("%s\n", dgi_status_message((dgi_status)atoi(argv[2])));
    return 0;
  }
  model_bytes = load_file(argv[1], &model_size);
  image = load_file(argv[2], &image_size);
  if (image_size != DGI_INPUT_SIZE) {
    fprintf(stderr, "%s: %lu bytes, not %d\n", argv[2], (unsigned long)image_size, DGI_INPUT_SIZE);
    return 2;
  }
  if ((s = dgi_model_open(&m, model_bytes, model_size)) != DGI_OK) {
    fprintf(stderr, "%s: %s\n", argv[1], dgi_status_message(s));
    return 2;
  }
  n = dgi_model_scratch_size(&m);
  scratch = (unsigned char *)malloc(n);
  if ((s = dgi_classify(&m, image, scratch, n, &r)) != DGI_OK) {
    fprintf(stderr, "%s: %s\n", argv[2], dgi_status_message(s));
    return 2;
  }
  printf("%d\n", (int)r.digit);
  free(scratch);
  free(image);
  free(model_bytes);
  return 0;
}
