/* nn_cluster.c: the conv kernels of the reference networks (nn.h: nn_conv2d_s8,
 * nn_depthwise_conv_s8, nn_pointwise_conv_s8) for GAP8, run on the 8-core cluster.
 *
 * The generated model.c (firmware/models/<network>/generated/, the same file the Cortex-M builds
 * compile) runs on the fabric controller: its nn_run() marks every layer and calls these
 * functions, which hand the layer to cluster core 0 (gap8_cluster_call; the FC sleeps) and return
 * when the team is done. Weights, the input and the activation arena stay in L2 where model.c
 * puts them; the cluster works on tiles in L1:
 *
 *   core 0 moves the tiles with the cluster DMA, double-buffered: before the team computes tile
 *   t (buffer set t & 1) core 0 has started the L2->L1 transfers of tile t+1 (set (t+1) & 1), and
 *   the L1->L2 transfer of tile t's output is started after the team is done with it and waited
 *   for only before that output buffer is reused (tile t+2) or at the end of the layer. Core 0
 *   sleeps on the DMA event (gap8_dma_wait); the team meets on the HW barrier.
 *
 *   pointwise: tile = (output-channel chunk, pixel range). The chunk's weights ([nc][Cin]) stay in
 *     L1 for all the pixel tiles of the chunk (two chunk buffers when the layer has several
 *     chunks, so the next chunk's weights stream in under the last tile of the current one).
 *   conv 2-D: tile = output rows; the input rows they need (clipped) come in by DMA, the team
 *     builds the im2col rows in L1 (padding = -in_offset, i.e. a zero after the offset), then
 *     the same matrix kernel as pointwise runs over them with the weights padded to Kp = K
 *     rounded up to 4.
 *   depthwise: tile = output rows, the channels split over the cores.
 *
 * The matrix kernel (mm2x2) computes 2 pixels x 2 output channels per pass with Xpulpv2: p.lw
 * post-increment loads, pv.sdotsp.b (4 signed byte products per instruction) and an lp.setup
 * hardware loop over K/4; the input offset is folded into the bias (bias + in_offset * sum(w)),
 * exactly as nn_fc.c and the Cortex-M DSP pointwise body do, so the int32 accumulators equal the
 * portable ones and the outputs are bit-identical. Requantisation is nn.h's nn_requantize.
 */
#include "gap8.h"
#include "nn.h"

#define NB_CORES 8
#define L1_POOL_BYTES (54 * 1024)
#define MIN_TILES 4 /* tile so that DMA overlaps computation even when a layer fits L1 */

enum { K_CONV, K_DW, K_PW };

typedef struct {
    nn_conv_params p; /* copy of the layer's parameters (pointers still into L2) */
    const int8_t *in;
    int8_t *out;
    int kind;
    int ntiles;
    int tile_rows; /* conv/dw: output rows per tile; pw: pixels per tile */
    int co_t, nchunks, ptiles; /* pw */
    int kp;                    /* conv: K padded to a multiple of 4 */
    int32_t *bias, *mult, *shift, *biasp;
    int8_t *w[2]; /* pw: chunk buffers; dw: weights; conv: padded weights */
    int8_t *wraw; /* conv: weights as in L2 */
    int8_t *ib[2], *ob[2];
    int8_t *col; /* conv: im2col rows */
    int8_t *plane; /* dw: per-core padded channel planes (NULL: the bounds-checked body) */
    int plane_bytes, dw_cols;
    uint32_t *trow; /* dw 3x3: per-core row of column triples */
    int in_tid[2][2], n_in_tid[2], out_tid[2];
} layer_ctx;

static layer_ctx GAP8_L1 ctx;
static int8_t GAP8_L1 l1_pool[L1_POOL_BYTES] __attribute__((aligned(8)));

typedef struct {
    int p0, np;    /* pixels (pw) */
    int c0, nc;    /* output channels (pw chunk) */
    int chunk, pt; /* pw */
    int r0, nr;    /* output rows (conv/dw) */
    int ir0, nir;  /* input rows in L1 (clipped) */
} tile_info;

