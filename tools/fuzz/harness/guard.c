#define _DEFAULT_SOURCE  // MAP_ANONYMOUS
#include "guard.h"

#include <stdio.h>
#include <stdlib.h>
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
