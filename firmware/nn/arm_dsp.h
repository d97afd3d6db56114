/* arm_dsp.h: the few ARMv7E-M DSP instructions the NN kernels use, as small inline-asm
 * intrinsics (CMSIS cmsis_gcc.h semantics, nn_ prefix so this header can sit next to
 * include/cortexm.h). Only included when NN_USE_DSP is defined (Cortex-M4/M7 builds).
 *
 *   nn_sxtb16(x)       (int16)x[7:0]  | (int16)x[23:16] << 16
 *   nn_sxtb16_ror8(x)  (int16)x[15:8] | (int16)x[31:24] << 16
 *   nn_sxtab16(a, x)   per halfword: a.h + sign-extended byte (x[7:0], x[23:16])
 *   nn_smlad(x, y, a)  a + x.lo*y.lo + x.hi*y.hi
 *   nn_smlabb/tt       a + x.lo*y.lo, a + x.hi*y.hi
 *   nn_pkhbt(a, b, s)  a[15:0] | (b << s)[31:16];  nn_pkhtb(a, b, s) a[31:16] | (b >> s)[15:0]
 */
#ifndef NN_ARM_DSP_H
#define NN_ARM_DSP_H

#include <stdint.h>
#include <string.h>

#if !defined(__ARM_FEATURE_DSP)
#error "arm_dsp.h needs an ARMv7E-M (DSP extension) target"
#endif

static inline __attribute__((always_inline)) uint32_t nn_sxtb16(uint32_t x)
{
    uint32_t r;
    __asm("sxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}
static inline __attribute__((always_inline)) uint32_t nn_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
static inline __attribute__((always_inline)) uint32_t nn_sxtab16(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
static inline __attribute__((always_inline)) uint32_t nn_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
static inline __attribute__((always_inline)) int32_t nn_smlad(uint32_t x, uint32_t y, int32_t acc)
{
    int32_t r;
    __asm("smlad %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
static inline __attribute__((always_inline)) int32_t nn_smlabb(uint32_t x, uint32_t y, int32_t acc)
{
    int32_t r;
    __asm("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
static inline __attribute__((always_inline)) int32_t nn_smlatt(uint32_t x, uint32_t y, int32_t acc)
{
    int32_t r;
    __asm("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
#define nn_pkhbt(a, b, s)                                                                      \
    ({                                                                                         \
        uint32_t r_;                                                                           \
        __asm("pkhbt %0, %1, %2, lsl %3" : "=r"(r_) : "r"(a), "r"(b), "I"(s));                 \
        r_;                                                                                    \
    })
#define nn_pkhtb(a, b, s)                                                                      \
    ({                                                                                         \
        uint32_t r_;                                                                           \
        __asm("pkhtb %0, %1, %2, asr %3" : "=r"(r_) : "r"(a), "r"(b), "I"(s));                 \
        r_;                                                                                    \
    })

/* 32-bit loads of 4 int8 / 2 int16 values; memcpy keeps them legal C for any alignment and
 * compiles to one LDR (unaligned LDR is allowed on v7-M for normal memory). */
static inline __attribute__((always_inline)) uint32_t nn_read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline __attribute__((always_inline)) void nn_write_u32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#endif
