/*
** DigitInfer beside CMSIS-NN, in one Cortex-M4 firmware (test-qemu.sh's
** cmsis-o2 and cmsis-os targets; the runtime is the m4 target's).
**
** Each compiled-in model is also run through ARM's CMSIS-NN kernels, the
** way a CMSIS-NN application would run it: arm_convolve_s8 for a conv2d,
** arm_max_pool_s8 for a max-pool, arm_fully_connected_per_channel_s8 for
** a dense layer (the models quantize per output channel), activations
** ping-ponging between two buffers sized as docs/FORMAT.md's arenas, plus
** the largest buffer the kernels ask for (*_get_buffer_size). The network
** is read from the .dgi bytes (docs/FORMAT.md sections 5 and 7); weights,
** biases and zero points are used as they are, shifts become CMSIS-NN's
** negative exponents. CMSIS-NN follows TensorFlow Lite's requantization
** and so does the format (section 10.4), so both must give the same int8
** outputs: any difference fails the run.
**
** The runtime runs a model only whole, so the cost of its first layer is
** bounded with two more models (first-layer.py, cmsis-data.S): the first
** convolution and max-pool of the reference and of the shipped model,
** closed by a 10-output dense layer.
**
** Output: "cmsis MODEL: N images, M differ from dgi_infer" per model, and
** the firmware's measurements, per image ("cmsis-nn/-O2 MODEL" beside
** "dgi_infer MODEL", the same probes) and per CMSIS-NN layer (reference
** and shipped model), and the scratch each needs ("measure scratch ...").
*/
#include <stddef.h>
#include <stdint.h>

#include "arm_nnfunctions.h"
#include "digitinfer.h"
#include "fwdata.h"
#include "platform.h"
#include "text.h"

#ifndef CMSIS_OPT
#define CMSIS_OPT "?"
#endif
#define MAX_LAYERS 16
#define MAX_CHANNELS 256

static unsigned char scratch[32768] __attribute__((aligned(8)));

/* ---- the network, from the .dgi bytes ------------------------------------- */

static uint32_t u16(const unsigned char *b, size_t at) { return b[at] | (uint32_t)b[at + 1] << 8; }
static uint32_t u32(const unsigned char *b, size_t at) { return u16(b, at) | u16(b, at + 2) << 16; }
static uint32_t align16(uint32_t n) { return (n + 15u) & ~15u; }

typedef struct layer {
  int kind; /* 1 conv2d, 2 maxpool2d, 3 dense, 4 flatten (docs/FORMAT.md section 7) */
  cmsis_nn_dims in, filter, out, bias;
  cmsis_nn_conv_params conv;
  cmsis_nn_fc_params fc;
  cmsis_nn_pool_params pool;
  cmsis_nn_per_channel_quant_params quant;
  const int8_t *weights;
  const int32_t *biases;
  int32_t buffer; /* bytes of ctx buffer the kernel asks for */
  char label[32]; /* "cmsis-nn/conv2d#0" */
} layer;

typedef struct network {
  const char *name;
  int count;
  layer layers[MAX_LAYERS];
  uint32_t arena[2]; /* the two activation buffers, as docs/FORMAT.md section 12 */
  int32_t buffer;    /* the largest ctx buffer */
} network;

/* Multipliers are copied to word-aligned arrays (the compiled-in file is
   only 4-aligned and the kernels may load pairs of words); shifts become
   CMSIS-NN's exponents (negative: a right shift). Set-up, not timed. */
static int32_t multipliers[MAX_LAYERS][MAX_CHANNELS] __attribute__((aligned(8)));
static int32_t shifts[MAX_LAYERS][MAX_CHANNELS] __attribute__((aligned(8)));

static void set_label(layer *l, const char *kind, int index) {
  const char *prefix = "cmsis-nn/";
  size_t n = 0;
  while (*prefix) l->label[n++] = *prefix++;
  while (*kind) l->label[n++] = *kind++;
  l->label[n++] = '#';
  if (index >= 10) l->label[n++] = (char)('0' + index / 10);
  l->label[n++] = (char)('0' + index % 10);
  l->label[n] = '\0';
}

/* Builds the CMSIS-NN calls for a model dgi_model_open accepted (so every
   offset is valid). Returns 0, or -1 for what this harness does not cover. */
