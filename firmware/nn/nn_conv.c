/* Convolutions: conv 2-D/1-D, depthwise, pointwise. See nn.h for the arithmetic.
 *
 * DSP bodies (NN_USE_DSP):
 *  - conv: per output pixel, im2col of the receptive field into int16 with the input offset
 *    added (padding -> 0), reordered per group of 4 as x0,x2,x1,x3 so that SXTB16/SXTB16 ROR 8
 *    of 4 weights line up with it (CMSIS-NN arm_q7_to_q15_reordered_with_offset); two output
 *    channels per pass, 2 SMLAD per 4 MACs per channel.
 *  - pointwise: 2 pixels x 2 output channels per pass, SXTB16 on both operands, the input
 *    offset folded into the bias as in_offset * sum(w) (CMSIS-NN's kernel sums).
 *  - depthwise: 4 channels per pass, SXTAB16 adds the input offset, SMLABB/SMLATT accumulate
 *    per channel (channels must be a multiple of 4, else the portable body runs).
 */
#include "nn.h"

#ifdef NN_USE_DSP
#include "arm_dsp.h"
#endif

static inline int8_t requant_out(int32_t acc, const nn_conv_params *p, int oc)
{
    int32_t v = nn_requantize(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
    return (int8_t)nn_clamp(v, p->act_min, p->act_max);
}

/* ---------------- conv 2-D ---------------- */

#ifndef NN_USE_DSP
void nn_conv2d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch)
{
    (void)scratch;
    const int in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int32_t off = p->in_offset;
    for (int oy = 0; oy < p->out_h; oy++) {
        for (int ox = 0; ox < p->out_w; ox++) {
            const int y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
            for (int oc = 0; oc < p->out_c; oc++) {
                int32_t acc = p->bias[oc];
                const int8_t *wrow = p->weights + oc * k_h * k_w * in_c;
                for (int ky = 0; ky < k_h; ky++) {
                    const int iy = y0 + ky;
                    if (iy < 0 || iy >= p->in_h)
                        continue;
                    for (int kx = 0; kx < k_w; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        const int8_t *ip = in + (iy * in_w + ix) * in_c;
                        const int8_t *wp = wrow + (ky * k_w + kx) * in_c;
                        for (int ic = 0; ic < in_c; ic++)
                            acc += (ip[ic] + off) * wp[ic];
                    }
                }
                *out++ = requant_out(acc, p, oc);
            }
        }
    }
}
#else
void nn_conv2d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *col)
{
    const int in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int K = k_h * k_w * in_c;
    const int32_t off = p->in_offset;
    for (int oy = 0; oy < p->out_h; oy++) {
        for (int ox = 0; ox < p->out_w; ox++) {
            const int y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
            /* im2col with offset, natural order */
            int16_t *c = col;
            for (int ky = 0; ky < k_h; ky++) {
                const int iy = y0 + ky;
                for (int kx = 0; kx < k_w; kx++) {
                    const int ix = x0 + kx;
                    if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= in_w) {
                        for (int ic = 0; ic < in_c; ic++)
                            *c++ = 0;
                    } else {
                        const int8_t *ip = in + (iy * in_w + ix) * in_c;
                        for (int ic = 0; ic < in_c; ic++)
                            *c++ = (int16_t)(ip[ic] + off);
                    }
                }
            }
            /* reorder each full group of 4 to x0,x2,x1,x3 */
            const int K4 = K & ~3;
            for (int k = 0; k < K4; k += 4) {
                int16_t t = col[k + 1];
                col[k + 1] = col[k + 2];
                col[k + 2] = t;
            }
            int oc = 0;
            for (; oc + 2 <= p->out_c; oc += 2) {
                const int8_t *w0 = p->weights + oc * K, *w1 = w0 + K;
                int32_t a0 = p->bias[oc], a1 = p->bias[oc + 1];
                const int16_t *cp = col;
                int k = 0;
                for (; k < K4; k += 4) {
                    const uint32_t c02 = nn_read_u32(cp), c13 = nn_read_u32(cp + 2);
                    const uint32_t wa = nn_read_u32(w0 + k), wb = nn_read_u32(w1 + k);
                    a0 = nn_smlad(c02, nn_sxtb16(wa), a0);
                    a0 = nn_smlad(c13, nn_sxtb16_ror8(wa), a0);
                    a1 = nn_smlad(c02, nn_sxtb16(wb), a1);
                    a1 = nn_smlad(c13, nn_sxtb16_ror8(wb), a1);
                    cp += 4;
                }
                for (; k < K; k++) {
                    a0 += col[k] * w0[k];
                    a1 += col[k] * w1[k];
                }
                out[oc] = requant_out(a0, p, oc);
                out[oc + 1] = requant_out(a1, p, oc + 1);
            }
            if (oc < p->out_c) {
                const int8_t *w0 = p->weights + oc * K;
                int32_t a0 = p->bias[oc];
                int k = 0;
                for (; k < K4; k += 4) {
                    const uint32_t wa = nn_read_u32(w0 + k);
                    a0 = nn_smlad(nn_read_u32(col + k), nn_sxtb16(wa), a0);
                    a0 = nn_smlad(nn_read_u32(col + k + 2), nn_sxtb16_ror8(wa), a0);
                }
                for (; k < K; k++)
                    a0 += col[k] * w0[k];
                out[oc] = requant_out(a0, p, oc);
            }
            out += p->out_c;
        }
    }
}
#endif

