/* nn.h: int8/int16 inference kernels for the mcusim reference networks (firmware/models/).
 *
 * Tensors are HWC (channels last, like CMSIS-NN and TFLM); 1-D tensors are W x C with H = 1.
 * Quantisation follows TFLM/CMSIS-NN int8: asymmetric activations (in_offset = -input zero
 * point, out_offset = output zero point), symmetric per-channel weights (no weight offset),
 * int32 bias, and per-channel requantisation
 *
 *   acc = bias[c] + sum (x + in_offset) * w          (int32; padded taps contribute nothing)
 *   y   = clamp(nn_requantize(acc, mult[c], shift[c]) + out_offset, act_min, act_max)
 *
 * where nn_requantize is CMSIS-NN arm_nn_requantize: a rounding doubling high multiply by a
 * Q31 multiplier, then a rounding right shift (shift < 0; shift > 0 shifts left first).
 * ReLU and ReLU6 are fused as act_min/act_max, as TFLM does; nn_relu_s8/nn_relu6_s8 exist for
 * graphs that keep them separate.
 *
 * Every hot kernel has a portable C body and, with NN_USE_DSP defined (Cortex-M4/M7 builds),
 * a body built on SXTB16/SXTAB16/SMLAD (arm_dsp.h). Both compute the same int32 accumulators
 * (integer addition is associative), so their outputs are bit-identical; firmware/models/
 * nnref.py implements the same arithmetic in NumPy.
 */
#ifndef NN_H
#define NN_H

#include <stdint.h>

#if defined(NN_USE_DSP) && !defined(__ARM_FEATURE_DSP)
#error "NN_USE_DSP needs a Cortex-M target with the DSP extension"
#endif

/* ---- requantisation (CMSIS-NN arm_nn_requantize) ---- */

static inline int32_t nn_doubling_high_mult_no_sat(int32_t m1, int32_t m2)
{
    int64_t mult = ((int64_t)1 << 30) + (int64_t)m1 * m2;
    return (int32_t)(mult >> 31);
}

static inline int32_t nn_divide_by_power_of_two(int32_t dividend, int32_t exponent)
{
    const int32_t remainder_mask = (1 << exponent) - 1;
    int32_t remainder = remainder_mask & dividend;
    int32_t result = dividend >> exponent;
    int32_t threshold = remainder_mask >> 1;
    if (result < 0)
        threshold++;
    if (remainder > threshold)
        result++;
    return result;
}

static inline int32_t nn_requantize(int32_t val, int32_t mult, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    return nn_divide_by_power_of_two(nn_doubling_high_mult_no_sat(val * (1 << left), mult), right);
}

static inline int32_t nn_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- layer parameters (the generator emits them as const structs in flash) ---- */

/* conv (2-D and 1-D), depthwise (channel multiplier 1: out_c == in_c) and pointwise (1x1,
 * stride 1, no padding). weights: conv/pointwise [out_c][k_h][k_w][in_c],
 * depthwise [k_h][k_w][c]. pad_h/pad_w: padding at the top/left (TFLM SAME or VALID). */
typedef struct {
    int16_t in_h, in_w, in_c;
    int16_t out_h, out_w, out_c;
    int16_t k_h, k_w, stride_h, stride_w, pad_h, pad_w;
    int32_t in_offset, out_offset, act_min, act_max;
    const int8_t *weights;
    const int32_t *bias, *mult, *shift; /* per output channel */
} nn_conv_params;

/* fully connected: weights [out_n][in_n], per-output-channel mult/shift */
typedef struct {
    int16_t in_n, out_n;
    int32_t in_offset, out_offset, act_min, act_max;
    const int8_t *weights;
    const int32_t *bias, *mult, *shift;
} nn_fc_params;

/* pooling (max or average) over a k_h x k_w window; padded taps are skipped (TFLM). */
typedef struct {
    int16_t in_h, in_w, c;
    int16_t out_h, out_w;
    int16_t k_h, k_w, stride_h, stride_w, pad_h, pad_w;
    int32_t act_min, act_max;
} nn_pool_params;

