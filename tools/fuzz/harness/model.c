// Fuzz target (a): model bytes -> dgi_model_open -> info, layers, infer,
// classify, batch, with every kernel set this CPU runs, each answer checked
// against the independent reader in oracle.c (docs/FORMAT.md's status, int8
// outputs, softmax bits). The model bytes are read-only and end at a guard
// page; so does the scratch, of exactly dgi_model_scratch_size() bytes.
// Structure-aware mutations live in mutate.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digitinfer.h"
#define FUZZ_NAME "fuzz-model"
#include "guard.h"
#include "oracle.h"

static guard_buffer model_pages, scratch_pages;

// A valid file may ask for up to 2^31 - 1 bytes of scratch (rule E3) though
// inference only touches its arenas and workspace at the start; garbage in
// the first 16 MiB covers those without making every such input cost 2 GB.
static void fill(unsigned char *scratch, size_t size, uint8_t value) {
  memset(scratch, value, size < ((size_t)1 << 24) ? size : (size_t)1 << 24);
}

// A test image that depends on the input, so that the corpus varies images
// too: xorshift32 seeded from the file's CRC; some runs use extreme images.
static void make_image(uint32_t seed, uint8_t pixels[784]) {
  uint32_t s = seed | 1;
  int style = (int)(seed % 4);
  for (int i = 0; i < 784; i++) {
    s ^= s << 13, s ^= s >> 17, s ^= s << 5;
    pixels[i] = style == 0 ? 0 : style == 1 ? 255 : style == 2 ? (uint8_t)(s >> 24) : ((s >> 24) & 1) * 255;
  }
}

static void check_info(const dgi_model *model, const oracle_model *o) {
  dgi_model_info info;
  CHECK(dgi_model_get_info(model, &info) == DGI_OK, "get_info failed");
  CHECK(info.format_major == o->format_major && info.format_minor == o->format_minor, "version %u.%u",
        info.format_major, info.format_minor);
  CHECK(info.file_size == o->file_size, "file_size %u, oracle %u", info.file_size, o->file_size);
  CHECK(info.checksum == o->crc32, "checksum %08x, oracle %08x", info.checksum, o->crc32);
  CHECK(info.layer_count == o->layer_count, "layer_count %u, oracle %u", info.layer_count, o->layer_count);
  CHECK(info.class_count == o->class_count, "class_count %u, oracle %u", info.class_count, o->class_count);
  CHECK(info.name == (const char *)o->bytes + o->name_offset, "name does not point at name_offset");
  CHECK(info.metadata == (const char *)o->bytes + o->metadata_offset, "metadata does not point at metadata_offset");
  CHECK(info.scratch_size == dgi_model_scratch_size(model), "info.scratch_size != dgi_model_scratch_size");
  CHECK(info.scratch_size >= o->scratch_size && info.scratch_size >= o->arena_a + o->arena_b,
        "scratch %zu below the stored %u or the arenas %llu", info.scratch_size, o->scratch_size,
        (unsigned long long)(o->arena_a + o->arena_b));
  uint64_t parameters = 0;
  for (uint32_t i = 0; i < o->layer_count; i++) {
    const oracle_layer *l = &o->layers[i];
    dgi_layer_info li;
    CHECK(dgi_model_get_layer(model, i, &li) == DGI_OK, "get_layer %u failed", i);
    CHECK((uint32_t)li.kind == l->kind && li.flags == l->flags, "layer %u kind/flags", i);
    CHECK(li.input_height == l->in_h && li.input_width == l->in_w && li.input_channels == l->in_c, "layer %u input", i);
    CHECK(li.output_height == l->out_h && li.output_width == l->out_w && li.output_channels == l->out_c,
          "layer %u output", i);
    CHECK(li.input_zero_point == l->in_zp && li.output_zero_point == l->out_zp, "layer %u zero points", i);
    uint32_t scale_bits;
    memcpy(&scale_bits, &li.output_scale, 4);
    CHECK(scale_bits == l->out_scale_bits, "layer %u out_scale bits %08x, file %08x", i, scale_bits, l->out_scale_bits);
    // The header documents kernel sizes for conv2d and maxpool; 1 otherwise.
    if (l->kind == DGI_LAYER_CONV2D || l->kind == DGI_LAYER_MAXPOOL2D)
      CHECK(li.kernel_height == l->kernel_h && li.kernel_width == l->kernel_w, "layer %u kernel", i);
    else
      CHECK(li.kernel_height == 1 && li.kernel_width == 1, "layer %u kernel not 1x1", i);
    CHECK(li.parameter_count == oracle_layer_parameters(l), "layer %u parameter_count %llu, oracle %llu", i,
          (unsigned long long)li.parameter_count, (unsigned long long)oracle_layer_parameters(l));
    parameters += li.parameter_count;
  }
  CHECK(info.parameter_count == parameters, "parameter_count %llu, layers sum %llu",
        (unsigned long long)info.parameter_count, (unsigned long long)parameters);
  dgi_layer_info li;
  CHECK(dgi_model_get_layer(model, o->layer_count, &li) == DGI_ERROR_ARGUMENT, "layer index past the end accepted");
}

// The dgi_result the header promises for the oracle's logits (FORMAT.md
// 10.7): "not a digit" (class 10) apart from the ten digits.
static dgi_result oracle_result(const oracle_model *o, const int8_t logits[ORACLE_MAX_CLASSES]) {
  float p[ORACLE_MAX_CLASSES];
  dgi_result r;
  memset(&r, 0, sizeof r);
  int best = oracle_softmax(o, logits, p);
  memcpy(r.probabilities, p, sizeof r.probabilities);
  r.not_a_digit = p[ORACLE_NOT_A_DIGIT];
  r.digit = best == ORACLE_NOT_A_DIGIT ? DGI_NOT_A_DIGIT : best;
  r.confidence = p[best];
  r.best_digit = oracle_best_digit(o, logits);
  return r;
}

