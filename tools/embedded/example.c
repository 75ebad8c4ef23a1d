/*
** The smallest useful program: one model in flash, one 28x28 image, the two
** calls. Built by test-qemu.sh with board-64k16k.ld (64 KiB flash, 16 KiB
** RAM), which proves what fits such a part: the link fails if it does not.
** The model and the image come from example-data.S (.incbin); firmware.c
** supplies the startup code and platform_write (semihosting).
*/
#include <stddef.h>
#include <stdint.h>

#include "digitinfer.h"
#include "platform.h"

extern const unsigned char example_model[], example_model_end[];
extern const uint8_t example_image[DGI_INPUT_SIZE];

#ifndef EXAMPLE_SCRATCH
#define EXAMPLE_SCRATCH 10240 /* at least dgi_model_scratch_size() */
#endif
static dgi_model model;
static unsigned char scratch[EXAMPLE_SCRATCH];

int harness_main(void) {
  char text[] = "example: digit ?\n";
  dgi_result r;
  dgi_status s = dgi_model_open(&model, example_model, (size_t)(example_model_end - example_model));
  if (s == DGI_OK) {
    platform_probe_begin(); /* firmware.c: stack and instructions, printed as "measure" lines */
    s = dgi_classify(&model, example_image, scratch, sizeof scratch, &r);
    platform_probe_end("dgi_classify", "example");
  }
  if (s != DGI_OK) {
    platform_write("example: failed\n"); /* dgi_status_message(s) would link 0.7 KiB of text */
    return 1;
  }
  text[15] = r.digit == DGI_NOT_A_DIGIT ? 'x' : (char)('0' + r.digit);
  platform_write(text);
  return 0;
}
