/*
** Prints the size and alignment of every struct of digitinfer.h, and the
** offset of every field, as "struct size align" and "struct.field offset"
** lines, for tests/test_abi.py to compare with the ctypes declarations.
** Built by the tests against the installed header: cc -I PREFIX/include.
*/
#include <stddef.h>
#include <stdio.h>

#include "digitinfer.h"

#define ALIGN(T) offsetof(struct { char c; T t; }, t)
#define STRUCT(T) printf(#T " %zu %zu\n", sizeof(T), (size_t)ALIGN(T))
#define FIELD(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void) {
  STRUCT(dgi_model);
  FIELD(dgi_model, opaque_);

  STRUCT(dgi_result);
  FIELD(dgi_result, digit);
  FIELD(dgi_result, confidence);
  FIELD(dgi_result, probabilities);
  FIELD(dgi_result, not_a_digit);
  FIELD(dgi_result, best_digit);

  STRUCT(dgi_model_info);
  FIELD(dgi_model_info, format_major);
  FIELD(dgi_model_info, format_minor);
  FIELD(dgi_model_info, file_size);
  FIELD(dgi_model_info, checksum);
  FIELD(dgi_model_info, layer_count);
  FIELD(dgi_model_info, class_count);
  FIELD(dgi_model_info, parameter_count);
  FIELD(dgi_model_info, macs);
  FIELD(dgi_model_info, scratch_size);
  FIELD(dgi_model_info, name);
  FIELD(dgi_model_info, metadata);

  STRUCT(dgi_layer_info);
  FIELD(dgi_layer_info, kind);
  FIELD(dgi_layer_info, flags);
  FIELD(dgi_layer_info, input_height);
  FIELD(dgi_layer_info, input_width);
  FIELD(dgi_layer_info, input_channels);
  FIELD(dgi_layer_info, output_height);
  FIELD(dgi_layer_info, output_width);
  FIELD(dgi_layer_info, output_channels);
  FIELD(dgi_layer_info, kernel_height);
  FIELD(dgi_layer_info, kernel_width);
  FIELD(dgi_layer_info, input_zero_point);
  FIELD(dgi_layer_info, output_zero_point);
  FIELD(dgi_layer_info, output_scale);
  FIELD(dgi_layer_info, parameter_count);
  FIELD(dgi_layer_info, macs);

  STRUCT(dgi_preprocess_info);
  FIELD(dgi_preprocess_info, ink);
  FIELD(dgi_preprocess_info, x);
  FIELD(dgi_preprocess_info, y);
  FIELD(dgi_preprocess_info, width);
  FIELD(dgi_preprocess_info, height);
  FIELD(dgi_preprocess_info, paper);
  FIELD(dgi_preprocess_info, components);
  FIELD(dgi_preprocess_info, dropped);

  STRUCT(dgi_number_digit);
  FIELD(dgi_number_digit, result);
  FIELD(dgi_number_digit, x);
  FIELD(dgi_number_digit, y);
  FIELD(dgi_number_digit, width);
  FIELD(dgi_number_digit, height);
  FIELD(dgi_number_digit, flags);
  FIELD(dgi_number_digit, pixels);

  /* The enums are passed as C int by the bindings. */
  printf("enum.dgi_status %zu\n", sizeof(dgi_status));
  printf("enum.dgi_layer_kind %zu\n", sizeof(dgi_layer_kind));
  printf("enum.dgi_kernels %zu\n", sizeof(dgi_kernels));
  printf("const.DGI_ABI_VERSION %u\n", (unsigned)DGI_ABI_VERSION);
  printf("const.DGI_INPUT_SIZE %d\n", DGI_INPUT_SIZE);
  printf("const.DGI_MAX_CLASSES %d\n", DGI_MAX_CLASSES);
  printf("const.DGI_DIGIT_COUNT %d\n", DGI_DIGIT_COUNT);
  printf("const.DGI_CLASS_NOT_A_DIGIT %d\n", DGI_CLASS_NOT_A_DIGIT);
  printf("const.DGI_NOT_A_DIGIT %d\n", DGI_NOT_A_DIGIT);
  printf("const.DGI_MAX_LAYERS %d\n", DGI_MAX_LAYERS);
  printf("const.DGI_MODEL_WORDS %d\n", DGI_MODEL_WORDS);
  printf("const.DGI_LAYER_RELU %u\n", (unsigned)DGI_LAYER_RELU);
  printf("const.DGI_LAYER_SAME_PADDING %u\n", (unsigned)DGI_LAYER_SAME_PADDING);
  printf("const.DGI_INK_AUTO %u\n", (unsigned)DGI_INK_AUTO);
  printf("const.DGI_INK_DARK %u\n", (unsigned)DGI_INK_DARK);
  printf("const.DGI_INK_LIGHT %u\n", (unsigned)DGI_INK_LIGHT);
  printf("const.DGI_PREPROCESS_MAX_SIDE %u\n", (unsigned)DGI_PREPROCESS_MAX_SIDE);
  printf("const.DGI_ERROR_NO_INK %d\n", (int)DGI_ERROR_NO_INK);
  printf("const.DGI_ERROR_TOO_MANY %d\n", (int)DGI_ERROR_TOO_MANY);
  printf("const.DGI_ERROR_NOT_A_DIGIT %d\n", (int)DGI_ERROR_NOT_A_DIGIT);
  printf("const.DGI_DIGIT_SPLIT %u\n", (unsigned)DGI_DIGIT_SPLIT);
  printf("const.DGI_LAYER_FLATTEN %d\n", (int)DGI_LAYER_FLATTEN);
  /* The dgi_kernels values are read from the header's text by test_abi.py,
     so that this program builds whatever sets the header lists. */
  printf("const.DGI_KERNELS_AUTO %d\n", (int)DGI_KERNELS_AUTO);
  printf("const.DGI_KERNELS_REFERENCE %d\n", (int)DGI_KERNELS_REFERENCE);
  return 0;
}
