/*
 * RI5CY cores (GAP8 fabric controller and cluster) on Unicorn's RV32: the native parts.
 *
 * - mcs_rv_trap_hook (UC_HOOK_INTR): Unicorn 2.1.4 raises intno 2 with PC already advanced by
 *   4 for every instruction it does not know (docs/unicorn.md P6). Xpulpv2/GAP8 instructions and
 *   CSRs Unicorn lacks are executed here by mcs_xpulp_execute (xpulp.c), in C. What Python must
 *   see (p.elw on the event unit, an illegal instruction, a fault) stops the slice with a reason.
 * - mcs_rv_hwloop_hook (UC_HOOK_CODE at the instruction after a hardware loop's last one): the
 *   zero-overhead back edge. Its sites are found statically (lp.setup* / lp.endi are
 *   PC-relative), so every hook exists before the first translation.
 * - mcs_rv_replay: the trap handler's work for one given instruction, called from Python when a
 *   stub (an RV32 routine standing for a rewritten Xpulp instruction, hotpath.h) faults: the
 *   executor then decides, exactly as if the instruction had trapped.
 * Mirrored in mcusim/native/__init__.py; change both together.
 */
#ifndef MCUSIM_RI5CY_H
#define MCUSIM_RI5CY_H

#include "hotpath.h"
#include "xpulp.h"

#define MCS_RV_MAX_SPANS 16
#define MCS_RV_COUNTER_CSR_BASE 0x7D0u /* where loads of mcycle/minstret & co are redirected */
#define MCS_RV_EVENTS 16 /* pcer_v1 event ids 0..15: PCCR0..PCCR15 (0x780..0x78F) */

enum mcs_rv_stop {
    MCS_RV_STOP_NONE = 0,
    MCS_RV_STOP_ELW = 1,       /* p.elw: Python performs the event-unit read (the core may sleep) */
    MCS_RV_STOP_ILLEGAL = 2,   /* an instruction neither Unicorn nor the executor knows */
    MCS_RV_STOP_FAULT = 3,     /* a load/store of an Xpulp instruction failed */
    MCS_RV_STOP_EXCEPTION = 4, /* another CPU exception (ecall, ebreak, misaligned fetch...) */
};

/* Guest memory the executor reads and writes directly (NumPy buffers). */
typedef struct {
    uint64_t start;
    uint64_t end;
    uint8_t *host;
} mcs_host_span;

typedef uc_err (*mcs_mem_read_fn)(uc_engine *uc, uint64_t address, void *bytes, uint64_t size);
typedef uc_err (*mcs_mem_write_fn)(uc_engine *uc, uint64_t address, const void *bytes, uint64_t size);

typedef struct mcs_rv_core_s {
    mcs_core *core;
    uc_engine *uc; /* set by each hook call before use */
    mcs_mem_read_fn mem_read;
    mcs_mem_write_fn mem_write;
    uint32_t hartid;
    uint32_t stop_kind;
    uint32_t stop_pc;
    uint32_t stop_insn; /* the word (or, for MCS_RV_STOP_EXCEPTION, the intno) */
    uint32_t elw_address;
    uint32_t elw_rd;
    uint32_t elw_next_pc;
    uint32_t fault_address;
    uint32_t pcer;
    uint32_t pcmr;
    /* Performance counters, one per pcer_v1 event (docs/gap8.md §7; one counter per event as
     * on RTL and GVSoC, not the ASIC's single shared one): counter k holds pccr_value[k] plus,
     * while it counts (PCMR bit 0 and PCER bit k), the event's growth since pccr_sync[k]. */
    uint64_t pccr_value[MCS_RV_EVENTS];
    uint64_t pccr_sync[MCS_RV_EVENTS];
    int8_t static_event_of[MCS_RV_EVENTS]; /* event id -> index into core->static_events, -1 */
    mcs_hwloops loops;
    uint64_t xpulp_executed;
    uint64_t hwloop_back_edges;
    uint32_t n_spans;
    uint32_t data_latency_cycles; /* extra cycles of a data read in [latency_base, latency_end) */
    uint64_t latency_base;        /* (GAP8 L2 seen from this core; the memory hook covers the */
    uint64_t latency_end;         /* loads Unicorn runs, this the loads the executor runs) */
    mcs_host_span spans[MCS_RV_MAX_SPANS];
    uint32_t executing_pc; /* the instruction the executor is running (0: none): MMIO accesses
                            * it makes are attributed to it (cores/ri5cy.py) */
    uint32_t fp_enables;   /* times a stub found the FPU off (mstatus.FS) and turned it on */
} mcs_rv_core;

/* One hardware-loop back-edge site: the hook sits at `resume` (the instruction after `lpend`). */
typedef struct {
    mcs_rv_core *rv;
    uint32_t lpend;
    uint32_t resume;
} mcs_hwloop_site;

void mcs_rv_trap_hook(uc_engine *uc, uint32_t intno, void *user_data);
void mcs_rv_hwloop_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data);
int mcs_rv_replay(mcs_rv_core *rv, uc_engine *uc, uint32_t pc, uint32_t insn);
uint32_t mcs_rv_core_size(void);

#endif
