/* The harness on the host, linked with the installed libdigitinfer: prints
   the text the firmware must print (tools/embedded/test-qemu.sh). */
#include <stdio.h>

#include "platform.h"

void platform_write(const char *text) { fputs(text, stdout); }
void platform_probe_begin(void) {}
void platform_probe_end(const char *what, const char *detail) {
  (void)what;
  (void)detail;
}

int main(void) { return harness_main(); }
