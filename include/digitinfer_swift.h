/*
** For the runtime's Swift sources only (not installed): what Swift cannot
** take from digitinfer.h by itself. Swift imports a string macro as a
** String, which has no static C address; this inline function hands
** dgi_version() the literal, so that DGI_VERSION stays the one place the
** version is written.
*/
#ifndef DIGITINFER_SWIFT_H
#define DIGITINFER_SWIFT_H

#include "digitinfer.h"

static inline const char *dgi_version_literal(void) { return DGI_VERSION; }

#endif
