/*
** digitinfer.h: the C interface of libdigitinfer, a small int8 inference
** runtime for handwritten-digit models stored in the .dgi format.
**
** Five-minute tour
** ----------------
**     dgi_model model;                                  // caller-owned, 1 KiB
**     if (dgi_model_open(&model, bytes, size) != DGI_OK) ...   // validates, copies nothing
**     size_t n = dgi_model_scratch_size(&model);        // working memory it needs
**     void *scratch = malloc(n);                        // or a static array, or the stack
**     dgi_result r;
**     dgi_classify(&model, pixels, scratch, n, &r);     // pixels: 28x28, 0 = paper, 255 = ink
**     if (r.digit == DGI_NOT_A_DIGIT)                   // only models with that class say so
**       printf("not a digit (%.1f%%)\n", 100 * r.confidence);
**     else
**       printf("%d (%.1f%%)\n", r.digit, 100 * r.confidence);
**
** A photo, scan or drawing of any size first goes through dgi_preprocess(),
** which makes those 28x28 pixels the way MNIST was made (see below).
**
** Memory
** ------
** The library never allocates. Every byte it touches belongs to the caller:
** the model file (read in place, never copied and never written), the
** dgi_model record (a fixed-size struct declared below), and the scratch
** buffer passed to each inference call. Nothing is freed because nothing is
** owned: there is no close function. A model stays valid for as long as the
** caller keeps both the dgi_model record and the model bytes alive and
** unmodified.
**
** Errors
** ------
** Every function that can fail returns a dgi_status. No function aborts,
** traps, prints, or reads outside the buffers it is given, whatever the
** content of the model file. dgi_status_message() turns a status into a
** static English sentence.
**
** Threads
** -------
** An opened model is immutable. Any number of threads may call the
** inference and query functions on the same model at once, each with its
** own scratch buffer. dgi_model_open() writes the dgi_model record and must
** not run concurrently with any other use of that record.
**
** Arithmetic
** ----------
** Inference uses integers only (int8 data, int32 accumulators, TFLite-style
** fixed-point requantization), so the int8 outputs of dgi_infer() are
** bit-identical on every platform. The probabilities of dgi_classify() are
** computed from those integers by a fixed-point exponential and one IEEE-754
** single-precision division per class, which is correctly rounded everywhere.
** docs/FORMAT.md specifies both.
*/
#ifndef DIGITINFER_H
#define DIGITINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
** The version of DigitInfer: one "MAJOR.MINOR.PATCH" string for the whole
** project (this library, digitinfer-cli, export-model, the Python package
** and the release artifacts all report it). dgi_version() returns the
** library's.
*/
#define DGI_VERSION "1.1.0"

/*
** The ABI this header describes. dgi_abi_version() returns the library's.
** ABI 2 (DigitInfer 1.1) added "not a digit": dgi_result grew the fields
** not_a_digit and best_digit, and dgi_infer() writes DGI_MAX_CLASSES (11)
** logits instead of 10. Code built against ABI 1 must be rebuilt.
*/
#define DGI_ABI_VERSION 2u

/* The .dgi format major version this library reads, and the newest minor. */
#define DGI_FORMAT_MAJOR 1u
#define DGI_FORMAT_MINOR 2u

/* Size of the model input: one 28x28 grayscale image, row-major. */
#define DGI_INPUT_WIDTH 28
#define DGI_INPUT_HEIGHT 28
#define DGI_INPUT_SIZE 784

/*
** The most classes a model may have, and the most layers the runtime runs.
** A model has 1 to 10 classes, the digits 0 to class_count - 1, or 11: the
** ten digits and "not a digit", class DGI_CLASS_NOT_A_DIGIT (its last
** output), which a model trained on non-digits (scribbles, letters, noise)
** uses to refuse them.
*/
#define DGI_MAX_CLASSES 11
#define DGI_MAX_LAYERS 16

/* The digits 0 to 9: a result holds one probability for each. */
#define DGI_DIGIT_COUNT 10

/* The index of the "not a digit" class in an 11-class model's outputs. */
#define DGI_CLASS_NOT_A_DIGIT 10

/* dgi_result.digit when the model says the image is not a digit. */
#define DGI_NOT_A_DIGIT (-1)

