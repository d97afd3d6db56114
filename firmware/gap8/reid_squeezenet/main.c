/* reid_squeezenet (GAP8): SqueezeNet-1.1-style face re-identification, 128x128x1 int16 input,
 * 16-bit fixed point, 512-value int16 descriptor (models/reid_squeezenet.py describes the
 * network, its Q formats, shifts and saturation; models/reid_squeezenet/plan.txt the layers).
 *
 * Memory: the 1.4 MiB of weights do not fit the 512 KiB L2. They are the L3 image (l3.S,
 * section .l3 at 0x80000000: HyperRAM/HyperFlash), split into chunks of whole output channels
 * of at most REID_CHUNK_MAX (32 KiB) bytes. Activations live in L2 in three regions
 * (A 256 KiB, B 32 KiB, C 128 KiB, see the generator); the input image is also in L3 and is
 * loaded into region A first.
 *
 * One chunk at a time:
 *   FC        uDMA HyperBus RX: L3 chunk -> L2 weight buffer (wbuf_l2[g & 1])
 *   FC        gap8_cluster_call(run_op): cluster core 0 copies the chunk L2 -> L1 with the
 *             cluster DMA, then forks the 8 cores; each core takes a contiguous range of output
 *             pixels, gathers the input patch of a pixel into its own L1 buffer and computes the
 *             chunk's output channels four at a time with pv.sdotsp.h (2 x 16-bit MACs) in a
 *             hardware loop, requantises (round, shift, ReLU, saturate) and stores to L2.
 * Variants (one source, REID_ASYNC):
 *   sync   (REID_ASYNC=0): start the uDMA for chunk g, wait for it, compute chunk g.
 *   async  (REID_ASYNC=1): double buffering. Wait for chunk g (started earlier), start the uDMA
 *          for chunk g+1 into the other L2 buffer (free: chunk g-1 is computed), then compute
 *          chunk g while the uDMA loads g+1. Max pools have no weights; a load in flight
 *          continues under them.
 * The FC polls the uDMA channel's EN bit (the runtime has no SoC-event path) and counts the
 * FC-timer cycles it spends waiting: `udma_wait_cycles`.
 *
 * Each op is a layer (mcusim.h), nested in one layer `reid_squeezenet` for the whole network;
 * MACs are the nominal ones (conv1 + pool1 are fused and recompute overlapping conv1 outputs,
 * about 2.2x conv1's MACs, not counted). Prints
 *   reid_squeezenet <variant> cycles=<FC timer> udma_wait_cycles=<n> macs=<m>
 *   reid_squeezenet <variant> checksum=0x<fnv1a of nn_output> PASS
 *   stack high-water: <n> bytes          (the FC stack, as the firmware measures it)
 * and exits 0 iff nn_output equals nn_expected (the NumPy reference).
 */
#include "gap8.h"
#include "mcusim.h"
#include "model.h"

#define STACK_WATERMARK_BOTTOM __fc_stack_bottom
#define STACK_WATERMARK_TOP __fc_stack_top
#include "stack_watermark.h"

#ifndef REID_ASYNC
#define REID_ASYNC 0
#endif
#if REID_ASYNC
#define VARIANT "async"
#else
#define VARIANT "sync"
#endif

#define NB_CORES 8
#define POOL_OC  64 /* max output channels of a fused conv + pool chunk (conv1) */

extern const uint8_t reid_l3_weights[]; /* l3.S */
extern const uint8_t reid_l3_input[];

/* ---- memory ---------------------------------------------------------------------------- */

static int16_t arena[(REID_ARENA_A + REID_ARENA_B + REID_ARENA_C) / 2] __attribute__((aligned(4)));
static int16_t wbuf_l2[2][REID_CHUNK_MAX / 2] __attribute__((aligned(4)));
static int16_t GAP8_L1 wbuf_l1[REID_CHUNK_MAX / 2];
static int16_t GAP8_L1 patch_buf[NB_CORES][REID_MAX_P2];
static int16_t GAP8_L1 pool_cur[NB_CORES][POOL_OC];
static int16_t GAP8_L1 pool_best[NB_CORES][POOL_OC];

