#ifndef DIGITINFER_IMAGE_SHIM_MESSAGES_H
#define DIGITINFER_IMAGE_SHIM_MESSAGES_H

#include "CImageShim.h"

// Writes "<kind> <format>: <text>" into `message`, where kind follows from
// the status ("truncated", "corrupt", "invalid"), with the library's own
// redundant prefix ("Corrupt JPEG data: ") dropped and its first letter
// lower-cased unless it starts an acronym.
void dii_set_library_message(char message[DII_MESSAGE_SIZE], dii_status status, const char *format, const char *text);

#endif
