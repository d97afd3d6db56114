/* The multi-core scheduler: see scheduler.h. C99 plus unsigned __int128 (GCC, Clang). */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c99 */
#include <time.h>

#include "scheduler.h"

#define PS_PER_SECOND 1000000000000ull
#define UNTIL 0xFFFFFFFEull /* never executed: slices end by uc_emu_stop only */

uint32_t mcs_scheduler_size(void) { return (uint32_t)sizeof(mcs_scheduler); }

/* Simulated time of a core, as periph/gap8.py cycles_to_ps: floor(cycles * 1e12 / clock). */
static inline uint64_t time_ps(const mcs_sched_core *c)
{
    return (uint64_t)((unsigned __int128)c->core->cycles * PS_PER_SECOND / c->clock_hz);
}

/* The first cycle of a core at or after `ps`, as periph/gap8.py ps_to_cycles. */
static inline uint64_t cycles_at(const mcs_sched_core *c, uint64_t ps)
{
    unsigned __int128 scaled = (unsigned __int128)ps * c->clock_hz;
    return (uint64_t)((scaled + PS_PER_SECOND - 1) / PS_PER_SECOND);
}

static inline uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint32_t least_advanced(const mcs_scheduler *s)
{
    uint32_t best = MCS_SCHED_NO_CORE;
    uint64_t best_ps = 0;
    for (uint32_t i = 0; i < s->n_cores; i++) {
        const mcs_sched_core *c = &s->cores[i];
        if (!c->running)
            continue;
        uint64_t t = time_ps(c);
        if (best == MCS_SCHED_NO_CORE || t < best_ps) {
            best = i;
            best_ps = t;
        }
    }
    return best;
}

/* One slice of core i; returns whether it ended by its budget alone (the loop may go on). */
static int run_slice(mcs_scheduler *s, uint32_t i)
{
    mcs_sched_core *c = &s->cores[i];
    mcs_core *core = c->core;
    uint64_t deadline = core->cycles + s->quantum_cycles;
    if (deadline > s->cycle_limit)
        deadline = s->cycle_limit;
    if (s->next_event_ps != MCS_SCHED_NO_EVENT) {
        uint64_t event = cycles_at(c, s->next_event_ps);
        if (event < core->cycles + 1)
            event = core->cycles + 1;
        if (event < deadline)
            deadline = event;
    }
    core->stop_at_cycles = deadline;
    core->stop_reason = MCS_STOP_NONE;
    c->rv->stop_kind = MCS_RV_STOP_NONE;
    c->stop_slice = 0;
    uint32_t pc = 0;
    core->reg_read(c->uc, UC_RISCV_REG_PC, &pc);
    uint64_t start = now_ns();
    uc_err err = s->emu_start(c->uc, pc, UNTIL, 0, 0);
    c->host_ns += now_ns() - start;
    c->slices++;
    s->error = (int32_t)err;
    return err == UC_ERR_OK && core->stop_reason == MCS_STOP_BUDGET &&
           c->rv->stop_kind == MCS_RV_STOP_NONE && !c->stop_slice && c->running;
}

uint32_t mcs_schedule(mcs_scheduler *s)
{
    uint32_t i = s->resume_core;
    s->resume_core = MCS_SCHED_NO_CORE;
    for (;;) {
        if (i == MCS_SCHED_NO_CORE) {
            i = least_advanced(s);
            if (i == MCS_SCHED_NO_CORE)
                return MCS_SCHED_NO_CORE_RUNS;
            if (s->next_event_ps <= time_ps(&s->cores[i])) {
                s->core_index = i;
                return MCS_SCHED_EVENT_DUE;
            }
        }
        s->core_index = i;
        if (s->cores[i].core->cycles >= s->cycle_limit)
            return MCS_SCHED_CYCLE_LIMIT;
        if (!run_slice(s, i))
            return MCS_SCHED_SLICE_ENDED;
        i = MCS_SCHED_NO_CORE;
    }
}