static int16_t *region(int r)
{
    switch (r) {
    case R_A:
    case R_INPUT: return arena;
    case R_B: return arena + REID_ARENA_A / 2;
    case R_C: return arena + (REID_ARENA_A + REID_ARENA_B) / 2;
    default: return nn_output;
    }
}

/* the cluster's work item, written by the FC before each gap8_cluster_call */
typedef struct {
    const reid_op_t *op;
    const int16_t *wbuf; /* the chunk in L2 */
    uint32_t bytes;
    int o0, o1;
} job_t;
static job_t job;

/* ---- arithmetic ------------------------------------------------------------------------ */

static inline int16_t requant(int32_t acc, int shift, int relu)
{
    int32_t v = (acc + (1 << (shift - 1))) >> shift;
    if (relu && v < 0)
        v = 0;
    if (v > 32767)
        v = 32767;
    if (v < -32768)
        v = -32768;
    return (int16_t)v;
}

/* Four output channels of one pixel: acc[k] += sum_j patch[j] * w_k[j], n steps of 8 int16.
 * The chunk interleaves the 4 rows by words (the generator's add_chunks): w[0..3] are word 0 of
 * rows 0..3, w[4..7] word 1, ... so one pointer with immediate offsets reads them all.
 * Xpulpv2 words (docs/gap8.md §9), .insn since Debian's GCC has no Xpulp:
 *   pv.sdotsp.h rd, a, b    .insn r 0x57, 0, 0x5c, rd, a, b   (rd += a.lo*b.lo + a.hi*b.hi)
 *   lp.setup x0, t0, end    .word 0x7b | 4<<12 | 5<<15 | ((end - lp.setup) >> 1) << 20
 * The hardware loop's last instruction is at label 2 (RI5CY: lpend = last body instruction).
 * 38 instructions per 32 MACs, no load-use stall. Loads are plain lw + two addi rather than
 * p.lw post-increment (same cycles give or take 2 per step): mcusim executes every Xpulp
 * instruction outside Unicorn's translated blocks, so fewer of them run faster on the host. */
#define SDOT(acc, x, w) ".insn r 0x57, 0, 0x5c, %[" #acc "], %[" #x "], %[" #w "]\n\t"
#define LW(r, off, base) "lw %[" #r "], " #off "(%[" #base "])\n\t"
static inline void dot4(const int16_t *x, const int16_t *w, int n, int32_t *s0, int32_t *s1,
                        int32_t *s2, int32_t *s3)
{
    int32_t a0 = *s0, a1 = *s1, a2 = *s2, a3 = *s3;
    uint32_t x0, x1, x2, x3, va, vb, vc, vd;
    register uint32_t cnt __asm__("t0") = (uint32_t)n;
    __asm__ volatile(
        ".option push\n\t.option norvc\n\t.option norelax\n\t"
        "1: .word 0x7b | (4 << 12) | (5 << 15) | (((2f - 1b) >> 1) << 20)\n\t"
        LW(x0, 0, x) LW(x1, 4, x) LW(x2, 8, x) LW(x3, 12, x)
        LW(va, 0, w) LW(vb, 4, w) LW(vc, 8, w) LW(vd, 12, w)
        SDOT(a0, x0, va) SDOT(a1, x0, vb) SDOT(a2, x0, vc) SDOT(a3, x0, vd)
        LW(va, 16, w) LW(vb, 20, w) LW(vc, 24, w) LW(vd, 28, w)
        SDOT(a0, x1, va) SDOT(a1, x1, vb) SDOT(a2, x1, vc) SDOT(a3, x1, vd)
        LW(va, 32, w) LW(vb, 36, w) LW(vc, 40, w) LW(vd, 44, w)
        SDOT(a0, x2, va) SDOT(a1, x2, vb) SDOT(a2, x2, vc) SDOT(a3, x2, vd)
        LW(va, 48, w) LW(vb, 52, w) LW(vc, 56, w) LW(vd, 60, w)
        "addi %[x], %[x], 16\n\t"
        "addi %[w], %[w], 64\n\t"
        SDOT(a0, x3, va) SDOT(a1, x3, vb) SDOT(a2, x3, vc)
        "2: " SDOT(a3, x3, vd)
        ".option pop"
        : [x] "+r"(x), [w] "+r"(w), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [va] "=&r"(va),
          [vb] "=&r"(vb), [vc] "=&r"(vc), [vd] "=&r"(vd)
        : "r"(cnt)
        : "memory");
    *s0 = a0;
    *s1 = a1;
    *s2 = a2;
    *s3 = a3;
}

