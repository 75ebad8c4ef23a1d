/*
** The documented contract of each function in digitinfer.h, with valid
** models: argument checks, status messages, the never-opened record,
** scratch checks, what get_info/get_layer report, and that the model bytes
** and scratch need no alignment.
**
** Usage: test_api GOLDEN_DIR
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void test_status_messages(void) {
  const char *messages[11];
  int i, j;
  for (i = 0; i <= 10; i++) {
    messages[i] = dgi_status_message((dgi_status)i);
    CHECK(messages[i] != NULL && messages[i][0] != '\0', "status %d has no message", i);
    for (j = 0; j < i; j++) {
      CHECK(messages[i] == NULL || messages[j] == NULL || strcmp(messages[i], messages[j]) != 0,
            "statuses %d and %d share the message \"%s\"", j, i, messages[i]);
    }
  }
  CHECK(dgi_status_message((dgi_status)999) != NULL, "status 999 has no message");
  CHECK(dgi_status_message((dgi_status)11) != NULL, "status 11 has no message");
  CHECK(dgi_status_message((dgi_status)-1) != NULL, "status -1 has no message");
  CHECK(dgi_abi_version() == DGI_ABI_VERSION, "library ABI %u, header ABI %u", dgi_abi_version(),
        DGI_ABI_VERSION);
  CHECK(dgi_version() != NULL && strcmp(dgi_version(), DGI_VERSION) == 0, "library version %s, header version %s",
        dgi_version() ? dgi_version() : "(null)", DGI_VERSION);
}

/* Pixels and results are placed against a guard page: no overreads. */
static void test_null_arguments(const unsigned char *bytes, size_t size, const uint8_t *image) {
  dgi_model m;
  dgi_model_info info;
  dgi_layer_info layer;
  dgi_result result;
  int8_t logits[DGI_MAX_CLASSES];
  size_t n;
  void *scratch;

  CHECK(dgi_model_open(NULL, bytes, size) == DGI_ERROR_ARGUMENT, "open(NULL model)");
  CHECK(dgi_model_open(&m, NULL, size) == DGI_ERROR_ARGUMENT, "open(NULL bytes)");
  CHECK(dgi_model_scratch_size(&m) == 0, "a record whose open failed reports scratch");
  CHECK(dgi_infer(&m, image, &m, sizeof m, logits) == DGI_ERROR_NOT_OPEN,
        "a record whose open failed still runs");
  CHECK(dgi_model_open(&m, NULL, 0) == DGI_ERROR_ARGUMENT, "open(NULL bytes, 0)");

  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "valid model does not open");
  n = dgi_model_scratch_size(&m);
  scratch = malloc(n);
  CHECK(dgi_classify(NULL, image, scratch, n, &result) == DGI_ERROR_ARGUMENT, "classify(NULL model)");
  CHECK(dgi_classify(&m, NULL, scratch, n, &result) == DGI_ERROR_ARGUMENT, "classify(NULL pixels)");
  CHECK(dgi_classify(&m, image, scratch, n, NULL) == DGI_ERROR_ARGUMENT, "classify(NULL result)");
  CHECK(dgi_infer(NULL, image, scratch, n, logits) == DGI_ERROR_ARGUMENT, "infer(NULL model)");
  CHECK(dgi_infer(&m, NULL, scratch, n, logits) == DGI_ERROR_ARGUMENT, "infer(NULL pixels)");
  CHECK(dgi_infer(&m, image, scratch, n, NULL) == DGI_ERROR_ARGUMENT, "infer(NULL logits)");
  CHECK(dgi_model_get_info(NULL, &info) == DGI_ERROR_ARGUMENT, "get_info(NULL model)");
  CHECK(dgi_model_get_info(&m, NULL) == DGI_ERROR_ARGUMENT, "get_info(NULL info)");
  CHECK(dgi_model_get_layer(NULL, 0, &layer) == DGI_ERROR_ARGUMENT, "get_layer(NULL model)");
  CHECK(dgi_model_get_layer(&m, 0, NULL) == DGI_ERROR_ARGUMENT, "get_layer(NULL info)");
  CHECK(dgi_model_scratch_size(NULL) == 0, "scratch_size(NULL)");
  CHECK(dgi_classify(&m, image, scratch, n, &result) == DGI_OK, "the record broke after bad calls");
  free(scratch);
}

