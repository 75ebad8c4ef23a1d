// The model fuzzer's structure-aware mutator. A byte-level mutant of a .dgi
// file almost always dies at the CRC (rule H8) or the layer chain (L3), so
// most mutations here decode the file into layers, change the network
// (kinds, shapes, flags, zero points, quantization, weights, layer order),
// then write it back with the chain, the offsets, the arenas and the CRC
// repaired: the mutant reaches inference. Some mutants then get one field
// broken on purpose (CRC still repaired), so that each validation rule sees
// near-valid files; a share of raw byte mutations stays unrepaired.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

enum { CONV2D = 1, MAXPOOL2D = 2, DENSE = 3, FLATTEN = 4, MAX_LAYERS = 16, MAX_PARAM = 4096 };

// A layer as the mutator sees it: shapes are derived when writing, the
// parameter arrays are sources that the writer reads cyclically.
typedef struct layer {
  uint8_t kind, flags, kernel_h, kernel_w;
  int8_t out_zp;
  uint16_t out_c;
  uint32_t out_scale_bits;
  size_t n_weights, n_channels;
  int8_t weights[MAX_PARAM];
  int32_t bias[64], multipliers[64];
  uint8_t shifts[64];
} layer;

typedef struct network {
  int count;
  layer layers[MAX_LAYERS + 2];
  uint32_t softmax_beta, extra_scratch, minor;
  char name[32], metadata[64];
} network;

static uint32_t rng_state;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
  return rng_state;
}
static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

static uint32_t rd16(const uint8_t *b) { return b[0] | (uint32_t)b[1] << 8; }
static uint32_t rd32(const uint8_t *b) { return rd16(b) | rd16(b + 2) << 16; }
static void wr16(uint8_t *b, uint32_t v) { b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *b, uint32_t v) { wr16(b, v), wr16(b + 2, v >> 16); }
static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

static void random_params(layer *l) {
  l->n_weights = 1 + below(64);
  for (size_t i = 0; i < l->n_weights; i++) l->weights[i] = (int8_t)(below(255) - 127);
  l->n_channels = 1 + below(8);
  for (size_t i = 0; i < l->n_channels; i++) {
    l->bias[i] = (int32_t)below(2001) - 1000;
    l->multipliers[i] = (int32_t)((1u << 30) + below(1u << 30));
    l->shifts[i] = (uint8_t)below(12);
  }
}

static void random_layer(layer *l) {
  memset(l, 0, sizeof *l);
  l->kind = (uint8_t)(1 + below(4));
  l->flags = (uint8_t)below(4);
  l->kernel_h = l->kernel_w = (uint8_t)(1 + 2 * below(3));
  l->out_zp = (int8_t)(below(256) - 128);
  l->out_c = (uint16_t)(1 + below(16));
  l->out_scale_bits = 0x3b808081;  // 1/255
  random_params(l);
}

