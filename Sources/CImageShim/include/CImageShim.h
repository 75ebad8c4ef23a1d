// The C side of DigitInferImage: libjpeg and libpng report errors by
// longjmp, which Swift cannot survive, so every call into either library
// happens here, under a setjmp in the same C function, and comes back to
// Swift as a status code plus a one-line message.
//
// Decoding is two-phase so that Swift can check the declared size against
// its pixel limit before any pixel memory exists: read_header parses up to
// the first pixel data, read_pixels decodes into a buffer Swift allocated.
#ifndef DIGITINFER_IMAGE_SHIM_H
#define DIGITINFER_IMAGE_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  DII_OK = 0,
  DII_INVALID = 1,    // the library rejected the data (bad header, unsupported feature)
  DII_CORRUPT = 2,    // a library warning about damaged data; the image is refused
  DII_TRUNCATED = 3,  // the data ended before the image did
  DII_LIMIT = 4,      // a resource limit of ours (scans, decoding work, memory)
  DII_NO_MEMORY = 5,
  DII_USAGE = 6,      // arguments the shim itself refuses (a bug in the caller)
} dii_status;

enum { DII_MESSAGE_SIZE = 200 };

// MARK: JPEG decoding

typedef struct dii_jpeg_reader dii_jpeg_reader;

// What one image may cost. ImageDecoder owns the values and explains them.
typedef struct {
  unsigned max_scans;          // scans of a progressive or multi-scan file
  uint64_t max_scan_blocks;    // coefficient blocks decoded, summed over all scans
  uint64_t max_memory;         // bytes of coefficient arrays plus output samples
  uint64_t max_output_pixels;  // above it, decode at 1/2, 1/4 or 1/8 scale
} dii_jpeg_limits;

typedef struct {
  uint32_t width;          // as the frame header declares it
  uint32_t height;
  uint32_t output_width;   // as read_pixels writes it: width / scale_denom, rounded up
  uint32_t output_height;
  unsigned scale_denom;    // 1, 2, 4 or 8
  int components;          // of the pixels read_pixels writes: 1 (luma) or 4 (CMYK)
  int adobe_inverted;      // CMYK stored inverted, as Adobe applications write it
  const uint8_t *exif;     // APP1 payload starting "Exif\0\0", valid until destroy; or NULL
  size_t exif_size;
} dii_jpeg_header;

// NULL when out of memory.
dii_jpeg_reader *dii_jpeg_reader_create(void);
void dii_jpeg_reader_destroy(dii_jpeg_reader *reader);
// The message of the last failed call ("" if none).
const char *dii_jpeg_reader_message(const dii_jpeg_reader *reader);

// `data` must stay valid until read_pixels returns. Chooses the output
// scale from `limits`; the scan and memory limits are enforced by
// read_pixels, so that a caller's own size check on the header comes first.
dii_status dii_jpeg_read_header(
  dii_jpeg_reader *reader, const uint8_t *data, size_t size, const dii_jpeg_limits *limits, dii_jpeg_header *header);
// `size` must be exactly output_width * output_height * components.
dii_status dii_jpeg_read_pixels(dii_jpeg_reader *reader, uint8_t *pixels, size_t size);

// MARK: PNG decoding

typedef struct dii_png_reader dii_png_reader;

typedef struct {
  uint32_t width;
  uint32_t height;
  // After expansion (palette to RGB, low-bit gray to 8 bits, tRNS to alpha):
  int channels;            // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  int bit_depth;           // 8 or 16 (16-bit samples are big-endian)
  size_t row_bytes;        // of a full row; the size read_row needs
} dii_png_header;

// Where the pixels of a row read_row decoded belong.
typedef struct {
  uint32_t y;
  uint32_t x;              // the first pixel's column
  uint32_t step;           // columns from one pixel to the next: 1, or 2, 4, 8 in an Adam7 pass
  uint32_t count;          // pixels in the row; 0 once the image is complete
} dii_png_row;

dii_png_reader *dii_png_reader_create(void);
void dii_png_reader_destroy(dii_png_reader *reader);
const char *dii_png_reader_message(const dii_png_reader *reader);

dii_status dii_png_read_header(dii_png_reader *reader, const uint8_t *data, size_t size, dii_png_header *header);
// Decodes the next row into `row` (`size` >= row_bytes) and says where its
// pixels go. An interlaced image comes pass by pass, each pass's rows as
// Adam7 stores them, so that the caller can convert rows as they come and
// no image-sized sample buffer is needed. After the last row the data is
// read on to IEND and the next call returns DII_OK with count 0.
dii_status dii_png_read_row(dii_png_reader *reader, uint8_t *row, size_t size, dii_png_row *where);

// MARK: Encoding

// Frees the buffers the encoders return.
void dii_free(void *buffer);

// How the entropy-coded data is laid out; all zero is baseline Huffman.
typedef struct {
  int arithmetic;          // arithmetic coding in place of Huffman
  int progressive;         // libjpeg's standard progression, unless `scans` is given
  // A scan script: scan_count entries of 5 values each (component, Ss, Se,
  // Ah, Al; component -1 for all of them, as in an interleaved DC scan).
  const int *scans;
  int scan_count;
} dii_jpeg_coding;

// JPEG, 4:2:0 for colour. `components` is 1 (gray), 3 (RGB) or 4 (CMYK,
// written as given with an Adobe marker). `app1`, if not NULL, is written
// as an APP1 segment (an Exif block) in place of the JFIF header. `coding`
// NULL is baseline Huffman.
dii_status dii_jpeg_encode(
  const uint8_t *samples, uint32_t width, uint32_t height, int components, int quality,
  const uint8_t *app1, size_t app1_size, const dii_jpeg_coding *coding, uint8_t **out, size_t *out_size,
  char message[DII_MESSAGE_SIZE]);

typedef struct {
  uint32_t width;
  uint32_t height;
  int color_type;          // PNG colour type: 0, 2, 3, 4, 6
  int bit_depth;           // 1, 2, 4, 8, 16 as the colour type allows
  int interlaced;          // Adam7
  const uint8_t *palette;  // RGB triplets, colour type 3
  int palette_entries;
  const uint8_t *palette_alpha;  // tRNS of a palette image, or NULL
  int palette_alpha_entries;
  int has_transparent_color;     // tRNS of a gray (index 0) or RGB image
  uint16_t transparent_color[3];
} dii_png_spec;

// `rows` holds height rows of PNG-packed samples (bits packed from the high
// end, 16-bit big-endian), each ceil(width * channels * bit_depth / 8) bytes.
dii_status dii_png_encode(
  const dii_png_spec *spec, const uint8_t *rows, size_t rows_size, uint8_t **out, size_t *out_size,
  char message[DII_MESSAGE_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