static void test_not_open(const uint8_t *image) {
  dgi_model m;
  dgi_model_info info;
  dgi_layer_info layer;
  dgi_result result;
  int8_t logits[DGI_MAX_CLASSES];
  static unsigned char scratch[1 << 16];

  memset(&m, 0, sizeof m);
  CHECK(dgi_model_scratch_size(&m) == 0, "zeroed record reports scratch");
  CHECK(dgi_classify(&m, image, scratch, sizeof scratch, &result) == DGI_ERROR_NOT_OPEN, "classify");
  CHECK(dgi_infer(&m, image, scratch, sizeof scratch, logits) == DGI_ERROR_NOT_OPEN, "infer");
  CHECK(dgi_model_get_info(&m, &info) == DGI_ERROR_NOT_OPEN, "get_info");
  CHECK(dgi_model_get_layer(&m, 0, &layer) == DGI_ERROR_NOT_OPEN, "get_layer");
  memset(&m, 0xFF, sizeof m);
  CHECK(dgi_model_scratch_size(&m) == 0, "0xFF-filled record reports scratch");
  CHECK(dgi_infer(&m, image, scratch, sizeof scratch, logits) == DGI_ERROR_NOT_OPEN, "infer (0xFF)");
}

/* A failed open un-opens a record that was open before. */
static void test_failed_reopen(const unsigned char *bytes, size_t size, const uint8_t *image) {
  dgi_model m;
  int8_t logits[DGI_MAX_CLASSES];
  static unsigned char scratch[1 << 16];
  unsigned char *bad = (unsigned char *)malloc(size);

  memcpy(bad, bytes, size);
  bad[size / 2] ^= 1;
  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "valid model does not open");
  CHECK(dgi_model_open(&m, bad, size) == DGI_ERROR_CHECKSUM, "corrupt model is not a checksum error");
  CHECK(dgi_model_scratch_size(&m) == 0, "record still open after a failed open");
  CHECK(dgi_infer(&m, image, scratch, sizeof scratch, logits) == DGI_ERROR_NOT_OPEN,
        "record still runs after a failed open");
  free(bad);
}

static void test_scratch(const unsigned char *bytes, size_t size, const uint8_t *image) {
  dgi_model m;
  dgi_result result, untouched;
  int8_t logits[DGI_MAX_CLASSES], logits_untouched[DGI_MAX_CLASSES];
  size_t n;
  guarded scratch;

  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "valid model does not open");
  n = dgi_model_scratch_size(&m);
  CHECK(n > 0, "scratch size 0");
  guarded_init(&scratch, n + 64);
  memset(&untouched, 0xA5, sizeof untouched);
  memset(logits_untouched, 0x5A, sizeof logits_untouched);

  result = untouched;
  CHECK(dgi_classify(&m, image, NULL, n, &result) == DGI_ERROR_SCRATCH, "classify, NULL scratch");
  CHECK(memcmp(&result, &untouched, sizeof result) == 0, "result written on failure");
  CHECK(dgi_classify(&m, image, guarded_tail(&scratch, n - 1), n - 1, &result) == DGI_ERROR_SCRATCH,
        "classify, scratch one byte short");
  CHECK(memcmp(&result, &untouched, sizeof result) == 0, "result written on failure");
  CHECK(dgi_classify(&m, image, guarded_tail(&scratch, 0), 0, &result) == DGI_ERROR_SCRATCH,
        "classify, scratch size 0");
  /* A size above PTRDIFF_MAX is no buffer's: an argument error, as for
     dgi_model_open, not "smaller than required". */
  {
    size_t huge[2] = {(size_t)-1, (size_t)-1 / 2 + 1};
    int k;
    for (k = 0; k < 2; k++) {
      dgi_result batch[1];
      CHECK(dgi_classify(&m, image, guarded_tail(&scratch, n), huge[k], &result) == DGI_ERROR_ARGUMENT,
            "classify, scratch_size %zu", huge[k]);
      CHECK(dgi_infer(&m, image, guarded_tail(&scratch, n), huge[k], logits) == DGI_ERROR_ARGUMENT,
            "infer, scratch_size %zu", huge[k]);
      CHECK(dgi_classify_batch(&m, image, 1, guarded_tail(&scratch, n), huge[k], batch) == DGI_ERROR_ARGUMENT,
            "classify_batch, scratch_size %zu", huge[k]);
      CHECK(dgi_infer_batch(&m, image, 1, guarded_tail(&scratch, n), huge[k], logits) == DGI_ERROR_ARGUMENT,
            "infer_batch, scratch_size %zu", huge[k]);
    }
    CHECK(memcmp(&result, &untouched, sizeof result) == 0, "result written on failure");
  }

  memcpy(logits, logits_untouched, sizeof logits);
  CHECK(dgi_infer(&m, image, NULL, n, logits) == DGI_ERROR_SCRATCH, "infer, NULL scratch");
  CHECK(dgi_infer(&m, image, guarded_tail(&scratch, n - 1), n - 1, logits) == DGI_ERROR_SCRATCH,
        "infer, scratch one byte short");
  CHECK(memcmp(logits, logits_untouched, sizeof logits) == 0, "logits written on failure");

  /* Exactly n bytes, against the guard page: writing past them would crash. */
  CHECK(dgi_classify(&m, image, guarded_tail(&scratch, n), n, &result) == DGI_OK, "exact scratch");
  CHECK(dgi_infer(&m, image, guarded_tail(&scratch, n), n, logits) == DGI_OK, "exact scratch");
  CHECK(dgi_infer(&m, image, guarded_tail(&scratch, n + 64), n + 64, logits) == DGI_OK,
        "larger scratch");
  guarded_free(&scratch);
}