static void get_tile(int t, tile_info *ti)
{
    const nn_conv_params *p = &ctx.p;
    if (ctx.kind == K_PW) {
        const int P = p->out_h * p->out_w;
        ti->chunk = t / ctx.ptiles;
        ti->pt = t % ctx.ptiles;
        ti->c0 = ti->chunk * ctx.co_t;
        ti->nc = p->out_c - ti->c0 < ctx.co_t ? p->out_c - ti->c0 : ctx.co_t;
        ti->p0 = ti->pt * ctx.tile_rows;
        ti->np = P - ti->p0 < ctx.tile_rows ? P - ti->p0 : ctx.tile_rows;
        return;
    }
    ti->r0 = t * ctx.tile_rows;
    ti->nr = p->out_h - ti->r0 < ctx.tile_rows ? p->out_h - ti->r0 : ctx.tile_rows;
    int a = ti->r0 * p->stride_h - p->pad_h;
    int b = (ti->r0 + ti->nr - 1) * p->stride_h - p->pad_h + p->k_h;
    if (a < 0)
        a = 0;
    if (b > p->in_h)
        b = p->in_h;
    ti->ir0 = a;
    ti->nir = b - a;
    ti->p0 = ti->r0 * p->out_w;
    ti->np = ti->nr * p->out_w;
    ti->c0 = 0;
    ti->nc = p->out_c;
}

/* ---- Xpulpv2 matrix kernel ---------------------------------------------------------------- */

/* a[0] += x0.w0, a[1] += x0.w1, a[2] += x1.w0, a[3] += x1.w1 over n4 groups of 4 bytes.
 *   p.lw rd, 4(rs1!)        .insn i 0x0b, 2, rd, rs1, 4
 *   pv.sdotsp.b rd, a, b    .insn r 0x57, 1, 0x5c, rd, a, b
 *   lp.setup x0, t0, end    .word 0x7b | 4<<12 | 5<<15 | ((end - lp.setup) >> 1) << 20
 * The loop count is in t0 (x5), hence the register variable; norvc/norelax keep the offset an
 * assembly-time constant (every instruction 4 bytes). */
