/*
** The header allows any number of threads to run one opened model at once,
** each with its own scratch. Eight threads share one record and classify
** every golden image 2000 times, alternating dgi_infer and dgi_classify;
** every answer must equal the single-threaded one, bit for bit.
**
** Usage: test_threads GOLDEN_DIR [MODEL] [ROUNDS]
*/
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

enum { THREADS = 8 };

typedef struct shared {
  const golden_set *g;
  const dgi_model *model; /* one record for all threads */
  size_t scratch_size;
  int rounds;
  const int8_t *logits;       /* single-threaded logits, DGI_MAX_CLASSES per image */
  const dgi_result *results;  /* single-threaded classifications */
} shared;

typedef struct worker {
  pthread_t thread;
  const shared *s;
  unsigned long runs, mismatches, errors;
} worker;

static void *work(void *arg) {
  worker *w = (worker *)arg;
  const shared *s = w->s;
  unsigned char *scratch = (unsigned char *)malloc(s->scratch_size);
  int8_t logits[DGI_MAX_CLASSES];
  dgi_result r;
  size_t i;
  int round;

  for (round = 0; round < s->rounds; round++) {
    for (i = 0; i < s->g->image_count; i++) {
      const uint8_t *image = golden_image(s->g, i);
      if ((round + i) % 2) {
        w->errors += dgi_infer(s->model, image, scratch, s->scratch_size, logits) != DGI_OK;
        w->mismatches += memcmp(logits, s->logits + DGI_MAX_CLASSES * i, DGI_MAX_CLASSES) != 0;
      } else {
        w->errors += dgi_classify(s->model, image, scratch, s->scratch_size, &r) != DGI_OK;
        w->mismatches += memcmp(&r, &s->results[i], sizeof r) != 0;
      }
      w->runs++;
    }
  }
  free(scratch);
  return NULL;
}

int main(int argc, char **argv) {
  golden_set g;
  shared s;
  worker workers[THREADS];
  dgi_model model;
  const char *name = argc > 2 ? argv[2] : "reference.dgi";
  unsigned char *bytes, *scratch;
  int8_t *logits;
  dgi_result *results;
  size_t size, i;
  int t;

  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s GOLDEN_DIR [MODEL] [ROUNDS]\n", argv[0]);
    return 2;
  }
  golden_load(&g, argv[1]);
  bytes = golden_model(&g, name, &size);
  CHECK(dgi_model_open(&model, bytes, size) == DGI_OK, "%s does not open", name);

  s.g = &g;
  s.model = &model;
  s.scratch_size = dgi_model_scratch_size(&model);
  s.rounds = argc > 3 ? atoi(argv[3]) : 2000;
  logits = (int8_t *)malloc(DGI_MAX_CLASSES * g.image_count);
  results = (dgi_result *)malloc(g.image_count * sizeof *results);
  scratch = (unsigned char *)malloc(s.scratch_size);
  for (i = 0; i < g.image_count; i++) {
    memset(&results[i], 0, sizeof results[i]);
    CHECK(dgi_infer(&model, golden_image(&g, i), scratch, s.scratch_size, logits + DGI_MAX_CLASSES * i) == DGI_OK &&
              dgi_classify(&model, golden_image(&g, i), scratch, s.scratch_size, &results[i]) == DGI_OK,
          "%s: image %lu fails single-threaded", name, (unsigned long)i);
  }
  s.logits = logits;
  s.results = results;

  for (t = 0; t < THREADS; t++) {
    memset(&workers[t], 0, sizeof workers[t]);
    workers[t].s = &s;
    CHECK(pthread_create(&workers[t].thread, NULL, work, &workers[t]) == 0, "pthread_create %d", t);
  }
  for (t = 0; t < THREADS; t++) {
    pthread_join(workers[t].thread, NULL);
    CHECK(workers[t].runs == (unsigned long)s.rounds * g.image_count, "thread %d ran %lu times", t,
          workers[t].runs);
    CHECK(workers[t].errors == 0, "thread %d: %lu calls failed", t, workers[t].errors);
    CHECK(workers[t].mismatches == 0, "thread %d: %lu answers differ from single-threaded ones", t,
          workers[t].mismatches);
  }
  printf("threads: %d threads x %d rounds x %lu images of %s\n", THREADS, s.rounds,
         (unsigned long)g.image_count, name);
  free(scratch);
  free(results);
  free(logits);
  free(bytes);
  return check_report("threads");
}
