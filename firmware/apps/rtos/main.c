/* rtos: a minimal two-task preemptive round-robin scheduler (FreeRTOS CM4F-port style).
 *
 * Checks that the simulator models
 *   - SVC: main() executes "svc #0"; SVC_Handler restores task A's software frame
 *     (R4-R11, EXC_RETURN) from its stack, sets PSP and returns with EXC_RETURN
 *     0xFFFFFFFD, i.e. to Thread mode on the PSP (CONTROL.SPSEL=1),
 *   - SysTick at 10 kHz (LOAD = SYSTEM_CORE_CLOCK/10000 - 1) whose handler sets PendSV
 *     pending (SCB->ICSR bit 28 PENDSVSET, 0xE000ED04),
 *   - PendSV at the lowest priority (SCB->SHPR3 0xE000ED20: PendSV 0xFF, SysTick 0x80),
 *     tail-chaining, and PendSV_Handler switching PSP: it saves R4-R11 and EXC_RETURN
 *     and, when EXC_RETURN bit 4 is clear (the task used the FPU, so the hardware pushed
 *     an extended frame with S0-S15/FPSCR), also S16-S31,
 *   - the FPU extended frame and CONTROL.FPCA: both tasks keep float state in S0-S15 in
 *     compiled code, and hold a task-specific pattern in S16-S31 across a spin loop
 *     (fp_hold), so a missing or wrong save/restore shows up as an error count.
 * Task A: float work (fa += 0.5f, checked fa == 0.5f*n; a 16-step polynomial checked
 * against a value computed before the scheduler started), counts iterations.
 * Task B: integer work (xorshift32) and float work (fb += 0.25f, checked), counts.
 * After N_SWITCHES context switches, task A stops SysTick, prints and exits.
 * SystemInit() writes CPACR and VTOR like CMSIS SystemInit.
 *
 * stdout: "rtos: <board> switches=<S> fp_frames=<F> task_a=<A> task_b=<B> errors_a=<EA>
 *         errors_b=<EB> fa2=<2*fa> fb4=<4*fb>" then "PASS"/"FAIL"
 * exit:   0 if S >= N_SWITCHES, A > 0, B > 0, EA == EB == 0, F > 0 (PendSV saw at least
 *         one extended FP frame) and fa2/fb4 equal the task counts; 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "board.h"
#include "cortexm.h"

#define N_SWITCHES 20u
#define TICK_HZ 10000u
#define STACK_WORDS 512u /* 2 KiB per task (printf runs on task A's stack) */

static uint32_t stack_a[STACK_WORDS] __attribute__((aligned(8)));
static uint32_t stack_b[STACK_WORDS] __attribute__((aligned(8)));

static uint32_t *task_sp[2];       /* saved PSP of each task */
static volatile uint32_t current;  /* index of the running task */
static volatile uint32_t switches; /* PendSV context switches */
static volatile uint32_t fp_frames; /* switches away from a task with an FP extended frame */

static volatile uint32_t count_a, count_b, errors_a, errors_b;
static volatile float result_a, result_b;
static volatile uint32_t sink;
static float poly_expected;

void SystemInit(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    SCB_VTOR = FLASH_BASE_ADDR;
    __dsb();
    __isb();
}

/* ---- scheduler ------------------------------------------------------------------ */

void SysTick_Handler(void)
{
    SCB_ICSR = SCB_ICSR_PENDSVSET;
}

/* Called from PendSV_Handler with the outgoing task's PSP (software frame already pushed)
 * and its EXC_RETURN; returns the incoming task's PSP. */
__attribute__((used)) uint32_t *rtos_switch(uint32_t *sp, uint32_t exc_return)
{
    if ((exc_return & 0x10u) == 0)
        fp_frames++;
    task_sp[current] = sp;
    current ^= 1u;
    switches++;
    return task_sp[current];
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile(
        "mrs     r0, psp\n"
        "isb\n"
        "tst     lr, #0x10\n"          /* EXC_RETURN bit 4 clear: extended (FP) frame */
        "it      eq\n"
        "vstmdbeq r0!, {s16-s31}\n"
        "stmdb   r0!, {r4-r11, lr}\n"
        "mov     r1, lr\n"
        "bl      rtos_switch\n"        /* r0 = next task's PSP */
        "ldmia   r0!, {r4-r11, lr}\n"
        "tst     lr, #0x10\n"
        "it      eq\n"
        "vldmiaeq r0!, {s16-s31}\n"
        "msr     psp, r0\n"
        "isb\n"
        "bx      lr\n");
}

/* Called from SVC_Handler: starts SysTick and returns task A's initial PSP. */
__attribute__((used)) uint32_t *rtos_first(void)
{
    SYST_RVR = SYSTEM_CORE_CLOCK / TICK_HZ - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    current = 0;
    return task_sp[0];
}

__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(
        "bl      rtos_first\n"
        "ldmia   r0!, {r4-r11, lr}\n"  /* lr = 0xFFFFFFFD: Thread mode, PSP, basic frame */
        "msr     psp, r0\n"
        "isb\n"
        "bx      lr\n");
}

static void task_exit_trap(void)
{
    for (;;) {
    }
}

