#include "CImageShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

// On the heap: the error path reads it after the longjmp.
typedef struct {
  png_structp png;
  png_infop info;
  jmp_buf jump;
  uint8_t *buffer;
  size_t size;
  size_t capacity;
  char *message;
} writer;

static void on_error(png_structp png, png_const_charp text) {
  writer *w = (writer *)png_get_error_ptr(png);
  snprintf(w->message, DII_MESSAGE_SIZE, "cannot encode PNG: %s", text);
  longjmp(w->jump, 1);
}

// A warning while writing means the spec was not what libpng expected
// (a tRNS that does not fit, say); the file would not be the one asked for.
static void on_warning(png_structp png, png_const_charp text) { on_error(png, text); }

static void on_write(png_structp png, png_bytep data, size_t length) {
  writer *w = (writer *)png_get_io_ptr(png);
  if (length > w->capacity - w->size) {
    size_t capacity = w->capacity < 4096 ? 4096 : w->capacity;
    while (capacity - w->size < length) capacity *= 2;
    uint8_t *grown = realloc(w->buffer, capacity);
    if (grown == NULL) png_error(png, "out of memory");
    w->buffer = grown;
    w->capacity = capacity;
  }
  memcpy(w->buffer + w->size, data, length);
  w->size += length;
}

static void on_flush(png_structp png) { (void)png; }

dii_status dii_png_encode(
  const dii_png_spec *spec, const uint8_t *rows, size_t rows_size, uint8_t **out, size_t *out_size,
  char message[DII_MESSAGE_SIZE]) {
  *out = NULL;
  *out_size = 0;
  writer *w = calloc(1, sizeof *w);
  if (w == NULL) {
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode PNG: out of memory");
    return DII_NO_MEMORY;
  }
  w->message = message;
  w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w, on_error, on_warning);
  if (w->png != NULL) w->info = png_create_info_struct(w->png);
  if (w->info == NULL) {
    if (w->png != NULL) png_destroy_write_struct(&w->png, NULL);
    free(w);
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode PNG: out of memory");
    return DII_NO_MEMORY;
  }
  if (setjmp(w->jump)) {
    png_destroy_write_struct(&w->png, &w->info);
    free(w->buffer);
    free(w);
    return DII_INVALID;
  }
  png_structp png = w->png;
  png_infop info = w->info;
  png_set_write_fn(png, w, on_write, on_flush);
  png_set_IHDR(
    png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
    spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
    PNG_FILTER_TYPE_DEFAULT);
  if (spec->color_type == PNG_COLOR_TYPE_PALETTE) {
    png_color palette[256];
    if (spec->palette == NULL || spec->palette_entries < 1 || spec->palette_entries > 256) {
      png_error(png, "a palette image needs 1 to 256 palette entries");
    }
    for (int i = 0; i < spec->palette_entries; i++) {
      palette[i].red = spec->palette[3 * i];
      palette[i].green = spec->palette[3 * i + 1];
      palette[i].blue = spec->palette[3 * i + 2];
    }
    png_set_PLTE(png, info, palette, spec->palette_entries);
    if (spec->palette_alpha != NULL) {
      png_set_tRNS(png, info, spec->palette_alpha, spec->palette_alpha_entries, NULL);
    }
  } else if (spec->has_transparent_color) {
    png_color_16 color = {0};
    color.gray = spec->transparent_color[0];
    color.red = spec->transparent_color[0];
    color.green = spec->transparent_color[1];
    color.blue = spec->transparent_color[2];
    png_set_tRNS(png, info, NULL, 0, &color);
  }
  png_set_compression_level(png, 9);
  png_write_info(png, info);
  size_t row_bytes = png_get_rowbytes(png, info);
  if (row_bytes == 0 || rows_size / row_bytes != spec->height || rows_size % row_bytes != 0) {
    png_error(png, "the sample buffer does not match width, height, colour type and bit depth");
  }
  int passes = png_set_interlace_handling(png);
  for (int pass = 0; pass < passes; pass++) {
    for (uint32_t y = 0; y < spec->height; y++) png_write_row(png, rows + (size_t)y * row_bytes);
  }
  png_write_end(png, info);
  png_destroy_write_struct(&w->png, &w->info);
  *out = w->buffer;
  *out_size = w->size;
  free(w);
  return DII_OK;
}
