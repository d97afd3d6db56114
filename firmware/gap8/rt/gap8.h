/* gap8.h: mcusim's minimal GAP8 runtime (fabric controller + 8-core cluster), register level.
 *
 * Written against the documented hardware interface (../shared/docs/gap8.md §2-§4, §7, §9),
 * with GreenWaves' SDK conventions where they matter (BOOTADDR + 0x80 reset entry, p.elw on the
 * event-unit demux, mchan v6 command words). No SDK code is used. See firmware/README.md,
 * "GAP8 runtime", for the full list of conventions and the exact register sequences.
 *
 * Who may call what:
 *   FC only:       gap8_cluster_start, gap8_cluster_call, gap8_udma_l3_to_l2
 *   cluster only:  gap8_team_fork, gap8_team_barrier, gap8_cl_wait_event, gap8_dma_*
 *   any core:      gap8_printf/puts/putc, gap8_exit, ids, timers, perf counters
 */
#ifndef GAP8_H
#define GAP8_H

#include <stddef.h>
#include <stdint.h>

/* ---- memory map (docs/gap8.md §2.1) ------------------------------------------------------ */
#define GAP8_L1_BASE        0x10000000u /* cluster TCDM, 64 KiB */
#define GAP8_FC_TCDM_BASE   0x1B000000u /* FC TCDM, 16 KiB */
#define GAP8_L2_BASE        0x1C000000u /* 512 KiB */
#define GAP8_L3_BASE        0x80000000u /* HyperRAM image: ELF sections >= this address (not mapped) */

#define GAP8_NB_CL_CORES    8

/* cluster control unit (§3.1) */
#define GAP8_CL_CTRL        0x10200000u
#define GAP8_CL_FETCH_EN    (GAP8_CL_CTRL + 0x08u)
#define GAP8_CL_BOOTADDR(i) (GAP8_CL_CTRL + 0x40u + 4u * (uint32_t)(i))
#define GAP8_CL_ICACHE_EN   0x10201400u

/* timer_v2 (§3.4) */
#define GAP8_CL_TIMER       0x10200400u
#define GAP8_FC_TIMER       0x1B200400u
#define GAP8_TIMER_CFG_LO   0x00u
#define GAP8_TIMER_CNT_LO   0x08u
#define GAP8_TIMER_ENABLE   (1u << 0)
#define GAP8_TIMER_RESET    (1u << 1)

/* event unit v3 (§3.2). Global views, and the per-core demux seen by each cluster core at
 * 0x00204000 (its private alias; the FC's own EU demux is at 0x1B204000). */
#define GAP8_CL_EU_GLOBAL        0x10200800u
#define GAP8_CL_EU_SW_TRIG(e)    (GAP8_CL_EU_GLOBAL + 0x600u + 4u * (uint32_t)(e)) /* 0x10200E00 */
#define GAP8_FC_EU_GLOBAL        0x1B200800u
#define GAP8_FC_EU_SW_TRIG(e)    (GAP8_FC_EU_GLOBAL + 0x600u + 4u * (uint32_t)(e)) /* 0x1B200E00 */
#define GAP8_FC_EU_DEMUX         0x1B204000u
#define GAP8_CL_EU_DEMUX         0x00204000u
#define GAP8_EU_EVT_MASK         0x00u
#define GAP8_EU_EVT_BUFFER       0x1Cu
#define GAP8_EU_EVENT_WAIT_CLEAR 0x3Cu
#define GAP8_EU_SW_TRIG(e)       (0x100u + 4u * (uint32_t)(e))  /* demux offsets */
#define GAP8_EU_BARRIER(b)       (0x200u + 0x20u * (uint32_t)(b))
#define GAP8_EU_BAR_TRIGGER_MASK   0x00u
#define GAP8_EU_BAR_TARGET_MASK    0x0Cu
#define GAP8_EU_BAR_TRIG_WAIT_CLR  0x1Cu

/* event lines used by the runtime */
#define GAP8_EVT_FORK       0  /* SW event 0: master -> team slaves, "a fork is posted" */
#define GAP8_EVT_FC_CALL    1  /* SW event 1: FC -> cluster core 0 (same line as the SDK) */
#define GAP8_EVT_CL_DONE    2  /* FC SW event 2: cluster core 0 -> FC (same line as the SDK) */
#define GAP8_EVT_DMA0       8
#define GAP8_EVT_BARRIER    16

/* cluster DMA mchan v6 (§3.3), per-core demux alias */
#define GAP8_DMA_DEMUX      0x00204400u
#define GAP8_DMA_QUEUE      0x0u
#define GAP8_DMA_STATUS     0x4u
#define GAP8_DMA_EXT2LOC    (1u << 16)
#define GAP8_DMA_INCR       (1u << 17)
#define GAP8_DMA_2D         (1u << 18)
#define GAP8_DMA_ELE        (1u << 19)

/* uDMA v2 + HyperBus (§3.5) */
#define GAP8_UDMA_CG          0x1A102780u
#define GAP8_UDMA_HYPER_ID    3u
#define GAP8_HYPER_RX_SADDR   0x1A102180u
#define GAP8_HYPER_RX_SIZE    0x1A102184u
#define GAP8_HYPER_RX_CFG     0x1A102188u
#define GAP8_HYPER_EXT_ADDR   0x1A1021A0u
#define GAP8_UDMA_CFG_SIZE_32 (2u << 1)
#define GAP8_UDMA_CFG_EN      (1u << 4)