// Reads what it can of `data` as a .dgi file; fails if there is no
// plausible layer table to start from.
static int decode(const uint8_t *b, size_t size, network *n) {
  memset(n, 0, sizeof *n);
  if (size < 64 || rd32(b) != 0x46494744u) return 0;
  uint32_t count = rd16(b + 24), table = rd32(b + 44);
  if (count == 0 || count > MAX_LAYERS || table < 64 || (uint64_t)table + 32ull * count > size) return 0;
  n->count = (int)count;
  n->softmax_beta = rd32(b + 36);
  n->minor = rd16(b + 6);
  uint32_t name = rd32(b + 48), name_len = rd32(b + 52);
  if ((uint64_t)name + name_len < size && name_len < sizeof n->name) memcpy(n->name, b + name, name_len);
  uint32_t meta = rd32(b + 56), meta_len = rd32(b + 60);
  if ((uint64_t)meta + meta_len < size && meta_len < sizeof n->metadata) memcpy(n->metadata, b + meta, meta_len);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *r = b + table + 32 * i;
    layer *l = &n->layers[i];
    l->kind = r[0], l->flags = r[1], l->out_zp = (int8_t)r[3];
    l->out_c = (uint16_t)rd16(r + 14);
    l->kernel_h = r[16], l->kernel_w = r[17];
    l->out_scale_bits = rd32(r + 24);
    uint64_t p = rd32(r + 20);
    uint64_t fan_in = (uint64_t)r[16] * r[17] * rd16(r + 8), out_c = rd16(r + 14);
    uint64_t w_end = p + fan_in * out_c;
    uint64_t bias = align16(w_end), mult = align16(bias + 4 * out_c), shifts = align16(mult + 4 * out_c);
    if ((l->kind == CONV2D || l->kind == DENSE) && p != 0 && shifts + out_c <= size && fan_in * out_c > 0) {
      l->n_weights = fan_in * out_c < MAX_PARAM ? fan_in * out_c : MAX_PARAM;
      memcpy(l->weights, b + p, l->n_weights);
      l->n_channels = out_c < 64 ? out_c : 64;
      for (size_t c = 0; c < l->n_channels; c++) {
        l->bias[c] = (int32_t)rd32(b + bias + 4 * c);
        l->multipliers[c] = (int32_t)rd32(b + mult + 4 * c);
        l->shifts[c] = b[shifts + c];
      }
    } else {
      random_params(l);
    }
  }
  return 1;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

