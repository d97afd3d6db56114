/* microbench_m7: Cortex-M7 cycle microbenchmarks (disco-f746ng).
 *
 * The M4 harness (main.c) carried over: cases_m7.S holds the cases (most in .ramfunc, run from
 * ITCM), each timed with DWT->CYCCNT, and this driver prints one line per case:
 *     case <name> cycles=<measured>
 * `empty` (the bracket with nothing in it) comes first and is printed raw; every other case
 * prints raw - raw(empty). The firmware does not judge: the expected counts, derived by hand
 * from docs/cortexm.md §2, with a tolerance and its reason, are in microbench/expected_m7.toml
 * and tests/test_microbench_m7.py compares. Exit 0 once everything is printed (1 only if the
 * case table is malformed).
 *
 * All cases run first and are printed afterwards, so each cold/warm pair (the same function
 * called twice) runs back to back with no printf code in between to disturb the caches or the
 * branch predictor.
 *
 * Memory: .ramfunc (ITCM 0x00000000, zero-wait, uncached, image in flash) is copied by
 * SystemInit(), which Reset_Handler calls after the .data copy; data, stack and heap are in
 * DTCM (zero-wait); mb_sram1_data is in SRAM1 (cacheable, never written so its lines start
 * cold); the flash cases' code and data are in flash (AXIM, cacheable). See
 * microbench-disco-f746ng.ld.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "board.h"
#include "cortexm.h"

#define MAX_CASES 64u
#define DTCM_WORDS 128u
#define DWT_LAR REG32(0xE0001FB0u) /* DWT lock access: needed on Cortex-M7 silicon (JNK) */

struct mb_case {
    uint32_t (*fn)(void);
    const char *name;
};

extern const struct mb_case mb_cases[];
extern const uint32_t mb_case_count;
extern uint32_t __ramfunc_start__, __ramfunc_end__, __ramfunc_load__;

/* DTCM data for the load/store cases (r9 = mb_dtcm_data in cases_m7.S), 8-byte aligned so
 * that even words are one DTCM bank and odd words the other. */
uint32_t mb_dtcm_data[DTCM_WORDS] __attribute__((aligned(32)));

static uint32_t raw[MAX_CASES];

void SystemInit(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL; /* FPU on */
    memcpy(&__ramfunc_start__, &__ramfunc_load__,
           (size_t)((char *)&__ramfunc_end__ - (char *)&__ramfunc_start__));
    __dsb();
    __isb();
}

int main(void)
{
    uint32_t n = mb_case_count;
    if (n == 0 || n > MAX_CASES || strcmp(mb_cases[0].name, "empty") != 0) {
        printf("microbench: bad case table (%lu cases)\n", (unsigned long)n);
        return 1;
    }

    for (uint32_t i = 0; i < DTCM_WORDS; i++)
        mb_dtcm_data[i] = i;

    COREDEBUG_DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;

    for (uint32_t i = 0; i < n; i++)
        raw[i] = mb_cases[i].fn();

    printf("microbench: %s (%s @ %lu MHz), %lu cases\n", BOARD_NAME, CORE_NAME,
           (unsigned long)(SYSTEM_CORE_CLOCK / 1000000u), (unsigned long)n);
    for (uint32_t i = 0; i < n; i++) {
        long cycles = i == 0 ? (long)raw[0] : (long)(raw[i] - raw[0]);
        printf("case %s cycles=%ld\n", mb_cases[i].name, cycles);
    }
    return 0;
}