/* virtual-platform stdout and program exit (§2.1, §3.6) */
#define GAP8_STDOUT_PUTC    0x1A110000u
#define GAP8_APB_CORESTATUS 0x1A1040A0u

#define GAP8_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* section attributes (see rt/gap8.ld): L1 and FC TCDM hold zero-initialised data only */
#define GAP8_L1      __attribute__((section(".l1.bss"), aligned(4)))
#define GAP8_FC_TCDM __attribute__((section(".fc_tcdm.bss"), aligned(4)))
#define GAP8_L3      __attribute__((section(".l3"), aligned(4)))

/* ---- core identity (uhartid CSR 0x014, §7) ----------------------------------------------- */
static inline uint32_t gap8_hartid(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, 0x014" : "=r"(v));
    return v;
}
static inline int gap8_core_id(void) { return (int)(gap8_hartid() & 0x1Fu); }
static inline int gap8_cluster_id(void) { return (int)((gap8_hartid() >> 5) & 0x3Fu); }
static inline int gap8_is_fc(void) { return gap8_cluster_id() == 32; }

/* ---- p.elw: event load, the core sleeps until the event unit answers (§3.2, §9.2) --------- */
static inline uint32_t gap8_elw(uint32_t addr)
{
    uint32_t v;
    __asm__ volatile(".insn i 0x03, 6, %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

/* cluster core: sleep until event `evt` is (or already was) raised for this core, then clear it.
 * The mask holds exactly that event, so other pending events stay in the buffer. */
static inline void gap8_cl_wait_event(unsigned evt)
{
    GAP8_REG(GAP8_CL_EU_DEMUX + GAP8_EU_EVT_MASK) = 1u << evt;
    (void)gap8_elw(GAP8_CL_EU_DEMUX + GAP8_EU_EVENT_WAIT_CLEAR);
}

/* ---- timers ------------------------------------------------------------------------------ */
static inline void gap8_timer_reset(uint32_t base)
{
    GAP8_REG(base + GAP8_TIMER_CFG_LO) = GAP8_TIMER_ENABLE | GAP8_TIMER_RESET; /* CCFG=0: core clock */
}
static inline uint32_t gap8_timer_read(uint32_t base) { return GAP8_REG(base + GAP8_TIMER_CNT_LO); }

/* ---- performance counters (§7): PCER 0x7A0, PCMR 0x7A1, PCCR0..30 0x780.. ------------------ */
#define GAP8_PERF_CYCLES 0
#define GAP8_PERF_INSTR  1
static inline void gap8_perf_start(uint32_t events)
{
    __asm__ volatile("csrw 0x7A0, %0" ::"r"(events));  /* PCER: enabled events */
    __asm__ volatile("csrw 0x79F, zero");              /* PCCR31: write all counters = 0 */
    __asm__ volatile("csrw 0x7A1, %0" ::"r"(1u));      /* PCMR: global enable, no saturation */
}
static inline void gap8_perf_stop(void) { __asm__ volatile("csrw 0x7A1, zero"); }
#define gap8_perf_read(n) ({ uint32_t v_; __asm__ volatile("csrr %0, %1" : "=r"(v_) : "i"(0x780 + (n))); v_; })

/* ---- runtime (rt.c) ---------------------------------------------------------------------- */
void gap8_putc(char c);
void gap8_puts(const char *s); /* no newline added */
int gap8_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gap8_exit(int code) __attribute__((noreturn));

/* FC: set BOOTADDR of cores 0..7 to the runtime's vector table and fetch-enable cores 0..n-1.
 * Core 0 then waits for gap8_cluster_call; cores 1..n-1 wait for forks. */
void gap8_cluster_start(int nb_cores);
/* FC: run fn(arg) on cluster core 0 and sleep until it returns; returns its result. */
int gap8_cluster_call(int (*fn)(void *), void *arg);

/* cluster core 0: run fn(arg) on cores 0..n-1 (core 0 included), return when all are done
 * (join on HW barrier 0). n <= the number of started cores. */
void gap8_team_fork(int nb_cores, void (*fn)(void *), void *arg);
/* inside a forked function: barrier over the current team (HW barrier 0) */
void gap8_team_barrier(void);
int gap8_team_size(void);

/* cluster DMA (issuing core only). Returns the transfer counter id to wait on. L1 side is
 * contiguous; for 2D, the L2 side is `size` bytes as lines of `len` bytes, `stride` apart. */
int gap8_dma_l2_to_l1(void *l1, const void *l2, uint32_t size);
int gap8_dma_l1_to_l2(void *l2, const void *l1, uint32_t size);
int gap8_dma_l2_to_l1_2d(void *l1, const void *l2, uint32_t size, uint32_t stride, uint32_t len);
int gap8_dma_l1_to_l2_2d(void *l2, const void *l1, uint32_t size, uint32_t stride, uint32_t len);
void gap8_dma_wait(int tid); /* sleep on the DMA0 event until counter tid is idle, then free it */

/* FC: copy `size` bytes (multiple of 4) from an L3 (HyperRAM image) address to L2, blocking. */
void gap8_udma_l3_to_l2(void *l2, const void *l3, uint32_t size);

/* freestanding helpers (GCC may also call memset/memcpy itself) */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
uint32_t gap8_fnv1a(const void *p, size_t n);

#endif
