/* Max and average pooling (TFLM semantics: padded taps are skipped, the average divides by the
 * number of valid taps with rounding half away from zero). See nn.h. */
#include "nn.h"

void nn_maxpool_s8(const nn_pool_params *p, const int8_t *in, int8_t *out)
{
    const int in_w = p->in_w, c_n = p->c;
    for (int oy = 0; oy < p->out_h; oy++) {
        const int y0 = oy * p->stride_h - p->pad_h;
        const int ky0 = y0 < 0 ? -y0 : 0, ky1 = (y0 + p->k_h > p->in_h) ? p->in_h - y0 : p->k_h;
        for (int ox = 0; ox < p->out_w; ox++) {
            const int x0 = ox * p->stride_w - p->pad_w;
            const int kx0 = x0 < 0 ? -x0 : 0, kx1 = (x0 + p->k_w > in_w) ? in_w - x0 : p->k_w;
            for (int c = 0; c < c_n; c++) {
                int32_t m = -128;
                for (int ky = ky0; ky < ky1; ky++) {
                    const int8_t *ip = in + ((y0 + ky) * in_w + x0) * c_n + c;
                    for (int kx = kx0; kx < kx1; kx++) {
                        const int32_t v = ip[kx * c_n];
                        if (v > m)
                            m = v;
                    }
                }
                *out++ = (int8_t)nn_clamp(m, p->act_min, p->act_max);
            }
        }
    }
}

void nn_avgpool_s8(const nn_pool_params *p, const int8_t *in, int8_t *out)
{
    const int in_w = p->in_w, c_n = p->c;
    for (int oy = 0; oy < p->out_h; oy++) {
        const int y0 = oy * p->stride_h - p->pad_h;
        const int ky0 = y0 < 0 ? -y0 : 0, ky1 = (y0 + p->k_h > p->in_h) ? p->in_h - y0 : p->k_h;
        for (int ox = 0; ox < p->out_w; ox++) {
            const int x0 = ox * p->stride_w - p->pad_w;
            const int kx0 = x0 < 0 ? -x0 : 0, kx1 = (x0 + p->k_w > in_w) ? in_w - x0 : p->k_w;
            const int32_t count = (ky1 - ky0) * (kx1 - kx0);
            for (int c = 0; c < c_n; c++) {
                int32_t s = 0;
                for (int ky = ky0; ky < ky1; ky++) {
                    const int8_t *ip = in + ((y0 + ky) * in_w + x0) * c_n + c;
                    for (int kx = kx0; kx < kx1; kx++)
                        s += ip[kx * c_n];
                }
                s = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
                *out++ = (int8_t)nn_clamp(s, p->act_min, p->act_max);
            }
        }
    }
}