static inline __attribute__((always_inline)) void
mm2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1, int n4, int32_t *a)
{
    register int32_t cnt __asm__("t0") = n4;
    int32_t a00 = a[0], a01 = a[1], a10 = a[2], a11 = a[3];
    uint32_t xa, xb, wa, wb;
    __asm__ volatile(
        ".option push\n\t.option norvc\n\t.option norelax\n\t"
        "1: .word 0x7b | (4 << 12) | (5 << 15) | (((2f - 1b) >> 1) << 20)\n\t"
        ".insn i 0x0b, 2, %[xa], %[x0], 4\n\t"
        ".insn i 0x0b, 2, %[xb], %[x1], 4\n\t"
        ".insn i 0x0b, 2, %[wa], %[w0], 4\n\t"
        ".insn i 0x0b, 2, %[wb], %[w1], 4\n\t"
        ".insn r 0x57, 1, 0x5c, %[a00], %[xa], %[wa]\n\t"
        ".insn r 0x57, 1, 0x5c, %[a10], %[xb], %[wa]\n\t"
        ".insn r 0x57, 1, 0x5c, %[a01], %[xa], %[wb]\n\t"
        "2: .insn r 0x57, 1, 0x5c, %[a11], %[xb], %[wb]\n\t"
        ".option pop"
        : [x0] "+r"(x0), [x1] "+r"(x1), [w0] "+r"(w0), [w1] "+r"(w1), [a00] "+r"(a00),
          [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [xa] "=&r"(xa), [xb] "=&r"(xb),
          [wa] "=&r"(wa), [wb] "=&r"(wb), "+r"(cnt)
        :
        : "memory");
    a[0] = a00;
    a[1] = a01;
    a[2] = a10;
    a[3] = a11;
}

/* sum of n signed bytes (n a multiple of 4): pv.sdotsp.b against 0x01010101 */
static int32_t sum_w(const int8_t *w, int n4)
{
    int32_t s = 0;
    const uint32_t ones = 0x01010101u;
    for (int i = 0; i < n4; i++) {
        uint32_t v;
        __asm__ volatile(".insn i 0x0b, 2, %[v], %[w], 4\n\t"
                         ".insn r 0x57, 1, 0x5c, %[s], %[v], %[o]"
                         : [v] "=&r"(v), [w] "+r"(w), [s] "+r"(s)
                         : [o] "r"(ones)
                         : "memory");
    }
    return s;
}

static inline int8_t requant_c(int32_t acc, int32_t m, int32_t sh, int32_t oo, int32_t lo, int32_t hi);
static inline int8_t requant(int32_t acc, int c)
{
    return requant_c(acc, ctx.mult[c], ctx.shift[c], ctx.p.out_offset, ctx.p.act_min, ctx.p.act_max);
}

/* out[np][nc] = requant(x[np][K] . w[nc][K] + biasp[c0..]); units of 2 pixels x 2 channels
 * dealt round-robin over the team. K % 4 == 0; nc even. */
static void mm_tile(const int8_t *x, int K, int np, const int8_t *w, int c0, int nc, int8_t *out,
                    int core)
{
    const int ncp = nc >> 1, npp = (np + 1) >> 1, n4 = K >> 2;
    int cp = core, pp = 0;
    while (cp >= ncp) {
        cp -= ncp;
        pp++;
    }
    while (pp < npp) {
        const int px = 2 * pp, c = 2 * cp;
        const int two = px + 1 < np;
        const int8_t *x0 = x + px * K, *x1 = two ? x0 + K : x0;
        const int8_t *w0 = w + c * K;
        int32_t a[4];
        a[0] = a[2] = ctx.biasp[c0 + c];
        a[1] = a[3] = ctx.biasp[c0 + c + 1];
        mm2x2(x0, x1, w0, w0 + K, n4, a);
        int8_t *o = out + px * nc + c;
        o[0] = requant(a[0], c0 + c);
        o[1] = requant(a[1], c0 + c + 1);
        if (two) {
            o[nc] = requant(a[2], c0 + c);
            o[nc + 1] = requant(a[3], c0 + c + 1);
        }
        cp += NB_CORES;
        while (cp >= ncp) {
            cp -= ncp;
            pp++;
        }
    }
}

/* biasp[c] = bias[c] + in_offset * sum(w[c]) for channels [c0, c0+nc), w = the chunk's rows */
static void fold_offset(const int8_t *w, int K, int c0, int nc, int core)
{
    for (int c = core; c < nc; c += NB_CORES)
        ctx.biasp[c0 + c] = ctx.bias[c0 + c] + ctx.p.in_offset * sum_w(w + c * K, K >> 2);
}

/* ---- per-kind tile work ------------------------------------------------------------------- */

static void issue_tile(int t, int b)
{
    const nn_conv_params *p = &ctx.p;
    tile_info ti;
    get_tile(t, &ti);
    int n = 0;
    if (ctx.kind == K_PW) {
        ctx.in_tid[b][n++] = gap8_dma_l2_to_l1(ctx.ib[b], ctx.in + ti.p0 * p->in_c,
                                               (uint32_t)(ti.np * p->in_c));
        if (ti.pt == 0) /* first tile of a chunk: its weights (buffer chunk & 1 is free) */
            ctx.in_tid[b][n++] = gap8_dma_l2_to_l1(ctx.w[ti.chunk & 1], p->weights + ti.c0 * p->in_c,
                                                   (uint32_t)(ti.nc * p->in_c));
    } else {
        const int row = p->in_w * p->in_c;
        ctx.in_tid[b][n++] = gap8_dma_l2_to_l1(ctx.ib[b], ctx.in + ti.ir0 * row,
                                               (uint32_t)(ti.nir * row));
    }
    ctx.n_in_tid[b] = n;
}

static void writeback_tile(int t, int b)
{
    const nn_conv_params *p = &ctx.p;
    tile_info ti;
    get_tile(t, &ti);
    int8_t *dst = ctx.out + ti.p0 * p->out_c + ti.c0;
    if (ti.nc == p->out_c)
        ctx.out_tid[b] = gap8_dma_l1_to_l2(dst, ctx.ob[b], (uint32_t)(ti.np * ti.nc));
    else
        ctx.out_tid[b] = gap8_dma_l1_to_l2_2d(dst, ctx.ob[b], (uint32_t)(ti.np * ti.nc),
                                              (uint32_t)p->out_c, (uint32_t)ti.nc);
}

static void compute_pw(int t, int b, int core)
{
    const nn_conv_params *p = &ctx.p;
    tile_info ti;
    get_tile(t, &ti);
    const int8_t *w = ctx.w[ti.chunk & 1];
    if (ti.pt == 0) { /* first tile of a chunk: fold the input offset into its biases */
        fold_offset(w, p->in_c, ti.c0, ti.nc, core);
        gap8_team_barrier();
    }
    mm_tile(ctx.ib[b], p->in_c, ti.np, w, ti.c0, ti.nc, ctx.ob[b], core);
}

static void __attribute__((noinline)) compute_conv(int t, int b, int core)
{
    const nn_conv_params *p = &ctx.p;
    tile_info ti;
    get_tile(t, &ti);
    const int kp = ctx.kp, kw = p->k_w, ic = p->in_c;
    const int8_t pad = (int8_t)(-p->in_offset);
    const int8_t *ib = ctx.ib[b];
    /* im2col of the tile's output pixels, pixels dealt over the team */
    for (int q = core; q < ti.np; q += NB_CORES) {
        const int oy = ti.r0 + q / p->out_w, ox = q % p->out_w;
        const int y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
        int8_t *col = ctx.col + q * kp;
        for (int ky = 0; ky < p->k_h; ky++) {
            const int iy = y0 + ky;
            const int row_ok = iy >= 0 && iy < p->in_h;
            const int8_t *src = ib + (iy - ti.ir0) * p->in_w * ic;
            for (int kx = 0; kx < kw; kx++) {
                const int ix = x0 + kx;
                if (row_ok && ix >= 0 && ix < p->in_w)
                    for (int c = 0; c < ic; c++)
                        *col++ = src[ix * ic + c];
                else
                    for (int c = 0; c < ic; c++)
                        *col++ = pad;
            }
        }
        for (int k = p->k_h * kw * ic; k < kp; k++)
            *col++ = 0;
    }
    gap8_team_barrier();
    mm_tile(ctx.col, kp, ti.np, ctx.w[0], 0, p->out_c, ctx.ob[b], core);
}

/* p.mac rd, rs1, rs2: rd += rs1 * rs2 (.insn r 0x33, 0, 0x21) */
static inline int32_t pmac(int32_t acc, int32_t a, int32_t b)
{
    __asm__(".insn r 0x33, 0, 0x21, %0, %1, %2" : "+r"(acc) : "r"(a), "r"(b));
    return acc;
}

/* pv.sdotsp.b: acc += 4 signed byte products */
static inline int32_t sdot4(int32_t acc, uint32_t a, uint32_t b)
{
    __asm__(".insn r 0x57, 1, 0x5c, %0, %1, %2" : "+r"(acc) : "r"(a), "r"(b));
    return acc;
}

static inline uint32_t pack3(int8_t a, int8_t b, int8_t c)
{
    return (uint32_t)(uint8_t)a | (uint32_t)(uint8_t)b << 8 | (uint32_t)(uint8_t)c << 16;
}

/* nn.h's nn_requantize + out_offset + clamp, bit for bit, without branches: the rounding right
 * shift as (high >> right) + (remainder > threshold), the clamp with p.max/p.min
 * (.insn r 0x33, 6|4, 0x02). */
static inline int8_t requant_c(int32_t acc, int32_t m, int32_t sh, int32_t oo, int32_t lo, int32_t hi)
{
    const int32_t left = sh > 0 ? sh : 0, right = sh > 0 ? 0 : -sh;
    const int64_t prod = (int64_t)(acc * (1 << left)) * m + ((int64_t)1 << 30);
    const int32_t high = (int32_t)(prod >> 31);
    const int32_t mask = (1 << right) - 1;
    int32_t res = high >> right;
    const int32_t thr = (mask >> 1) + (res < 0);
    res += (high & mask) > thr;
    res += oo;
    __asm__(".insn r 0x33, 6, 0x02, %0, %0, %1" : "+r"(res) : "r"(lo));
    __asm__(".insn r 0x33, 4, 0x02, %0, %0, %1" : "+r"(res) : "r"(hi));
    return (int8_t)res;
}

/* Depthwise, channels dealt over the team. Fast path (ctx.plane): each core copies its
 * channel's tile rows into a private padded plane (padding = -in_offset, a zero after the
 * offset; the offset is folded into the bias with the sum of all the channel's weights), then
 * every output is an unconditional k_h x k_w window of p.mac with the weights in registers. */
static void __attribute__((noinline)) compute_dw(int t, int b, int core)
{
    const nn_conv_params *p = &ctx.p;
    tile_info ti;
    get_tile(t, &ti);
    const int C = p->in_c, kh = p->k_h, kw = p->k_w, row = p->in_w * C;
    const int sh_ = p->stride_h, sw = p->stride_w, in_h = p->in_h, in_w = p->in_w;
    const int out_w = p->out_w, pad_h = p->pad_h, pad_w = p->pad_w;
    const int32_t off = p->in_offset, oo = p->out_offset, lo = p->act_min, hi = p->act_max;
    const int8_t *ib = ctx.ib[b] - ti.ir0 * row; /* indexed with absolute input rows */
    if (!ctx.plane) {
        for (int c = core; c < C; c += NB_CORES) {
            const int8_t *wc = ctx.w[0] + c;
            int8_t *o = ctx.ob[b] + c;
            const int32_t m = ctx.mult[c], sh = ctx.shift[c];
            for (int oy = ti.r0; oy < ti.r0 + ti.nr; oy++) {
                const int y0 = oy * sh_ - pad_h;
                const int ky0 = y0 < 0 ? -y0 : 0;
                const int ky1 = (y0 + kh > in_h) ? in_h - y0 : kh;
                for (int ox = 0; ox < out_w; ox++) {
                    const int x0 = ox * sw - pad_w;
                    const int kx0 = x0 < 0 ? -x0 : 0;
                    const int kx1 = (x0 + kw > in_w) ? in_w - x0 : kw;
                    int32_t acc = ctx.bias[c];
                    for (int ky = ky0; ky < ky1; ky++) {
                        const int8_t *ip = ib + (y0 + ky) * row + (x0 + kx0) * C + c;
                        const int8_t *wp = wc + (ky * kw + kx0) * C;
                        for (int kx = kx0; kx < kx1; kx++) {
                            acc += (*ip + off) * *wp;
                            ip += C;
                            wp += C;
                        }
                    }
                    *o = requant_c(acc, m, sh, oo, lo, hi);
                    o += C;
                }
            }
        }
        return;
    }
    const int cols = ctx.dw_cols, rows = (ti.nr - 1) * sh_ + kh;
    const int8_t pad = (int8_t)(-off);
    int8_t *pl = ctx.plane + core * ctx.plane_bytes;
    const int ya = ti.r0 * sh_ - pad_h;
    for (int c = core; c < C; c += NB_CORES) {
        /* the channel's padded plane: rows [ya, ya + rows), columns [-pad_w, cols - pad_w) */
        for (int r = 0; r < rows; r++) {
            const int iy = ya + r;
            int8_t *d = pl + r * cols;
            int x = 0;
            if (iy >= 0 && iy < in_h) {
                const int8_t *src = ib + iy * row + c;
                for (; x < pad_w; x++)
                    d[x] = pad;
                const int xe = cols < in_w + pad_w ? cols : in_w + pad_w;
                for (; x < xe; x++) {
                    d[x] = *src;
                    src += C;
                }
            }
            for (; x < cols; x++)
                d[x] = pad;
        }
        const int8_t *wc = ctx.w[0] + c;
        int32_t bp = ctx.bias[c];
        for (int k = 0; k < kh * kw; k++)
            bp += off * wc[k * C];
        const int32_t m = ctx.mult[c], sh = ctx.shift[c];
        int8_t *o = ctx.ob[b] + c;
        if (kh == 3 && kw == 3) {
            /* per output row, column triples T[x] = {P[y][x], P[y+1][x], P[y+2][x], 0}: an
             * output is 3 pv.sdotsp.b against the kernel columns {w[0][k], w[1][k], w[2][k], 0} */
            const uint32_t k0 = pack3(wc[0], wc[3 * C], wc[6 * C]);
            const uint32_t k1 = pack3(wc[C], wc[4 * C], wc[7 * C]);
            const uint32_t k2 = pack3(wc[2 * C], wc[5 * C], wc[8 * C]);
            uint32_t *T = ctx.trow + core * cols;
            for (int oy = 0; oy < ti.nr; oy++) {
                const uint8_t *q0 = (const uint8_t *)pl + oy * sh_ * cols, *q1 = q0 + cols,
                              *q2 = q1 + cols;
                for (int x = 0; x < cols; x++)
                    T[x] = (uint32_t)q0[x] | (uint32_t)q1[x] << 8 | (uint32_t)q2[x] << 16;
                const uint32_t *tp = T;
                for (int ox = 0; ox < out_w; ox++) {
                    int32_t acc = bp;
                    acc = sdot4(acc, tp[0], k0);
                    acc = sdot4(acc, tp[1], k1);
                    acc = sdot4(acc, tp[2], k2);
                    tp += sw;
                    *o = requant_c(acc, m, sh, oo, lo, hi);
                    o += C;
                }
            }
        } else {
            for (int oy = 0; oy < ti.nr; oy++) {
                for (int ox = 0; ox < out_w; ox++) {
                    const int8_t *win = pl + oy * sh_ * cols + ox * sw;
                    int32_t acc = bp;
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++)
                            acc = pmac(acc, win[ky * cols + kx], wc[(ky * kw + kx) * C]);
                    *o = requant_c(acc, m, sh, oo, lo, hi);
                    o += C;
                }
            }
        }
    }
}