/*
** Status codes. DGI_OK is zero; every failure has its own code so that a
** caller can tell a damaged file from a wrong argument without parsing text.
*/
typedef enum dgi_status {
  DGI_OK = 0,
  DGI_ERROR_ARGUMENT = 1,    /* a required pointer is NULL or a size is wrong */
  DGI_ERROR_TRUNCATED = 2,   /* the buffer is shorter than the file says it is */
  DGI_ERROR_MAGIC = 3,       /* the bytes do not start with the .dgi magic */
  DGI_ERROR_VERSION = 4,     /* the file's major version is not one this library reads */
  DGI_ERROR_CHECKSUM = 5,    /* the CRC-32 does not match: the file is corrupt */
  DGI_ERROR_MALFORMED = 6,   /* the structure is inconsistent (offsets, shapes, ranges) */
  DGI_ERROR_UNSUPPORTED = 7, /* well-formed, but uses a feature this library lacks */
  DGI_ERROR_SCRATCH = 8,     /* the scratch buffer is NULL or smaller than required */
  DGI_ERROR_IMAGE = 9,       /* the image arguments are invalid (size, stride, flags) */
  DGI_ERROR_NOT_OPEN = 10,   /* the dgi_model record was not filled by dgi_model_open */
  DGI_ERROR_NO_INK = 11,     /* dgi_preprocess found nothing that looks like a digit */
  DGI_ERROR_TOO_MANY = 12,   /* dgi_read_number found more digits than max_digits */
  DGI_ERROR_NOT_A_DIGIT = 13 /* dgi_read_number found ink, but the model read none of it as a digit */
} dgi_status;

/*
** An opened model. The caller provides the storage (on the stack, in a
** static, or on the heap); dgi_model_open() fills it. The content is private
** and may change between ABI versions; only the size is part of the ABI.
** Copying the record with memcpy yields an equally valid model that refers to
** the same model bytes.
*/
#define DGI_MODEL_WORDS 128
typedef struct dgi_model {
  uint64_t opaque_[DGI_MODEL_WORDS];
} dgi_model;

/*
** The answer for one image. The softmax runs over all of the model's
** classes, so probabilities[0..9] and not_a_digit sum to 1 (up to
** rounding). digit is the most probable class (the first on ties); when
** that is "not a digit", digit is DGI_NOT_A_DIGIT, never a digit, and
** best_digit still says which digit the image looks most like. A model
** without the "not a digit" class never answers DGI_NOT_A_DIGIT; its
** not_a_digit is 0 and best_digit equals digit.
*/
typedef struct dgi_result {
  int32_t digit;                        /* 0..9, or DGI_NOT_A_DIGIT */
  float confidence;                     /* probabilities[digit], or not_a_digit when digit is DGI_NOT_A_DIGIT */
  float probabilities[DGI_DIGIT_COUNT]; /* of each digit; digits past the model's class count are 0 */
  float not_a_digit;                    /* probability of "not a digit"; 0 for a model without that class */
  int32_t best_digit;                   /* the digit of the largest logit (first on ties), the most probable
                                           of 0..9, also when digit is DGI_NOT_A_DIGIT */
} dgi_result;

/* Layer kinds, as stored in the file. */
typedef enum dgi_layer_kind {
  DGI_LAYER_CONV2D = 1,      /* 2-D convolution, stride 1, valid or same padding */
  DGI_LAYER_MAXPOOL2D = 2,   /* 2x2 max pooling, stride 2 */
  DGI_LAYER_DENSE = 3,       /* fully connected */
  DGI_LAYER_FLATTEN = 4      /* HxWxC to 1x1x(H*W*C); costs nothing */
} dgi_layer_kind;

/* Layer flags. */
#define DGI_LAYER_RELU 1u           /* ReLU fused into the layer's output clamp */
#define DGI_LAYER_SAME_PADDING 2u   /* conv2d: zero padding so that output size = input size */

