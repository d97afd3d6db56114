/* Minimal Cortex-M core register definitions (a CMSIS subset) for mcusim firmware.
 * Only the System Control Space registers the test firmware touches. */
#ifndef MCUSIM_CORTEXM_H
#define MCUSIM_CORTEXM_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* SysTick (0xE000E010) */
#define SYST_CSR   REG32(0xE000E010u) /* CTRL: bit0 ENABLE, bit1 TICKINT, bit2 CLKSOURCE (1 = CPU clock), bit16 COUNTFLAG */
#define SYST_RVR   REG32(0xE000E014u) /* LOAD (24 bits) */
#define SYST_CVR   REG32(0xE000E018u) /* VAL */
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)

/* SCB (0xE000ED00) */
#define SCB_ICSR   REG32(0xE000ED04u)
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_SHPR2  REG32(0xE000ED1Cu) /* byte 3: SVCall priority */
#define SCB_SHPR3  REG32(0xE000ED20u) /* byte 2: PendSV, byte 3: SysTick priority */
#define SCB_CPACR  REG32(0xE000ED88u)
#define SCB_ICSR_PENDSVSET (1u << 28)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

/* FPU context control (0xE000EF34) */
#define FPU_FPCCR  REG32(0xE000EF34u) /* bit31 ASPEN, bit30 LSPEN (both set at reset) */

/* Debug: CoreDebug->DEMCR and DWT */
#define COREDEBUG_DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA    (1u << 24)
#define DWT_CTRL        REG32(0xE0001000u)
#define DWT_CYCCNT      REG32(0xE0001004u)
#define DWT_CTRL_CYCCNTENA (1u << 0)

static inline void __dsb(void) { __asm volatile("dsb 0xF" ::: "memory"); }
static inline void __isb(void) { __asm volatile("isb 0xF" ::: "memory"); }
static inline void __enable_irq(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void __disable_irq(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void __wfi(void) { __asm volatile("wfi"); }

/* DSP intrinsics (ARMv7E-M), as in CMSIS cmsis_gcc.h */
static inline uint32_t __SXTB16(uint32_t x)
{
    uint32_t r;
    __asm("sxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}
static inline uint32_t __SXTB16_ROR8(uint32_t x)
{
    uint32_t r;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
static inline int32_t __SMLAD(uint32_t x, uint32_t y, int32_t acc)
{
    int32_t r;
    __asm("smlad %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}

#endif
