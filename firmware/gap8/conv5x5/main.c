/* conv5x5: the GAP SDK CNN benchmark's 5x5 convolution (benchmarks/gap8/cnn AllTest.c, BYTE
 * build; docs/gap8.md §11) in its four configurations, on the mcusim GAP8 runtime.
 *
 * Problem: 100x100 int8 input, one channel, one 5x5 int8 filter, 96x96 int8 output, ITER
 * iterations, "additive" as in the SDK: out = (out << 6 + sum(25 products)) >> 6 (Norm = 6),
 * so the output accumulates over the iterations. MACs = 96*96*25*ITER.
 * Configurations (the SDK's titles: Sequential, Vector, Parallel, Parallel Vector):
 *   seq       plain C on cluster core 0 (column outer loop, kernel rows unrolled, as the SDK)
 *   simd      cluster core 0: per output 7 pv.sdotsp.b (4 rows x 4 bytes, the 5th column packed
 *             into one vector, the corner alone), p.lw/p.lb/p.sb post-increment, pv.shuffle2.b
 *             to slide the 5th-column vector, the row loop as an lp.setup hardware loop
 *   par       the seq kernel on 8 cores, output columns split in chunks of 12 (SDK ChunkSize)
 *   par_simd  the simd kernel on 8 cores, same split
 * The parallel configurations fork the team once per iteration, as the SDK's rt_team_fork loop.
 * Input and filter come from an LCG (seed 12345) into L1; every configuration starts from a
 * zeroed output and must produce exactly the seq output.
 *
 * Timing: the cluster timer (core clock, shared by the cluster), read by core 0 around the
 * ITER iterations. Each configuration is a layer (mcusim.h): conv5x5_seq, conv5x5_simd, ...
 * Prints `conv5x5 <config> cycles=<n> macs=<m>` per configuration, then
 * `conv5x5 checksum=0x<fnv1a of the output> PASS`; exit 0 iff all four outputs agree.
 *
 * Deviation from the SDK source: its scalar kernels index the output with the input width (W)
 * and its vector kernels with W-4; here both use 96 (the vector kernels' layout).
 */
#include "gap8.h"
#include "mcusim.h"

#ifndef ITER
#define ITER 10
#endif
#define W     100
#define H     100
#define WO    (W - 4)
#define HO    (H - 4)
#define NORM  6
#define MACS  ((uint32_t)WO * HO * 25u * ITER)
#define NB_CORES 8

static int8_t GAP8_L1 in[W * H];
static int8_t GAP8_L1 filt[28];
static int8_t GAP8_L1 out[WO * HO];
static int8_t GAP8_L1 ref[WO * HO];
static uint32_t GAP8_L1 coeffs[7];

/* ---- kernels ----------------------------------------------------------------------------- */

/* output columns [c0, c1) */
static void __attribute__((noinline))
conv_scalar_cols(const int8_t *__restrict__ x, const int8_t *__restrict__ f, int8_t *__restrict__ y,
                 int c0, int c1)
{
    for (int c = c0; c < c1; c++) {
        for (int l = 0; l < HO; l++) {
            int r = y[l * WO + c] * (1 << NORM);
            for (int kl = 0; kl < 5; kl++) {
                const int8_t *p = x + (l + kl) * W + c;
                const int8_t *k = f + kl * 5;
                r += k[0] * p[0];
                r += k[1] * p[1];
                r += k[2] * p[2];
                r += k[3] * p[3];
                r += k[4] * p[4];
            }
            y[l * WO + c] = (int8_t)(r >> NORM);
        }
    }
}

static uint32_t pack4(int8_t a, int8_t b, int8_t c, int8_t d)
{
    return (uint32_t)(uint8_t)a | (uint32_t)(uint8_t)b << 8 | (uint32_t)(uint8_t)c << 16 |
           (uint32_t)(uint8_t)d << 24;
}