/* What dgi_model_get_info() reports. Pointers refer into the model bytes. */
typedef struct dgi_model_info {
  uint32_t format_major;     /* version of the file */
  uint32_t format_minor;
  uint32_t file_size;        /* bytes, as stored in the header */
  uint32_t checksum;         /* the file's CRC-32, verified by dgi_model_open */
  uint32_t layer_count;
  uint32_t class_count;      /* outputs of the last layer, 1..11 (11: class 10 is "not a digit") */
  uint64_t parameter_count;  /* weights and biases */
  uint64_t macs;             /* multiply-accumulates per image */
  size_t scratch_size;       /* same as dgi_model_scratch_size() */
  const char *name;          /* NUL-terminated UTF-8, never NULL (may be "") */
  const char *metadata;      /* NUL-terminated UTF-8 "key=value" lines, never NULL */
} dgi_model_info;

/* What dgi_model_get_layer() reports. */
typedef struct dgi_layer_info {
  dgi_layer_kind kind;
  uint32_t flags;            /* DGI_LAYER_RELU, DGI_LAYER_SAME_PADDING */
  uint32_t input_height, input_width, input_channels;
  uint32_t output_height, output_width, output_channels;
  uint32_t kernel_height, kernel_width; /* 1 for dense and flatten */
  int32_t input_zero_point;
  int32_t output_zero_point;
  float output_scale;        /* real value = output_scale * (q - output_zero_point) */
  uint64_t parameter_count;
  uint64_t macs;
} dgi_layer_info;

/*
** The ABI version of the library actually linked: DGI_ABI_VERSION of the
** header it was built with. Compare it with DGI_ABI_VERSION to detect a
** header/library mismatch. Never fails; thread-safe.
*/
uint32_t dgi_abi_version(void);

/*
** The version of the library actually linked: DGI_VERSION of the header it
** was built with, e.g. "1.1.0". A static NUL-terminated string that must not
** be freed. Never fails; thread-safe.
*/
const char *dgi_version(void);

/*
** A static, NUL-terminated English description of a status code, for logs
** and error messages. Returns a generic text for values outside the enum.
** Never returns NULL; the string must not be freed. Thread-safe.
*/
const char *dgi_status_message(dgi_status status);

/*
** Validates a .dgi model held in memory and fills *model so that it can be
** run. The bytes are neither copied nor modified; they must stay alive and
** unchanged for as long as *model is used. They need no particular
** alignment. `size` may exceed the file's own size (trailing bytes are
** ignored), so a whole flash sector or mmap'd region can be passed.
**
** Everything is checked before use: magic, version, sizes, the CRC-32,
** every offset, shape, count, zero point, shift and the scratch size, with
** overflow-safe arithmetic. A file that passes cannot make inference read
** or write out of bounds or overflow an accumulator.
**
** Returns DGI_OK, or DGI_ERROR_ARGUMENT (model or bytes NULL, or size
** above PTRDIFF_MAX),
** DGI_ERROR_TRUNCATED, DGI_ERROR_MAGIC, DGI_ERROR_VERSION,
** DGI_ERROR_CHECKSUM, DGI_ERROR_MALFORMED or DGI_ERROR_UNSUPPORTED. On
** failure *model is marked as not open, and using it returns
** DGI_ERROR_NOT_OPEN. Cost: one pass over the file (CRC and weight range
** checks). Allocates nothing.
*/
dgi_status dgi_model_open(dgi_model *model, const void *bytes, size_t size);

/*
** The number of bytes of scratch memory dgi_classify() and dgi_infer()
** need for this model; 0 if model is NULL or not open. It is at least the
** scratch size stored in the file, and the largest that any kernel set in
** this library needs, so a buffer sized once serves whatever kernels the
** CPU gets (see dgi_model_set_kernels). Any alignment will do. Thread-safe.
*/
size_t dgi_model_scratch_size(const dgi_model *model);

