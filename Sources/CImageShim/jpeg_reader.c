#include "CImageShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "messages.h"

struct dii_jpeg_reader {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr errors;
  struct jpeg_progress_mgr progress;
  // Every entry point sets this before calling libjpeg; the handlers below
  // jump back to it, so the library never returns through Swift frames.
  jmp_buf jump;
  dii_status status;
  dii_jpeg_limits limits;
  int scans_counted;       // scans whose blocks are in scan_blocks
  uint64_t scan_blocks;    // coefficient blocks of those scans together
  int header_read;
  int pixels_read;
  dii_jpeg_header header;
  char message[DII_MESSAGE_SIZE];
};

static dii_jpeg_reader *reader_of(j_common_ptr cinfo) { return (dii_jpeg_reader *)cinfo->client_data; }

static void fail_with_library_message(j_common_ptr cinfo, dii_status status) {
  dii_jpeg_reader *reader = reader_of(cinfo);
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  dii_set_library_message(reader->message, status, "JPEG", text);
  reader->status = status;
  longjmp(reader->jump, 1);
}

static void fail_with_limit(dii_jpeg_reader *reader) {
  reader->status = DII_LIMIT;
  longjmp(reader->jump, 1);
}

static void on_error(j_common_ptr cinfo) {
  if (cinfo->err->msg_code == JERR_NO_BACKING_STORE) {
    // libjpeg's own count of its arrays passed max_memory_to_use: a
    // backstop behind check_memory, which should have refused first.
    dii_jpeg_reader *reader = reader_of(cinfo);
    snprintf(reader->message, DII_MESSAGE_SIZE, "image too costly to decode: libjpeg's arrays pass the %llu MB limit",
      (unsigned long long)(reader->limits.max_memory / 1000000));
    fail_with_limit(reader);
  }
  fail_with_library_message(cinfo, cinfo->err->msg_code == JERR_INPUT_EOF ? DII_TRUNCATED : DII_INVALID);
}

// Level -1 is a warning: libjpeg has found damaged data and would carry on
// with made-up pixels. A digit classifier must not see those, so every
// warning ends the decode. Levels 0 and up are trace output and are dropped.
static void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  fail_with_library_message(cinfo, cinfo->err->msg_code == JWRN_JPEG_EOF ? DII_TRUNCATED : DII_CORRUPT);
}

static void on_output(j_common_ptr cinfo) { (void)cinfo; }

// A progressive file may hold hundreds of scans, each a pass over all the
// coefficient blocks of its components, whose data costs a few bytes when
// the blocks are empty: 200 KB can cost seconds. libjpeg calls this hook
// before each unit of input it decodes, and once a scan's header is read
// the scan is counted whole, before its data is decoded. djpeg's
// -maxscans uses the same hook.
static void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
  dii_jpeg_reader *reader = reader_of(cinfo);
  if ((unsigned)dinfo->input_scan_number > reader->limits.max_scans) {
    snprintf(reader->message, DII_MESSAGE_SIZE, "invalid JPEG: more than %u progressive scans", reader->limits.max_scans);
    fail_with_limit(reader);
  }
  if (dinfo->input_scan_number <= reader->scans_counted) return;
  reader->scans_counted = dinfo->input_scan_number;
  for (int i = 0; i < dinfo->comps_in_scan; i++) {
    const jpeg_component_info *component = dinfo->cur_comp_info[i];
    reader->scan_blocks += (uint64_t)component->width_in_blocks * component->height_in_blocks;
  }
  if (reader->scan_blocks > reader->limits.max_scan_blocks) {
    snprintf(reader->message, DII_MESSAGE_SIZE,
      "image too costly to decode: JPEG scans 1 to %d cover %llu coefficient blocks (limit %llu)",
      dinfo->input_scan_number, (unsigned long long)reader->scan_blocks,
      (unsigned long long)reader->limits.max_scan_blocks);
    fail_with_limit(reader);
  }
}