/* ---- the team's layer loop ---------------------------------------------------------------- */

static void wait_in(int b)
{
    for (int i = 0; i < ctx.n_in_tid[b]; i++)
        gap8_dma_wait(ctx.in_tid[b][i]);
    ctx.n_in_tid[b] = 0;
}

static void layer_worker(void *arg)
{
    (void)arg;
    const int core = gap8_core_id();
    const nn_conv_params *p = &ctx.p;
    const int N = p->out_c;

    /* prologue: per-channel parameters (and conv/dw weights), tile 0 */
    if (core == 0) {
        int tid[4], n = 0;
        tid[n++] = gap8_dma_l2_to_l1(ctx.bias, p->bias, 4u * (uint32_t)N);
        tid[n++] = gap8_dma_l2_to_l1(ctx.mult, p->mult, 4u * (uint32_t)N);
        tid[n++] = gap8_dma_l2_to_l1(ctx.shift, p->shift, 4u * (uint32_t)N);
        if (ctx.kind == K_DW)
            tid[n++] = gap8_dma_l2_to_l1(ctx.w[0], p->weights, (uint32_t)(p->k_h * p->k_w * N));
        else if (ctx.kind == K_CONV)
            tid[n++] = gap8_dma_l2_to_l1(ctx.wraw, p->weights,
                                         (uint32_t)(N * p->k_h * p->k_w * p->in_c));
        issue_tile(0, 0);
        ctx.out_tid[0] = ctx.out_tid[1] = -1;
        for (int i = 0; i < n; i++)
            gap8_dma_wait(tid[i]);
    }
    gap8_team_barrier();
    if (ctx.kind == K_CONV) { /* weights padded to Kp (zeros), offset folded into the bias */
        const int K = p->k_h * p->k_w * p->in_c, kp = ctx.kp;
        for (int c = core; c < N; c += NB_CORES) {
            int8_t *d = ctx.w[0] + c * kp;
            const int8_t *s = ctx.wraw + c * K;
            for (int k = 0; k < kp; k++)
                d[k] = k < K ? s[k] : 0;
        }
        for (int c = core; c < N; c += NB_CORES)
            ctx.biasp[c] = ctx.bias[c] + p->in_offset * sum_w(ctx.w[0] + c * kp, kp >> 2);
        gap8_team_barrier();
    }

    for (int t = 0; t < ctx.ntiles; t++) {
        const int b = t & 1;
        if (core == 0) {
            wait_in(b);
            if (t + 1 < ctx.ntiles)
                issue_tile(t + 1, b ^ 1); /* next tile's DMA runs under this tile's compute */
            if (ctx.out_tid[b] >= 0) {     /* output buffer b: tile t-2's write-back done */
                gap8_dma_wait(ctx.out_tid[b]);
                ctx.out_tid[b] = -1;
            }
        }
        gap8_team_barrier();
        if (ctx.kind == K_PW)
            compute_pw(t, b, core);
        else if (ctx.kind == K_CONV)
            compute_conv(t, b, core);
        else
            compute_dw(t, b, core);
        gap8_team_barrier();
        if (core == 0)
            writeback_tile(t, b);
    }
    if (core == 0)
        for (int b = 0; b < 2; b++)
            if (ctx.out_tid[b] >= 0) {
                gap8_dma_wait(ctx.out_tid[b]);
                ctx.out_tid[b] = -1;
            }
}