/* TFLM int8 ADD: both inputs rescaled to a common scale with left_shift headroom. */
typedef struct {
    int32_t n;
    int32_t in1_offset, in2_offset, left_shift;
    int32_t in1_mult, in1_shift, in2_mult, in2_shift;
    int32_t out_mult, out_shift, out_offset, act_min, act_max;
} nn_add_params;

/* GRU (Keras reset_after=True, gates in the order z, r, n), int8 input, int16 Q0.15 state.
 *   ax_g = bx_g + Wx_g . (x + in_offset)     ah_g = bh_g + Wh_g . h      (int32)
 *   px_g = sat16(requant(ax_g, mx[g], sx[g])) ph_g = sat16(requant(ah_g, mh[g], sh[g]))  Q3.12
 *   z = sigmoid(sat16(px_z + ph_z)), r = sigmoid(sat16(px_r + ph_r))                       Q0.15
 *   n = tanh(sat16(px_n + round(r * ph_n >> 15)))                                          Q0.15
 *   h = sat16(n + round(z * (h - n) >> 15))
 * sigmoid/tanh: nn_act16_lut (513-entry tables, linear interpolation). */
typedef struct {
    int16_t steps, in_n, units;
    int32_t in_offset;
    const int8_t *wx;   /* [3*units][in_n] */
    const int8_t *wh;   /* [3*units][units] */
    const int32_t *bx;  /* [3*units] */
    const int32_t *bh;  /* [3*units] */
    int32_t mx[3], sx[3], mh[3], sh[3];
    const int16_t *sigmoid_lut, *tanh_lut; /* 513 entries each */
} nn_gru_params;

/* ---- kernels ---- */

/* scratch: int16 workspace of at least nn_conv_scratch_bytes() (DSP builds only; may be
 * NULL for portable builds). */
#define NN_CONV_SCRATCH_BYTES(k_h, k_w, in_c) (2 * (k_h) * (k_w) * (in_c))
void nn_conv2d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch);
void nn_conv1d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch);
void nn_depthwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out);
void nn_pointwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out);
void nn_fully_connected_s8(const nn_fc_params *p, const int8_t *in, int8_t *out);
/* int16 input (in_offset ignored: symmetric int16 activations), int8 weights and output */
void nn_fully_connected_s16(const nn_fc_params *p, const int16_t *in, int8_t *out);

void nn_maxpool_s8(const nn_pool_params *p, const int8_t *in, int8_t *out);
void nn_avgpool_s8(const nn_pool_params *p, const int8_t *in, int8_t *out);

void nn_add_s8(const nn_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);
/* channel concatenation of n_in HWC tensors with the same H x W (pixels) */
void nn_concat_s8(const int8_t *const *ins, const int16_t *chans, int n_in, int pixels, int8_t *out);
void nn_relu_s8(int8_t *data, int n, int32_t zero_point);
void nn_relu6_s8(int8_t *data, int n, int32_t zero_point, int32_t six);

/* y = lut[x + 128] (int8 sigmoid/tanh with the table the generator computed) */
void nn_lut_s8(const int8_t *in, int8_t *out, int n, const int8_t *lut);
/* int16 Q3.12 -> Q0.15 through a 513-entry table with linear interpolation */
int16_t nn_act16_lut(int16_t x, const int16_t *lut);
/*   u = x + 32768, i = u >> 7, f = u & 127: y = lut[i] + (((lut[i+1] - lut[i]) * f + 64) >> 7) */
/* softmax, int8 in -> int8 out (scale 1/256, zero point -128):
 *   e_i = exp_lut[max - x_i] (uint32), out_i = clamp((e_i*256 + sum/2) / sum - 128) */
void nn_softmax_s8(const int8_t *in, int8_t *out, int n, const uint32_t *exp_lut);

/* in: int8[steps][in_n]; h: int16[units], the final state (starts from zeros);
 * scratch: int16[in_n]; units <= 32 */
void nn_gru_s8_s16(const nn_gru_params *p, const int8_t *in, int16_t *h, int16_t *scratch);

#endif
