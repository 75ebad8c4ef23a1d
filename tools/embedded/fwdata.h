/* The firmware's compiled-in test data (written by gen-data.c). */
#ifndef FWDATA_H
#define FWDATA_H

#include <stddef.h>
#include <stdint.h>

#define FW_MODEL_COUNT 3
typedef struct fw_model {
  const char *name;
  const unsigned char *bytes;
  size_t size;
} fw_model;

/* One golden preprocessing case of test_preprocess.c, stride = width. */
typedef struct fw_picture {
  unsigned index;
  uint32_t width, height, flags;
  int kind;
  const unsigned char *pixels;
} fw_picture;

extern const fw_model fw_models[FW_MODEL_COUNT]; /* mnist-int8.dgi, tiny.dgi, reference.dgi */
extern const unsigned char fw_golden_inputs[];   /* fw_golden_count x 784 */
extern const unsigned fw_golden_count;
extern const fw_picture fw_pictures[];
extern const unsigned fw_picture_count;

#endif
