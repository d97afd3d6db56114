/* microbench: Cortex-M4 cycle microbenchmarks (stm32f407-disco).
 *
 * Runs every case of cases.S (hand-written Thumb-2 sequences, most of them in .ramfunc so they
 * execute from SRAM at zero wait states), each timed with DWT->CYCCNT, and prints one line per
 * case:
 *     case <name> cycles=<measured>
 * `empty` (the two CYCCNT reads back to back) comes first and is printed raw; every other case
 * prints raw - raw(empty), i.e. the cycles of its own sequence. The firmware does not judge:
 * the expected counts, derived by hand from the Cortex-M4 timing tables, are in
 * microbench/expected.toml, and the test suite compares. Exit 0 once everything is printed
 * (1 only if the case table is malformed).
 *
 * All cases run first and are printed afterwards, so the flash cases' second (warm) call
 * directly follows the first (cold) one, with no printf code in between to disturb the flash
 * accelerator's caches.
 *
 * .ramfunc (code in the first 8 KiB of SRAM1, image in flash) is copied by SystemInit(), which
 * Reset_Handler calls after the .data copy; see microbench-stm32f407-disco.ld.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "board.h"
#include "cortexm.h"

#define CCM_BASE 0x10000000u
#define CCM_WORDS 128u
#define MAX_CASES 64u

struct mb_case {
    uint32_t (*fn)(void);
    const char *name;
};

extern const struct mb_case mb_cases[];
extern const uint32_t mb_case_count;
extern uint32_t __ramfunc_start__, __ramfunc_end__, __ramfunc_load__;

/* SRAM1 data for ldr8_sram (16-byte aligned: two 128-bit lines). */
uint32_t mb_sram_data[16] __attribute__((aligned(16)));

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

    volatile uint32_t *ccm = (volatile uint32_t *)CCM_BASE;
    for (uint32_t i = 0; i < CCM_WORDS; i++)
        ccm[i] = i;
    for (uint32_t i = 0; i < 16u; i++)
        mb_sram_data[i] = i;

    COREDEBUG_DEMCR |= DEMCR_TRCENA;
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