static uint64_t expected_macs(const dgi_layer_info *l) {
  uint64_t outputs = (uint64_t)l->output_height * l->output_width * l->output_channels;
  if (l->kind == DGI_LAYER_CONV2D || l->kind == DGI_LAYER_DENSE)
    return outputs * l->kernel_height * l->kernel_width * l->input_channels;
  return 0;
}

static void test_info(const char *name, const unsigned char *bytes, size_t size) {
  dgi_model m;
  dgi_model_info info;
  dgi_layer_info layer, previous;
  uint64_t macs = 0, parameters = 0;
  uint32_t i;

  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "%s does not open", name);
  CHECK(dgi_model_get_info(&m, &info) == DGI_OK, "%s: get_info", name);
  CHECK(info.format_major == DGI_FORMAT_MAJOR, "%s: major %u", name, info.format_major);
  CHECK(info.format_minor <= DGI_FORMAT_MINOR, "%s: minor %u", name, info.format_minor);
  CHECK(info.file_size == size, "%s: file_size %u, file has %lu bytes", name, info.file_size,
        (unsigned long)size);
  CHECK(info.checksum == read_u32le(bytes + 16), "%s: checksum differs from the file's", name);
  CHECK(info.checksum == dgi_file_crc(bytes, size), "%s: checksum is not the CRC-32", name);
  CHECK(info.layer_count >= 1 && info.layer_count <= DGI_MAX_LAYERS, "%s: %u layers", name,
        info.layer_count);
  CHECK(info.class_count == 10, "%s: %u classes", name, info.class_count);
  CHECK(info.parameter_count > 0 && info.macs > 0, "%s: no parameters or MACs", name);
  CHECK(info.scratch_size == dgi_model_scratch_size(&m), "%s: two scratch sizes", name);
  CHECK(info.name != NULL && info.metadata != NULL, "%s: NULL name or metadata", name);
  if (info.name && info.metadata) {
    CHECK((const unsigned char *)info.name >= bytes + 64 &&
              (const unsigned char *)info.name + strlen(info.name) < bytes + size,
          "%s: name outside the file", name);
    CHECK((const unsigned char *)info.metadata >= bytes + 64 &&
              (const unsigned char *)info.metadata + strlen(info.metadata) < bytes + size,
          "%s: metadata outside the file", name);
  }

  /* Layers chain from the 28x28x1 input to the 1x1xclasses output. */
  memset(&previous, 0, sizeof previous);
  previous.output_height = DGI_INPUT_HEIGHT;
  previous.output_width = DGI_INPUT_WIDTH;
  previous.output_channels = 1;
  previous.output_zero_point = -128;
  for (i = 0; i < info.layer_count; i++) {
    CHECK(dgi_model_get_layer(&m, i, &layer) == DGI_OK, "%s: get_layer %u", name, i);
    CHECK(layer.kind >= DGI_LAYER_CONV2D && layer.kind <= DGI_LAYER_FLATTEN, "%s: layer %u kind %d",
          name, i, (int)layer.kind);
    CHECK(layer.input_height == previous.output_height && layer.input_width == previous.output_width &&
              layer.input_channels == previous.output_channels &&
              layer.input_zero_point == previous.output_zero_point,
          "%s: layer %u does not take the previous layer's output", name, i);
    CHECK(layer.macs == expected_macs(&layer), "%s: layer %u reports %lu MACs, shape gives %lu", name,
          i, (unsigned long)layer.macs, (unsigned long)expected_macs(&layer));
    if (layer.kind == DGI_LAYER_CONV2D || layer.kind == DGI_LAYER_DENSE)
      CHECK(layer.output_scale > 0 && isfinite(layer.output_scale), "%s: layer %u scale", name, i);
    macs += layer.macs;
    parameters += layer.parameter_count;
    previous = layer;
  }
  CHECK(previous.output_height == 1 && previous.output_width == 1 &&
            previous.output_channels == info.class_count,
        "%s: the last layer does not output the classes", name);
  CHECK(macs == info.macs, "%s: layers add up to %lu MACs, model says %lu", name,
        (unsigned long)macs, (unsigned long)info.macs);
  CHECK(parameters == info.parameter_count, "%s: layer parameters do not add up", name);
  CHECK(dgi_model_get_layer(&m, info.layer_count, &layer) == DGI_ERROR_ARGUMENT,
        "%s: get_layer(layer_count)", name);
  CHECK(dgi_model_get_layer(&m, UINT32_MAX, &layer) == DGI_ERROR_ARGUMENT, "%s: get_layer(max)", name);
}