/* k[0..4] = filter rows 0..4, bytes 0..3; k[5] = filter column 4 of rows 0..3; k[6] = f[24] */
static void make_coeffs(const int8_t *f, uint32_t *k)
{
    for (int r = 0; r < 5; r++)
        k[r] = pack4(f[5 * r], f[5 * r + 1], f[5 * r + 2], f[5 * r + 3]);
    k[5] = pack4(f[4], f[9], f[14], f[19]);
    k[6] = (uint8_t)f[24];
}

/* Xpulpv2 words (docs/gap8.md §9), emitted with .insn since Debian's GCC has no Xpulp:
 *   p.lw  rd, 4(rs1!)      .insn i 0x0b, 2, rd, rs1, 4
 *   p.lb  rd, 96(rs1!)     .insn i 0x0b, 0, rd, rs1, 96
 *   p.sb  rs2, 96(rs1!)    .insn s 0x2b, 0, rs2, 96(rs1)
 *   pv.sdotsp.b rd, a, b   .insn r 0x57, 1, 0x5c, rd, a, b     (rd += 4 signed byte products)
 *   pv.shuffle2.b rd, a, m .insn r 0x57, 1, 0x64, rd, a, m     (m = {1,2,3,4}: rd = {rd[1],rd[2],rd[3],a[0]})
 *   lp.setup x0, t0, end   .word 0x7b | 4<<12 | 5<<15 | ((end - lp.setup) >> 1) << 20
 * The hardware loop body ends at its last instruction (RI5CY: lpend = last body instruction);
 * norvc + norelax keep every instruction 4 bytes so the offset is an assembly-time constant. */
static void __attribute__((noinline))
conv_simd_cols(const int8_t *x, const uint32_t *k, int8_t *y, int c0, int c1)
{
    uint32_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6];
    uint32_t mask = 0x04030201u;
    register uint32_t cnt __asm__("t0") = HO;
    for (int c = c0; c < c1; c++) {
        const int8_t *p = x + c;
        int8_t *o = y + c;
        uint32_t v0, v1, v2, v3, v4, v5, v6;
        int32_t s;
        __asm__ volatile(
            ".option push\n\t.option norvc\n\t.option norelax\n\t"
            /* rows 0..3: v0..v3 = 4 bytes each, v5 = their 5th bytes */
            ".insn i 0x0b, 2, %[v0], %[p], 4\n\t"
            ".insn i 0x0b, 0, %[v6], %[p], 96\n\t"
            ".insn r 0x57, 1, 0x64, %[v5], %[v6], %[m]\n\t"
            ".insn i 0x0b, 2, %[v1], %[p], 4\n\t"
            ".insn i 0x0b, 0, %[v6], %[p], 96\n\t"
            ".insn r 0x57, 1, 0x64, %[v5], %[v6], %[m]\n\t"
            ".insn i 0x0b, 2, %[v2], %[p], 4\n\t"
            ".insn i 0x0b, 0, %[v6], %[p], 96\n\t"
            ".insn r 0x57, 1, 0x64, %[v5], %[v6], %[m]\n\t"
            ".insn i 0x0b, 2, %[v3], %[p], 4\n\t"
            ".insn i 0x0b, 0, %[v6], %[p], 96\n\t"
            ".insn r 0x57, 1, 0x64, %[v5], %[v6], %[m]\n\t"
            /* 96 output rows */
            "1: .word 0x7b | (4 << 12) | (5 << 15) | (((2f - 1b) >> 1) << 20)\n\t"
            "lb %[s], 0(%[o])\n\t"
            ".insn i 0x0b, 2, %[v4], %[p], 4\n\t"
            ".insn i 0x0b, 0, %[v6], %[p], 96\n\t"
            "slli %[s], %[s], 6\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v0], %[k0]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v1], %[k1]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v2], %[k2]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v3], %[k3]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v4], %[k4]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v5], %[k5]\n\t"
            ".insn r 0x57, 1, 0x5c, %[s], %[v6], %[k6]\n\t"
            "mv %[v0], %[v1]\n\t"
            "mv %[v1], %[v2]\n\t"
            "mv %[v2], %[v3]\n\t"
            "mv %[v3], %[v4]\n\t"
            ".insn r 0x57, 1, 0x64, %[v5], %[v6], %[m]\n\t"
            "srai %[s], %[s], 6\n\t"
            "2: .insn s 0x2b, 0, %[s], 96(%[o])\n\t"
            ".option pop"
            : [p] "+r"(p), [o] "+r"(o), [v0] "=&r"(v0), [v1] "=&r"(v1), [v2] "=&r"(v2),
              [v3] "=&r"(v3), [v4] "=&r"(v4), [v5] "=&r"(v5), [v6] "=&r"(v6), [s] "=&r"(s)
            : [k0] "r"(k0), [k1] "r"(k1), [k2] "r"(k2), [k3] "r"(k3), [k4] "r"(k4), [k5] "r"(k5),
              [k6] "r"(k6), [m] "r"(mask), "r"(cnt)
            : "memory");
    }
}

