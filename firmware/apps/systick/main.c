/* systick: SysTick interrupt + DWT cycle counter test.
 *
 * Checks that the simulator models
 *   - SysTick (SYST_RVR/CVR/CSR at 0xE000E014/18/10): LOAD = SYSTEM_CORE_CLOCK/1000 - 1,
 *     processor clock, TICKINT -> a 1 kHz SysTick exception at the board's CPU clock,
 *   - exception entry/return into SysTick_Handler (which increments volatile uwTick),
 *   - DWT->CYCCNT (0xE0001004), enabled through CoreDebug->DEMCR.TRCENA (bit 24,
 *     0xE000EDFC) and DWT->CTRL.CYCCNTENA (bit 0, 0xE0001000),
 *   - writes of SCB->CPACR (0xE000ED88, FPU on) and SCB->VTOR (0xE000ED08 =
 *     0x08000000) in SystemInit(), as CMSIS SystemInit does.
 * main() busy-waits HAL_Delay-style until HAL_GetTick() advanced by 10, reading CYCCNT
 * before and after.
 *
 * stdout: "systick: <board> load=<LOAD> ticks=<T> cycles=<C> min=<MIN>" then "PASS"/"FAIL"
 * exit:   0 if T >= 10 and C >= MIN = 10*(LOAD+1) - (LOAD+1)/10 (10 ticks minus 1%
 *         slack), 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include "board.h"
#include "cortexm.h"

#define WAIT_TICKS 10u

volatile uint32_t uwTick;

void SysTick_Handler(void)
{
    uwTick++;
}

uint32_t HAL_GetTick(void)
{
    return uwTick;
}

void SystemInit(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL; /* CP10/CP11 full access: FPU on */
    SCB_VTOR = FLASH_BASE_ADDR;            /* vector table at the start of flash */
    __dsb();
    __isb();
}

int main(void)
{
    const uint32_t load = SYSTEM_CORE_CLOCK / 1000u - 1u;

    COREDEBUG_DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;

    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | (0xF0u << 24); /* SysTick priority 15 (HAL default) */
    SYST_RVR = load;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;

    uint32_t c0 = DWT_CYCCNT;
    uint32_t t0 = HAL_GetTick();
    while (HAL_GetTick() - t0 < WAIT_TICKS) {
    }
    uint32_t c1 = DWT_CYCCNT;
    uint32_t t1 = HAL_GetTick();
    SYST_CSR = 0;

    uint32_t ticks = t1 - t0;
    uint32_t cycles = c1 - c0;
    uint32_t min_cycles = WAIT_TICKS * (load + 1u) - (load + 1u) / 10u;
    printf("systick: %s load=%lu ticks=%lu cycles=%lu min=%lu\n", BOARD_NAME, (unsigned long)load,
           (unsigned long)ticks, (unsigned long)cycles, (unsigned long)min_cycles);
    if (ticks >= WAIT_TICKS && cycles >= min_cycles) {
        printf("PASS\n");
        return 0;
    }
    printf("FAIL\n");
    return 1;
}