static int build(network *net, const fw_model *m) {
  const unsigned char *b = m->bytes;
  uint32_t table = u32(b, 44), count = u16(b, 24), elements[2] = {784, 0};
  int current = 0; /* the input is in arena A */
  uint32_t i, c;
  net->name = m->name;
  net->count = (int)count;
  net->buffer = 0;
  if (count > MAX_LAYERS) return -1;
  for (i = 0; i < count; i++) {
    const unsigned char *r = b + table + 32u * i;
    layer *l = &net->layers[i];
    int32_t in_zp = (int8_t)r[2], out_zp = (int8_t)r[3];
    int relu = r[1] & 1, same = r[1] & 2;
    uint32_t out_elements;
    l->kind = r[0];
    l->in = (cmsis_nn_dims){1, (int32_t)u16(r, 4), (int32_t)u16(r, 6), (int32_t)u16(r, 8)};
    l->out = (cmsis_nn_dims){1, (int32_t)u16(r, 10), (int32_t)u16(r, 12), (int32_t)u16(r, 14)};
    out_elements = (uint32_t)(l->out.h * l->out.w * l->out.c);
    if (l->kind == 1 || l->kind == 3) {
      uint32_t params = u32(r, 20), n = (uint32_t)l->out.c;
      uint32_t fan_in = (uint32_t)(r[16] * r[17] * l->in.c);
      uint32_t bias_at = align16(params + fan_in * n), mult_at = align16(bias_at + 4 * n),
               shift_at = align16(mult_at + 4 * n);
      if (n > MAX_CHANNELS) return -1;
      for (c = 0; c < n; c++) {
        multipliers[i][c] = (int32_t)u32(b, mult_at + 4 * c);
        shifts[i][c] = -(int32_t)b[shift_at + c];
      }
      l->quant = (cmsis_nn_per_channel_quant_params){multipliers[i], shifts[i]};
      l->weights = (const int8_t *)(b + params);
      l->biases = (const int32_t *)(const void *)(b + bias_at);
      l->bias = (cmsis_nn_dims){1, 1, 1, (int32_t)n};
    }
    switch (l->kind) {
    case 1:
      l->filter = (cmsis_nn_dims){l->out.c, r[16], r[17], l->in.c};
      l->conv = (cmsis_nn_conv_params){.input_offset = -in_zp,
                                       .output_offset = out_zp,
                                       .stride = {1, 1},
                                       .padding = {same ? (r[17] - 1) / 2 : 0, same ? (r[16] - 1) / 2 : 0},
                                       .dilation = {1, 1},
                                       .activation = {relu ? out_zp : -128, 127}};
      l->buffer = arm_convolve_s8_get_buffer_size(&l->in, &l->filter);
      set_label(l, "conv2d", (int)i);
      break;
    case 2:
      l->filter = (cmsis_nn_dims){1, 2, 2, 1};
      l->pool = (cmsis_nn_pool_params){.stride = {2, 2}, .padding = {0, 0}, .activation = {-128, 127}};
      l->buffer = 0;
      set_label(l, "maxpool2d", (int)i);
      break;
    case 3:
      l->filter = (cmsis_nn_dims){l->in.c, 1, 1, l->out.c};
      l->fc = (cmsis_nn_fc_params){.input_offset = -in_zp,
                                   .filter_offset = 0,
                                   .output_offset = out_zp,
                                   .activation = {relu ? out_zp : -128, 127}};
      l->buffer = arm_fully_connected_s8_get_buffer_size(&l->filter);
      set_label(l, "dense", (int)i);
      break;
    case 4:
      l->buffer = 0;
      set_label(l, "flatten", (int)i);
      continue; /* a view: neither writes nor switches buffers */
    default:
      return -1;
    }
    if (l->buffer > net->buffer) net->buffer = l->buffer;
    current ^= 1;
    if (out_elements > elements[current]) elements[current] = out_elements;
  }
  net->arena[0] = align16(elements[0]);
  net->arena[1] = align16(elements[1]);
  return net->arena[0] + net->arena[1] + (uint32_t)net->buffer <= sizeof scratch ? 0 : -1;
}

/* One image through CMSIS-NN; the outputs are left where the returned
   pointer says. Per-layer probes when `probe_layers`. */