/* ---- configurations ---------------------------------------------------------------------- */

static void chunk(int *c0, int *c1)
{
    int n = gap8_team_size(), core = gap8_core_id();
    int size = (WO + n - 1) / n;
    *c0 = size * core;
    *c1 = *c0 + size < WO ? *c0 + size : WO;
}

static void par_scalar(void *arg)
{
    (void)arg;
    int c0, c1;
    chunk(&c0, &c1);
    conv_scalar_cols(in, filt, out, c0, c1);
}

static void par_simd(void *arg)
{
    (void)arg;
    int c0, c1;
    chunk(&c0, &c1);
    conv_simd_cols(in, coeffs, out, c0, c1);
}

static void run(int config)
{
    for (int i = 0; i < ITER; i++) {
        switch (config) {
        case 0: conv_scalar_cols(in, filt, out, 0, WO); break;
        case 1: conv_simd_cols(in, coeffs, out, 0, WO); break;
        case 2: gap8_team_fork(NB_CORES, par_scalar, 0); break;
        case 3: gap8_team_fork(NB_CORES, par_simd, 0); break;
        }
    }
}

static const char *const config_name[4] = {"seq", "simd", "par", "par_simd"};
static const char *const layer_name[4] = {"conv5x5_seq", "conv5x5_simd", "conv5x5_par",
                                          "conv5x5_par_simd"};

static int bench(void *arg)
{
    (void)arg;
    uint32_t x = 12345;
    for (int i = 0; i < W * H; i++) {
        x = x * 1664525u + 1013904223u;
        in[i] = (int8_t)(x >> 24);
    }
    for (int i = 0; i < 25; i++) {
        x = x * 1664525u + 1013904223u;
        filt[i] = (int8_t)(x >> 24);
    }
    make_coeffs(filt, coeffs);

    int fails = 0;
    for (int config = 0; config < 4; config++) {
        memset(out, 0, sizeof out);
        MCUSIM_LAYER_BEGIN(layer_name[config], MACS);
        gap8_timer_reset(GAP8_CL_TIMER);
        uint32_t t0 = gap8_timer_read(GAP8_CL_TIMER);
        run(config);
        uint32_t t1 = gap8_timer_read(GAP8_CL_TIMER);
        MCUSIM_LAYER_END();
        gap8_printf("conv5x5 %s cycles=%lu macs=%lu\n", config_name[config], t1 - t0, MACS);
        if (config == 0) {
            memcpy(ref, out, sizeof ref);
        } else if (memcmp(out, ref, sizeof ref) != 0) {
            int i = 0;
            while (out[i] == ref[i])
                i++;
            gap8_printf("conv5x5 %s MISMATCH checksum=0x%08lx first difference at row %d col %d: "
                        "%d, seq %d\n", config_name[config], gap8_fnv1a(out, sizeof out), i / WO,
                        i % WO, out[i], ref[i]);
            fails++;
        }
    }
    gap8_printf("conv5x5 checksum=0x%08lx %s\n", gap8_fnv1a(ref, sizeof ref), fails ? "FAIL" : "PASS");
    return fails;
}

int main(void)
{
    gap8_printf("conv5x5: %dx%d int8, 5x5 filter, %d iterations, %d cluster cores\n", W, H, ITER,
                NB_CORES);
    gap8_cluster_start(NB_CORES);
    return gap8_cluster_call(bench, 0) ? 1 : 0;
}
