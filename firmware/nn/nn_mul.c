/* Broadcast multiply: the squeeze-and-excitation scale (TFLM int8 MUL of a [pixels][c] tensor
 * by a [c] vector). See nn.h. */
#include "nn_2bit.h"

void nn_mul_channel_s8(const nn_mul_params *p, const int8_t *in1, const int8_t *in2, int8_t *out)
{
    for (int px = 0; px < p->pixels; px++) {
        for (int c = 0; c < p->c; c++) {
            const int32_t prod = (in1[c] + p->in1_offset) * (in2[c] + p->in2_offset);
            const int32_t v = nn_requantize(prod, p->out_mult, p->out_shift) + p->out_offset;
            out[c] = (int8_t)nn_clamp(v, p->act_min, p->act_max);
        }
        in1 += p->c;
        out += p->c;
    }
}