// Writes `n` as a file in the reference writers' layout (FORMAT.md section
// 3), making each layer fit the shape before it and the network end in
// 1 x 1 x classes. Returns the size, or 0 if it does not fit `max_size`.
static size_t encode(network *n, uint8_t *out, size_t max_size) {
  // Repair pass: shapes and the kind-specific fixed fields.
  uint32_t h = 28, w = 28, c = 1;
  uint64_t max_a = 784, max_b = 0;
  int in_a = 1;
  uint32_t shapes[MAX_LAYERS + 2][6];
  int8_t zps[MAX_LAYERS + 2][2];
  int8_t zp = -128;
  size_t budget = max_size > 1024 ? max_size - 1024 : 0;  // bytes left for parameter blocks
  for (int i = 0; i < n->count; i++) {
    layer *l = &n->layers[i];
    // What fits here: a dense layer needs a vector, a pool at least 2x2.
    if (l->kind == DENSE && (h != 1 || w != 1)) {
      if (n->count < MAX_LAYERS) {
        memmove(&n->layers[i + 1], l, sizeof *l * (size_t)(n->count - i));
        n->count++;
      }
      l->kind = FLATTEN;
    }
    if (l->kind == MAXPOOL2D && (h < 2 || w < 2)) l->kind = FLATTEN;
    if (l->kind == FLATTEN && (uint64_t)h * w * c > 65535) l->kind = MAXPOOL2D;
    if (l->kind < CONV2D || l->kind > FLATTEN) l->kind = (uint8_t)(1 + below(4));
    uint32_t oh = h, ow = w, oc = c;
    int8_t ozp = zp;
    size_t fan_in = 0;
    switch (l->kind) {
    case CONV2D:
      l->flags &= 3;
      if (l->kernel_h == 0) l->kernel_h = 1;
      if (l->kernel_w == 0) l->kernel_w = 1;
      if (l->flags & 2) {
        l->kernel_h |= 1, l->kernel_w |= 1;
      } else {
        if (l->kernel_h > h) l->kernel_h = (uint8_t)h;
        if (l->kernel_w > w) l->kernel_w = (uint8_t)w;
        oh = h - l->kernel_h + 1, ow = w - l->kernel_w + 1;
      }
      fan_in = (size_t)l->kernel_h * l->kernel_w * c;
      if (l->out_c == 0) l->out_c = 1;
      oc = l->out_c, ozp = l->out_zp;
      break;
    case DENSE:
      l->flags &= 1;
      l->kernel_h = l->kernel_w = 1;
      fan_in = c;
      if (l->out_c == 0) l->out_c = 1;
      oc = l->out_c, ozp = l->out_zp;
      break;
    case MAXPOOL2D:
      l->flags = 0;
      l->kernel_h = l->kernel_w = 2;
      oh = h / 2, ow = w / 2;
      break;
    case FLATTEN:
      l->flags = 0;
      l->kernel_h = l->kernel_w = 1;
      oh = ow = 1, oc = h * w * c;
      break;
    }
    if (fan_in) {
      // Keep the block and the output within budget (rule L5 included).
      size_t room = budget / 2;
      while (oc > 1 && (fan_in * oc + 9 * oc + 48 > room || (uint64_t)oh * ow * oc > (1u << 24))) oc /= 2;
      if (fan_in * oc + 9 * oc + 48 > room) return 0;
      l->out_c = (uint16_t)oc;
      budget -= fan_in * oc + 9 * oc + 48;
    }
    shapes[i][0] = h, shapes[i][1] = w, shapes[i][2] = c;
    shapes[i][3] = oh, shapes[i][4] = ow, shapes[i][5] = oc;
    zps[i][0] = zp, zps[i][1] = ozp;
    h = oh, w = ow, c = oc, zp = ozp;
    if (l->kind != FLATTEN) {
      uint64_t e = (uint64_t)h * w * c;
      in_a = !in_a;
      if (in_a && e > max_a) max_a = e;
      if (!in_a && e > max_b) max_b = e;
    }
  }
  if (n->count == 0) return 0;
  uint32_t classes = c;
  if (h != 1 || w != 1 || c > 10) return 0;  // the caller appends a classifier and retries

  // Layout: header, table, name, metadata, blocks (section 3).
  size_t name_len = strnlen(n->name, sizeof n->name - 1), meta_len = strnlen(n->metadata, sizeof n->metadata - 1);
  size_t table = 64, name_at = table + 32 * (size_t)n->count, meta_at = name_at + name_len + 1;
  size_t at = meta_at + meta_len + 1;
  size_t blocks[MAX_LAYERS + 2] = {0};
  for (int i = 0; i < n->count; i++) {
    const layer *l = &n->layers[i];
    if (l->kind != CONV2D && l->kind != DENSE) continue;
    size_t fan_in = (size_t)l->kernel_h * l->kernel_w * shapes[i][2], oc = shapes[i][5];
    at = align16(at);
    blocks[i] = at;
    at = align16(align16(align16(at + fan_in * oc) + 4 * oc) + 4 * oc) + oc;
  }
  if (at > max_size) return 0;
  memset(out, 0, at);
  wr32(out, 0x46494744u);
  wr16(out + 4, 1), wr16(out + 6, n->minor);
  wr32(out + 8, 64), wr32(out + 12, (uint32_t)at);
  wr16(out + 24, (uint32_t)n->count);
  wr16(out + 26, 28), wr16(out + 28, 28), wr16(out + 30, 1);
  wr16(out + 32, classes);
  out[34] = 0x80;
  wr32(out + 36, n->softmax_beta == 0 || n->softmax_beta > 0x7fffffffu ? 1512775 : n->softmax_beta);
  wr32(out + 40, (uint32_t)(align16(max_a) + align16(max_b) + n->extra_scratch));
  wr32(out + 44, (uint32_t)table);
  wr32(out + 48, (uint32_t)name_at), wr32(out + 52, (uint32_t)name_len);
  wr32(out + 56, (uint32_t)meta_at), wr32(out + 60, (uint32_t)meta_len);
  for (size_t i = 0; i < name_len; i++) out[name_at + i] = n->name[i] ? (uint8_t)n->name[i] : 'x';
  for (size_t i = 0; i < meta_len; i++) out[meta_at + i] = n->metadata[i] ? (uint8_t)n->metadata[i] : '\n';
  for (int i = 0; i < n->count; i++) {
    const layer *l = &n->layers[i];
    uint8_t *r = out + table + 32 * (size_t)i;
    r[0] = l->kind, r[1] = l->flags, r[2] = (uint8_t)zps[i][0], r[3] = (uint8_t)zps[i][1];
    for (int k = 0; k < 6; k++) wr16(r + 4 + 2 * k, shapes[i][k]);
    r[16] = l->kernel_h, r[17] = l->kernel_w;
    r[18] = r[19] = l->kind == MAXPOOL2D ? 2 : 1;
    wr32(r + 20, (uint32_t)blocks[i]);
    wr32(r + 24, l->out_scale_bits);
    if (!blocks[i]) continue;
    size_t fan_in = (size_t)l->kernel_h * l->kernel_w * shapes[i][2], oc = shapes[i][5];
    uint8_t *p = out + blocks[i];
    for (size_t k = 0; k < fan_in * oc; k++) {
      int8_t v = l->n_weights ? l->weights[k % l->n_weights] : 1;
      p[k] = (uint8_t)(v == -128 ? -127 : v);  // rule B2
    }
    uint8_t *bias = out + align16(blocks[i] + fan_in * oc), *mult = out + align16((size_t)(bias - out) + 4 * oc);
    uint8_t *shift = out + align16((size_t)(mult - out) + 4 * oc);
    int64_t limit = 2147483647LL - (int64_t)fan_in * 32385;  // rule B4
    if (limit < 0) limit = 0;
    for (size_t o = 0; o < oc; o++) {
      size_t k = l->n_channels ? o % l->n_channels : 0;
      wr32(bias + 4 * o, (uint32_t)(int32_t)clamp64(l->n_channels ? l->bias[k] : 0, -limit, limit));
      wr32(mult + 4 * o, (uint32_t)(l->n_channels ? l->multipliers[k] : 1 << 30) & 0x7fffffffu);
      shift[o] = l->n_channels ? l->shifts[k] & 31 : 0;
    }
  }
  return at;
}

