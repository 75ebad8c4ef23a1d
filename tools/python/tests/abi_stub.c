/*
** A fake libdigitinfer that exports every dgi_* function of the header but
** reports ABI version STUB_ABI: tests/test_model.py checks that the
** bindings refuse it. Build: cc -shared -fPIC -DSTUB_ABI=2 -I PREFIX/include.
*/
#include "digitinfer.h"

#ifndef STUB_ABI
#define STUB_ABI 2
#endif

const char *dgi_version(void) { return "0.0.0-stub"; }
uint32_t dgi_abi_version(void) { return STUB_ABI; }
const char *dgi_status_message(dgi_status s) { (void)s; return "stub"; }
dgi_status dgi_model_open(dgi_model *m, const void *b, size_t n) { (void)m, (void)b, (void)n; return DGI_ERROR_ARGUMENT; }
size_t dgi_model_scratch_size(const dgi_model *m) { (void)m; return 0; }
uint32_t dgi_kernels_supported(void) { return 1u << DGI_KERNELS_REFERENCE; }
const char *dgi_kernels_name(dgi_kernels k) { (void)k; return "stub"; }
dgi_kernels dgi_model_kernels(const dgi_model *m) { (void)m; return DGI_KERNELS_AUTO; }
dgi_status dgi_model_set_kernels(dgi_model *m, dgi_kernels k) { (void)m, (void)k; return DGI_ERROR_NOT_OPEN; }
dgi_status dgi_classify_batch(const dgi_model *m, const uint8_t *p, size_t c, void *s, size_t n, dgi_result *r) {
  (void)m, (void)p, (void)c, (void)s, (void)n, (void)r;
  return DGI_ERROR_NOT_OPEN;
}
dgi_status dgi_infer_batch(const dgi_model *m, const uint8_t *p, size_t c, void *s, size_t n, int8_t *l) {
  (void)m, (void)p, (void)c, (void)s, (void)n, (void)l;
  return DGI_ERROR_NOT_OPEN;
}
dgi_status dgi_classify(const dgi_model *m, const uint8_t p[784], void *s, size_t n, dgi_result *r) {
  (void)m, (void)p, (void)s, (void)n, (void)r;
  return DGI_ERROR_NOT_OPEN;
}
dgi_status dgi_infer(const dgi_model *m, const uint8_t p[784], void *s, size_t n, int8_t l[10]) {
  (void)m, (void)p, (void)s, (void)n, (void)l;
  return DGI_ERROR_NOT_OPEN;
}
dgi_status dgi_model_get_info(const dgi_model *m, dgi_model_info *i) { (void)m, (void)i; return DGI_ERROR_NOT_OPEN; }
dgi_status dgi_model_get_layer(const dgi_model *m, uint32_t k, dgi_layer_info *i) {
  (void)m, (void)k, (void)i;
  return DGI_ERROR_NOT_OPEN;
}
size_t dgi_preprocess_scratch_size(uint32_t w, uint32_t h) { (void)w, (void)h; return 0; }
dgi_status dgi_preprocess(const uint8_t *im, uint32_t w, uint32_t h, size_t st, uint32_t f, void *s, size_t n,
                          uint8_t p[784], dgi_preprocess_info *i) {
  (void)im, (void)w, (void)h, (void)st, (void)f, (void)s, (void)n, (void)p, (void)i;
  return DGI_ERROR_ARGUMENT;
}
size_t dgi_read_number_scratch_size(const dgi_model *m, uint32_t w, uint32_t h) { (void)m, (void)w, (void)h; return 0; }
dgi_status dgi_read_number(const dgi_model *m, const uint8_t *im, uint32_t w, uint32_t h, size_t st, uint32_t f,
                           void *s, size_t n, dgi_number_digit *d, size_t md, size_t *c) {
  (void)m, (void)im, (void)w, (void)h, (void)st, (void)f, (void)s, (void)n, (void)d, (void)md, (void)c;
  return DGI_ERROR_NOT_OPEN;
}
