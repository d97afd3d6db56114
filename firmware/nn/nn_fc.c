/* Fully connected layers (int8 and int16 inputs, int8 weights and outputs). See nn.h. */
#include "nn.h"

#ifdef NN_USE_DSP
#include "arm_dsp.h"
#endif

/* sum x[k] * w[k], int8 x int8 */
static inline int32_t dot_s8(const int8_t *x, const int8_t *w, int n, int32_t acc)
{
    int k = 0;
#ifdef NN_USE_DSP
    for (; k + 4 <= n; k += 4) {
        const uint32_t xv = nn_read_u32(x + k), wv = nn_read_u32(w + k);
        acc = nn_smlad(nn_sxtb16(xv), nn_sxtb16(wv), acc);
        acc = nn_smlad(nn_sxtb16_ror8(xv), nn_sxtb16_ror8(wv), acc);
    }
#endif
    for (; k < n; k++)
        acc += x[k] * w[k];
    return acc;
}

static inline int32_t sum_s8(const int8_t *w, int n)
{
    int32_t s = 0;
    int k = 0;
#ifdef NN_USE_DSP
    for (; k + 4 <= n; k += 4) {
        const uint32_t wv = nn_read_u32(w + k);
        s = nn_smlad(nn_sxtb16(wv), 0x00010001u, s);
        s = nn_smlad(nn_sxtb16_ror8(wv), 0x00010001u, s);
    }
#endif
    for (; k < n; k++)
        s += w[k];
    return s;
}

void nn_fully_connected_s8(const nn_fc_params *p, const int8_t *in, int8_t *out)
{
    const int K = p->in_n;
    for (int o = 0; o < p->out_n; o++) {
        const int8_t *w = p->weights + o * K;
        /* bias + sum (x + off) * w  ==  bias + off * sum(w) + sum x * w */
        int32_t acc = dot_s8(in, w, K, p->bias[o] + p->in_offset * sum_s8(w, K));
        int32_t v = nn_requantize(acc, p->mult[o], p->shift[o]) + p->out_offset;
        out[o] = (int8_t)nn_clamp(v, p->act_min, p->act_max);
    }
}

/* sum x[k] * w[k], int16 x int8 */
static inline int32_t dot_s16_s8(const int16_t *x, const int8_t *w, int n, int32_t acc)
{
    int k = 0;
#ifdef NN_USE_DSP
    for (; k + 4 <= n; k += 4) {
        const uint32_t wv = nn_read_u32(w + k);
        const uint32_t w02 = nn_sxtb16(wv), w13 = nn_sxtb16_ror8(wv);
        const uint32_t w01 = nn_pkhbt(w02, w13, 16), w23 = nn_pkhtb(w13, w02, 16);
        acc = nn_smlad(nn_read_u32(x + k), w01, acc);
        acc = nn_smlad(nn_read_u32(x + k + 2), w23, acc);
    }
#endif
    for (; k < n; k++)
        acc += x[k] * w[k];
    return acc;
}

void nn_fully_connected_s16(const nn_fc_params *p, const int16_t *in, int8_t *out)
{
    const int K = p->in_n;
    for (int o = 0; o < p->out_n; o++) {
        int32_t acc = dot_s16_s8(in, p->weights + o * K, K, p->bias[o]);
        int32_t v = nn_requantize(acc, p->mult[o], p->shift[o]) + p->out_offset;
        out[o] = (int8_t)nn_clamp(v, p->act_min, p->act_max);
    }
}

/* ---------------- GRU ---------------- */

static inline int32_t sat16(int32_t v)
{
    return nn_clamp(v, -32768, 32767);
}

int16_t nn_act16_lut(int16_t x, const int16_t *lut)
{
    const uint32_t u = (uint32_t)((int32_t)x + 32768); /* 0..65535 */
    const uint32_t idx = u >> 7, frac = u & 127u;
    const int32_t a = lut[idx], b = lut[idx + 1];
    return (int16_t)(a + (((b - a) * (int32_t)frac + 64) >> 7));
}

void nn_gru_s8_s16(const nn_gru_params *p, const int8_t *in, int16_t *h, int16_t *xs)
{
    const int I = p->in_n, U = p->units;
    int16_t hn[32]; /* units <= 32 */
    for (int j = 0; j < U; j++)
        h[j] = 0;
    for (int t = 0; t < p->steps; t++) {
        const int8_t *x = in + t * I;
        for (int i = 0; i < I; i++)
            xs[i] = (int16_t)(x[i] + p->in_offset);
        for (int j = 0; j < U; j++) {
            int32_t px[3], ph[3];
            for (int g = 0; g < 3; g++) {
                const int row = g * U + j;
                int32_t ax = dot_s16_s8(xs, p->wx + row * I, I, p->bx[row]);
                int32_t ah = dot_s16_s8(h, p->wh + row * U, U, p->bh[row]);
                px[g] = sat16(nn_requantize(ax, p->mx[g], p->sx[g]));
                ph[g] = sat16(nn_requantize(ah, p->mh[g], p->sh[g]));
            }
            const int32_t z = nn_act16_lut((int16_t)sat16(px[0] + ph[0]), p->sigmoid_lut);
            const int32_t r = nn_act16_lut((int16_t)sat16(px[1] + ph[1]), p->sigmoid_lut);
            const int32_t n = nn_act16_lut((int16_t)sat16(px[2] + ((r * ph[2] + (1 << 14)) >> 15)), p->tanh_lut);
            hn[j] = (int16_t)sat16(n + ((z * (h[j] - n) + (1 << 14)) >> 15));
        }
        for (int j = 0; j < U; j++)
            h[j] = hn[j];
    }
}