dii_jpeg_reader *dii_jpeg_reader_create(void) {
  dii_jpeg_reader *reader = calloc(1, sizeof *reader);
  if (reader == NULL) return NULL;
  reader->cinfo.err = jpeg_std_error(&reader->errors);
  reader->errors.error_exit = on_error;
  reader->errors.emit_message = on_message;
  reader->errors.output_message = on_output;
  reader->cinfo.client_data = reader;
  if (setjmp(reader->jump)) {
    // Creation fails only when libjpeg cannot allocate its pools.
    jpeg_destroy_decompress(&reader->cinfo);
    free(reader);
    return NULL;
  }
  jpeg_create_decompress(&reader->cinfo);
  reader->progress.progress_monitor = on_progress;
  reader->cinfo.progress = &reader->progress;
  return reader;
}

void dii_jpeg_reader_destroy(dii_jpeg_reader *reader) {
  if (reader == NULL) return;
  jpeg_destroy_decompress(&reader->cinfo);
  free(reader);
}

const char *dii_jpeg_reader_message(const dii_jpeg_reader *reader) { return reader->message; }

static dii_status usage(dii_jpeg_reader *reader, const char *text) {
  snprintf(reader->message, DII_MESSAGE_SIZE, "JPEG decoder misuse: %s", text);
  return DII_USAGE;
}

dii_status dii_jpeg_read_header(
  dii_jpeg_reader *reader, const uint8_t *data, size_t size, const dii_jpeg_limits *limits, dii_jpeg_header *header) {
  if (reader->header_read) return usage(reader, "header read twice");
  if (data == NULL || size == 0) return usage(reader, "no data");
  reader->limits = *limits;
  if (setjmp(reader->jump)) return reader->status;

  jpeg_mem_src(&reader->cinfo, data, (unsigned long)size);
  jpeg_save_markers(&reader->cinfo, JPEG_APP0 + 1, 0xFFFF);
  // TRUE: a tables-only stream is an error (JERR_NO_IMAGE), not a result.
  jpeg_read_header(&reader->cinfo, TRUE);

  struct jpeg_decompress_struct *cinfo = &reader->cinfo;
  dii_jpeg_header result = {0};
  switch (cinfo->jpeg_color_space) {
  case JCS_GRAYSCALE:
  case JCS_YCbCr:
  case JCS_RGB:
    // For YCbCr, libjpeg hands over the Y plane as decoded: JFIF's Y is
    // BT.601 luma, the weights DigitInferImage uses everywhere, and the
    // chroma planes are never decoded. For RGB it applies the same weights.
    cinfo->out_color_space = JCS_GRAYSCALE;
    result.components = 1;
    break;
  case JCS_CMYK:
  case JCS_YCCK:
    cinfo->out_color_space = JCS_CMYK;
    result.components = 4;
    result.adobe_inverted = cinfo->saw_Adobe_marker;
    break;
  default:
    snprintf(reader->message, DII_MESSAGE_SIZE, "unsupported JPEG: colour space of %d components", cinfo->num_components);
    return DII_INVALID;
  }
  result.width = cinfo->image_width;
  result.height = cinfo->image_height;
  // libjpeg-turbo scales in the inverse DCT: at 1/2, 1/4 and 1/8 it
  // computes 4x4, 2x2 and 1x1 outputs per block from its low frequencies
  // (at 1/8 the block's mean), so a large photo costs a fraction of the
  // work and memory and loses only detail that preprocessing (which
  // reduces to 128 pixels for its analysis and fits the digit into 20)
  // would average away. The largest of those scales whose
  // output fits the limit is used; 1/8 is the smallest libjpeg offers.
  cinfo->scale_num = 1;
  cinfo->scale_denom = 1;
  jpeg_calc_output_dimensions(cinfo);
  while (cinfo->scale_denom < 8 &&
         (uint64_t)cinfo->output_width * cinfo->output_height > reader->limits.max_output_pixels) {
    cinfo->scale_denom *= 2;
    jpeg_calc_output_dimensions(cinfo);
  }
  result.output_width = cinfo->output_width;
  result.output_height = cinfo->output_height;
  result.scale_denom = cinfo->scale_denom;
  for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker != NULL; marker = marker->next) {
    if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 && memcmp(marker->data, "Exif\0\0", 6) == 0) {
      result.exif = marker->data;
      result.exif_size = marker->data_length;
      break;
    }
  }
  reader->header = result;
  reader->header_read = 1;
  *header = result;
  return DII_OK;
}

