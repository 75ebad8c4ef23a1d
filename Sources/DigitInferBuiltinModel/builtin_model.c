// Embeds models/mnist-int8.dgi. Compilers with C23 #embed (clang 19 and
// later, as in Swift 6.2+) read the file through the preprocessor, which
// records it in the dependency file: editing the model rebuilds this
// object. Older compilers get the assembler's .incbin, found through the
// models directory on the include path (Package.swift), which the build
// system does not track; the CLI tests compare the embedded bytes with the
// file, so a stale copy fails them either way.
#include "digitinfer_builtin_model.h"

#if defined(__has_embed)
#pragma clang diagnostic ignored "-Wc23-extensions"
_Alignas(16) static const unsigned char model[] = {
#embed "../../models/mnist-int8.dgi"
};
const unsigned char *digitinfer_builtin_model(size_t *size) {
  *size = sizeof model;
  return model;
}
#else
#if defined(__APPLE__)
#define DGI_SECTION ".const"
#define DGI_SYMBOL(name) "_" #name
#define DGI_HIDDEN ".private_extern "
#else
#define DGI_SECTION ".section .rodata"
#define DGI_SYMBOL(name) #name
#define DGI_HIDDEN ".hidden "
#endif
__asm__(
  DGI_SECTION "\n"
  ".balign 16\n"
  ".globl " DGI_SYMBOL(digitinfer_builtin_model_start) "\n"
  DGI_HIDDEN DGI_SYMBOL(digitinfer_builtin_model_start) "\n"
  DGI_SYMBOL(digitinfer_builtin_model_start) ":\n"
  ".incbin \"mnist-int8.dgi\"\n"
  ".globl " DGI_SYMBOL(digitinfer_builtin_model_end) "\n"
  DGI_HIDDEN DGI_SYMBOL(digitinfer_builtin_model_end) "\n"
  DGI_SYMBOL(digitinfer_builtin_model_end) ":\n"
  ".text\n");
extern const unsigned char digitinfer_builtin_model_start[];
extern const unsigned char digitinfer_builtin_model_end[];
const unsigned char *digitinfer_builtin_model(size_t *size) {
  *size = (size_t)(digitinfer_builtin_model_end - digitinfer_builtin_model_start);
  return digitinfer_builtin_model_start;
}
#endif