/*
** Kernel sets
** -----------
** The library holds several implementations of the layers ("kernel sets")
** and picks, when a model is opened, the fastest one this CPU runs: on
** x86-64 it asks cpuid, as XNNPACK and oneDNN do, so one binary is fast on
** every machine. All sets compute the same integers: dgi_infer() returns
** the same bytes whichever runs. The choice can be forced, for tests and
** comparisons, per model with dgi_model_set_kernels() or, on x86-64, for
** every model a process opens with the environment variable
** DIGITINFER_KERNELS set to a name below ("auto" or an unknown or
** unsupported name means the default choice).
*/
typedef enum dgi_kernels {
  DGI_KERNELS_AUTO = 0,        /* the fastest set this CPU supports */
  DGI_KERNELS_REFERENCE = 1,   /* "reference": the plain definitions, any CPU */
  DGI_KERNELS_BASELINE = 2,    /* "sse2" on x86-64, "portable" elsewhere: Swift SIMD, any CPU */
  DGI_KERNELS_AVX2 = 3,        /* "avx2": x86-64 with AVX2 (2013 and later) */
  DGI_KERNELS_AVX512VNNI = 4,  /* "avx512vnni": x86-64 with AVX-512 VNNI (2019 and later) */
  DGI_KERNELS_AVXVNNI = 5,     /* "avxvnni": x86-64 with 256-bit AVX-VNNI (2021 and later,
                                  e.g. Intel cores without AVX-512); avx512vnni is preferred */
  DGI_KERNELS_NEONDOT = 6,     /* "neondot": AArch64 with the dot-product extension (Armv8.2:
                                  Cortex-A55/A76 and later; detected from Linux's hardware
                                  capabilities, the ID register on bare metal, or the build's
                                  target CPU) */
  DGI_KERNELS_DSP = 7          /* "dsp": Cortex-M with the DSP extension (Cortex-M4, M7, M33:
                                  smlad), fixed by the build's target */
} dgi_kernels;

/*
** The kernel sets this library contains and this CPU runs: bit (1u << k)
** for each dgi_kernels value k (DGI_KERNELS_REFERENCE is always there).
** Queries the CPU on each call. Thread-safe.
*/
uint32_t dgi_kernels_supported(void);

/*
** The name of a kernel set, as DIGITINFER_KERNELS spells it ("reference",
** "sse2", "portable", "avx2", "avxvnni", "avx512vnni", "neondot", "dsp"; "auto" for
** DGI_KERNELS_AUTO), or "unknown". Static; never NULL. Thread-safe.
*/
const char *dgi_kernels_name(dgi_kernels kernels);

/*
** The kernel set an opened model runs (never DGI_KERNELS_AUTO), or
** DGI_KERNELS_AUTO if model is NULL or not open. Thread-safe.
*/
dgi_kernels dgi_model_kernels(const dgi_model *model);

/*
** Makes an opened model run kernel set `kernels` (DGI_KERNELS_AUTO: the
** fastest this CPU supports). Returns DGI_OK; DGI_ERROR_ARGUMENT (model
** NULL, or a value outside dgi_kernels); DGI_ERROR_NOT_OPEN; or
** DGI_ERROR_UNSUPPORTED (this library or this CPU lacks that set: the model
** keeps its set). The scratch size does not change. Like dgi_model_open(),
** it must not run concurrently with any other use of the same record.
*/
dgi_status dgi_model_set_kernels(dgi_model *model, dgi_kernels kernels);

/*
** Classifies one 28x28 grayscale image: row-major, 784 bytes,
** 0 = background and 255 = full ink, as in MNIST (dgi_preprocess() makes
** this from any photo or drawing). Fills *result.
**
** `scratch` is caller memory of at least dgi_model_scratch_size() bytes; its
** previous content is ignored and its content afterwards is unspecified.
** One scratch buffer must not be used by two calls at the same time;
** distinct buffers make concurrent calls on one model safe.
**
** Returns DGI_OK, DGI_ERROR_ARGUMENT (pixels or result NULL, or
** scratch_size above PTRDIFF_MAX, which no buffer can be), DGI_ERROR_NOT_OPEN,
** or DGI_ERROR_SCRATCH (scratch NULL or too small). On failure *result is
** left untouched. Allocates nothing.
*/
dgi_status dgi_classify(const dgi_model *model, const uint8_t pixels[DGI_INPUT_SIZE],
                        void *scratch, size_t scratch_size, dgi_result *result);

/*
** Runs the network like dgi_classify() but returns the raw int8 outputs of
** the last layer (one per class, before softmax) in
** logits[0..DGI_MAX_CLASSES-1], 11 entries (ABI 1 wrote 10): the digits'
** in logits[0..9] and, for a model with it, "not a digit"'s in
** logits[DGI_CLASS_NOT_A_DIGIT]; entries past the model's class count are
** set to 0. These integers are the bit-exact, platform-independent answer:
** compare them across devices.
** Same arguments, errors, and thread-safety as dgi_classify().
*/
dgi_status dgi_infer(const dgi_model *model, const uint8_t pixels[DGI_INPUT_SIZE],
                     void *scratch, size_t scratch_size, int8_t logits[DGI_MAX_CLASSES]);

