/* Cortex-M startup for mcusim firmware (all Cortex-M4F/M7 boards).
 *
 * - .isr_vector (placed at the start of flash by common.ld): initial SP (__StackTop),
 *   Reset_Handler, the Cortex-M system exceptions and NUM_IRQS device IRQ slots.
 *   Every handler except Reset_Handler is a weak alias of Default_Handler, which is a
 *   bare "b ." loop; an application overrides a handler by defining a function with
 *   the same name (SysTick_Handler, PendSV_Handler, ...).
 * - Reset_Handler copies .data from its flash image (__etext) to RAM
 *   (__data_start__.. __data_end__), calls SystemInit() and branches to newlib's
 *   _start (libgloss rdimon-crt0), which issues SYS_HEAPINFO, sets SP from the answer
 *   (or __stack), zeroes .bss, opens the semihosting stdio handles, runs the
 *   constructors, fetches argv via SYS_GET_CMDLINE, calls main and then exit().
 * - The default SystemInit() only enables the FPU (CPACR CP10/CP11 full access), which
 *   real silicon needs before the first floating-point instruction. Applications may
 *   override it (systick and rtos also set VTOR).
 */
#include <stdint.h>
#include "cortexm.h"

#define NUM_IRQS 32

extern uint32_t __StackTop;
extern uint32_t __etext, __data_start__, __data_end__;

extern void _start(void) __attribute__((noreturn));
void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);

__attribute__((weak)) void SystemInit(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    __dsb();
    __isb();
}

__attribute__((naked)) void Default_Handler(void)
{
    __asm volatile("1: b 1b");
}

#define WEAK_ALIAS __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_ALIAS;
void HardFault_Handler(void) WEAK_ALIAS;
void MemManage_Handler(void) WEAK_ALIAS;
void BusFault_Handler(void) WEAK_ALIAS;
void UsageFault_Handler(void) WEAK_ALIAS;
void SVC_Handler(void) WEAK_ALIAS;
void DebugMon_Handler(void) WEAK_ALIAS;
void PendSV_Handler(void) WEAK_ALIAS;
void SysTick_Handler(void) WEAK_ALIAS;
void IRQ0_Handler(void) WEAK_ALIAS;
void IRQ1_Handler(void) WEAK_ALIAS;
void IRQ2_Handler(void) WEAK_ALIAS;
void IRQ3_Handler(void) WEAK_ALIAS;
void IRQ4_Handler(void) WEAK_ALIAS;
void IRQ5_Handler(void) WEAK_ALIAS;
void IRQ6_Handler(void) WEAK_ALIAS;
void IRQ7_Handler(void) WEAK_ALIAS;
void IRQ8_Handler(void) WEAK_ALIAS;
void IRQ9_Handler(void) WEAK_ALIAS;
void IRQ10_Handler(void) WEAK_ALIAS;
void IRQ11_Handler(void) WEAK_ALIAS;
void IRQ12_Handler(void) WEAK_ALIAS;
void IRQ13_Handler(void) WEAK_ALIAS;
void IRQ14_Handler(void) WEAK_ALIAS;
void IRQ15_Handler(void) WEAK_ALIAS;
void IRQ16_Handler(void) WEAK_ALIAS;
void IRQ17_Handler(void) WEAK_ALIAS;
void IRQ18_Handler(void) WEAK_ALIAS;
void IRQ19_Handler(void) WEAK_ALIAS;
void IRQ20_Handler(void) WEAK_ALIAS;
void IRQ21_Handler(void) WEAK_ALIAS;
void IRQ22_Handler(void) WEAK_ALIAS;
void IRQ23_Handler(void) WEAK_ALIAS;
void IRQ24_Handler(void) WEAK_ALIAS;
void IRQ25_Handler(void) WEAK_ALIAS;
void IRQ26_Handler(void) WEAK_ALIAS;
void IRQ27_Handler(void) WEAK_ALIAS;
void IRQ28_Handler(void) WEAK_ALIAS;
void IRQ29_Handler(void) WEAK_ALIAS;
void IRQ30_Handler(void) WEAK_ALIAS;
void IRQ31_Handler(void) WEAK_ALIAS;

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used))
const vector_t __isr_vector[16 + NUM_IRQS] = {
    (vector_t)&__StackTop, /* 0: initial MSP */
    Reset_Handler,         /* 1 */
    NMI_Handler,           /* 2 */
    HardFault_Handler,     /* 3 */
    MemManage_Handler,     /* 4 */
    BusFault_Handler,      /* 5 */
    UsageFault_Handler,    /* 6 */
    0, 0, 0, 0,            /* 7-10 reserved */
    SVC_Handler,           /* 11 */
    DebugMon_Handler,      /* 12 */
    0,                     /* 13 reserved */
    PendSV_Handler,        /* 14 */
    SysTick_Handler,       /* 15 */
    IRQ0_Handler,  IRQ1_Handler,  IRQ2_Handler,  IRQ3_Handler,
    IRQ4_Handler,  IRQ5_Handler,  IRQ6_Handler,  IRQ7_Handler,
    IRQ8_Handler,  IRQ9_Handler,  IRQ10_Handler, IRQ11_Handler,
    IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler,
    IRQ16_Handler, IRQ17_Handler, IRQ18_Handler, IRQ19_Handler,
    IRQ20_Handler, IRQ21_Handler, IRQ22_Handler, IRQ23_Handler,
    IRQ24_Handler, IRQ25_Handler, IRQ26_Handler, IRQ27_Handler,
    IRQ28_Handler, IRQ29_Handler, IRQ30_Handler, IRQ31_Handler,
};

void Reset_Handler(void)
{
    /* Copy the initialised data image; word loop (the linker script keeps .data
     * 4-byte aligned and sized). Compiled with -fno-tree-loop-distribute-patterns so
     * this stays a loop and never calls memcpy before the C runtime is up. */
    uint32_t *src = &__etext;
    uint32_t *dst = &__data_start__;
    while (dst < &__data_end__)
        *dst++ = *src++;

    SystemInit();
    _start(); /* newlib rdimon crt0: .bss, heap/stack info, argv, main, exit */
}