static const int8_t *run(const network *net, const uint8_t *pixels, int probe_layers) {
  int8_t *arena[2] = {(int8_t *)scratch, (int8_t *)scratch + net->arena[0]};
  cmsis_nn_context ctx = {scratch + net->arena[0] + net->arena[1], net->buffer};
  int current = 0, i;
  for (i = 0; i < 784; i++) arena[0][i] = (int8_t)(pixels[i] ^ 0x80); /* q = p - 128 */
  for (i = 0; i < net->count; i++) {
    const layer *l = &net->layers[i];
    const int8_t *x = arena[current];
    int8_t *y = arena[current ^ 1];
    if (l->kind == 4) continue;
    if (probe_layers) platform_probe_begin();
    switch (l->kind) {
    case 1:
      arm_convolve_s8(&ctx, &l->conv, &l->quant, &l->in, x, &l->filter, l->weights, &l->bias, l->biases, NULL,
                      &l->out, y);
      break;
    case 2: arm_max_pool_s8(&ctx, &l->pool, &l->in, x, &l->filter, &l->out, y); break;
    case 3:
      arm_fully_connected_per_channel_s8(&ctx, &l->fc, &l->quant, &l->in, x, &l->filter, l->weights, &l->bias,
                                         l->biases, &l->out, y);
      break;
    }
    if (probe_layers) platform_probe_end(l->label, net->name);
    current ^= 1;
  }
  return arena[current];
}

/* Runs every golden input through both; per-layer probes when
   `per_layer` (firmware.c keeps 24 probes). */
static unsigned compare(network *net, const fw_model *m, dgi_model *model, int per_layer) {
  static char label[32];
  const char *prefix = "cmsis-nn/", *opt = CMSIS_OPT;
  unsigned i, differ = 0, n = 0;
  int j;
  dgi_status s;
  while (*prefix) label[n++] = *prefix++;
  while (*opt) label[n++] = *opt++;
  label[n] = '\0';
  if (build(net, m) != 0) {
    put_str("error cmsis ");
    put_str(m->name);
    put_str(": not covered by this harness");
    end_line();
    return 1;
  }
  put_str("measure scratch cmsis-nn ");
  put_str(m->name);
  put_str(" ");
  put_u(net->arena[0] + net->arena[1] + (uint32_t)net->buffer);
  put_str(" (activations ");
  put_u(net->arena[0] + net->arena[1]);
  put_str(", kernel buffer ");
  put_u((uint32_t)net->buffer);
  put_str(")");
  end_line();
  put_str("measure scratch dgi_infer ");
  put_str(m->name);
  put_str(" ");
  put_u((uint32_t)dgi_model_scratch_size(model));
  end_line();
  for (i = 0; i < fw_golden_count; i++) {
    const uint8_t *image = fw_golden_inputs + (size_t)i * DGI_INPUT_SIZE;
    const int8_t *theirs;
    int8_t ours[DGI_MAX_CLASSES];
    platform_probe_begin();
    theirs = run(net, image, 0);
    platform_probe_end(label, m->name);
    if (per_layer) run(net, image, 1);
    platform_probe_begin();
    s = dgi_infer(model, image, scratch, sizeof scratch, ours);
    platform_probe_end("dgi_infer", m->name);
    if (s != DGI_OK) return 1;
    /* dgi_infer used the same scratch: run CMSIS-NN again for its answer. */
    theirs = run(net, image, 0);
    for (j = 0; j < net->layers[net->count - 1].out.c; j++)
      if (theirs[j] != ours[j]) {
        differ++;
        break;
      }
  }
  put_str("cmsis ");
  put_str(m->name);
  put_str(": ");
  put_u(fw_golden_count);
  put_str(" images, ");
  put_u(differ);
  put_str(" differ from dgi_infer");
  end_line();
  return differ;
}

extern const unsigned char first_reference[], first_reference_end[], first_shipped[], first_shipped_end[];

int harness_main(void) {
  static dgi_model model;
  static network nets[5]; /* each keeps its layers' probe labels */
  /* The reference network, the shipped model, tiny.dgi (padding), then the
     first layers; per-layer probes for the first two (firmware.c keeps 24). */
  fw_model list[5];
  unsigned errors = 0, k;
  list[0] = fw_models[2];
  list[1] = fw_models[0];
  list[2] = fw_models[1];
  list[3] = (fw_model){"first-layer-of-reference.dgi", first_reference, (size_t)(first_reference_end - first_reference)};
  list[4] = (fw_model){"first-layer-of-mnist-int8.dgi", first_shipped, (size_t)(first_shipped_end - first_shipped)};
  put_str("CMSIS-NN beside DigitInfer, CMSIS-NN built with " CMSIS_OPT);
  end_line();
  for (k = 0; k < sizeof list / sizeof *list; k++) {
    dgi_status s = dgi_model_open(&model, list[k].bytes, list[k].size);
    if (s != DGI_OK || dgi_model_scratch_size(&model) > sizeof scratch) {
      put_str("error opening ");
      put_str(list[k].name);
      end_line();
      errors++;
      continue;
    }
    errors += compare(&nets[k], &list[k], &model, k < 2);
  }
  put_str("done: ");
  put_u(errors);
  put_str(" errors");
  end_line();
  return errors == 0 ? 0 : 1;
}
