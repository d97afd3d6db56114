/*
 * The multi-core scheduler (GAP8: fabric controller + cluster cores), in C.
 *
 * Cores run in turns of a cycle quantum, the least advanced in simulated time first (ties: the
 * lower index), each slice ending early at the SoC's next event, so the cores stay within one
 * quantum of each other and every event happens at its time. The loop runs here because a turn
 * costs about 0.3 us from C against 10-20 us from Python (docs/unicorn.md §3.2); it returns to
 * Python only for what needs the SoC model: a due event, a slice that ended for a reason other
 * than its budget (p.elw, a fault, a peripheral that stopped it), the cycle limit, or no core
 * left running. Deterministic: the same choices as a Python loop making them one by one.
 * Mirrored in mcusim/native/__init__.py; change both together.
 */
#ifndef MCUSIM_SCHEDULER_H
#define MCUSIM_SCHEDULER_H

#include "ri5cy.h"

#define MCS_SCHED_MAX_CORES 16
#define MCS_SCHED_NO_EVENT UINT64_MAX
#define MCS_SCHED_NO_CORE UINT32_MAX

enum mcs_sched_outcome {
    MCS_SCHED_NO_CORE_RUNS = 0, /* every core sleeps, is halted or stopped */
    MCS_SCHED_EVENT_DUE = 1,    /* an event is due at or before core_index's time: run it first */
    MCS_SCHED_CYCLE_LIMIT = 2,  /* core_index, the least advanced, reached the cycle limit */
    MCS_SCHED_SLICE_ENDED = 3,  /* core_index's slice ended for Python to look at (error: uc_err) */
};

typedef uc_err (*mcs_emu_start_fn)(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout,
                                   size_t count);

typedef struct {
    uc_engine *uc;
    mcs_core *core;
    mcs_rv_core *rv;
    uint64_t clock_hz;
    uint64_t host_ns;      /* host time spent in this core's slices */
    uint64_t slices;
    uint32_t running;      /* kept by Python: the core can run (not halted, asleep or stopped) */
    uint32_t stop_slice;   /* set by Python when it stopped the slice from a callback */
} mcs_sched_core;

typedef struct {
    uint32_t n_cores;
    uint32_t resume_core;   /* in: run this core next without choosing (after its due events) */
    uint64_t quantum_cycles;
    uint64_t cycle_limit;
    uint64_t next_event_ps; /* kept by Python: the SoC's earliest queued event, or NO_EVENT */
    uint32_t core_index;    /* out: the core the outcome is about */
    int32_t error;          /* out: uc_err of that core's last emu_start */
    mcs_emu_start_fn emu_start;
    mcs_sched_core cores[MCS_SCHED_MAX_CORES];
} mcs_scheduler;

uint32_t mcs_schedule(mcs_scheduler *s);
uint32_t mcs_scheduler_size(void);

#endif