static void fix_crc(uint8_t *b, size_t size) {
  if (size < 64) return;
  size_t file_size = rd32(b + 12);
  if (file_size < 20 || file_size > size) return;
  wr32(b + 16, oracle_crc32(oracle_crc32(0, b, 16), b + 20, file_size - 20));
}

static const int32_t interesting[] = {0, 1, -1, 2, 15, 16, 17, 27, 28, 29, 31, 32, 63, 64, 127, 128, 255, 256,
                                      65535, 65536, 0x7fffffff, (int32_t)0x80000000, (int32_t)0xffffffff};

// Structural edits of a decoded network.
static void mutate_network(network *n, uint8_t *scratch_bytes, size_t scratch_max) {
  int edits = 1 + (int)below(3);
  for (int e = 0; e < edits; e++) {
    layer *l = &n->layers[below((uint32_t)n->count)];
    switch (below(14)) {
    case 0: l->kind = (uint8_t)(1 + below(4)); break;
    case 1: l->flags ^= (uint8_t)(1u << below(below(8) ? 2 : 8)); break;
    case 2: l->kernel_h = (uint8_t)(below(8) ? 1 + below(7) : below(256)); break;
    case 3: l->kernel_w = (uint8_t)(below(8) ? 1 + below(7) : below(256)); break;
    case 4: l->out_c = (uint16_t)(below(8) ? 1 + below(32) : below(65536)); break;
    case 5: l->out_zp = (int8_t)(below(2) ? below(256) - 128 : (below(2) ? -128 : 127)); break;
    case 6:
      if (n->count < MAX_LAYERS) {
        int at = (int)below((uint32_t)n->count + 1);
        memmove(&n->layers[at + 1], &n->layers[at], sizeof(layer) * (size_t)(n->count - at));
        random_layer(&n->layers[at]);
        n->count++;
      }
      break;
    case 7:
      if (n->count > 1) {
        int at = (int)below((uint32_t)n->count);
        memmove(&n->layers[at], &n->layers[at + 1], sizeof(layer) * (size_t)(n->count - at - 1));
        n->count--;
      }
      break;
    case 8: {
      layer t = *l, *m = &n->layers[below((uint32_t)n->count)];
      *l = *m, *m = t;
      break;
    }
    case 9:  // weights: libFuzzer's own byte mutations on the array
      if (l->n_weights == 0) random_params(l);
      if (scratch_max >= MAX_PARAM) {
        memcpy(scratch_bytes, l->weights, l->n_weights);
        l->n_weights = LLVMFuzzerMutate(scratch_bytes, l->n_weights, MAX_PARAM);
        memcpy(l->weights, scratch_bytes, l->n_weights);
      }
      break;
    case 10:  // quantization at its edges
      if (l->n_channels == 0) random_params(l);
      {
        size_t k = below((uint32_t)l->n_channels);
        switch (below(3)) {
        case 0: l->bias[k] = below(2) ? interesting[below(sizeof interesting / 4)] : (int32_t)rnd(); break;
        case 1: l->multipliers[k] = below(2) ? (int32_t)(rnd() & 0x7fffffff) : (below(2) ? 0 : 0x7fffffff); break;
        default: l->shifts[k] = (uint8_t)below(32); break;
        }
      }
      break;
    case 11: n->softmax_beta = below(2) ? (uint32_t)interesting[below(sizeof interesting / 4)] : rnd() >> below(32); break;
    case 12: n->extra_scratch = below(4) ? 0 : below(1u << below(20)); break;
    default: {
      char *s = below(2) ? n->name : n->metadata;
      size_t cap = below(2) ? sizeof n->name : sizeof n->metadata;
      size_t len = below((uint32_t)cap);
      for (size_t i = 0; i < len; i++) s[i] = (char)(32 + below(95));
      s[len] = 0;
      break;
    }
    }
  }
}