void nn_conv1d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch)
{
    /* a 1-D conv is the H = 1 case of the 2-D one (in_h = out_h = k_h = 1) */
    nn_conv2d_s8(p, in, out, scratch);
}

/* ---------------- depthwise ---------------- */

static void depthwise_portable(const nn_conv_params *p, const int8_t *in, int8_t *out)
{
    const int in_w = p->in_w, c_n = p->in_c, k_w = p->k_w;
    const int32_t off = p->in_offset;
    for (int oy = 0; oy < p->out_h; oy++) {
        for (int ox = 0; ox < p->out_w; ox++) {
            const int y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
            for (int c = 0; c < c_n; c++) {
                int32_t acc = p->bias[c];
                for (int ky = 0; ky < p->k_h; ky++) {
                    const int iy = y0 + ky;
                    if (iy < 0 || iy >= p->in_h)
                        continue;
                    for (int kx = 0; kx < k_w; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        acc += (in[(iy * in_w + ix) * c_n + c] + off) * p->weights[(ky * k_w + kx) * c_n + c];
                    }
                }
                *out++ = requant_out(acc, p, c);
            }
        }
    }
}

void nn_depthwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out)
{
#ifdef NN_USE_DSP
    const int in_w = p->in_w, c_n = p->in_c, k_w = p->k_w;
    if (c_n & 3) {
        depthwise_portable(p, in, out);
        return;
    }
    const uint32_t off2 = ((uint32_t)p->in_offset & 0xFFFFu) | ((uint32_t)p->in_offset << 16);
    for (int oy = 0; oy < p->out_h; oy++) {
        const int y0 = oy * p->stride_h - p->pad_h;
        const int ky0 = y0 < 0 ? -y0 : 0;
        const int ky1 = (y0 + p->k_h > p->in_h) ? p->in_h - y0 : p->k_h;
        for (int ox = 0; ox < p->out_w; ox++) {
            const int x0 = ox * p->stride_w - p->pad_w;
            const int kx0 = x0 < 0 ? -x0 : 0;
            const int kx1 = (x0 + k_w > in_w) ? in_w - x0 : k_w;
            for (int c = 0; c < c_n; c += 4) {
                int32_t a0 = p->bias[c], a1 = p->bias[c + 1], a2 = p->bias[c + 2], a3 = p->bias[c + 3];
                for (int ky = ky0; ky < ky1; ky++) {
                    const int8_t *ip = in + ((y0 + ky) * in_w + x0 + kx0) * c_n + c;
                    const int8_t *wp = p->weights + (ky * k_w + kx0) * c_n + c;
                    for (int kx = kx0; kx < kx1; kx++) {
                        const uint32_t xv = nn_read_u32(ip), wv = nn_read_u32(wp);
                        const uint32_t x02 = nn_sxtab16(off2, xv), x13 = nn_sxtab16_ror8(off2, xv);
                        const uint32_t w02 = nn_sxtb16(wv), w13 = nn_sxtb16_ror8(wv);
                        a0 = nn_smlabb(x02, w02, a0);
                        a2 = nn_smlatt(x02, w02, a2);
                        a1 = nn_smlabb(x13, w13, a1);
                        a3 = nn_smlatt(x13, w13, a3);
                        ip += c_n;
                        wp += c_n;
                    }
                }
                out[c] = requant_out(a0, p, c);
                out[c + 1] = requant_out(a1, p, c + 1);
                out[c + 2] = requant_out(a2, p, c + 2);
                out[c + 3] = requant_out(a3, p, c + 3);
            }
            out += c_n;
        }
    }
#else
    depthwise_portable(p, in, out);
#endif
}

/* ---------------- pointwise (1x1) ---------------- */

