// An independent reader of .dgi files, written from docs/FORMAT.md alone
// (section numbers and rule names below are the spec's), for the model
// fuzzer to check libdigitinfer against. It favours being obviously right
// over being fast: plain loops, 64-bit arithmetic, heap activations.
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H

#include <stddef.h>
#include <stdint.h>

// 11 classes: the ten digits and, as class 10, "not a digit" (section 10.7).
enum { ORACLE_MAX_LAYERS = 16, ORACLE_MAX_CLASSES = 11, ORACLE_NOT_A_DIGIT = 10 };

typedef struct oracle_layer {
  uint32_t kind, flags;
  int32_t in_zp, out_zp;
  uint32_t in_h, in_w, in_c, out_h, out_w, out_c;
  uint32_t kernel_h, kernel_w, stride_h, stride_w;
  uint32_t pad_h, pad_w;
  uint32_t out_scale_bits;   // the f32 as stored (informative, section 7)
  uint64_t weights, bias, multipliers, shifts;  // offsets (section 8.3); 0 without a block
} oracle_layer;

typedef struct oracle_model {
  const uint8_t *bytes;
  uint32_t format_major, format_minor, file_size, crc32;
  uint32_t layer_count, class_count, softmax_beta, scratch_size;
  uint32_t name_offset, metadata_offset;
  uint64_t arena_a, arena_b;  // section 12
  oracle_layer layers[ORACLE_MAX_LAYERS];
} oracle_model;

// The dgi_status value that section 13 gives `bytes[0..size)` (0 = valid);
// on 0, *model describes the file. `rule` (optional) gets the rule's name.
int oracle_open(oracle_model *model, const uint8_t *bytes, size_t size, const char **rule);

// Section 10: the class_count int8 outputs for one 28x28 image, padded with
// zeros to 11. Returns 0, or -1 if memory for the activations ran out.
int oracle_infer(const oracle_model *model, const uint8_t pixels[784], int8_t logits[ORACLE_MAX_CLASSES]);

// Section 11: the predicted class (10: "not a digit"), and
// probabilities[0..10] of every class (0 past class_count).
int oracle_softmax(const oracle_model *model, const int8_t logits[ORACLE_MAX_CLASSES],
                   float probabilities[ORACLE_MAX_CLASSES]);

// Section 10.7: the first largest logit among the digit classes 0..9.
int oracle_best_digit(const oracle_model *model, const int8_t logits[ORACLE_MAX_CLASSES]);

// Weights plus biases of a conv2d or dense layer, 0 for the others.
uint64_t oracle_layer_parameters(const oracle_layer *layer);

// CRC-32 of section 6 over bytes[0..n), continuing from `crc` (0 to start).
uint32_t oracle_crc32(uint32_t crc, const uint8_t *bytes, size_t n);

#endif