/* all `noc` channels of a chunk for one pixel's patch; out[o] for o < noc */
static void dot_chunk(const int16_t *patch, const int16_t *w, const int32_t *bias, int noc, int p2,
                      int shift, int relu, int16_t *out)
{
    for (int o = 0; o < noc; o += 4) {
        int32_t s0 = bias[o], s1 = bias[o + 1], s2 = bias[o + 2], s3 = bias[o + 3];
        dot4(patch, w + o * p2, p2 / 8, &s0, &s1, &s2, &s3);
        out[o] = requant(s0, shift, relu);
        out[o + 1] = requant(s1, shift, relu);
        out[o + 2] = requant(s2, shift, relu);
        out[o + 3] = requant(s3, shift, relu);
    }
}

/* the k x k x c input patch whose top-left tap is (y0, x0), zeros outside the image, padded with
 * zeros to p2 values */
static void build_patch(const reid_op_t *op, const int16_t *in, int y0, int x0, int16_t *patch)
{
    int c = op->c, k = op->k, n = 0;
    for (int ky = 0; ky < k; ky++) {
        int iy = y0 + ky;
        for (int kx = 0; kx < k; kx++, n += c) {
            int ix = x0 + kx;
            if (iy < 0 || iy >= op->h || ix < 0 || ix >= op->w) {
                for (int i = 0; i < c; i++)
                    patch[n + i] = 0;
            } else if (c & 1) {
                const int16_t *src = in + (iy * op->w + ix) * c;
                for (int i = 0; i < c; i++)
                    patch[n + i] = src[i];
            } else {
                const uint32_t *src = (const uint32_t *)(in + (iy * op->w + ix) * c);
                uint32_t *dst = (uint32_t *)(patch + n);
                for (int i = 0; i < c / 2; i++)
                    dst[i] = src[i];
            }
        }
    }
    for (; n < op->p2; n++)
        patch[n] = 0;
}

static void my_range(int total, int *a, int *b)
{
    int core = gap8_core_id(), per = (total + NB_CORES - 1) / NB_CORES;
    *a = core * per < total ? core * per : total;
    *b = *a + per < total ? *a + per : total;
}

/* ---- cluster workers (all 8 cores) ------------------------------------------------------- */

static void conv_worker(void *arg)
{
    const job_t *j = arg;
    const reid_op_t *op = j->op;
    int noc = j->o1 - j->o0, p0, p1;
    const int32_t *bias = (const int32_t *)(wbuf_l1 + noc * op->p2);
    const int16_t *in = region(op->in);
    int16_t *out = region(op->out) + op->ocoff + j->o0;
    int16_t *patch = patch_buf[gap8_core_id()];
    my_range(op->oh * op->ow, &p0, &p1);
    for (int p = p0; p < p1; p++) {
        int oy = p / op->ow, ox = p - oy * op->ow;
        build_patch(op, in, oy * op->s - op->ph, ox * op->s - op->pw, patch);
        dot_chunk(patch, wbuf_l1, bias, noc, op->p2, op->shift, op->relu, out + p * op->ocs);
    }
}

/* conv + max pool fused: the max over the pool window of the requantised conv outputs */
static void conv_pool_worker(void *arg)
{
    const job_t *j = arg;
    const reid_op_t *op = j->op;
    int noc = j->o1 - j->o0, core = gap8_core_id(), p0, p1;
    const int32_t *bias = (const int32_t *)(wbuf_l1 + noc * op->p2);
    const int16_t *in = region(op->in);
    int16_t *out = region(op->out) + op->ocoff + j->o0;
    int16_t *patch = patch_buf[core], *cur = pool_cur[core], *best = pool_best[core];
    my_range(op->oh * op->ow, &p0, &p1);
    for (int p = p0; p < p1; p++) {
        int py = p / op->ow, px = p - py * op->ow;
        for (int o = 0; o < noc; o++)
            best[o] = -32768;
        for (int wy = 0; wy < op->pk; wy++) {
            int cy = py * op->ps - op->pph + wy;
            if (cy < 0 || cy >= op->ch)
                continue;
            for (int wx = 0; wx < op->pk; wx++) {
                int cx = px * op->ps - op->ppw + wx;
                if (cx < 0 || cx >= op->cw)
                    continue;
                build_patch(op, in, cy * op->s - op->ph, cx * op->s - op->pw, patch);
                dot_chunk(patch, wbuf_l1, bias, noc, op->p2, op->shift, op->relu, cur);
                for (int o = 0; o < noc; o++)
                    if (cur[o] > best[o])
                        best[o] = cur[o];
            }
        }
        for (int o = 0; o < noc; o++)
            out[p * op->ocs + o] = best[o];
    }
}

