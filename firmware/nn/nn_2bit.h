/* nn_2bit.h: the kernels the 2-bit MobileNetV3-style network (models/vww_2bit.py) adds to nn.h:
 * convolutions with 2-bit packed weights (nn_2bit.c) and the broadcast multiply of
 * squeeze-and-excitation (nn_mul.c). A header of its own so that nn.h, and with it the objects
 * of the other networks, stay byte-identical (GCC's .debug_str order follows the identifiers a
 * translation unit sees). */
#ifndef NN_2BIT_H
#define NN_2BIT_H

#include "nn.h"

/* ---- 2-bit packed weights (nn_2bit.c) ----
 *
 * Weights are 2-bit two's complement, -2..1; the layer's per-output-channel weight scale is in
 * its requantisation (mult/shift), as for int8 weights. A row (one output channel of a conv or
 * pointwise layer, [k_h][k_w][in_c] flattened; depthwise: the whole [k_h][k_w][c] array) of n
 * weights takes NN_2B_ROW_BYTES(n) bytes: groups of 16 weights in 4 bytes, zero weights padding
 * the last group. Weight 16g + 4f + b is field f (bits 2f+1:2f) of byte 4g + b: a 32-bit load
 * holds 16 weights, and field f of its 4 bytes holds the weights of inputs 16g + 4f .. + 3, in the
 * byte order of a 32-bit load of those 4 activations.
 *
 * conv (im2col, int8) and pointwise:
 *   acc = bias[oc] + sum x * w, with bias = the layer's bias + in_offset * sum(w) (the generator
 *   folds it) and padded taps reading -in_offset (the input zero point): the accumulator of
 *   nn.h's formula. The DSP body moves field f to the top of each byte, ((word >> 2f) << 6) &
 *   0xC0C0C0C0 (the int8 value 64w), and accumulates x * 64w with SXTB16 + SMLAD: exact while
 *   |sum| < 2^31 (128 * 128 * n < 2^31, the generator checks), then >> 6.
 * depthwise: the weights are unpacked to int8 in the scratch, then nn_depthwise_conv_s8 runs
 *   (bias as there, not folded).
 * Output: y = clamp(nn_requantize(acc) + out_offset, act_min, act_max), then y = act_lut[y + 128]
 * if act_lut is not NULL (hard-swish, hard-sigmoid: 256-entry tables from the generator). */
#define NN_2B_ROW_BYTES(n) ((((n) + 15) / 16) * 4)
typedef struct {
    nn_conv_params conv;   /* conv.weights points to the packed rows */
    const int8_t *act_lut; /* NULL, or 256 entries indexed by y + 128 */
} nn_conv2b_params;

/* weight k of a packed row */
static inline int32_t nn_2b_weight(const uint8_t *row, int k)
{
    const uint32_t byte = row[4 * (k >> 4) + (k & 3)];
    return (int32_t)(int8_t)(byte << (6 - 2 * ((k >> 2) & 3))) >> 6;
}

/* conv scratch: 2 * 16 * ceil(k_h * k_w * in_c / 16) bytes (the int8 im2col of two pixels);
 * depthwise scratch: k_h * k_w * c bytes (the unpacked weights) */
void nn_conv2d_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out, int8_t *scratch);
void nn_pointwise_conv_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out);
void nn_depthwise_conv_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out, int8_t *scratch);

/* ---- broadcast multiply (nn_mul.c): the squeeze-and-excitation scale ----
 * TFLM int8 MUL of in1 [pixels][c] by in2 [c], the same vector for every pixel:
 *   y = clamp(nn_requantize((x1 + in1_offset) * (x2 + in2_offset), out_mult, out_shift)
 *             + out_offset, act_min, act_max) */
typedef struct {
    int32_t pixels, c;
    int32_t in1_offset, in2_offset;
    int32_t out_mult, out_shift, out_offset, act_min, act_max;
} nn_mul_params;
void nn_mul_channel_s8(const nn_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);

#endif
