#include "CImageShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "messages.h"

struct dii_png_reader {
  png_structp png;
  png_infop info;
  // Every entry point sets this before calling libpng; the handlers below
  // jump back to it.
  jmp_buf jump;
  dii_status status;
  const uint8_t *data;
  size_t size;
  size_t offset;
  int header_read;
  int rows_started;
  int finished;
  int passes;              // 7 for Adam7, else 1
  int pass;                // the pass read_row is in
  png_uint_32 pass_row;    // the next row of that pass
  dii_png_header header;
  char message[DII_MESSAGE_SIZE];
};

static void fail(dii_png_reader *reader, dii_status status, const char *text) {
  // A truncation found by the read callback outranks libpng's generic
  // "Read Error" that it raises on the way out.
  if (reader->status != DII_TRUNCATED) {
    dii_set_library_message(reader->message, status, "PNG", text);
    reader->status = status;
  }
  longjmp(reader->jump, 1);
}

static void on_error(png_structp png, png_const_charp text) {
  // A checksum mismatch is damage to a file that was once good.
  fail((dii_png_reader *)png_get_error_ptr(png), strstr(text, "CRC error") != NULL ? DII_CORRUPT : DII_INVALID, text);
}

// libpng warns, then carries on, about damage it can step over: a bad CRC
// in an ancillary chunk, too much or too little image data, a bad tRNS.
// Any of them fails the image. The warnings that are benign in practice
// (colour profiles, text, time stamps) cannot arise, because the chunks
// they concern are discarded unread (see read_header).
static void on_warning(png_structp png, png_const_charp text) {
  fail((dii_png_reader *)png_get_error_ptr(png), DII_CORRUPT, text);
}

static void on_read(png_structp png, png_bytep out, size_t length) {
  dii_png_reader *reader = (dii_png_reader *)png_get_io_ptr(png);
  if (length > reader->size - reader->offset) {
    snprintf(reader->message, DII_MESSAGE_SIZE, "truncated PNG: premature end of data");
    reader->status = DII_TRUNCATED;
    longjmp(reader->jump, 1);
  }
  memcpy(out, reader->data + reader->offset, length);
  reader->offset += length;
}

dii_png_reader *dii_png_reader_create(void) {
  dii_png_reader *reader = calloc(1, sizeof *reader);
  if (reader == NULL) return NULL;
  reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_error, on_warning);
  if (reader->png != NULL) reader->info = png_create_info_struct(reader->png);
  if (reader->info == NULL) {
    dii_png_reader_destroy(reader);
    return NULL;
  }
  return reader;
}

void dii_png_reader_destroy(dii_png_reader *reader) {
  if (reader == NULL) return;
  if (reader->png != NULL) png_destroy_read_struct(&reader->png, reader->info != NULL ? &reader->info : NULL, NULL);
  free(reader);
}

const char *dii_png_reader_message(const dii_png_reader *reader) { return reader->message; }

static dii_status usage(dii_png_reader *reader, const char *text) {
  snprintf(reader->message, DII_MESSAGE_SIZE, "PNG decoder misuse: %s", text);
  return DII_USAGE;
}

dii_status dii_png_read_header(dii_png_reader *reader, const uint8_t *data, size_t size, dii_png_header *header) {
  if (reader->header_read) return usage(reader, "header read twice");
  if (data == NULL || size == 0) return usage(reader, "no data");
  reader->data = data;
  reader->size = size;
  reader->offset = 0;
  if (setjmp(reader->jump)) return reader->status;

  png_structp png = reader->png;
  png_infop info = reader->info;
  png_set_read_fn(png, reader, on_read);
  // Every ancillary chunk but tRNS is skipped (its CRC still checked): the
  // decoder uses raw sample values, as MNIST does, so gamma, colour
  // profiles and text have no bearing on the result, and a bogus profile
  // must not fail an otherwise good image.
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
  png_read_info(png, info);

  png_uint_32 width, height;
  int bit_depth, color_type;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
  int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  int channels;
  switch (color_type) {
  case PNG_COLOR_TYPE_GRAY: channels = has_trns ? 2 : 1; break;
  case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
  case PNG_COLOR_TYPE_PALETTE:
  case PNG_COLOR_TYPE_RGB: channels = has_trns ? 4 : 3; break;
  case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
  default:
    // png_read_info has already refused any other type.
    snprintf(reader->message, DII_MESSAGE_SIZE, "invalid PNG: colour type %d", color_type);
    return DII_INVALID;
  }
  // Palette to RGB, 1/2/4-bit gray to 8 bits, tRNS to an alpha channel.
  // 16-bit samples stay 16-bit: Swift computes luminance and alpha at full
  // precision and rounds once. Interlace handling stays off: it would need
  // the whole image in memory to merge the passes (see read_row).
  png_set_expand(png);
  reader->passes = png_get_interlace_type(png, info) == PNG_INTERLACE_ADAM7 ? PNG_INTERLACE_ADAM7_PASSES : 1;

  // The output layout follows from IHDR alone; png_read_update_info, which
  // allocates row buffers, waits until Swift has checked the size.
  dii_png_header result = {0};
  result.width = width;
  result.height = height;
  result.channels = channels;
  result.bit_depth = bit_depth == 16 ? 16 : 8;
  result.row_bytes = (size_t)width * (size_t)channels * (size_t)(result.bit_depth / 8);
  reader->header = result;
  reader->header_read = 1;
  *header = result;
  return DII_OK;
}

dii_status dii_png_read_row(dii_png_reader *reader, uint8_t *row, size_t size, dii_png_row *where) {
  if (!reader->header_read) return usage(reader, "rows read without a header");
  const dii_png_header *header = &reader->header;
  if (row == NULL || size < header->row_bytes) return usage(reader, "row buffer too small");
  *where = (dii_png_row){0};
  if (reader->finished) return DII_OK;
  if (setjmp(reader->jump)) {
    reader->finished = 1;
    return reader->status;
  }

  png_structp png = reader->png;
  png_infop info = reader->info;
  if (!reader->rows_started) {
    reader->rows_started = 1;
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != header->row_bytes || png_get_channels(png, info) != header->channels) {
      reader->finished = 1;
      return usage(reader, "libpng's row layout differs from the one computed from IHDR");
    }
  }
  // libpng skips the Adam7 passes that hold no pixels (those of a
  // narrow or short image); so does this walk.
  png_uint_32 width = header->width, height = header->height;
  while (reader->pass < reader->passes) {
    int pass = reader->pass;
    png_uint_32 rows = reader->passes == 1 ? height : PNG_PASS_ROWS(height, pass);
    png_uint_32 columns = reader->passes == 1 ? width : PNG_PASS_COLS(width, pass);
    if (columns > 0 && reader->pass_row < rows) {
      png_read_row(png, row, NULL);
      png_uint_32 y = reader->pass_row++;
      if (reader->passes == 1) {
        *where = (dii_png_row){.y = y, .x = 0, .step = 1, .count = width};
      } else {
        *where = (dii_png_row){
          .y = PNG_ROW_FROM_PASS_ROW(y, pass), .x = PNG_COL_FROM_PASS_COL(0, pass),
          .step = 1u << PNG_PASS_COL_SHIFT(pass), .count = columns};
      }
      return DII_OK;
    }
    reader->pass++;
    reader->pass_row = 0;
  }
  // Reads on to IEND, so that truncation or damage after the pixels counts.
  png_read_end(png, NULL);
  reader->finished = 1;
  return DII_OK;
}
