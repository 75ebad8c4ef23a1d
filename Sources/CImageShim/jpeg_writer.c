#include "CImageShim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "messages.h"

// On the heap, not the stack: everything the error path touches after the
// longjmp lives in memory that setjmp/longjmp cannot roll back.
typedef struct {
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr errors;
  jmp_buf jump;
  unsigned char *buffer;
  unsigned long size;
  jpeg_scan_info *scans;
  char *message;
} writer;

static void on_error(j_common_ptr cinfo) {
  writer *w = (writer *)cinfo->client_data;
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  snprintf(w->message, DII_MESSAGE_SIZE, "cannot encode JPEG: %s", text);
  longjmp(w->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) { (void)cinfo, (void)level; }

void dii_free(void *buffer) { free(buffer); }

dii_status dii_jpeg_encode(
  const uint8_t *samples, uint32_t width, uint32_t height, int components, int quality,
  const uint8_t *app1, size_t app1_size, const dii_jpeg_coding *coding, uint8_t **out, size_t *out_size,
  char message[DII_MESSAGE_SIZE]) {
  *out = NULL;
  *out_size = 0;
  if (components != 1 && components != 3 && components != 4) {
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode JPEG: %d components (1, 3 or 4 are supported)", components);
    return DII_USAGE;
  }
  if (app1 != NULL && app1_size > 65533) {
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode JPEG: APP1 segment of %zu bytes (at most 65533)", app1_size);
    return DII_USAGE;
  }
  int scan_count = coding != NULL && coding->scans != NULL ? coding->scan_count : 0;
  if (scan_count < 0 || scan_count > 10000) {
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode JPEG: %d scans (0 to 10000)", scan_count);
    return DII_USAGE;
  }
  writer *w = calloc(1, sizeof *w);
  if (w == NULL) {
    snprintf(message, DII_MESSAGE_SIZE, "cannot encode JPEG: out of memory");
    return DII_NO_MEMORY;
  }
  w->message = message;
  w->cinfo.err = jpeg_std_error(&w->errors);
  w->errors.error_exit = on_error;
  w->errors.emit_message = on_message;
  w->cinfo.client_data = w;
  if (setjmp(w->jump)) {
    jpeg_destroy_compress(&w->cinfo);
    free(w->buffer);
    free(w->scans);
    free(w);
    return DII_INVALID;
  }
  jpeg_create_compress(&w->cinfo);
  jpeg_mem_dest(&w->cinfo, &w->buffer, &w->size);
  w->cinfo.image_width = width;
  w->cinfo.image_height = height;
  w->cinfo.input_components = components;
  w->cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&w->cinfo);
  if (components == 4) jpeg_set_colorspace(&w->cinfo, JCS_CMYK);
  jpeg_set_quality(&w->cinfo, quality, TRUE);
  if (coding != NULL) {
    w->cinfo.arith_code = coding->arithmetic ? TRUE : FALSE;
    if (scan_count > 0) {
      w->scans = calloc((size_t)scan_count, sizeof *w->scans);
      if (w->scans == NULL) {
        snprintf(message, DII_MESSAGE_SIZE, "cannot encode JPEG: out of memory");
        longjmp(w->jump, 1);
      }
      for (int i = 0; i < scan_count; i++) {
        const int *scan = coding->scans + 5 * i;
        jpeg_scan_info *info = &w->scans[i];
        info->comps_in_scan = scan[0] < 0 ? components : 1;
        for (int c = 0; c < info->comps_in_scan; c++) info->component_index[c] = scan[0] < 0 ? c : scan[0];
        info->Ss = scan[1], info->Se = scan[2], info->Ah = scan[3], info->Al = scan[4];
      }
      // libjpeg checks the script when compression starts.
      w->cinfo.scan_info = w->scans;
      w->cinfo.num_scans = scan_count;
    } else if (coding->progressive) {
      jpeg_simple_progression(&w->cinfo);
    }
  }
  // Exif files carry APP1 instead of JFIF's APP0, as cameras write them.
  if (app1 != NULL) w->cinfo.write_JFIF_header = FALSE;
  jpeg_start_compress(&w->cinfo, TRUE);
  if (app1 != NULL) jpeg_write_marker(&w->cinfo, JPEG_APP0 + 1, app1, (unsigned)app1_size);
  size_t stride = (size_t)width * (size_t)components;
  while (w->cinfo.next_scanline < w->cinfo.image_height) {
    JSAMPROW row = (JSAMPROW)(samples + (size_t)w->cinfo.next_scanline * stride);
    jpeg_write_scanlines(&w->cinfo, &row, 1);
  }
  jpeg_finish_compress(&w->cinfo);
  jpeg_destroy_compress(&w->cinfo);
  *out = w->buffer;
  *out_size = w->size;
  free(w->scans);
  free(w);
  return DII_OK;
}
