/* l3dma (GAP8): data movement through the memory hierarchy.
 *
 * The L3 image (l3data.S, section .l3 at 0x80000000: 8 KiB of an LCG) is read with the uDMA
 * HyperBus RX channel into L2 by the FC, then moved between L2 and L1 by the cluster DMA
 * (mchan) from cluster core 0 and from all 8 cores at once. Every step is checked against the
 * LCG recomputed here, and prints one line `l3dma: <step> ... ok` (or `FAIL`):
 *   udma        FC: L3 -> L2, 8192 bytes from L3 offset 0
 *   udma_offset FC: L3 -> L2, 1024 bytes from L3 offset 0x100
 *   dma_1d/2d   core 0: L2 -> L1 1-D (8192 B) and 2-D (64 lines of 32 B, stride 128, from
 *               L2 + 16) issued back to back, waited in reverse order
 *   dma_l1_to_l2_1d / _2d  core 0: the same two buffers back to L2 (the 2-D one scattered
 *               into a zeroed 64x128 image; the bytes outside the lines must stay 0)
 *   dma_8cores  cores 0..7: each copies its 1 KiB slice L2 -> L1 and waits for its own event
 * Last line `l3dma: checksum=0x<fnv1a of the 8 KiB> PASS`; exit 0 iff every step passed.
 */
#include "gap8.h"

#define SIZE    8192
#define ROWS    64
#define ROW_B   128
#define COL0    16
#define LINE_B  32
#define SIZE_2D (ROWS * LINE_B)
#define OFF_B   0x100
#define SIZE_B  1024
#define NB_CORES 8

extern const uint32_t l3_data[SIZE / 4]; /* l3data.S */

static uint32_t expect[SIZE / 4];
static uint32_t l2_a[SIZE / 4], l2_b[SIZE_B / 4], l2_c[SIZE / 4], l2_d[SIZE / 4];
static uint32_t GAP8_L1 l1_a[SIZE / 4];
static uint32_t GAP8_L1 l1_2d[SIZE_2D / 4];
static uint32_t GAP8_L1 l1_par[SIZE / 4];

static int fails;

static void report(const char *step, int ok, const char *detail)
{
    gap8_printf("l3dma: %s %s %s\n", step, detail, ok ? "ok" : "FAIL");
    if (!ok)
        fails++;
}

/* the 2-D window of the L2 image viewed as ROWS x ROW_B bytes: columns [COL0, COL0 + LINE_B) */
static int check_2d_window(const uint8_t *img, const uint8_t *lines)
{
    for (int r = 0; r < ROWS; r++)
        if (memcmp(img + r * ROW_B + COL0, lines + r * LINE_B, LINE_B) != 0)
            return 0;
    return 1;
}

static void par_copy(void *arg)
{
    (void)arg;
    int core = gap8_core_id();
    uint32_t slice = SIZE / NB_CORES;
    int tid = gap8_dma_l2_to_l1((uint8_t *)l1_par + core * slice, (const uint8_t *)l2_a + core * slice,
                                slice);
    gap8_dma_wait(tid);
}

static int cluster_test(void *arg)
{
    (void)arg;
    const uint8_t *a = (const uint8_t *)l2_a;

    /* L2 -> L1: 1-D and 2-D in flight together */
    int t1 = gap8_dma_l2_to_l1(l1_a, l2_a, SIZE);
    int t2 = gap8_dma_l2_to_l1_2d(l1_2d, a + COL0, SIZE_2D, ROW_B, LINE_B);
    gap8_dma_wait(t2);
    gap8_dma_wait(t1);
    report("dma_1d", memcmp(l1_a, l2_a, SIZE) == 0, "L2->L1 8192 B");
    report("dma_2d", check_2d_window(a, (const uint8_t *)l1_2d), "L2->L1 64x32 B stride 128");

    /* L1 -> L2 */
    t1 = gap8_dma_l1_to_l2(l2_c, l1_a, SIZE);
    gap8_dma_wait(t1);
    report("dma_l1_to_l2_1d", memcmp(l2_c, l2_a, SIZE) == 0, "L1->L2 8192 B");
    t2 = gap8_dma_l1_to_l2_2d((uint8_t *)l2_d + COL0, l1_2d, SIZE_2D, ROW_B, LINE_B);
    gap8_dma_wait(t2);
    int ok = check_2d_window((const uint8_t *)l2_d, (const uint8_t *)l1_2d);
    for (int r = 0; r < ROWS && ok; r++)
        for (int c = 0; c < ROW_B; c++)
            if ((c < COL0 || c >= COL0 + LINE_B) && ((const uint8_t *)l2_d)[r * ROW_B + c] != 0)
                ok = 0;
    report("dma_l1_to_l2_2d", ok, "L1->L2 64x32 B stride 128");

    /* every core its own slice, its own counter, its own completion event */
    gap8_team_fork(NB_CORES, par_copy, 0);
    report("dma_8cores", memcmp(l1_par, l2_a, SIZE) == 0, "8 x 1024 B L2->L1");
    return 0;
}

int main(void)
{
    uint32_t x = 777;
    for (int i = 0; i < SIZE / 4; i++) {
        x = x * 1103515245u + 12345u;
        expect[i] = x;
    }
    gap8_printf("l3dma: L3 image at 0x%08lx, %d bytes\n", (uint32_t)(uintptr_t)l3_data, SIZE);

    gap8_udma_l3_to_l2(l2_a, l3_data, SIZE);
    report("udma", memcmp(l2_a, expect, SIZE) == 0, "L3->L2 8192 B");
    gap8_udma_l3_to_l2(l2_b, (const uint8_t *)l3_data + OFF_B, SIZE_B);
    report("udma_offset", memcmp(l2_b, (const uint8_t *)expect + OFF_B, SIZE_B) == 0,
           "L3+0x100->L2 1024 B");

    gap8_cluster_start(NB_CORES);
    gap8_cluster_call(cluster_test, 0);

    gap8_printf("l3dma: checksum=0x%08lx %s\n", gap8_fnv1a(l2_a, SIZE), fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
