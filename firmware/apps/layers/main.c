/* layers: exercises the layer markers of include/mcusim.h.
 *
 * Three layers, the second nested in a parent, each doing a known amount of work, and DWT->CYCCNT
 * read around each so the firmware's own measurement can be compared with the simulator's
 * per-layer cycles. Prints "layer <name> dwt=<cycles>" per layer and exits 0.
 *
 * Built with -DMCUSIM_SLOW_LAYER=<layer> (dot64, dot512 or dot256) it is the deliberately slowed
 * copy the pytest plugin's tests hold against the normal build's baseline: an extra loop inside
 * that one layer and nothing else changed (without the define no code is added).
 */
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "mcusim.h"

#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)

static volatile int32_t sink;

__attribute__((noinline)) static int32_t dot(const int8_t *a, const int8_t *b, int n)
{
    int32_t acc = 0;
    for (int i = 0; i < n; i++)
        acc += a[i] * b[i];
    return acc;
}

static int8_t va[512], vb[512];

#define LAYER_ID_dot64 1
#define LAYER_ID_dot512 2
#define LAYER_ID_dot256 3
#ifdef MCUSIM_SLOW_LAYER
#define LAYER_ID_CAT_(name) LAYER_ID_##name
#define LAYER_ID_CAT(name) LAYER_ID_CAT_(name)
#define SLOW_LAYER_ID LAYER_ID_CAT(MCUSIM_SLOW_LAYER)
#if SLOW_LAYER_ID < 1 || SLOW_LAYER_ID > 3
#error "MCUSIM_SLOW_LAYER must be dot64, dot512 or dot256"
#endif
/* The deliberate regression: a second pass over the input that the result does not need. */
__attribute__((noinline)) static void extra_work(void)
{
    for (int i = 0; i < 512; i++)
        sink += va[i] ^ vb[i];
}
#define EXTRA_WORK(id)                                                                         \
    do {                                                                                       \
        if ((id) == SLOW_LAYER_ID)                                                             \
            extra_work();                                                                      \
    } while (0)
#else
#define EXTRA_WORK(id) ((void)0)
#endif

int main(void)
{
    DEMCR |= 1u << 24;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    for (int i = 0; i < 512; i++) {
        va[i] = (int8_t)(i * 7);
        vb[i] = (int8_t)(i * 13 + 1);
    }
    uint32_t t0, t1;

    t0 = DWT_CYCCNT;
    MCUSIM_LAYER_BEGIN("dot64", 64);
    sink = dot(va, vb, 64);
    EXTRA_WORK(LAYER_ID_dot64);
    MCUSIM_LAYER_END();
    t1 = DWT_CYCCNT;
    printf("layer dot64 dwt=%lu\n", (unsigned long)(t1 - t0));

    t0 = DWT_CYCCNT;
    MCUSIM_LAYER_BEGIN("block", 512 + 256);
    MCUSIM_LAYER_BEGIN("dot512", 512);
    sink = dot(va, vb, 512);
    EXTRA_WORK(LAYER_ID_dot512);
    MCUSIM_LAYER_END();
    MCUSIM_LAYER_BEGIN("dot256", 256);
    sink = dot(va, vb, 256);
    EXTRA_WORK(LAYER_ID_dot256);
    MCUSIM_LAYER_END();
    MCUSIM_LAYER_END();
    t1 = DWT_CYCCNT;
    printf("layer block dwt=%lu\n", (unsigned long)(t1 - t0));
    return 0;
}
