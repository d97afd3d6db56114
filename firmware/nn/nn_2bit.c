/* Convolutions with 2-bit packed weights: conv 2-D (int8 im2col), pointwise, depthwise. The
 * packing and the arithmetic are in nn_2bit.h.
 *
 * conv and pointwise share one core, dot_2x2: two pixels (input rows x0, x1) against two output
 * channels (packed rows w0, w1), weights unpacked in the inner loop.
 *  - DSP body (NN_USE_DSP): one 32-bit load gives 16 weights of a row; for field f (the word
 *    shifted right by 2f), (word << 6) & 0xC0C0C0C0 is 4 int8 weights times 64 in the byte order
 *    of a 32-bit load of the matching 4 activations, so SXTB16 / SXTB16 ROR 8 of both line up and
 *    2 SMLAD per pixel and channel do 4 MACs (the x * 64w sum is exact; >> 6 at the end).
 *  - portable body: nn_2b_weight() per weight.
 * depthwise unpacks its (small) weight array to int8 once per layer and runs the int8 kernel.
 */
#include <string.h>

#include "nn_2bit.h"

#ifdef NN_USE_DSP
#include "arm_dsp.h"
#endif

static inline int8_t requant_2b(const nn_conv2b_params *p, int32_t acc, int oc)
{
    const nn_conv_params *c = &p->conv;
    const int32_t v = nn_clamp(nn_requantize(acc, c->mult[oc], c->shift[oc]) + c->out_offset, c->act_min,
                               c->act_max);
    return p->act_lut ? p->act_lut[v + 128] : (int8_t)v;
}

/* acc[0..3] = x0.w0, x0.w1, x1.w0, x1.w1 over n inputs */
static void dot_2x2(const int8_t *x0, const int8_t *x1, const uint8_t *w0, const uint8_t *w1, int n,
                    int32_t acc[4])
{
    int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
    int k = 0;
#ifdef NN_USE_DSP
    const int n4 = n & ~3;
    while (k < n4) {
        /* one group: 16 weights per row; field f (bits 2f of each byte) after f shifts by 2 */
        uint32_t w0v = nn_read_u32(w0 + k / 4), w1v = nn_read_u32(w1 + k / 4);
        const int end = k + 16 < n4 ? k + 16 : n4;
        for (; k < end; k += 4) {
            const uint32_t xa = nn_read_u32(x0 + k), xb = nn_read_u32(x1 + k);
            const uint32_t wa = (w0v << 6) & 0xC0C0C0C0u, wb = (w1v << 6) & 0xC0C0C0C0u; /* 64w */
            w0v >>= 2, w1v >>= 2;
            const uint32_t xa02 = nn_sxtb16(xa), xa13 = nn_sxtb16_ror8(xa);
            const uint32_t xb02 = nn_sxtb16(xb), xb13 = nn_sxtb16_ror8(xb);
            const uint32_t wa02 = nn_sxtb16(wa), wa13 = nn_sxtb16_ror8(wa);
            const uint32_t wb02 = nn_sxtb16(wb), wb13 = nn_sxtb16_ror8(wb);
            a00 = nn_smlad(xa13, wa13, nn_smlad(xa02, wa02, a00));
            a01 = nn_smlad(xa13, wb13, nn_smlad(xa02, wb02, a01));
            a10 = nn_smlad(xb13, wa13, nn_smlad(xb02, wa02, a10));
            a11 = nn_smlad(xb13, wb13, nn_smlad(xb02, wb02, a11));
        }
    }
    a00 >>= 6, a01 >>= 6, a10 >>= 6, a11 >>= 6; /* sums of x * 64w, exact */
#endif
    for (; k < n; k++) { /* the portable body; the DSP body's last n % 4 inputs */
        const int32_t wa = nn_2b_weight(w0, k), wb = nn_2b_weight(w1, k);
        a00 += x0[k] * wa;
        a01 += x0[k] * wb;
        a10 += x1[k] * wa;
        a11 += x1[k] * wb;
    }
    acc[0] = a00, acc[1] = a01, acc[2] = a10, acc[3] = a11;
}

