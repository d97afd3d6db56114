/* stack_watermark.h: the stack high-water mark as a firmware measures it on silicon.
 *
 *   stack_watermark_paint();                  // early in main: fill the free stack
 *   ... the work ...
 *   uint32_t used = stack_watermark_bytes();  // deepest use since reset, from the stack's top
 *
 * The paint covers the stack from its bottom up to just below the caller's stack pointer with a
 * fill byte; the measure finds the lowest byte that no longer holds it. mcusim measures the same
 * thing from outside (it paints the stack before reset and scans it after the run, taking the
 * fill it finds at the bottom as the untouched value), so the two figures agree to the byte; the
 * reference networks print theirs and tests/test_reference_profiles.py compares them.
 *
 * STACK_WATERMARK_BOTTOM/TOP name the stack's linker symbols: by default the Cortex-M startup's
 * (__StackLimit/__StackTop, firmware/cortexm/common.ld); GAP8 FC code defines them as
 * __fc_stack_bottom/__fc_stack_top (firmware/gap8/rt/gap8.ld) before including this file.
 */
#ifndef STACK_WATERMARK_H
#define STACK_WATERMARK_H

#include <stdint.h>

#ifndef STACK_WATERMARK_BOTTOM
#define STACK_WATERMARK_BOTTOM __StackLimit
#define STACK_WATERMARK_TOP __StackTop
#endif

extern uint8_t STACK_WATERMARK_BOTTOM[], STACK_WATERMARK_TOP[];

#define STACK_WATERMARK_FILL 0x5Au /* not mcusim's own fill (0xA5): its scan must honour ours */
#define STACK_WATERMARK_GUARD 64u  /* bytes below the stack pointer left alone for the painter */

static inline __attribute__((always_inline)) void stack_watermark_paint(void)
{
    uint8_t *sp;
#if defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#endif
    /* Word stores (the stack's bottom is 8-byte aligned), volatile so that no memset call
     * with a frame of its own runs below the guard. */
    volatile uint32_t *p = (volatile uint32_t *)(void *)STACK_WATERMARK_BOTTOM;
    while ((uint8_t *)p + 4 <= sp - STACK_WATERMARK_GUARD)
        *p++ = STACK_WATERMARK_FILL * 0x01010101u;
}

static inline uint32_t stack_watermark_bytes(void)
{
    const uint32_t *w = (const uint32_t *)(const void *)STACK_WATERMARK_BOTTOM;
    while ((const uint8_t *)(w + 1) <= STACK_WATERMARK_TOP && *w == STACK_WATERMARK_FILL * 0x01010101u)
        w++; /* whole words first, then the bytes of the first word that changed */
    const uint8_t *p = (const uint8_t *)w;
    while (p < STACK_WATERMARK_TOP && *p == STACK_WATERMARK_FILL)
        p++;
    return (uint32_t)(STACK_WATERMARK_TOP - p);
}

#endif
