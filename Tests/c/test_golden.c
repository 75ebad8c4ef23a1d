/*
** Golden vectors: the int8 logits of dgi_infer are specified to be
** bit-identical on every platform, so this build must reproduce
** Golden/expected.txt exactly (written by the Swift tests), and
** dgi_classify must agree with them and return a proper distribution.
**
** Usage: test_golden GOLDEN_DIR
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void check_case(const golden_set *g, const golden_case *c, const dgi_model *m,
                       unsigned char *scratch, size_t n) {
  const uint8_t *image = golden_image(g, c->index);
  int8_t logits[DGI_MAX_CLASSES];
  dgi_result r;
  float sum = 0;
  int i, in_range = 1, best = 0;

  CHECK(dgi_infer(m, image, scratch, n, logits) == DGI_OK, "%s #%lu: infer", c->model,
        (unsigned long)c->index);
  CHECK(memcmp(logits, c->logits, 10) == 0,
        "%s #%lu: logits %d %d %d %d %d %d %d %d %d %d, expected %d %d %d %d %d %d %d %d %d %d",
        c->model, (unsigned long)c->index, logits[0], logits[1], logits[2], logits[3], logits[4],
        logits[5], logits[6], logits[7], logits[8], logits[9], c->logits[0], c->logits[1],
        c->logits[2], c->logits[3], c->logits[4], c->logits[5], c->logits[6], c->logits[7],
        c->logits[8], c->logits[9]);
  /* The golden models have 10 classes: dgi_infer pads the 11th logit. */
  CHECK(logits[DGI_CLASS_NOT_A_DIGIT] == 0, "%s #%lu: logit 10 is %d, not 0", c->model, (unsigned long)c->index,
        logits[DGI_CLASS_NOT_A_DIGIT]);

  /* Fill the result with garbage first so that every field must be written. */
  memset(&r, 0xFF, sizeof r);
  CHECK(dgi_classify(m, image, scratch, n, &r) == DGI_OK, "%s #%lu: classify", c->model,
        (unsigned long)c->index);
  CHECK(r.digit == c->digit, "%s #%lu: digit %d, expected %d", c->model, (unsigned long)c->index,
        (int)r.digit, c->digit);
  if (r.digit >= 0 && r.digit < 10) {
    CHECK(r.confidence == r.probabilities[r.digit], "%s #%lu: confidence %g != probabilities[%d] %g",
          c->model, (unsigned long)c->index, (double)r.confidence, (int)r.digit,
          (double)r.probabilities[r.digit]);
  }
  for (i = 0; i < 10; i++) {
    in_range &= r.probabilities[i] >= 0.0f && r.probabilities[i] <= 1.0f;
    sum += r.probabilities[i];
    if (c->logits[i] > c->logits[best]) best = i;
  }
  CHECK(in_range, "%s #%lu: a probability outside [0, 1]", c->model, (unsigned long)c->index);
  /* Without a "not a digit" class: never refused, not_a_digit 0. */
  CHECK(r.not_a_digit == 0.0f && r.best_digit == r.digit, "%s #%lu: not_a_digit %g, best_digit %d",
        c->model, (unsigned long)c->index, (double)r.not_a_digit, (int)r.best_digit);
  CHECK(fabsf(sum - 1.0f) <= 1e-5f, "%s #%lu: probabilities sum to %.9g", c->model,
        (unsigned long)c->index, (double)sum);
  /* The digit is the first largest logit, as the header's softmax implies. */
  CHECK(c->digit == best, "%s #%lu: expected.txt digit %d is not the argmax %d of its logits",
        c->model, (unsigned long)c->index, c->digit, best);
}

int main(int argc, char **argv) {
  golden_set g;
  size_t i, size = 0, n = 0;
  char current[64] = "";
  unsigned char *bytes = NULL, *scratch = NULL;
  dgi_model m;
  int models = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
    return 2;
  }
  golden_load(&g, argv[1]);
  for (i = 0; i < g.case_count; i++) {
    const golden_case *c = &g.cases[i];
    if (strcmp(c->model, current) != 0) {
      free(bytes);
      free(scratch);
      strcpy(current, c->model);
      bytes = golden_model(&g, c->model, &size);
      CHECK(dgi_model_open(&m, bytes, size) == DGI_OK, "%s does not open", c->model);
      n = dgi_model_scratch_size(&m);
      scratch = (unsigned char *)malloc(n ? n : 1);
      models++;
    }
    check_case(&g, c, &m, scratch, n);
  }
  CHECK(models == 2 && g.case_count == 2 * g.image_count,
        "expected.txt covers %d models and %lu cases for %lu images", models,
        (unsigned long)g.case_count, (unsigned long)g.image_count);
  free(bytes);
  free(scratch);
  return check_report("golden");
}