/* ---- planning (cluster core 0) ------------------------------------------------------------ */

static int8_t *pool_next;
static int8_t *l1_alloc(int bytes)
{
    int8_t *r = pool_next;
    pool_next += (bytes + 7) & ~7;
    return r;
}
static int l1_left(void) { return (int)(l1_pool + L1_POOL_BYTES - pool_next); }

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

/* rows per tile for conv/dw: the most that fit `avail` with double buffers, at most a quarter */
static int plan_rows(int avail, int per_row_extra, int per_in_row_extra)
{
    const nn_conv_params *p = &ctx.p;
    int r = ceil_div(p->out_h, MIN_TILES);
    for (; r > 1; r--) {
        const int nir = (r - 1) * p->stride_h + p->k_h;
        const int need = 2 * (nir * p->in_w * p->in_c + r * p->out_w * p->out_c) + r * per_row_extra +
                         nir * per_in_row_extra;
        if (need <= avail)
            break;
    }
    return r;
}

static int plan_and_run(void *arg)
{
    const nn_conv_params *p = &ctx.p;
    (void)arg;
    const int N = p->out_c;
    pool_next = l1_pool;
    ctx.bias = (int32_t *)l1_alloc(4 * N);
    ctx.mult = (int32_t *)l1_alloc(4 * N);
    ctx.shift = (int32_t *)l1_alloc(4 * N);
    ctx.biasp = (int32_t *)l1_alloc(4 * N);
    int in_bytes, out_bytes;
    if (ctx.kind == K_PW) {
        const int K = p->in_c, P = p->out_h * p->out_w;
        int avail = l1_left();
        int co_t = N;
        if (2 * N * K > avail / 2) { /* weights do not fit whole: chunks of 16 channels */
            co_t = (avail / 4 / K) & ~15;
            if (co_t < 16)
                co_t = 16;
        }
        ctx.co_t = co_t;
        ctx.nchunks = ceil_div(N, co_t);
        ctx.w[0] = l1_alloc(co_t * K);
        ctx.w[1] = ctx.nchunks > 1 ? l1_alloc(co_t * K) : ctx.w[0];
        int pt = (l1_left() / 2 - 16) / (K + co_t);
        int cap = ceil_div(P, MIN_TILES);
        cap = cap < 16 ? 16 : cap;
        if (pt > cap)
            pt = cap;
        pt &= ~1;
        if (pt > P)
            pt = P;
        ctx.tile_rows = pt;
        ctx.ptiles = ceil_div(P, pt);
        ctx.ntiles = ctx.ptiles * ctx.nchunks;
        in_bytes = pt * K;
        out_bytes = pt * co_t;
    } else {
        const int taps = p->k_h * p->k_w;
        int extra = 0, in_extra = 0;
        ctx.plane = 0;
        ctx.dw_cols = 0;
        if (ctx.kind == K_DW) {
            ctx.w[0] = l1_alloc(taps * N);
            ctx.dw_cols = (p->out_w - 1) * p->stride_w + p->k_w;
            if (p->in_offset >= -127 && p->in_offset <= 128)
                in_extra = NB_CORES * ctx.dw_cols;
        } else {
            const int K = taps * p->in_c;
            ctx.kp = (K + 3) & ~3;
            ctx.wraw = l1_alloc(N * K);
            ctx.w[0] = l1_alloc(N * ctx.kp);
            extra = p->out_w * ctx.kp;
        }
        const int r = plan_rows(l1_left() - 64 - 8 * NB_CORES - NB_CORES * 4 * ctx.dw_cols, extra,
                                in_extra);
        ctx.tile_rows = r;
        ctx.ntiles = ceil_div(p->out_h, r);
        in_bytes = ((r - 1) * p->stride_h + p->k_h) * p->in_w * p->in_c;
        out_bytes = r * p->out_w * N;
        if (ctx.kind == K_CONV)
            ctx.col = l1_alloc(r * extra);
        if (in_extra) {
            ctx.plane_bytes = (((r - 1) * p->stride_h + p->k_h) * ctx.dw_cols + 7) & ~7;
            ctx.plane = l1_alloc(NB_CORES * ctx.plane_bytes);
            ctx.trow = (uint32_t *)l1_alloc(NB_CORES * 4 * ctx.dw_cols);
        }
    }
    ctx.ib[0] = l1_alloc(in_bytes);
    ctx.ib[1] = l1_alloc(in_bytes);
    ctx.ob[0] = l1_alloc(out_bytes);
    ctx.ob[1] = l1_alloc(out_bytes);
    if (l1_left() < 0) {
        gap8_printf("nn_cluster: layer does not fit L1 (%d bytes over)\n", -l1_left());
        return 1;
    }
    gap8_team_fork(NB_CORES, layer_worker, 0);
    return 0;
}

