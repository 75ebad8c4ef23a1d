/*
** Damaged and hostile model files. The header promises that no input makes
** the library crash or read outside the buffer it is given, so every buffer
** here ends against an inaccessible page: one byte of overread crashes the
** test instead of passing unnoticed.
**
**   - every truncation of both golden models is DGI_ERROR_TRUNCATED;
**   - every single-bit flip (tiny: all bits; reference: all bits of the
**     header and layer table, the low bit of every other byte) is rejected;
**   - 100000 garbage buffers, a quarter of them starting with the magic and
**     half of those with a consistent header and a correct CRC, are rejected;
**   - random byte mutations with the CRC fixed up (so that the structural
**     checks, not the CRC, must catch them) never crash, and any model that
**     still opens runs within its scratch and gives sane answers.
**
** Usage: test_hostile GOLDEN_DIR
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* What dgi_model_open may return for a non-NULL model and bytes. */
static int is_open_status(dgi_status s) {
  return s == DGI_OK || s == DGI_ERROR_TRUNCATED || s == DGI_ERROR_MAGIC || s == DGI_ERROR_VERSION ||
         s == DGI_ERROR_CHECKSUM || s == DGI_ERROR_MALFORMED || s == DGI_ERROR_UNSUPPORTED;
}

static void test_truncation(const char *name, const unsigned char *bytes, size_t size) {
  guarded buffer;
  dgi_model m;
  size_t len;
  unsigned long wrong = 0, still_open = 0;
  dgi_status s;

  guarded_init(&buffer, size);
  for (len = 0; len < size; len++) {
    unsigned char *at = guarded_tail(&buffer, len);
    memcpy(at, bytes, len);
    s = dgi_model_open(&m, at, len);
    CHECK(s == DGI_ERROR_TRUNCATED, "%s cut to %lu bytes: status %d (%s)", name, (unsigned long)len,
          (int)s, dgi_status_message(s));
    wrong += s != DGI_ERROR_TRUNCATED;
    still_open += dgi_model_scratch_size(&m) != 0;
  }
  CHECK(still_open == 0, "%s: %lu truncated opens left the record open", name, still_open);
  guarded_free(&buffer);
  (void)wrong;
}

/* Flips bit `bit` of every byte in [from, to) in place, opening each time. */
static void flip_bits(const char *name, unsigned char *at, size_t size, size_t from, size_t to,
                      int bit) {
  dgi_model m;
  dgi_status s;
  size_t i;
  unsigned long accepted = 0, bad_status = 0;
  for (i = from; i < to; i++) {
    at[i] ^= (unsigned char)(1u << bit);
    s = dgi_model_open(&m, at, size);
    at[i] ^= (unsigned char)(1u << bit);
    if (s == DGI_OK && accepted++ < 5)
      fprintf(stderr, "%s: flipping bit %d of byte %lu is accepted\n", name, bit, (unsigned long)i);
    bad_status += !is_open_status(s);
  }
  CHECK(accepted == 0, "%s: %lu flips of bit %d accepted", name, accepted, bit);
  CHECK(bad_status == 0, "%s: %lu flips gave an undocumented status", name, bad_status);
}

static void test_bit_flips(const char *name, const unsigned char *bytes, size_t size, int every_bit) {
  guarded buffer;
  dgi_model m;
  dgi_model_info info;
  unsigned char *at;
  size_t structure;
  int bit;

  guarded_init(&buffer, size);
  at = guarded_tail(&buffer, size);
  memcpy(at, bytes, size);
  CHECK(dgi_model_open(&m, at, size) == DGI_OK && dgi_model_get_info(&m, &info) == DGI_OK,
        "%s does not open", name);
  structure = 64 + 32 * (size_t)info.layer_count; /* header and layer table */
  for (bit = 0; bit < 8; bit++) {
    flip_bits(name, at, size, 0, every_bit ? size : structure, bit);
  }
  if (!every_bit) flip_bits(name, at, size, structure, size, 0);
  CHECK(memcmp(at, bytes, size) == 0 && dgi_model_open(&m, at, size) == DGI_OK,
        "%s: restored model does not open", name);
  guarded_free(&buffer);
}

