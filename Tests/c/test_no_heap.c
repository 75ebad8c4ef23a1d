/*
** The header promises that the library never allocates. This program
** replaces the C allocator with counting wrappers around glibc's own
** (__libc_malloc and friends) and runs every API function, including 10000
** inferences per golden model and dgi_preprocess on pictures of every kind
** and size up to 1000x800 (and the failure paths), while counting. Any
** allocation, through any of the entry points, makes the count non-zero.
**
** Usage: test_no_heap GOLDEN_DIR
*/
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static volatile int counting;
static volatile unsigned long heap_calls;

#define COUNT() (void)(counting ? heap_calls++ : 0)

void *malloc(size_t size) { COUNT(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { COUNT(); return __libc_calloc(count, size); }
void *realloc(void *p, size_t size) { COUNT(); return __libc_realloc(p, size); }
void free(void *p) { COUNT(); __libc_free(p); }
void *memalign(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { COUNT(); return __libc_valloc(size); }
void *pvalloc(size_t size) { COUNT(); return __libc_pvalloc(size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p;
  COUNT();
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
  if (!(p = __libc_memalign(alignment, size))) return ENOMEM;
  *out = p;
  return 0;
}

/* Called through volatile pointers so the compiler cannot drop the calls. */
static void *(*volatile call_malloc)(size_t) = malloc;
static void *(*volatile call_calloc)(size_t, size_t) = calloc;
static void *(*volatile call_realloc)(void *, size_t) = realloc;
static void (*volatile call_free)(void *) = free;
static void *(*volatile call_memalign)(size_t, size_t) = memalign;
static void *(*volatile call_aligned_alloc)(size_t, size_t) = aligned_alloc;
static int (*volatile call_posix_memalign)(void **, size_t, size_t) = posix_memalign;

/* The wrappers must really be the allocator: each entry point counts once. */
static void check_counter_works(void) {
  void *p, *q = NULL;
  unsigned long before;

  counting = 1;
  before = heap_calls;
  p = call_malloc(16);
  CHECK(heap_calls == before + 1, "malloc was not counted");
  p = call_realloc(p, 64);
  CHECK(heap_calls == before + 2, "realloc was not counted");
  call_free(p);
  CHECK(heap_calls == before + 3, "free was not counted");
  call_free(call_calloc(4, 4));
  CHECK(heap_calls == before + 5, "calloc was not counted");
  call_free(call_memalign(64, 64));
  CHECK(heap_calls == before + 7, "memalign was not counted");
  call_free(call_aligned_alloc(64, 64));
  CHECK(heap_calls == before + 9, "aligned_alloc was not counted");
  CHECK(call_posix_memalign(&q, 64, 64) == 0, "posix_memalign failed");
  call_free(q);
  CHECK(heap_calls == before + 11, "posix_memalign was not counted");
  counting = 0;
  heap_calls = 0;
}

/* Every API call on one model, with the counter on; statuses are checked
   afterwards so that a failure message cannot allocate while counting. */
static void run_model(const golden_set *g, const char *name) {
  size_t size, scratch_size, bad = 0;
  unsigned char *bytes = golden_model(g, name, &size);
  dgi_model probe, model, never_opened;
  dgi_model_info info;
  dgi_layer_info layer;
  dgi_result result;
  int8_t logits[DGI_MAX_CLASSES];
  unsigned char *scratch;
  uint32_t i;
  int n;

  CHECK(dgi_model_open(&probe, bytes, size) == DGI_OK, "%s does not open", name);
  scratch_size = dgi_model_scratch_size(&probe);
  scratch = (unsigned char *)malloc(scratch_size);
  memset(&never_opened, 0, sizeof never_opened);

  counting = 1;
  bad += dgi_model_open(&model, bytes, size) != DGI_OK;
  bad += dgi_model_scratch_size(&model) != scratch_size;
  bad += dgi_model_get_info(&model, &info) != DGI_OK;
  for (i = 0; i < info.layer_count; i++) bad += dgi_model_get_layer(&model, i, &layer) != DGI_OK;
  bad += dgi_model_get_layer(&model, info.layer_count, &layer) != DGI_ERROR_ARGUMENT;
  bad += dgi_abi_version() != DGI_ABI_VERSION;
  for (n = 0; n <= 11; n++) bad += dgi_status_message((dgi_status)n) == NULL;
  for (n = 0; n < 10000; n++) {
    const uint8_t *image = golden_image(g, (size_t)n % g->image_count);
    if (n % 2)
      bad += dgi_classify(&model, image, scratch, scratch_size, &result) != DGI_OK;
    else
      bad += dgi_infer(&model, image, scratch, scratch_size, logits) != DGI_OK;
  }
  /* Failure paths must not allocate either (no error objects, no messages). */
  bad += dgi_model_open(&probe, bytes, 10) != DGI_ERROR_TRUNCATED;
  bad += dgi_model_open(NULL, bytes, size) != DGI_ERROR_ARGUMENT;
  bad += dgi_classify(&model, NULL, scratch, scratch_size, &result) != DGI_ERROR_ARGUMENT;
  bad += dgi_infer(&model, golden_image(g, 0), scratch, scratch_size - 1, logits) != DGI_ERROR_SCRATCH;
  bad += dgi_infer(&never_opened, golden_image(g, 0), scratch, scratch_size, logits) != DGI_ERROR_NOT_OPEN;
  counting = 0;

  CHECK(heap_calls == 0, "%s: the library made %lu allocator calls", name, heap_calls);
  CHECK(bad == 0, "%s: %lu calls returned an unexpected status", name, (unsigned long)bad);
  heap_calls = 0;
  free(scratch);
  free(bytes);
}

/* dgi_preprocess and its scratch size on pictures drawn beforehand: every
   kind of Tests/c/support.c, a few sizes, every flag, and each failure. */
static void run_preprocess(void) {
  enum { PICTURES = 3 * PIC_KINDS };
  static const uint32_t sizes[3][2] = {{28, 28}, {1000, 800}, {1, 37}};
  static const uint32_t flags[3] = {DGI_INK_AUTO, DGI_INK_DARK, DGI_INK_LIGHT};
  size_t scratch_size = dgi_preprocess_scratch_size(128, 128), bad = 0;
  unsigned char *scratch = (unsigned char *)malloc(scratch_size);
  uint8_t pixels[DGI_INPUT_SIZE];
  dgi_preprocess_info info;
  picture pics[PICTURES];
  uint32_t rng = 1;
  unsigned long ok = 0, no_ink = 0;
  int i, f;
  dgi_status s;

  for (i = 0; i < PICTURES; i++) {
    pics[i].width = sizes[i % 3][0];
    pics[i].height = sizes[i % 3][1];
    pics[i].pixels = (uint8_t *)malloc((size_t)pics[i].width * pics[i].height);
    pics[i].stride = pics[i].width;
    pic_random(&pics[i], i / 3, &rng);
  }

  counting = 1;
  for (i = 0; i < PICTURES; i++) {
    const picture *p = &pics[i];
    for (f = 0; f < 3; f++) {
      s = dgi_preprocess(p->pixels, p->width, p->height, p->stride, flags[f], scratch, scratch_size, pixels,
                         f == 2 ? NULL : &info);
      ok += s == DGI_OK;
      no_ink += s == DGI_ERROR_NO_INK;
      bad += s != DGI_OK && s != DGI_ERROR_NO_INK;
    }
    bad += dgi_preprocess_scratch_size(p->width, p->height) == 0;
  }
  bad += dgi_preprocess_scratch_size(0, 1) != 0;
  bad += dgi_preprocess(NULL, 28, 28, 28, 0, scratch, scratch_size, pixels, &info) != DGI_ERROR_ARGUMENT;
  bad += dgi_preprocess(pics[0].pixels, 28, 28, 27, 0, scratch, scratch_size, pixels, &info) != DGI_ERROR_IMAGE;
  bad += dgi_preprocess(pics[0].pixels, 28, 28, 28, 9, scratch, scratch_size, pixels, &info) != DGI_ERROR_IMAGE;
  bad += dgi_preprocess(pics[0].pixels, 28, 28, 28, 0, scratch, 10, pixels, &info) != DGI_ERROR_SCRATCH;
  counting = 0;

  CHECK(heap_calls == 0, "dgi_preprocess: the library made %lu allocator calls", heap_calls);
  CHECK(bad == 0, "dgi_preprocess: %lu calls returned an unexpected status", (unsigned long)bad);
  CHECK(ok > 0 && no_ink > 0, "dgi_preprocess: %lu OK, %lu no ink: both paths should run", ok, no_ink);
  heap_calls = 0;
  free(scratch);
  for (i = 0; i < PICTURES; i++) free(pics[i].pixels);
}

int main(int argc, char **argv) {
  golden_set g;
  if (argc != 2) {
    fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
    return 2;
  }
  golden_load(&g, argv[1]);
  check_counter_works();
  run_model(&g, "tiny.dgi");
  run_model(&g, "reference.dgi");
  run_preprocess();
  return check_report("no_heap");
}