/*
** Classifies `count` images stored one after another (count x 784 bytes,
** each as for dgi_classify) into results[0..count-1], with one scratch
** buffer of dgi_model_scratch_size() bytes. Faster per image than
** dgi_classify: work that does not depend on the image (packing the
** weights for the kernels) is done once for the batch. count may be 0.
** To use several cores, split the images between threads, each with its
** own scratch buffer.
**
** Returns DGI_OK, DGI_ERROR_ARGUMENT (pixels or results NULL, count x 784
** not representable, or scratch_size above PTRDIFF_MAX), DGI_ERROR_NOT_OPEN,
** or DGI_ERROR_SCRATCH. On failure nothing is written to results. Allocates
** nothing.
*/
dgi_status dgi_classify_batch(const dgi_model *model, const uint8_t *pixels, size_t count,
                              void *scratch, size_t scratch_size, dgi_result *results);

/*
** dgi_infer() for `count` images stored one after another: the outputs of
** image i go to logits[11 * i .. 11 * i + 10] (DGI_MAX_CLASSES per image,
** padded with 0 as for dgi_infer), so logits holds count x 11 bytes. Same
** arguments, errors and threading as dgi_classify_batch().
*/
dgi_status dgi_infer_batch(const dgi_model *model, const uint8_t *pixels, size_t count,
                           void *scratch, size_t scratch_size, int8_t *logits);

/*
** Describes an opened model: version, sizes, counts, name and metadata.
** Returns DGI_OK, DGI_ERROR_ARGUMENT (info NULL) or DGI_ERROR_NOT_OPEN.
** The strings point into the model bytes and live as long as they do.
** Thread-safe.
*/
dgi_status dgi_model_get_info(const dgi_model *model, dgi_model_info *info);

/*
** Describes layer `index` (0-based, below dgi_model_info.layer_count).
** Returns DGI_OK, DGI_ERROR_ARGUMENT (info NULL or index out of range) or
** DGI_ERROR_NOT_OPEN. Thread-safe.
*/
dgi_status dgi_model_get_layer(const dgi_model *model, uint32_t index,
                               dgi_layer_info *info);

/*
** Preprocessing: from a photo, scan or drawing to the model's input
** ---------------------------------------------------------------
** MNIST digits are white ink on black, scaled to fit a 20x20 box and placed
** in a 28x28 frame by their centre of mass. Real images are not: paper is
** grey and unevenly lit, ink may be dark or light, pens are thinner, and
** photos carry specks and frame lines. dgi_preprocess() does what MNIST's
** makers did, plus what real images need:
**
**   1. polarity: decides whether the ink is darker or lighter than the
**      paper (or obeys DGI_INK_DARK / DGI_INK_LIGHT);
**   2. ruling: finds the lines of ruled and squared paper and a margin
**      line (thin straight ridges of ink across at least 3/4 of the image,
**      horizontal or vertical within about 3.6 degrees, light or dark; at
**      least two parallel ones), except where the digit's strokes cross
**      them. A digit's own stroke is not that long within its frame, and
**      is alone, so a 1 or the bar of a 7 stays;
**   3. background: estimates the paper level across the image (leaving the
**      lines out) and subtracts it, so grey paper, shadows and the lines
**      become 0;
**   4. debris: keeps the digit's strokes and drops small specks and lines
**      along the image border;
**   5. fit: crops the ink's bounding box and scales it by area averaging to
**      fit 20x20, keeping the aspect ratio;
**   6. strokes: thickens thin strokes and stretches faint contrast towards
**      MNIST's;
**   7. centre: places the result in 28x28 with its centre of mass at the
**      centre.
**
** The result is bit-identical on every platform (integer arithmetic only).
*/

/* dgi_preprocess() flags: which way round the ink is. */
#define DGI_INK_AUTO 0u    /* decide from the image (the paper is the majority) */
#define DGI_INK_DARK 1u    /* dark ink on light paper: pen, pencil, printed scans */
#define DGI_INK_LIGHT 2u   /* light ink on dark: chalk on a board, MNIST itself */

