/*
** The firmware's test program, also built for the host so that both print
** the same text: it opens the compiled-in models, runs the golden inputs
** through dgi_infer and dgi_classify, and runs the golden preprocessing
** pictures through dgi_preprocess and the shipped model. Only integers and
** the bit patterns of floats are printed, so the text is byte-for-byte
** comparable. Platform hooks (platform.h) add measurements on the firmware:
** their lines start with "measure " and are not part of the comparison.
**
** Output lines:
**   model NAME size N classes N layers N
**   measure scratch NAME N                  (per platform: the x86-64 kernel
**                                            sets need more working memory)
**   golden NAME INDEX DIGIT L0 .. L9        (the format of Golden/expected.txt, prefixed)
**   classify NAME INDEX DIGIT CONF P0 .. P9 (float bits in hex)
**   preprocess LINE                         (the format of Golden/preprocess-expected.txt)
**   digit CASE DIGIT L0 .. L9               (the shipped model on the preprocessed pixels)
**   done: N images, M errors
*/
#include <stddef.h>
#include <stdint.h>

#include "digitinfer.h"
#include "fwdata.h"
#include "platform.h"
#include "text.h"

/* Working memory, all static: sized for the shipped model and for the
   largest picture (dgi_preprocess_scratch_size is at most 145 KiB). The
   host build, whose library holds the x86-64 kernel sets, passes a larger
   MODEL_SCRATCH. */
#ifndef MODEL_SCRATCH
#define MODEL_SCRATCH 32768
#endif
#define PREPROCESS_SCRATCH (152 * 1024)
static dgi_model models[FW_MODEL_COUNT];
static unsigned char model_scratch[MODEL_SCRATCH] __attribute__((aligned(8)));
static unsigned char preprocess_scratch[PREPROCESS_SCRATCH] __attribute__((aligned(8)));
static uint8_t pixels[DGI_INPUT_SIZE];
static unsigned errors, images;

static void fail(const char *what, dgi_status s) {
  put_str("error ");
  put_str(what);
  put_str(": ");
  put_str(dgi_status_message(s));
  end_line();
  errors++;
}

static uint64_t fnv1a64(uint64_t hash, const unsigned char *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) hash = (hash ^ b[i]) * 0x100000001b3u;
  return hash;
}

/* ---- tests ----------------------------------------------------------------- */

static void open_models(void) {
  int k;
  for (k = 0; k < FW_MODEL_COUNT; k++) {
    dgi_model_info info;
    dgi_status s;
    platform_probe_begin();
    s = dgi_model_open(&models[k], fw_models[k].bytes, fw_models[k].size);
    platform_probe_end("dgi_model_open", fw_models[k].name);
    if (s != DGI_OK || dgi_model_get_info(&models[k], &info) != DGI_OK) {
      fail(fw_models[k].name, s);
      continue;
    }
    put_str("model ");
    put_str(fw_models[k].name);
    put_str(" size ");
    put_u(info.file_size);
    put_str(" classes ");
    put_u(info.class_count);
    put_str(" layers ");
    put_u(info.layer_count);
    end_line();
    put_str("measure scratch ");
    put_str(fw_models[k].name);
    put_str(" ");
    put_u((uint32_t)info.scratch_size);
    end_line();
    if (info.scratch_size > MODEL_SCRATCH) fail("model scratch too small", DGI_ERROR_SCRATCH);
  }
}

/* dgi_infer and dgi_classify on one 28x28 image; prints "golden"/"digit"
   and, for the golden set, "classify". */
static void run_image(int k, const char *tag, unsigned index, const uint8_t *image, int with_classify) {
  int8_t logits[DGI_MAX_CLASSES]; /* the golden lines print the first 10: expected.txt's format */
  dgi_result r;
  dgi_status s;
  int i;
  platform_probe_begin();
  s = dgi_infer(&models[k], image, model_scratch, sizeof model_scratch, logits);
  platform_probe_end("dgi_infer", fw_models[k].name);
  if (s != DGI_OK) return fail("dgi_infer", s);
  platform_probe_begin();
  s = dgi_classify(&models[k], image, model_scratch, sizeof model_scratch, &r);
  platform_probe_end("dgi_classify", fw_models[k].name);
  if (s != DGI_OK) return fail("dgi_classify", s);
  images++;
  put_str(tag);
  if (with_classify) {
    put_ch(' ');
    put_str(fw_models[k].name);
  }
  put_ch(' ');
  put_u(index);
  put_ch(' ');
  put_i(r.digit);
  for (i = 0; i < 10; i++) {
    put_ch(' ');
    put_i(logits[i]);
  }
  end_line();
  if (!with_classify) return;
  put_str("classify ");
  put_str(fw_models[k].name);
  put_ch(' ');
  put_u(index);
  put_ch(' ');
  put_i(r.digit);
  put_ch(' ');
  put_float(r.confidence);
  for (i = 0; i < 10; i++) {
    put_ch(' ');
    put_float(r.probabilities[i]);
  }
  /* ABI 2's fields, and the 11th logit (0 for a 10-class model). */
  put_ch(' ');
  put_float(r.not_a_digit);
  put_ch(' ');
  put_i(r.best_digit);
  put_ch(' ');
  put_i(logits[DGI_CLASS_NOT_A_DIGIT]);
  end_line();
}