// One kernel set: dgi_infer and dgi_classify on `image` against the oracle.
static void check_inference(const dgi_model *model, const oracle_model *o, const uint8_t image[784],
                            const int8_t expected[ORACLE_MAX_CLASSES], size_t scratch_size, uint8_t garbage) {
  const char *set = dgi_kernels_name(dgi_model_kernels(model));
  unsigned char *scratch = guard_end(&scratch_pages, scratch_size);
  fill(scratch, scratch_size, garbage);  // its previous content must not matter
  int8_t logits[DGI_MAX_CLASSES];
  dgi_status status = dgi_infer(model, image, scratch, scratch_size, logits);
  CHECK(status == DGI_OK, "%s: dgi_infer: %s", set, dgi_status_message(status));
  for (int i = 0; i < DGI_MAX_CLASSES; i++)
    CHECK(logits[i] == expected[i], "%s: logit %d is %d, oracle %d", set, i, logits[i], expected[i]);

  dgi_result want = oracle_result(o, expected), result;
  fill(scratch, scratch_size, garbage ^ 0xFF);
  status = dgi_classify(model, image, scratch, scratch_size, &result);
  CHECK(status == DGI_OK, "%s: dgi_classify: %s", set, dgi_status_message(status));
  CHECK(result.digit == want.digit, "%s: digit %d, oracle %d", set, result.digit, want.digit);
  CHECK(memcmp(result.probabilities, want.probabilities, sizeof want.probabilities) == 0, "%s: probabilities differ",
        set);
  CHECK(memcmp(&result.confidence, &want.confidence, 4) == 0, "%s: confidence differs", set);
  CHECK(memcmp(&result.not_a_digit, &want.not_a_digit, 4) == 0 && result.best_digit == want.best_digit,
        "%s: not_a_digit or best_digit differs", set);

  // One byte short is refused, and nothing is written.
  if (scratch_size > 0) {
    memset(logits, 0x5A, DGI_MAX_CLASSES);
    status = dgi_infer(model, image, guard_end(&scratch_pages, scratch_size - 1), scratch_size - 1, logits);
    CHECK(status == DGI_ERROR_SCRATCH, "%s: scratch one byte short gave %d", set, status);
    for (int i = 0; i < DGI_MAX_CLASSES; i++) CHECK(logits[i] == 0x5A, "%s: failed dgi_infer wrote logits", set);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  guard_writable(&model_pages, 1);
  unsigned char *bytes = guard_end(&model_pages, size);
  memcpy(bytes, data, size);
  guard_writable(&model_pages, 0);  // dgi_model_open promises to only read

  oracle_model o;
  const char *rule;
  int expected_status = oracle_open(&o, bytes, size, &rule);
  dgi_model model;
  dgi_status status = dgi_model_open(&model, bytes, size);
  CHECK((int)status == expected_status, "dgi_model_open: %d (%s), oracle: %d (rule %s)", status,
        dgi_status_message(status), expected_status, rule);
  if (status != DGI_OK) {
    CHECK(dgi_model_scratch_size(&model) == 0, "a model that failed to open has a scratch size");
    int8_t logits[DGI_MAX_CLASSES];
    uint8_t image[784] = {0};
    unsigned char scratch[16];
    CHECK(dgi_infer(&model, image, scratch, sizeof scratch, logits) == DGI_ERROR_NOT_OPEN, "failed model ran");
    return 0;
  }
  check_info(&model, &o);

  uint8_t images[2 * 784];
  make_image(o.crc32, images);
  for (int i = 0; i < 784; i++) images[784 + i] = (uint8_t)(255 - images[i]);
  int8_t expected[2][ORACLE_MAX_CLASSES];
  if (oracle_infer(&o, images, expected[0]) != 0 || oracle_infer(&o, images + 784, expected[1]) != 0) return 0;

  size_t scratch_size = dgi_model_scratch_size(&model);
  uint8_t garbage = (uint8_t)o.crc32;
  uint32_t sets = dgi_kernels_supported();
  for (int k = DGI_KERNELS_REFERENCE; k <= DGI_KERNELS_DSP; k++) {
    if (!(sets & (1u << k))) continue;
    CHECK(dgi_model_set_kernels(&model, (dgi_kernels)k) == DGI_OK, "cannot select supported set %d", k);
    CHECK(dgi_model_scratch_size(&model) == scratch_size, "scratch size changed with the kernel set");
    check_inference(&model, &o, images, expected[0], scratch_size, garbage);
  }

  // The batch path packs weights once for all images: its own code.
  CHECK(dgi_model_set_kernels(&model, DGI_KERNELS_AUTO) == DGI_OK, "cannot return to auto");
  int8_t batch[2 * DGI_MAX_CLASSES];
  unsigned char *scratch = guard_end(&scratch_pages, scratch_size);
  fill(scratch, scratch_size, garbage);
  status = dgi_infer_batch(&model, images, 2, scratch, scratch_size, batch);
  CHECK(status == DGI_OK, "dgi_infer_batch: %s", dgi_status_message(status));
  CHECK(memcmp(batch, expected, sizeof batch) == 0, "dgi_infer_batch differs from the oracle");
  dgi_result results[2];
  status = dgi_classify_batch(&model, images, 2, scratch, scratch_size, results);
  CHECK(status == DGI_OK, "dgi_classify_batch: %s", dgi_status_message(status));
  for (int j = 0; j < 2; j++) {
    dgi_result want = oracle_result(&o, expected[j]);
    CHECK(memcmp(&results[j], &want, sizeof want) == 0, "dgi_classify_batch image %d differs from the oracle", j);
  }
  return 0;
}