/* The largest image dgi_preprocess() accepts, in each dimension. */
#define DGI_PREPROCESS_MAX_SIDE 32768u

/* What dgi_preprocess() found; optional. */
typedef struct dgi_preprocess_info {
  uint32_t ink;              /* DGI_INK_DARK or DGI_INK_LIGHT: the polarity used */
  uint32_t x, y;             /* the digit's bounding box in the input image */
  uint32_t width, height;
  uint32_t paper;            /* median of the image's border band, 0..255, in input units */
  uint32_t components;       /* ink components kept as the digit */
  uint32_t dropped;          /* ink components dropped as debris, plus ruling lines removed */
} dgi_preprocess_info;

/*
** The number of bytes of scratch memory dgi_preprocess() needs for an image
** of width x height pixels; 0 if either is 0 or above
** DGI_PREPROCESS_MAX_SIDE. The analysis runs on a copy reduced to at most
** 128 pixels on its longer side, so the size is bounded whatever the image:
** 15 KiB for 28x28, 43 KiB for 64x64, and at most 145 KiB (any image of
** 128x128 or more). Thread-safe.
*/
size_t dgi_preprocess_scratch_size(uint32_t width, uint32_t height);

/*
** Turns an 8-bit grayscale image of any size into the model's 28x28 input:
** pixels[DGI_INPUT_SIZE], 0 = background and 255 = full ink, ready for dgi_classify().
**
** `image` points at the top-left pixel; row y starts at image + y * stride,
** and stride >= width. `flags` is DGI_INK_AUTO, DGI_INK_DARK or
** DGI_INK_LIGHT. If `info` is not NULL it receives what was found.
** `scratch` is caller memory of at least dgi_preprocess_scratch_size(width,
** height) bytes, any alignment; its content afterwards is unspecified.
** Distinct scratch buffers make concurrent calls safe. The image is only
** read.
**
** Returns DGI_OK; DGI_ERROR_ARGUMENT (image or pixels NULL, or scratch_size
** above PTRDIFF_MAX);
** DGI_ERROR_IMAGE (width or height 0 or above DGI_PREPROCESS_MAX_SIDE,
** stride < width, stride above PTRDIFF_MAX or (height - 1) * stride not
** representable, or unknown flags); DGI_ERROR_SCRATCH (scratch NULL or too
** small); or DGI_ERROR_NO_INK (a blank or uniform image, or only specks:
** nothing that stands out from the paper makes a digit). The checks run in
** that order. On failure pixels[] and *info are left untouched.
** Cost: two passes over the whole image (a histogram, the reduction), one
** over its border band, about three over the digit's box, and work on the
** reduced copy.
** Allocates nothing.
*/
dgi_status dgi_preprocess(const uint8_t *image, uint32_t width, uint32_t height,
                          size_t stride, uint32_t flags, void *scratch,
                          size_t scratch_size, uint8_t pixels[DGI_INPUT_SIZE],
                          dgi_preprocess_info *info);

/*
** Reading numbers
** ---------------
** dgi_read_number() reads a handwritten number of one row, e.g. "2026" or
** "326 751", from a grey image of any size, either polarity, on shaded
** paper: it finds the digits in reading order (left to right), turns each
** into the model's 28x28 input exactly as dgi_preprocess() turns a single
** digit, and classifies it. What real writing does is handled:
**
**   - strokes of one digit (the bar of a 5, the stem of a 4) are joined:
**     components that overlap horizontally belong together;
**   - dots and specks are dropped by their size against the line height,
**     and frame lines along the image border as in dgi_preprocess;
**   - gaps between groups are ignored ("326 751" reads as "326751");
**   - digits of different sizes, and a slightly slanted baseline, need
**     nothing special: each digit is fitted on its own;
**   - digits that touch or overlap are split: a group of ink the model
**     does not read as one digit with 90% confidence, or too wide for one
**     digit, is cut into two pieces at every column (at most 16 cuts) and,
**     when very wide, into three; each piece is classified, and the cut the
**     model is most sure of (the highest product of the pieces'
**     confidences, a cut piece read as 1 counting 0.9 of its own, against
**     reading the group whole) is kept. Such digits carry DGI_DIGIT_SPLIT;
**   - with a model that has the "not a digit" class, candidates it
**     rejects (stray strokes, scribbles) are dropped; when it rejects
**     everything, the answer is DGI_ERROR_NOT_A_DIGIT. A shape that is not
**     a digit as a whole can still be read in pieces that are (a letter A
**     as 1 and 4: docs/NUMBERS.md).
**
** The analysis runs on a copy reduced to at most 32768 pixels (and at most
** 1024 on a side), so memory is bounded whatever the image; when that
** copy was reduced, the number's own extent is analysed again as finely as
** the bound allows (a number small in a large photo); every box and
** 28x28 input is then made from the original pixels. Integer arithmetic
** throughout (comparisons of the model's probabilities, which are
** themselves bit-identical everywhere, included): every platform reads the
** same digits with the same boxes and inputs.
*/