/* Logits of every golden image, for comparing placements of the same model. */
static void all_logits(const golden_set *g, const dgi_model *m, unsigned char *scratch, size_t n,
                       int8_t *out) {
  size_t i;
  for (i = 0; i < g->image_count; i++) {
    if (dgi_infer(m, golden_image(g, i), scratch, n, out + DGI_MAX_CLASSES * i) != DGI_OK)
      memset(out + DGI_MAX_CLASSES * i, 0x7F, DGI_MAX_CLASSES);
  }
}

/* Model bytes and scratch at every misalignment 1..15, trailing bytes after
   the file, and a memcpy'd record: all give the logits of the aligned case. */
static void test_placement(const golden_set *g, const char *name, const unsigned char *bytes,
                           size_t size) {
  dgi_model m, copy;
  size_t n, k, logit_bytes = DGI_MAX_CLASSES * g->image_count;
  int8_t *expected = (int8_t *)malloc(logit_bytes), *got = (int8_t *)malloc(logit_bytes);
  unsigned char *buffer = (unsigned char *)malloc(size + 1024 + 16), *scratch;

  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "%s does not open", name);
  n = dgi_model_scratch_size(&m);
  scratch = (unsigned char *)malloc(n + 16);
  all_logits(g, &m, scratch, n, expected);

  for (k = 1; k < 16; k++) {
    memcpy(buffer + k, bytes, size);
    CHECK(dgi_model_open(&m, buffer + k, size) == DGI_OK, "%s at offset %lu does not open", name,
          (unsigned long)k);
    all_logits(g, &m, scratch + k, n, got);
    CHECK(memcmp(got, expected, logit_bytes) == 0, "%s at offset %lu: different logits", name,
          (unsigned long)k);
  }

  memcpy(buffer, bytes, size);
  memset(buffer + size, 0xEE, 1024);
  CHECK(dgi_model_open(&m, buffer, size + 1024) == DGI_OK, "%s + trailing bytes does not open", name);
  all_logits(g, &m, scratch, n, got);
  CHECK(memcmp(got, expected, logit_bytes) == 0, "%s + trailing bytes: different logits", name);

  memcpy(&copy, &m, sizeof m);
  memset(&m, 0, sizeof m);
  all_logits(g, &copy, scratch, n, got);
  CHECK(memcmp(got, expected, logit_bytes) == 0, "%s: memcpy'd record gives different logits", name);

  free(scratch);
  free(buffer);
  free(got);
  free(expected);
}

/* Every kernel set this CPU runs gives the reference set's logits, with the
   scratch buffer against a guard page (no kernel reads past it); forcing
   works through the API and, when set, DIGITINFER_KERNELS; refusals leave
   the model's set alone. */
