/*
** The shipped default model, models/mnist-int8.dgi, compiled into the
** binary, so that digitinfer-cli classifies from any directory with no file
** beside it. Tests compare these bytes with the file: a stale copy fails.
*/
#ifndef DIGITINFER_BUILTIN_MODEL_H
#define DIGITINFER_BUILTIN_MODEL_H

#include <stddef.h>

/* The model file's bytes (read-only, 16-byte aligned); *size receives their count. */
const unsigned char *digitinfer_builtin_model(size_t *size);

#endif