void nn_pointwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out)
{
    const int K = p->in_c, N = p->out_c, P = p->out_h * p->out_w;
    const int32_t off = p->in_offset;
#ifndef NN_USE_DSP
    for (int px = 0; px < P; px++) {
        const int8_t *x = in + px * K;
        for (int oc = 0; oc < N; oc++) {
            const int8_t *w = p->weights + oc * K;
            int32_t acc = p->bias[oc];
            for (int k = 0; k < K; k++)
                acc += (x[k] + off) * w[k];
            *out++ = requant_out(acc, p, oc);
        }
    }
#else
    const int K4 = K & ~3;
    const uint32_t ones = 0x00010001u;
    for (int oc = 0; oc < N; oc += 2) {
        const int two = oc + 1 < N;
        const int8_t *w0 = p->weights + oc * K, *w1 = two ? w0 + K : w0;
        /* bias + in_offset * sum(w) */
        int32_t s0 = 0, s1 = 0;
        int k = 0;
        for (; k < K4; k += 4) {
            const uint32_t wa = nn_read_u32(w0 + k), wb = nn_read_u32(w1 + k);
            s0 = nn_smlad(nn_sxtb16(wa), ones, s0);
            s0 = nn_smlad(nn_sxtb16_ror8(wa), ones, s0);
            s1 = nn_smlad(nn_sxtb16(wb), ones, s1);
            s1 = nn_smlad(nn_sxtb16_ror8(wb), ones, s1);
        }
        for (; k < K; k++) {
            s0 += w0[k];
            s1 += w1[k];
        }
        const int32_t b0 = p->bias[oc] + off * s0;
        const int32_t b1 = p->bias[two ? oc + 1 : oc] + off * s1;
        int px = 0;
        for (; px + 2 <= P; px += 2) {
            const int8_t *x0 = in + px * K, *x1 = x0 + K;
            int32_t a00 = b0, a01 = b1, a10 = b0, a11 = b1;
            for (k = 0; k < K4; k += 4) {
                const uint32_t xa = nn_read_u32(x0 + k), xb = nn_read_u32(x1 + k);
                const uint32_t wa = nn_read_u32(w0 + k), wb = nn_read_u32(w1 + k);
                const uint32_t wa02 = nn_sxtb16(wa), wa13 = nn_sxtb16_ror8(wa);
                const uint32_t wb02 = nn_sxtb16(wb), wb13 = nn_sxtb16_ror8(wb);
                const uint32_t xa02 = nn_sxtb16(xa), xa13 = nn_sxtb16_ror8(xa);
                const uint32_t xb02 = nn_sxtb16(xb), xb13 = nn_sxtb16_ror8(xb);
                a00 = nn_smlad(xa02, wa02, a00);
                a00 = nn_smlad(xa13, wa13, a00);
                a01 = nn_smlad(xa02, wb02, a01);
                a01 = nn_smlad(xa13, wb13, a01);
                a10 = nn_smlad(xb02, wa02, a10);
                a10 = nn_smlad(xb13, wa13, a10);
                a11 = nn_smlad(xb02, wb02, a11);
                a11 = nn_smlad(xb13, wb13, a11);
            }
            for (; k < K; k++) {
                a00 += x0[k] * w0[k];
                a01 += x0[k] * w1[k];
                a10 += x1[k] * w0[k];
                a11 += x1[k] * w1[k];
            }
            out[px * N + oc] = requant_out(a00, p, oc);
            out[(px + 1) * N + oc] = requant_out(a10, p, oc);
            if (two) {
                out[px * N + oc + 1] = requant_out(a01, p, oc + 1);
                out[(px + 1) * N + oc + 1] = requant_out(a11, p, oc + 1);
            }
        }
        if (px < P) {
            const int8_t *x0 = in + px * K;
            int32_t a00 = b0, a01 = b1;
            for (k = 0; k < K4; k += 4) {
                const uint32_t xa = nn_read_u32(x0 + k);
                const uint32_t wa = nn_read_u32(w0 + k), wb = nn_read_u32(w1 + k);
                const uint32_t xa02 = nn_sxtb16(xa), xa13 = nn_sxtb16_ror8(xa);
                a00 = nn_smlad(xa02, nn_sxtb16(wa), a00);
                a00 = nn_smlad(xa13, nn_sxtb16_ror8(wa), a00);
                a01 = nn_smlad(xa02, nn_sxtb16(wb), a01);
                a01 = nn_smlad(xa13, nn_sxtb16_ror8(wb), a01);
            }
            for (; k < K; k++) {
                a00 += x0[k] * w0[k];
                a01 += x0[k] * w1[k];
            }
            out[px * N + oc] = requant_out(a00, p, oc);
            if (two)
                out[px * N + oc + 1] = requant_out(a01, p, oc + 1);
        }
    }
#endif
}
