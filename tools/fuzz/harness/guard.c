#define _DEFAULT_SOURCE  // MAP_ANONYMOUS
#include "guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

unsigned char *guard_end(guard_buffer *buffer, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  // A mapping much larger than needed is replaced too: the pages a huge
  // buffer touched would otherwise stay resident and count against
  // libFuzzer's RSS limit for every later input.
  if (buffer->map == NULL || buffer->usable < size || buffer->usable - size > ((size_t)1 << 24)) {
    if (buffer->map != NULL) munmap(buffer->map, buffer->usable + page);
    size_t usable = (size + page - 1) / page * page;
    if (usable == 0) usable = page;
    void *map = mmap(NULL, usable + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (map == MAP_FAILED || mprotect((unsigned char *)map + usable, page, PROT_NONE) != 0) {
      perror("guard_end: mmap");
      abort();
    }
    buffer->map = map;
    buffer->usable = usable;
  }
  return buffer->map + buffer->usable - size;
}

void guard_writable(guard_buffer *buffer, int writable) {
  if (buffer->map == NULL) return;
  if (mprotect(buffer->map, buffer->usable, writable ? PROT_READ | PROT_WRITE : PROT_READ) != 0) {
    perror("guard_writable: mprotect");
    abort();
  }
}

unsigned char *fuzz_image_read(guard_buffer *pages, const unsigned char *data, size_t size, unsigned long max_pixels,
                               fuzz_image_input *in) {
  if (size < 7) return NULL;
  in->w = 1 + (unsigned)(data[0] | data[1] << 8) % 1024;
  in->h = 1 + (unsigned)(data[2] | data[3] << 8) % 1024;
  while ((unsigned long long)in->w * in->h > max_pixels) in->h = (in->h + 1) / 2;
  in->flags = data[4] % 3;
  in->pad = data[5];
  in->mode = data[6];
  in->src = data + 7;
  in->n = size - 7;
  return fuzz_image(pages, in->src, in->n, in->w, in->h, in->mode);
}

unsigned char *fuzz_image(guard_buffer *pages, const unsigned char *src, size_t n, unsigned w, unsigned h,
                          unsigned char mode) {
  guard_writable(pages, 1);
  unsigned char *image = guard_end(pages, (size_t)w * h);
  for (unsigned y = 0; y < h; y++)
    for (unsigned x = 0; x < w; x++) {
      size_t i = (mode & 1) ? (size_t)(y / 8) * ((w + 7) / 8) + x / 8 : (size_t)y * w + x;
      image[(size_t)y * w + x] = n ? src[i % n] : 0;
    }
  guard_writable(pages, 0);
  return image;
}

unsigned char *fuzz_padded(guard_buffer *pages, const unsigned char *image, unsigned w, unsigned h, size_t stride,
                           unsigned char mode) {
  guard_writable(pages, 1);
  unsigned char *padded = guard_end(pages, (size_t)(h - 1) * stride + w);
  for (size_t i = 0; i < (size_t)(h - 1) * stride + w; i++) padded[i] = (unsigned char)(i * 131 + mode);
  for (unsigned y = 0; y < h; y++) memcpy(padded + (size_t)y * stride, image + (size_t)y * w, w);
  guard_writable(pages, 0);
  return padded;
}