// After a repaired write: break one header or record field on purpose.
static void break_one_field(uint8_t *b, size_t size) {
  static const uint8_t header_fields[] = {4, 6, 8, 12, 20, 24, 26, 28, 30, 32, 34, 35, 36, 40, 44, 48, 52, 56, 60};
  uint32_t count = rd16(b + 24);
  uint32_t value = below(2) ? (uint32_t)interesting[below(sizeof interesting / 4)] : rnd() >> below(32);
  if (below(2) || count == 0) {
    uint8_t at = header_fields[below(sizeof header_fields)];
    if (at == 34 || at == 35) b[at] = (uint8_t)value;
    else if (at < 8 || (at >= 24 && at < 36)) wr16(b + at, value);
    else wr32(b + at, value);
  } else {
    size_t r = 64 + 32 * (size_t)below(count) + below(32);
    if (r < size) b[r] = (uint8_t)value;
  }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  rng_state = seed | 1;
  static network n;
  static uint8_t bytes[MAX_PARAM];
  uint32_t mode = below(10);
  if (mode < 2 || !decode(data, size, &n)) {
    // Raw bytes; half of them get a correct CRC for their damage.
    size = LLVMFuzzerMutate(data, size, max_size);
    if (mode == 1 || below(2)) fix_crc(data, size);
    return size;
  }
  mutate_network(&n, bytes, sizeof bytes);
  size_t out = encode(&n, data, max_size);
  if (out == 0 && n.count < MAX_LAYERS - 1) {
    // Append what makes a classifier: flatten, then dense to <= 10 classes.
    random_layer(&n.layers[n.count]);
    n.layers[n.count++].kind = FLATTEN;
    random_layer(&n.layers[n.count]);
    n.layers[n.count].kind = DENSE;
    n.layers[n.count++].out_c = (uint16_t)(1 + below(10));
    out = encode(&n, data, max_size);
  }
  if (out == 0) {
    size = LLVMFuzzerMutate(data, size, max_size);
    fix_crc(data, size);
    return size;
  }
  if (mode == 9) break_one_field(data, out);
  fix_crc(data, out);
  return out;
}