/* pv.max.h rd, a, b: two signed 16-bit maxima (docs/gap8.md §9.6: funct6 001100, .h) */
static inline uint32_t max2(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__(".insn r 0x57, 0, 0x18, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static void maxpool_worker(void *arg)
{
    const job_t *j = arg;
    const reid_op_t *op = j->op;
    const uint32_t *in = (const uint32_t *)region(op->in);
    uint32_t *out = (uint32_t *)region(op->out);
    int c2 = op->c / 2, p0, p1;
    my_range(op->oh * op->ow, &p0, &p1);
    for (int p = p0; p < p1; p++) {
        int oy = p / op->ow, ox = p - oy * op->ow;
        int y0 = oy * op->ps - op->pph, x0 = ox * op->ps - op->ppw;
        int ya = y0 < 0 ? 0 : y0, yb = y0 + op->pk < op->h ? y0 + op->pk : op->h;
        int xa = x0 < 0 ? 0 : x0, xb = x0 + op->pk < op->w ? x0 + op->pk : op->w;
        for (int i = 0; i < c2; i++) {
            uint32_t m = 0x80008000u;
            for (int y = ya; y < yb; y++)
                for (int x = xa; x < xb; x++)
                    m = max2(m, in[(y * op->w + x) * c2 + i]);
            out[p * c2 + i] = m;
        }
    }
}

/* global depthwise conv: channel c = sum over the h*w pixels of x[p][c] * w_c[p] */
static void gdconv_worker(void *arg)
{
    const job_t *j = arg;
    const reid_op_t *op = j->op;
    int noc = j->o1 - j->o0, hw = op->h * op->w, a, b;
    const int32_t *bias = (const int32_t *)(wbuf_l1 + noc * op->p2);
    const int16_t *in = region(op->in);
    int16_t *out = region(op->out);
    my_range(noc, &a, &b);
    for (int o = a; o < b; o++) {
        int c = j->o0 + o;
        const int16_t *w = wbuf_l1 + o * op->p2;
        int32_t acc = bias[o];
        for (int p = 0; p < hw; p++)
            acc += in[p * op->c + c] * w[p];
        out[c] = requant(acc, op->shift, op->relu);
    }
}

/* cluster core 0, called by the FC: weights L2 -> L1, then the team */
static int run_op(void *arg)
{
    const job_t *j = arg;
    if (j->bytes) {
        int tid = gap8_dma_l2_to_l1(wbuf_l1, j->wbuf, j->bytes);
        gap8_dma_wait(tid);
    }
    static void (*const workers[])(void *) = {conv_worker, conv_pool_worker, maxpool_worker,
                                              gdconv_worker};
    gap8_team_fork(NB_CORES, workers[j->op->kind], (void *)j);
    return 0;
}

/* ---- FC: uDMA HyperBus RX, L3 -> L2 ------------------------------------------------------ */

static uint32_t udma_wait_cycles;

static void udma_start(void *l2, const void *l3, uint32_t size)
{
    GAP8_REG(GAP8_HYPER_EXT_ADDR) = (uint32_t)(uintptr_t)l3 - GAP8_L3_BASE;
    GAP8_REG(GAP8_HYPER_RX_SADDR) = (uint32_t)(uintptr_t)l2;
    GAP8_REG(GAP8_HYPER_RX_SIZE) = size;
    GAP8_REG(GAP8_HYPER_RX_CFG) = GAP8_UDMA_CFG_EN | GAP8_UDMA_CFG_SIZE_32;
}

static void udma_wait(void)
{
    uint32_t t0 = gap8_timer_read(GAP8_FC_TIMER);
    /* EN reads 1 until the end. Poll about every 130 FC cycles (0.5 us): each poll is an MMIO
     * read that mcusim serves in Python, the spin in between runs natively. */
    while (GAP8_REG(GAP8_HYPER_RX_CFG) & GAP8_UDMA_CFG_EN)
        for (int i = 0; i < 32; i++)
            __asm__ volatile("");
    udma_wait_cycles += gap8_timer_read(GAP8_FC_TIMER) - t0;
}

static void udma_chunk(int g, int buf)
{
    const reid_chunk_t *ch = &reid_chunks[g];
    udma_start(wbuf_l2[buf], reid_l3_weights + ch->l3_offset, ch->bytes);
}

static int reid_check(void);

int main(void)
{
    stack_watermark_paint();
    const int status = reid_check();
    gap8_printf("stack high-water: %lu bytes\n", (unsigned long)stack_watermark_bytes());
    return status;
}

/* Runs the network and checks its output against the reference: 0 if equal, 1 otherwise. */
static int reid_check(void)
{
    gap8_printf("reid_squeezenet " VARIANT ": %d ops, %d weight chunks, %d bytes of weights in L3\n",
                REID_NB_OPS, REID_NB_CHUNKS, REID_WEIGHT_BYTES);
    gap8_timer_reset(GAP8_FC_TIMER);
    GAP8_REG(GAP8_UDMA_CG) |= 1u << GAP8_UDMA_HYPER_ID; /* HyperBus peripheral clock on */
    udma_start(region(R_INPUT), reid_l3_input, REID_INPUT_BYTES);
    udma_wait();
    gap8_cluster_start(NB_CORES);

    udma_wait_cycles = 0;
    uint32_t t0 = gap8_timer_read(GAP8_FC_TIMER);
    MCUSIM_LAYER_BEGIN("reid_squeezenet", REID_TOTAL_MACS);
#if REID_ASYNC
    udma_chunk(0, 0);
#endif
    int g = 0;
    for (int i = 0; i < REID_NB_OPS; i++) {
        const reid_op_t *op = &reid_ops[i];
        MCUSIM_LAYER_BEGIN(op->name, op->macs);
        if (op->nchunks == 0) {
            job = (job_t){op, 0, 0, 0, op->oc};
            gap8_cluster_call(run_op, &job);
        }
        for (int c = 0; c < op->nchunks; c++, g++) {
            int buf = g & 1;
#if REID_ASYNC
            udma_wait();                /* chunk g is in wbuf_l2[buf] */
            if (g + 1 < REID_NB_CHUNKS) /* chunk g+1 loads while the cluster computes g */
                udma_chunk(g + 1, buf ^ 1);
#else
            udma_chunk(g, buf);
            udma_wait();
#endif
            const reid_chunk_t *ch = &reid_chunks[g];
            job = (job_t){op, wbuf_l2[buf], ch->bytes, ch->o0, ch->o1};
            gap8_cluster_call(run_op, &job);
        }
        MCUSIM_LAYER_END();
    }
    MCUSIM_LAYER_END();
    uint32_t t1 = gap8_timer_read(GAP8_FC_TIMER);

    gap8_printf("reid_squeezenet " VARIANT " cycles=%lu udma_wait_cycles=%lu macs=%lu\n", t1 - t0,
                udma_wait_cycles, (uint32_t)REID_TOTAL_MACS);
    int bad = -1;
    for (int i = 0; i < REID_OUTPUT_LEN && bad < 0; i++)
        if (nn_output[i] != nn_expected[i])
            bad = i;
    uint32_t sum = gap8_fnv1a(nn_output, sizeof nn_output);
    if (bad >= 0) {
        gap8_printf("reid_squeezenet " VARIANT " MISMATCH checksum=0x%08lx (expected 0x%08lx): "
                    "first difference at %d: %d, expected %d\n",
                    sum, (uint32_t)REID_CHECKSUM, bad, nn_output[bad], nn_expected[bad]);
        return 1;
    }
    gap8_printf("reid_squeezenet " VARIANT " checksum=0x%08lx PASS\n", sum);
    return 0;
}