/* dgi_number_digit.flags */
#define DGI_DIGIT_SPLIT 1u   /* cut from strokes touching a neighbour */

/* One digit of a number that dgi_read_number() read. */
typedef struct dgi_number_digit {
  dgi_result result;              /* what the model read (never "not a digit": those are dropped) */
  uint32_t x, y, width, height;   /* its box in the input image, in pixels */
  uint32_t flags;                 /* DGI_DIGIT_SPLIT */
  uint8_t pixels[DGI_INPUT_SIZE]; /* the 28x28 model input it was read from */
} dgi_number_digit;

/*
** The number of bytes of scratch memory dgi_read_number() needs for an
** image of width x height pixels with this model: the analysis of the
** reduced copy (about 10 bytes per reduced pixel, at most 32768 of them),
** the fitting and the model's own scratch (dgi_model_scratch_size): at
** most 374 KiB plus the model's scratch, whatever the image (e.g. 21 KiB
** plus it for 28x28, 96 KiB for 160x48, 220 KiB for 320x60). An image
** that is reduced (over 32768 pixels, or over 1024 on a side) gets that
** most, the room to analyse the number's own extent again as finely as
** the bound allows. 0 if model is
** NULL or not open, or width or height is 0 or above
** DGI_PREPROCESS_MAX_SIDE. Thread-safe.
*/
size_t dgi_read_number_scratch_size(const dgi_model *model, uint32_t width, uint32_t height);

/*
** Reads the one-row number in an 8-bit grayscale image (`image`, `width`,
** `height`, `stride` and `flags` as for dgi_preprocess) into
** digits[0 .. *count - 1], in reading order, and sets *count to the number
** of digits found. The number is the digits' result.digit in that order,
** leading zeros included.
**
** `scratch` is caller memory of at least dgi_read_number_scratch_size()
** bytes, any alignment; its content afterwards is unspecified. One scratch
** buffer must not be used by two calls at the same time; distinct buffers
** make concurrent calls on one model safe. The image is only read.
**
** Returns DGI_OK; DGI_ERROR_ARGUMENT (model, image or count NULL, digits NULL
** while max_digits > 0, or scratch_size above PTRDIFF_MAX);
** DGI_ERROR_NOT_OPEN; DGI_ERROR_IMAGE (as for dgi_preprocess: sizes,
** stride, flags); DGI_ERROR_SCRATCH (scratch NULL or too small);
** DGI_ERROR_NO_INK (nothing that makes a digit: *count is set to 0);
** DGI_ERROR_NOT_A_DIGIT (ink, but the model read none of it as a digit:
** letters, a scribble; only with a model that has the "not a digit"
** class; *count is set to 0); or DGI_ERROR_TOO_MANY (more than max_digits digits: *count says how many
** were found, and the first max_digits were written, so max_digits 0
** with digits NULL asks only for the count). The checks run in that order;
** on the other failures neither digits[] nor *count is written.
** Cost: that of dgi_preprocess() on the whole image, plus, per group of
** ink, one fit and one classification; for a group that may be cut, up to
** 16 cuts in two (two of each per cut) and, for a very wide one, up to 55
** pairs of cuts in three (three of each).
** Allocates nothing.
*/
dgi_status dgi_read_number(const dgi_model *model, const uint8_t *image, uint32_t width,
                           uint32_t height, size_t stride, uint32_t flags, void *scratch,
                           size_t scratch_size, dgi_number_digit *digits, size_t max_digits,
                           size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* DIGITINFER_H */