/* every output channel of one or two pixels (x1/out1: the second pixel, out1 NULL: none) */
static void pixels_2b(const nn_conv2b_params *p, const int8_t *x0, const int8_t *x1, int n, int8_t *out0,
                      int8_t *out1)
{
    const int N = p->conv.out_c, row = NN_2B_ROW_BYTES(n);
    const uint8_t *w = (const uint8_t *)p->conv.weights;
    const int32_t *bias = p->conv.bias;
    for (int oc = 0; oc < N; oc += 2) {
        const int two = oc + 1 < N;
        const uint8_t *w0 = w + oc * row, *w1 = two ? w0 + row : w0;
        int32_t acc[4];
        dot_2x2(x0, out1 ? x1 : x0, w0, w1, n, acc);
        out0[oc] = requant_2b(p, bias[oc] + acc[0], oc);
        if (two)
            out0[oc + 1] = requant_2b(p, bias[oc + 1] + acc[1], oc + 1);
        if (out1) {
            out1[oc] = requant_2b(p, bias[oc] + acc[2], oc);
            if (two)
                out1[oc + 1] = requant_2b(p, bias[oc + 1] + acc[3], oc + 1);
        }
    }
}

void nn_pointwise_conv_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out)
{
    const int K = p->conv.in_c, N = p->conv.out_c, P = p->conv.out_h * p->conv.out_w;
    for (int px = 0; px < P; px += 2) {
        const int8_t *x0 = in + px * K;
        pixels_2b(p, x0, x0 + K, K, out + px * N, px + 1 < P ? out + (px + 1) * N : NULL);
    }
}

/* the receptive field of output pixel px, [k_h][k_w][in_c]; padded taps read -in_offset */
static void im2col_s8(const nn_conv_params *c, const int8_t *in, int px, int8_t *col)
{
    const int y0 = px / c->out_w * c->stride_h - c->pad_h, x0 = px % c->out_w * c->stride_w - c->pad_w;
    const int in_c = c->in_c, row = c->k_w * in_c;
    const int8_t zero = (int8_t)-c->in_offset;
    const int x_inside = x0 >= 0 && x0 + c->k_w <= c->in_w;
    for (int ky = 0; ky < c->k_h; ky++, col += row) {
        const int iy = y0 + ky;
        if (iy < 0 || iy >= c->in_h) {
            memset(col, zero, row);
        } else if (x_inside) { /* a row of taps is k_w * in_c contiguous bytes (HWC) */
            memcpy(col, in + (iy * c->in_w + x0) * in_c, row);
        } else {
            for (int kx = 0; kx < c->k_w; kx++) {
                const int ix = x0 + kx;
                if (ix < 0 || ix >= c->in_w)
                    memset(col + kx * in_c, zero, in_c);
                else
                    memcpy(col + kx * in_c, in + (iy * c->in_w + ix) * in_c, in_c);
            }
        }
    }
}

void nn_conv2d_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out, int8_t *col)
{
    const nn_conv_params *c = &p->conv;
    const int K = c->k_h * c->k_w * c->in_c, Kp = 4 * NN_2B_ROW_BYTES(K), N = c->out_c;
    const int P = c->out_h * c->out_w;
    for (int k = K; k < Kp; k++) /* the rows' zero padding meets zeros */
        col[k] = col[Kp + k] = 0;
    for (int px = 0; px < P; px += 2) {
        const int two = px + 1 < P;
        im2col_s8(c, in, px, col);
        if (two)
            im2col_s8(c, in, px + 1, col + Kp);
        pixels_2b(p, col, col + Kp, Kp, out + px * N, two ? out + (px + 1) * N : NULL);
    }
}

void nn_depthwise_conv_2b_s8(const nn_conv2b_params *p, const int8_t *in, int8_t *out, int8_t *w8)
{
    nn_conv_params c = p->conv;
    const uint8_t *packed = (const uint8_t *)c.weights;
    const int n = c.k_h * c.k_w * c.in_c;
    for (int k = 0; k < n; k++)
        w8[k] = (int8_t)nn_2b_weight(packed, k);
    c.weights = w8;
    nn_depthwise_conv_s8(&c, in, out);
    if (p->act_lut)
        nn_lut_s8(out, out, c.out_h * c.out_w * c.out_c, p->act_lut);
}