static void test_kernels(const golden_set *g, const char *name, const unsigned char *bytes, size_t size) {
  dgi_model m, closed;
  uint32_t supported = dgi_kernels_supported();
  const char *forced = getenv("DIGITINFER_KERNELS");
  size_t n, logit_bytes = DGI_MAX_CLASSES * g->image_count;
  int8_t *expected = (int8_t *)malloc(logit_bytes), *got = (int8_t *)malloc(logit_bytes);
  guarded scratch;
  int k;
  enum { LAST_KERNELS = DGI_KERNELS_DSP }; /* the enum's last value */

  CHECK(supported & (1u << DGI_KERNELS_REFERENCE), "the reference set is not supported");
  CHECK(supported & (1u << DGI_KERNELS_BASELINE), "the baseline set is not supported");
  CHECK(!(supported & 1u), "DGI_KERNELS_AUTO reported as a set");
  CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "%s does not open", name);
  CHECK(dgi_model_kernels(&m) != DGI_KERNELS_AUTO, "%s: an open model runs no set", name);
  if (forced != NULL) {
    for (k = 1; k <= LAST_KERNELS; k++) {
      if ((supported & (1u << k)) && strcmp(forced, dgi_kernels_name((dgi_kernels)k)) == 0) {
        CHECK(dgi_model_kernels(&m) == (dgi_kernels)k, "%s: DIGITINFER_KERNELS=%s, the model runs %s", name,
              forced, dgi_kernels_name(dgi_model_kernels(&m)));
      }
    }
  }
  n = dgi_model_scratch_size(&m);
  guarded_init(&scratch, n);
  CHECK(dgi_model_set_kernels(&m, DGI_KERNELS_REFERENCE) == DGI_OK, "%s: cannot force the reference set", name);
  all_logits(g, &m, scratch.base, n, expected);
  for (k = 1; k <= LAST_KERNELS + 1; k++) {
    dgi_kernels before = dgi_model_kernels(&m);
    if (k <= LAST_KERNELS && (supported & (1u << k))) {
      CHECK(dgi_model_set_kernels(&m, (dgi_kernels)k) == DGI_OK, "%s: cannot force %s", name,
            dgi_kernels_name((dgi_kernels)k));
      CHECK(dgi_model_kernels(&m) == (dgi_kernels)k, "%s: forced %s, runs %s", name,
            dgi_kernels_name((dgi_kernels)k), dgi_kernels_name(dgi_model_kernels(&m)));
      CHECK(dgi_model_scratch_size(&m) == n, "%s: the scratch size changed with the kernels", name);
      all_logits(g, &m, scratch.base, n, got);
      CHECK(memcmp(got, expected, logit_bytes) == 0, "%s: %s logits differ from the reference set's", name,
            dgi_kernels_name((dgi_kernels)k));
    } else {
      dgi_status want = k <= LAST_KERNELS ? DGI_ERROR_UNSUPPORTED : DGI_ERROR_ARGUMENT;
      CHECK(dgi_model_set_kernels(&m, (dgi_kernels)k) == want, "%s: set_kernels(%d) not refused", name, k);
      CHECK(dgi_model_kernels(&m) == before, "%s: a refused set_kernels(%d) changed the set", name, k);
    }
  }
  CHECK(dgi_model_set_kernels(&m, DGI_KERNELS_AUTO) == DGI_OK, "%s: set_kernels(AUTO)", name);
  CHECK(dgi_model_set_kernels(NULL, DGI_KERNELS_AUTO) == DGI_ERROR_ARGUMENT, "set_kernels(NULL)");
  memset(&closed, 0, sizeof closed);
  CHECK(dgi_model_set_kernels(&closed, DGI_KERNELS_REFERENCE) == DGI_ERROR_NOT_OPEN, "set_kernels(not open)");
  CHECK(dgi_model_kernels(&closed) == DGI_KERNELS_AUTO && dgi_model_kernels(NULL) == DGI_KERNELS_AUTO,
        "kernels of a record that is not open");
  CHECK(strcmp(dgi_kernels_name(DGI_KERNELS_AUTO), "auto") == 0, "name of DGI_KERNELS_AUTO");
  CHECK(strcmp(dgi_kernels_name((dgi_kernels)99), "unknown") == 0, "name of an unknown set");
  guarded_free(&scratch);
  free(got);
  free(expected);
}

int main(int argc, char **argv) {
  golden_set g;
  const char *names[2] = {"tiny.dgi", "reference.dgi"};
  guarded pixels;
  size_t size;
  int i;

  if (argc != 2) {
    fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
    return 2;
  }
  golden_load(&g, argv[1]);
  guarded_init(&pixels, DGI_INPUT_SIZE);
  memcpy(pixels.base, golden_image(&g, 0), DGI_INPUT_SIZE);

  test_status_messages();
  test_not_open(pixels.base);
  for (i = 0; i < 2; i++) {
    unsigned char *bytes = golden_model(&g, names[i], &size);
    test_null_arguments(bytes, size, pixels.base);
    test_failed_reopen(bytes, size, pixels.base);
    test_scratch(bytes, size, pixels.base);
    test_info(names[i], bytes, size);
    test_placement(&g, names[i], bytes, size);
    test_kernels(&g, names[i], bytes, size);
    free(bytes);
  }
  return check_report("api");
}
