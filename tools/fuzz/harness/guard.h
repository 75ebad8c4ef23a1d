// Buffers that end exactly at an inaccessible page, so that a read or write
// one byte past the end faults at once. ASan cannot do this for the sizes
// the API promises: it rounds allocations and checks only instrumented code,
// and the runtime's SIMD kernels are the code most likely to overrun.
#ifndef FUZZ_GUARD_H
#define FUZZ_GUARD_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

// Any disagreement is a finding: print where and why, then abort, which
// libFuzzer records as a crash with the input saved. FUZZ_NAME names the
// target in the message.
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      fprintf(stderr, "%s: %s:%d: ", FUZZ_NAME, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                               \
      fputc('\n', stderr);                                        \
      abort();                                                    \
    }                                                             \
  } while (0)

typedef struct guard_buffer {
  unsigned char *map;  // the whole mapping: usable pages, then one PROT_NONE page
  size_t usable;       // bytes before the guard page
} guard_buffer;

// Returns `size` bytes whose last byte is the last one before the guard page
// (any alignment: the API promises that any will do). Reuses the mapping
// while it is large enough. Aborts if the system has no memory to map.
unsigned char *guard_end(guard_buffer *buffer, size_t size);

// Makes the buffer's pages read-only (0) or writable again (1), so that a
// write into memory the API promises only to read faults.
void guard_writable(guard_buffer *buffer, int writable);

// What the first 7 bytes of an image target's input (preprocess, read) ask
// for: the size (1 to 1024 a side; the height halved until w * h is at most
// max_pixels), ink flags (0-2), the padding of the strided copy, the image
// mode (see fuzz_image), then the pixel bytes that follow.
typedef struct {
  unsigned w, h, flags;
  size_t pad;
  unsigned char mode;
  const unsigned char *src;
  size_t n;
} fuzz_image_input;

// Reads that header into `in` and returns the image it asks for (see
// fuzz_image, in `pages`); NULL if the input is shorter than the header.
unsigned char *fuzz_image_read(guard_buffer *pages, const unsigned char *data, size_t size, unsigned long max_pixels,
                               fuzz_image_input *in);

// The image of a fuzz input of the image targets (preprocess, read): w x h
// pixels from the input's bytes `src` (n of them, used cyclically), or
// (mode odd) one byte per 8x8 block, so that short inputs still make
// strokes and paper large enough to matter. Ends at the guard page of
// `pages`, read-only.
unsigned char *fuzz_image(guard_buffer *pages, const unsigned char *src, size_t n, unsigned w, unsigned h,
                          unsigned char mode);

// The same rows `stride` bytes apart, the padding full of noise: at the
// guard page of `pages`, read-only.
unsigned char *fuzz_padded(guard_buffer *pages, const unsigned char *image, unsigned w, unsigned h, size_t stride,
                           unsigned char mode);

#endif