/* A header that passes the magic, version, size and CRC checks, so that
   the random bytes behind it reach the structural checks. */
static void plausible_header(unsigned char *b, size_t len, uint64_t *rng) {
  b[4] = 1; /* major */
  b[5] = 0;
  write_u32le(b + 8, 64);          /* header size */
  write_u32le(b + 12, (uint32_t)len); /* file size */
  if (rng_next(rng) % 2) {
    write_u32le(b + 20, 0);                                  /* flags */
    b[24] = (unsigned char)(1 + rng_next(rng) % 16), b[25] = 0; /* layers */
    b[26] = 28, b[27] = 0, b[28] = 28, b[29] = 0, b[30] = 1, b[31] = 0;
    b[32] = (unsigned char)(1 + rng_next(rng) % 10), b[33] = 0; /* classes */
    b[34] = 0x80, b[35] = 0;                                  /* input zero point */
    write_u32le(b + 44, 64);                                  /* layer table */
  }
  write_u32le(b + 16, dgi_file_crc(b, len));
}

static void test_garbage(void) {
  enum { COUNT = 100000, MAX = 1024 };
  guarded buffer;
  uint64_t rng = 42;
  unsigned char bytes[MAX];
  dgi_model m;
  dgi_status s;
  size_t len, i;
  int n;
  unsigned long accepted = 0, bad_status = 0;

  guarded_init(&buffer, MAX);
  for (n = 0; n < COUNT; n++) {
    int kind = n % 8; /* 0-5: random, 6: magic + random, 7: plausible header + CRC */
    len = (size_t)(rng_next(&rng) % (kind == 7 ? MAX - 64 : MAX)) + (kind == 7 ? 64 : 0);
    for (i = 0; i < len; i++) bytes[i] = (unsigned char)rng_next(&rng);
    if (kind >= 6 && len >= 4) memcpy(bytes, "DGIF", 4);
    if (kind == 7) plausible_header(bytes, len, &rng);
    memcpy(guarded_tail(&buffer, len), bytes, len);
    s = dgi_model_open(&m, guarded_tail(&buffer, len), len);
    CHECK(s != DGI_OK, "garbage buffer %d (%lu bytes, kind %d) opens", n, (unsigned long)len, kind);
    accepted += s == DGI_OK;
    bad_status += !is_open_status(s);
  }
  CHECK(bad_status == 0, "%lu garbage buffers gave an undocumented status", bad_status);
  guarded_free(&buffer);
  (void)accepted;
}

/* Runs a model that opened against guard pages and checks its answers. */
static void run_survivor(const char *name, const dgi_model *m, const uint8_t *image, int n) {
  dgi_model_info info;
  dgi_layer_info layer;
  dgi_result r;
  int8_t logits[DGI_MAX_CLASSES];
  guarded scratch;
  size_t size = dgi_model_scratch_size(m);
  float sum = 0;
  uint32_t i;
  int ok = 1;

  CHECK(dgi_model_get_info(m, &info) == DGI_OK, "%s mutation %d: get_info", name, n);
  for (i = 0; i < info.layer_count; i++) ok &= dgi_model_get_layer(m, i, &layer) == DGI_OK;
  CHECK(ok, "%s mutation %d: get_layer", name, n);
  if (info.macs > 50000000u) return; /* valid but too slow to run here */
  guarded_init(&scratch, size ? size : 1);
  CHECK(dgi_infer(m, image, guarded_tail(&scratch, size), size, logits) == DGI_OK,
        "%s mutation %d: infer", name, n);
  for (i = info.class_count; i < DGI_MAX_CLASSES; i++) ok &= logits[i] == 0;
  CHECK(ok, "%s mutation %d: logits past the class count are not 0", name, n);
  CHECK(dgi_classify(m, image, guarded_tail(&scratch, size), size, &r) == DGI_OK,
        "%s mutation %d: classify", name, n);
  for (i = 0; i < 10; i++) {
    ok &= r.probabilities[i] >= 0 && r.probabilities[i] <= 1 && (i < info.class_count || r.probabilities[i] == 0);
    sum += r.probabilities[i];
  }
  sum += r.not_a_digit;
  ok &= info.class_count > DGI_CLASS_NOT_A_DIGIT || r.not_a_digit == 0;
  ok &= r.best_digit >= 0 && r.best_digit < 10 && (uint32_t)r.best_digit < info.class_count;
  ok &= r.digit == DGI_NOT_A_DIGIT ? info.class_count > DGI_CLASS_NOT_A_DIGIT && r.confidence == r.not_a_digit
                                   : r.digit == r.best_digit;
  CHECK(ok && (r.digit == DGI_NOT_A_DIGIT || (r.digit >= 0 && (uint32_t)r.digit < info.class_count)) &&
            fabsf(sum - 1) < 1e-5f,
        "%s mutation %d: digit %d, best %d, probabilities sum to %g", name, n, (int)r.digit, (int)r.best_digit,
        (double)sum);
  guarded_free(&scratch);
}