/* FC: run one layer on the cluster */
static void run_layer(int kind, const nn_conv_params *p, const int8_t *in, int8_t *out)
{
    if (kind == K_CONV && (p->in_offset < -127 || p->in_offset > 128)) {
        gap8_printf("nn_cluster: input offset %ld has no int8 padding value\n", p->in_offset);
        gap8_exit(3);
    }
    if ((p->out_c & 1) || (kind == K_PW && (p->in_c & 3))) {
        gap8_printf("nn_cluster: unsupported shape (out_c %d, in_c %d)\n", p->out_c, p->in_c);
        gap8_exit(3);
    }
    ctx.p = *p;
    ctx.in = in;
    ctx.out = out;
    ctx.kind = kind;
    if (gap8_cluster_call(plan_and_run, 0) != 0)
        gap8_exit(3);
}

void nn_conv2d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch)
{
    (void)scratch;
    run_layer(K_CONV, p, in, out);
}

void nn_conv1d_s8(const nn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch)
{
    (void)scratch;
    run_layer(K_CONV, p, in, out);
}

void nn_depthwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out)
{
    run_layer(K_DW, p, in, out);
}

void nn_pointwise_conv_s8(const nn_conv_params *p, const int8_t *in, int8_t *out)
{
    run_layer(K_PW, p, in, out);
}
