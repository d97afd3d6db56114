/* matmul_int8: int8 x int8 -> int32 matrix multiply with CMSIS-NN style
 * requantisation to int8 (a fully-connected / 1x1-conv layer).
 *
 *   acc[m][n] = bias[n] + sum_k A[m][k] * W[n][k]        A: MxK int8, W: NxK int8
 *   out[m][n] = clamp(requantize(acc, MULT, SHIFT) + OUT_OFFSET, -128, 127)
 *
 * with M=32, N=32, K=64 (65536 MACs per repetition). The inner loop is the CMSIS-NN
 * SMLAD idiom: one 32-bit load of 4 int8 values per operand, SXTB16/SXTB16 ROR #8 to
 * sign-extend byte pairs, two SMLAD per 4 MACs. A plain C kernel computes the same
 * layer once first and the two results must be identical.
 *
 * Inputs come from the 32-bit LCG x = x*1664525 + 1013904223 seeded with 12345
 * (A first, then W, then bias; see reference.py, which computes EXPECTED_CHECKSUM).
 * The kernel runs REPS times on the same inputs (REPS from argv[1] if given, else
 * DEFAULT_REPS, about 30 million instructions); the checksum is independent of REPS:
 *   checksum = fnv1a32(out bytes, row-major) ^ (uint32_t)sum(acc)
 *
 * stdout: "matmul_int8 M=32 N=32 K=64 reps=<R> acc_sum=<d> out_fnv=0x<x> checksum=0x<x>"
 *         then "PASS" (or "FAIL: ...")
 * exit:   0 when the checksum equals EXPECTED_CHECKSUM and both kernels agree, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cortexm.h"

#define M 32
#define N 32
#define K 64
#define DEFAULT_REPS 150
#define SEED 12345u
#define MULT 1518500250    /* ~0.7071 in Q31 */
#define SHIFT (-9)         /* CMSIS-NN convention: negative = right shift */
#define OUT_OFFSET (-3)

#define EXPECTED_CHECKSUM 0x48b170bbu /* from reference.py */

static int8_t A[M * K] __attribute__((aligned(4)));
static int8_t W[N * K] __attribute__((aligned(4)));
static int32_t bias[N];
static int32_t acc_dsp[M * N], acc_ref[M * N];
static int8_t out_dsp[M * N], out_ref[M * N];

static uint32_t lcg_state;
static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

/* arm_nn_requantize() from CMSIS-NN (arm_nnsupportfunctions.h) */
static inline int32_t doubling_high_mult_no_sat(int32_t m1, int32_t m2)
{
    int64_t mult = (int64_t)1 << 30;
    mult += (int64_t)m1 * m2;
    return (int32_t)(mult >> 31);
}
static inline int32_t divide_by_power_of_two(int32_t dividend, int32_t exponent)
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
static inline int8_t requantize_to_int8(int32_t acc)
{
    const int32_t left = SHIFT > 0 ? SHIFT : 0;
    const int32_t right = SHIFT > 0 ? 0 : -SHIFT;
    int32_t v = divide_by_power_of_two(doubling_high_mult_no_sat(acc * (1 << left), MULT), right);
    v += OUT_OFFSET;
    if (v < -128)
        v = -128;
    if (v > 127)
        v = 127;
    return (int8_t)v;
}

/* Plain C reference kernel. */
__attribute__((noinline)) void matmul_ref(const int8_t *a, const int8_t *w, const int32_t *b,
                                          int32_t *acc, int8_t *out)
{
    for (int m = 0; m < M; m++) {
        for (int n = 0; n < N; n++) {
            int32_t s = b[n];
            for (int k = 0; k < K; k++)
                s += (int32_t)a[m * K + k] * (int32_t)w[n * K + k];
            acc[m * N + n] = s;
            out[m * N + n] = requantize_to_int8(s);
        }
    }
}

static inline uint32_t load_u32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* aligned: a single LDR */
    return v;
}

/* DSP kernel: SXTB16 + SMLAD, 4 MACs per pair of word loads. */
__attribute__((noinline)) void matmul_dsp(const int8_t *a, const int8_t *w, const int32_t *b,
                                          int32_t *acc, int8_t *out)
{
    for (int m = 0; m < M; m++) {
        const int8_t *arow = a + m * K;
        for (int n = 0; n < N; n++) {
            const int8_t *wrow = w + n * K;
            int32_t s = b[n];
            for (int k = 0; k < K; k += 4) {
                uint32_t av = load_u32(arow + k);
                uint32_t wv = load_u32(wrow + k);
                uint32_t a02 = __SXTB16(av), a13 = __SXTB16_ROR8(av);
                uint32_t w02 = __SXTB16(wv), w13 = __SXTB16_ROR8(wv);
                s = __SMLAD(a02, w02, s);
                s = __SMLAD(a13, w13, s);
            }
            acc[m * N + n] = s;
            out[m * N + n] = requantize_to_int8(s);
        }
    }
}

int main(int argc, char **argv)
{
    long reps = DEFAULT_REPS;
    if (argc > 1) {
        long r = strtol(argv[1], NULL, 0);
        if (r > 0)
            reps = r;
    }

    lcg_state = SEED;
    for (int i = 0; i < M * K; i++)
        A[i] = (int8_t)(lcg_next() >> 24);
    for (int i = 0; i < N * K; i++)
        W[i] = (int8_t)(lcg_next() >> 24);
    for (int i = 0; i < N; i++)
        bias[i] = (int32_t)((lcg_next() >> 16) & 0x3FFu) - 512;

    matmul_ref(A, W, bias, acc_ref, out_ref);
    for (long r = 0; r < reps; r++)
        matmul_dsp(A, W, bias, acc_dsp, out_dsp);

    uint32_t acc_sum = 0, fnv = 2166136261u;
    for (int i = 0; i < M * N; i++) {
        acc_sum += (uint32_t)acc_dsp[i];
        fnv = (fnv ^ (uint8_t)out_dsp[i]) * 16777619u;
    }
    uint32_t checksum = fnv ^ acc_sum;

    printf("matmul_int8 M=%d N=%d K=%d reps=%ld acc_sum=%ld out_fnv=0x%08lx checksum=0x%08lx\n",
           M, N, K, reps, (long)(int32_t)acc_sum, (unsigned long)fnv, (unsigned long)checksum);

    if (memcmp(acc_ref, acc_dsp, sizeof acc_ref) != 0 || memcmp(out_ref, out_dsp, sizeof out_ref) != 0) {
        printf("FAIL: DSP kernel differs from the C reference kernel\n");
        return 1;
    }
    if (checksum != EXPECTED_CHECKSUM) {
        printf("FAIL: expected checksum 0x%08lx\n", (unsigned long)EXPECTED_CHECKSUM);
        return 1;
    }
    printf("PASS\n");
    return 0;
}