static void run_golden(void) {
  unsigned i;
  int k;
  /* expected.txt's order: tiny.dgi, then reference.dgi; then the shipped model. */
  static const int order[] = {1, 2, 0};
  for (k = 0; k < 3; k++)
    for (i = 0; i < fw_golden_count; i++)
      run_image(order[k], "golden", i, fw_golden_inputs + (size_t)i * DGI_INPUT_SIZE, 1);
}

/* Every kernel set this build and this CPU run gives the default set's
   int8 outputs on the golden inputs, for every model (tiny.dgi has a padded
   conv, channel counts that fill no block, and a dense tail); the firmware
   measures each set ("measure dgi_infer/SET MODEL"). Hosts and devices hold
   different sets, so only errors are printed. */
static void run_kernel_sets(void) {
  static const int measured[] = {1, 2, 0}; /* tiny.dgi, reference.dgi, mnist-int8.dgi */
  static char labels[32][32];           /* "dgi_infer/" + the set's name, per set */
  uint32_t supported = dgi_kernels_supported();
  unsigned m, i, set, j;
  for (m = 0; m < sizeof measured / sizeof *measured; m++) {
    dgi_model *model = &models[measured[m]];
    for (i = 0; i < fw_golden_count; i++) {
      const uint8_t *image = fw_golden_inputs + (size_t)i * DGI_INPUT_SIZE;
      int8_t want[DGI_MAX_CLASSES], got[DGI_MAX_CLASSES];
      dgi_status s = dgi_model_set_kernels(model, DGI_KERNELS_AUTO);
      if (s == DGI_OK) s = dgi_infer(model, image, model_scratch, sizeof model_scratch, want);
      if (s != DGI_OK) return fail("kernel sets: the default set", s);
      for (set = 1; set < 32; set++) {
        char *label = labels[set];
        if (!(supported & (1u << set))) continue;
        if (!label[0]) {
          const char *prefix = "dgi_infer/", *name = dgi_kernels_name((dgi_kernels)set);
          size_t n = 0;
          while (*prefix) label[n++] = *prefix++;
          while (*name && n < sizeof labels[0] - 1) label[n++] = *name++;
          label[n] = '\0';
        }
        s = dgi_model_set_kernels(model, (dgi_kernels)set);
        if (s != DGI_OK) return fail(label, s);
        platform_probe_begin();
        s = dgi_infer(model, image, model_scratch, sizeof model_scratch, got);
        platform_probe_end(label, fw_models[measured[m]].name);
        if (s != DGI_OK) return fail(label, s);
        for (j = 0; j < DGI_MAX_CLASSES; j++)
          if (got[j] != want[j]) {
            put_str("error ");
            put_str(label);
            put_str(" differs from the default set on ");
            put_str(fw_models[measured[m]].name);
            end_line();
            errors++;
            return;
          }
      }
    }
    dgi_model_set_kernels(model, DGI_KERNELS_AUTO);
  }
}

static void run_pictures(void) {
  unsigned n;
  for (n = 0; n < fw_picture_count; n++) {
    const fw_picture *p = &fw_pictures[n];
    size_t need = dgi_preprocess_scratch_size(p->width, p->height);
    dgi_preprocess_info info;
    dgi_status s;
    if (need > sizeof preprocess_scratch) {
      fail("preprocess scratch too small", DGI_ERROR_SCRATCH);
      continue;
    }
    platform_probe_begin();
    s = dgi_preprocess(p->pixels, p->width, p->height, p->width, p->flags, preprocess_scratch, need, pixels,
                       &info);
    platform_probe_end("dgi_preprocess", p->width * p->height <= 28 * 28 ? "<=28x28" : ">28x28");
    put_str("preprocess ");
    put_u(p->index);
    put_ch(' ');
    put_u(p->width);
    put_ch(' ');
    put_u(p->height);
    put_ch(' ');
    put_u(p->flags);
    put_ch(' ');
    put_i(p->kind);
    put_ch(' ');
    put_hex(fnv1a64(0xcbf29ce484222325u, p->pixels, (size_t)p->width * p->height), 16);
    put_ch(' ');
    put_i((int32_t)s);
    if (s == DGI_OK) {
      uint32_t f[8] = {info.ink, info.x, info.y, info.width, info.height, info.paper, info.components, info.dropped};
      int i;
      for (i = 0; i < 8; i++) {
        put_ch(' ');
        put_u(f[i]);
      }
      put_ch(' ');
      put_hex(fnv1a64(0xcbf29ce484222325u, pixels, DGI_INPUT_SIZE), 16);
      end_line();
      run_image(0, "digit", p->index, pixels, 0);
    } else {
      put_str(" - - - - - - - - -");
      end_line();
    }
  }
}

int harness_main(void) {
  put_str("digitinfer firmware test, abi ");
  put_u(dgi_abi_version());
  end_line();
  open_models();
  run_golden();
  run_kernel_sets();
  run_pictures();
  put_str("done: ");
  put_u(images);
  put_str(" images, ");
  put_u(errors);
  put_str(" errors");
  end_line();
  return errors == 0 ? 0 : 1;
}