/* Initial stack: hardware frame (R0-R3, R12, LR, PC, xPSR) below the top, then the
 * software frame (R4-R11, EXC_RETURN) that PendSV/SVC pop. */
static uint32_t *init_stack(uint32_t *top, void (*entry)(void), uint32_t tag)
{
    uint32_t *sp = top;
    *--sp = 0x01000000u;                /* xPSR: Thumb bit */
    *--sp = (uint32_t)entry & ~1u;       /* PC */
    *--sp = (uint32_t)task_exit_trap;    /* LR */
    *--sp = 0x12121212u;                 /* R12 */
    *--sp = 0x03030303u;                 /* R3 */
    *--sp = 0x02020202u;                 /* R2 */
    *--sp = 0x01010101u;                 /* R1 */
    *--sp = tag;                         /* R0 */
    *--sp = 0xFFFFFFFDu;                 /* EXC_RETURN: Thread, PSP, no FP frame */
    for (uint32_t r = 11; r >= 4; r--)
        *--sp = r * 0x01010101u;         /* R11..R4 */
    return sp;
}

/* ---- tasks ---------------------------------------------------------------------- */

/* Load 16 floats into S16-S31, spin, store S16-S31 back: a preemption inside the spin
 * loop must preserve the callee-saved FP registers. */
static void fp_hold(const float *in, float *out, uint32_t spins)
{
    __asm volatile(
        "vldmia  %[in], {s16-s31}\n"
        "1: subs %[n], %[n], #1\n"
        "bne     1b\n"
        "vstmia  %[out], {s16-s31}\n"
        : [n] "+r"(spins)
        : [in] "r"(in), [out] "r"(out)
        : "cc", "memory", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24",
          "s25", "s26", "s27", "s28", "s29", "s30", "s31");
}

static uint32_t fp_compare(const float *a, const float *b)
{
    uint32_t bad = 0;
    for (int i = 0; i < 16; i++)
        bad += (a[i] != b[i]);
    return bad;
}

__attribute__((noinline)) static float poly16(float x)
{
    float acc = 0.0f;
    for (int k = 0; k < 16; k++)
        acc = acc * x + (float)(k + 1);
    return acc;
}

static void finish(void)
{
    SYST_CSR = 0;
    SCB_ICSR = 1u << 27; /* PENDSVCLR */
    uint32_t a = count_a, b = count_b, ea = errors_a, eb = errors_b;
    long fa2 = (long)(result_a * 2.0f), fb4 = (long)(result_b * 4.0f);
    printf("rtos: %s switches=%lu fp_frames=%lu task_a=%lu task_b=%lu errors_a=%lu errors_b=%lu "
           "fa2=%ld fb4=%ld\n",
           BOARD_NAME, (unsigned long)switches, (unsigned long)fp_frames, (unsigned long)a,
           (unsigned long)b, (unsigned long)ea, (unsigned long)eb, fa2, fb4);
    int ok = switches >= N_SWITCHES && a > 0 && b > 0 && ea == 0 && eb == 0 && fp_frames > 0 &&
             fa2 == (long)a && fb4 == (long)b;
    printf(ok ? "PASS\n" : "FAIL\n");
    exit(ok ? 0 : 1);
}

static void task_a(void)
{
    static float pat_in[16], pat_out[16];
    for (int i = 0; i < 16; i++)
        pat_in[i] = 100.0f + (float)i;
    float fa = 0.0f;
    uint32_t n = 0;
    for (;;) {
        fp_hold(pat_in, pat_out, 64);
        uint32_t err = fp_compare(pat_in, pat_out);
        float p = poly16(0.5f);
        fa += 0.5f;
        n++;
        err += (p != poly_expected);
        err += (fa != 0.5f * (float)n);
        if (err)
            errors_a += err;
        result_a = fa;
        count_a = n;
        if (switches >= N_SWITCHES)
            finish();
    }
}

static void task_b(void)
{
    static float pat_in[16], pat_out[16];
    for (int i = 0; i < 16; i++)
        pat_in[i] = -7.25f * (float)(i + 1);
    float fb = 0.0f;
    uint32_t x = 2463534242u, n = 0;
    for (;;) {
        for (int k = 0; k < 16; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
        }
        sink = x;
        fp_hold(pat_in, pat_out, 48);
        uint32_t err = fp_compare(pat_in, pat_out);
        fb += 0.25f;
        n++;
        err += (fb != 0.25f * (float)n);
        if (err)
            errors_b += err;
        result_b = fb;
        count_b = n;
    }
}

int main(void)
{
    poly_expected = poly16(0.5f);

    task_sp[0] = init_stack(&stack_a[STACK_WORDS], task_a, 0xA);
    task_sp[1] = init_stack(&stack_b[STACK_WORDS], task_b, 0xB);

    SCB_SHPR2 = 0x00u << 24;                                   /* SVCall: highest */
    SCB_SHPR3 = (0x80u << 24) | (0xFFu << 16);                 /* SysTick 0x80, PendSV lowest */
    printf("rtos: starting 2 tasks on %s\n", BOARD_NAME);
    fflush(stdout);

    __asm volatile("svc #0" ::: "memory");
    printf("FAIL: returned from svc\n"); /* never reached */
    return 1;
}