static void test_mutations(const char *name, const unsigned char *bytes, size_t size, int count,
                           const uint8_t *image) {
  guarded buffer;
  uint64_t rng = 7;
  dgi_model m;
  dgi_status s;
  unsigned char *at;
  size_t structure = 64 + 32 * DGI_MAX_LAYERS;
  int n, k, changes;
  unsigned long opened = 0, bad_status = 0, still_open = 0;

  guarded_init(&buffer, size);
  at = guarded_tail(&buffer, size);
  for (n = 0; n < count; n++) {
    memcpy(at, bytes, size);
    changes = 1 + (int)(rng_next(&rng) % 4);
    for (k = 0; k < changes; k++) {
      /* Mostly in the header and layer table, where the structure lives. */
      size_t where = (size_t)(rng_next(&rng) % (rng_next(&rng) % 4 ? structure : size)) % size;
      if (where >= 16 && where < 20) continue; /* the CRC itself */
      at[where] = (unsigned char)rng_next(&rng);
    }
    if (read_u32le(at + 12) <= size && read_u32le(at + 12) >= 20)
      write_u32le(at + 16, dgi_file_crc(at, read_u32le(at + 12)));
    s = dgi_model_open(&m, at, size);
    bad_status += !is_open_status(s);
    if (s == DGI_OK) {
      opened++;
      run_survivor(name, &m, image, n);
    } else {
      still_open += dgi_model_scratch_size(&m) != 0;
    }
  }
  CHECK(bad_status == 0, "%s: %lu mutations gave an undocumented status", name, bad_status);
  CHECK(still_open == 0, "%s: %lu rejected mutations left the record open", name, still_open);
  printf("%s: %d mutations with fixed CRC, %lu still valid and run in bounds\n", name, count, opened);
  guarded_free(&buffer);
}

int main(int argc, char **argv) {
  golden_set g;
  unsigned char *tiny, *reference;
  size_t tiny_size, reference_size;

  if (argc != 2) {
    fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
    return 2;
  }
  golden_load(&g, argv[1]);
  tiny = golden_model(&g, "tiny.dgi", &tiny_size);
  reference = golden_model(&g, "reference.dgi", &reference_size);

  test_truncation("tiny.dgi", tiny, tiny_size);
  test_truncation("reference.dgi", reference, reference_size);
  test_bit_flips("tiny.dgi", tiny, tiny_size, 1);
  test_bit_flips("reference.dgi", reference, reference_size, 0);
  test_garbage();
  test_mutations("tiny.dgi", tiny, tiny_size, 20000, golden_image(&g, 0));
  test_mutations("reference.dgi", reference, reference_size, 2000, golden_image(&g, 1));

  free(reference);
  free(tiny);
  return check_report("hostile");
}
