/* mcusim.h: layer markers for profiling inference firmware, in mcusim and on silicon.
 *
 *   MCUSIM_LAYER_BEGIN("conv1", 1234567);   // name (a string that stays in memory), MACs
 *   ... the layer's work ...
 *   MCUSIM_LAYER_END();
 *
 * Under mcusim (the default) the macros write to the board's profiling port, an MMIO window the
 * simulator serves: it records the exact cycle of each write, so the per-layer table needs no
 * code in the firmware. Build with -DMCUSIM_ON_HARDWARE to run the same source on a board: the
 * macros then read the cycle counter (DWT->CYCCNT on Cortex-M) and print one line per layer.
 *
 * Port protocol (32-bit registers at MCUSIM_PORT_BASE): +0x4 MACS of the next layer, +0x0 BEGIN
 * (the address of the layer's NUL-terminated name; the write that starts the layer), +0x8 END.
 * Layers may nest.
 */
#ifndef MCUSIM_H
#define MCUSIM_H

#include <stdint.h>

#ifndef MCUSIM_PORT_BASE
#if defined(__arm__)
#define MCUSIM_PORT_BASE 0x4FFF0000u /* reserved on every STM32 part the boards model */
#elif defined(__riscv)
#define MCUSIM_PORT_BASE 0x1A1F0000u /* unused part of GAP8's SoC peripheral window */
#endif
#endif

#define MCUSIM_PORT_BEGIN 0x0u
#define MCUSIM_PORT_MACS 0x4u
#define MCUSIM_PORT_END 0x8u

#ifndef MCUSIM_ON_HARDWARE

#define MCUSIM_PORT_REG(offset) (*(volatile uint32_t *)(MCUSIM_PORT_BASE + (offset)))
#define MCUSIM_LAYER_BEGIN(name, macs)                                                         \
    do {                                                                                       \
        MCUSIM_PORT_REG(MCUSIM_PORT_MACS) = (uint32_t)(macs);                                  \
        MCUSIM_PORT_REG(MCUSIM_PORT_BEGIN) = (uint32_t)(uintptr_t)(name);                      \
    } while (0)
#define MCUSIM_LAYER_END() (MCUSIM_PORT_REG(MCUSIM_PORT_END) = 0u)

#else /* on silicon: cycle-counter reads, one printed line per layer */

#include <stdio.h>
#if defined(__arm__)
#define MCUSIM_CYCLES() (*(volatile uint32_t *)0xE0001004u) /* DWT->CYCCNT, enabled by the app */
#else
#define MCUSIM_CYCLES() ({ uint32_t c_; __asm__ volatile("csrr %0, mcycle" : "=r"(c_)); c_; })
#endif
#define MCUSIM_MAX_DEPTH 8
static const char *mcusim_names_[MCUSIM_MAX_DEPTH];
static uint32_t mcusim_macs_[MCUSIM_MAX_DEPTH], mcusim_start_[MCUSIM_MAX_DEPTH];
static int mcusim_depth_;
#define MCUSIM_LAYER_BEGIN(name, macs)                                                         \
    do {                                                                                       \
        if (mcusim_depth_ < MCUSIM_MAX_DEPTH) {                                                \
            mcusim_names_[mcusim_depth_] = (name);                                             \
            mcusim_macs_[mcusim_depth_] = (uint32_t)(macs);                                    \
            mcusim_start_[mcusim_depth_++] = MCUSIM_CYCLES();                                  \
        }                                                                                      \
    } while (0)
#define MCUSIM_LAYER_END()                                                                     \
    do {                                                                                       \
        uint32_t end_ = MCUSIM_CYCLES();                                                       \
        if (mcusim_depth_ > 0) {                                                               \
            --mcusim_depth_;                                                                   \
            printf("layer %s cycles=%lu macs=%lu\n", mcusim_names_[mcusim_depth_],             \
                   (unsigned long)(end_ - mcusim_start_[mcusim_depth_]),                       \
                   (unsigned long)mcusim_macs_[mcusim_depth_]);                                \
        }                                                                                      \
    } while (0)

#endif
#endif