// A progressive file, or one whose components come in separate scans, is
// decoded into coefficient arrays for the whole image at full resolution,
// whatever the output scale: 128 bytes per 8x8 block of every component,
// so 512 MB for an 8000x8000 CMYK image. Refused before any of it exists.
static dii_status check_memory(dii_jpeg_reader *reader) {
  struct jpeg_decompress_struct *cinfo = &reader->cinfo;
  uint64_t bytes = (uint64_t)cinfo->output_width * cinfo->output_height * (uint64_t)reader->header.components;
  if (jpeg_has_multiple_scans(cinfo)) {
    for (int i = 0; i < cinfo->num_components; i++) {
      const jpeg_component_info *component = &cinfo->comp_info[i];
      // Rounded up to whole MCUs, as libjpeg allocates them.
      uint64_t columns = (component->width_in_blocks + component->h_samp_factor - 1) / component->h_samp_factor;
      uint64_t rows = (component->height_in_blocks + component->v_samp_factor - 1) / component->v_samp_factor;
      bytes += columns * component->h_samp_factor * rows * component->v_samp_factor * sizeof(JBLOCK);
    }
  }
  if (bytes <= reader->limits.max_memory) return DII_OK;
  snprintf(reader->message, DII_MESSAGE_SIZE,
    "image too costly to decode: this %ux%u %s JPEG of %d components needs %llu MB (limit %llu MB)",
    cinfo->image_width, cinfo->image_height, cinfo->progressive_mode ? "progressive" : "multi-scan",
    cinfo->num_components, (unsigned long long)(bytes / 1000000),
    (unsigned long long)(reader->limits.max_memory / 1000000));
  return DII_LIMIT;
}

dii_status dii_jpeg_read_pixels(dii_jpeg_reader *reader, uint8_t *pixels, size_t size) {
  if (!reader->header_read || reader->pixels_read) return usage(reader, "pixels read without a header or twice");
  reader->pixels_read = 1;
  const dii_jpeg_header *header = &reader->header;
  size_t stride = (size_t)header->output_width * (size_t)header->components;
  if (pixels == NULL || size / stride != header->output_height || size % stride != 0) {
    return usage(reader, "wrong buffer size");
  }
  // Before check_memory too: jpeg_has_multiple_scans may raise an error.
  if (setjmp(reader->jump)) return reader->status;
  dii_status memory = check_memory(reader);
  if (memory != DII_OK) return memory;

  struct jpeg_decompress_struct *cinfo = &reader->cinfo;
  // libjpeg counts its large arrays against this, and fails rather than
  // exceed it (it has no backing store to spill to).
  cinfo->mem->max_memory_to_use = (long)reader->limits.max_memory;
  jpeg_start_decompress(cinfo);
  if (cinfo->output_width != header->output_width || cinfo->output_height != header->output_height ||
      cinfo->output_components != header->components) {
    // Not reachable: read_header computed them; checked because the buffer depends on it.
    jpeg_abort_decompress(cinfo);
    return usage(reader, "output size differs from the header");
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + (size_t)cinfo->output_scanline * stride;
    if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
      // A memory source never suspends; guard against a loop all the same.
      jpeg_abort_decompress(cinfo);
      snprintf(reader->message, DII_MESSAGE_SIZE, "truncated JPEG: no more scanlines");
      return DII_TRUNCATED;
    }
  }
  // Reads on to EOI, so that damage after the last scanline still counts.
  jpeg_finish_decompress(cinfo);
  return DII_OK;
}
