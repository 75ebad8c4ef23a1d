/* What harness.c needs from where it runs: firmware.c (bare metal, with
   measurements) or host.c (stdout, no measurements). */
#ifndef FW_PLATFORM_H
#define FW_PLATFORM_H

/* Writes a NUL-terminated line (with its newline). */
void platform_write(const char *text);
/* Brackets one runtime call: the firmware measures its stack use and
   instructions, grouped by (what, detail); the host does nothing. */
void platform_probe_begin(void);
void platform_probe_end(const char *what, const char *detail);
/* The test program; returns the exit status. */
int harness_main(void);

#endif
