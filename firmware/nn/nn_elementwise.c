/* Element-wise and shape kernels: add, concatenation, ReLU/ReLU6, int8 table activations
 * (sigmoid/tanh), softmax. See nn.h. */
#include "nn.h"

void nn_add_s8(const nn_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out)
{
    for (int i = 0; i < p->n; i++) {
        const int32_t a = (in1[i] + p->in1_offset) * (1 << p->left_shift);
        const int32_t b = (in2[i] + p->in2_offset) * (1 << p->left_shift);
        const int32_t sum = nn_requantize(a, p->in1_mult, p->in1_shift) +
                            nn_requantize(b, p->in2_mult, p->in2_shift);
        const int32_t v = nn_requantize(sum, p->out_mult, p->out_shift) + p->out_offset;
        out[i] = (int8_t)nn_clamp(v, p->act_min, p->act_max);
    }
}

void nn_concat_s8(const int8_t *const *ins, const int16_t *chans, int n_in, int pixels, int8_t *out)
{
    for (int px = 0; px < pixels; px++) {
        for (int t = 0; t < n_in; t++) {
            const int c = chans[t];
            const int8_t *src = ins[t] + px * c;
            for (int i = 0; i < c; i++)
                *out++ = src[i];
        }
    }
}

void nn_relu_s8(int8_t *data, int n, int32_t zero_point)
{
    for (int i = 0; i < n; i++)
        if (data[i] < zero_point)
            data[i] = (int8_t)zero_point;
}

void nn_relu6_s8(int8_t *data, int n, int32_t zero_point, int32_t six)
{
    for (int i = 0; i < n; i++)
        data[i] = (int8_t)nn_clamp(data[i], zero_point, six);
}

void nn_lut_s8(const int8_t *in, int8_t *out, int n, const int8_t *lut)
{
    for (int i = 0; i < n; i++)
        out[i] = lut[in[i] + 128];
}

void nn_softmax_s8(const int8_t *in, int8_t *out, int n, const uint32_t *exp_lut)
{
    int32_t mx = -128;
    for (int i = 0; i < n; i++)
        if (in[i] > mx)
            mx = in[i];
    uint32_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += exp_lut[mx - in[i]];
    for (int i = 0; i < n; i++) {
        const uint32_t q = ((exp_lut[mx - in[i]] << 8) + sum / 2) / sum;
        out[i] = (int8_t)nn_clamp((int32_t)q - 128, -128, 127);
    }
}
