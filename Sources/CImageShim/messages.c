#include "messages.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void dii_set_library_message(char message[DII_MESSAGE_SIZE], dii_status status, const char *format, const char *text) {
  static const char *const prefixes[] = {"Corrupt JPEG data: ", "libpng error: ", "libpng warning: "};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t length = strlen(prefixes[i]);
    if (strncmp(text, prefixes[i], length) == 0) text += length;
  }
  const char *kind = status == DII_TRUNCATED ? "truncated" : status == DII_CORRUPT ? "corrupt" : "invalid";
  int written = snprintf(message, DII_MESSAGE_SIZE, "%s %s: %s", kind, format, text);
  if (written < 0) return;
  char *start = message + strlen(kind) + strlen(format) + 3;
  if (start < message + DII_MESSAGE_SIZE - 1 && isupper((unsigned char)start[0]) && !isupper((unsigned char)start[1])) {
    start[0] = (char)tolower((unsigned char)start[0]);
  }
  // The libraries' texts are single lines; make sure of it.
  for (char *c = message; *c != '\0'; c++) {
    if (*c == '\n' || *c == '\r') *c = ' ';
  }
}
