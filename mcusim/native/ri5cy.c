/* RI5CY native parts: see ri5cy.h. Plain C99. */
#include <string.h>

#include "ri5cy.h"

#define UC_RISCV_X0 1 /* UC_RISCV_REG_X0; Xn is UC_RISCV_X0 + n */
#define UC_RISCV_PC 190

uint32_t mcs_rv_core_size(void) { return (uint32_t)sizeof(mcs_rv_core); }

static uint8_t *host_pointer(mcs_rv_core *rv, uint32_t address, uint32_t size)
{
    for (uint32_t i = 0; i < rv->n_spans; i++) {
        const mcs_host_span *s = &rv->spans[i];
        if (address >= s->start && (uint64_t)address + size <= s->end)
            return s->host + (address - s->start);
    }
    return 0;
}

static uint32_t io_get(void *ctx, uint32_t reg)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    uint32_t value = 0;
    if (reg != 0)
        rv->core->reg_read(rv->uc, (int)(UC_RISCV_X0 + reg), &value);
    return value;
}

static void io_set(void *ctx, uint32_t reg, uint32_t value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    if (reg != 0)
        rv->core->reg_write(rv->uc, (int)(UC_RISCV_X0 + reg), &value);
}

static int read_guest(mcs_rv_core *rv, uint32_t address, uint32_t size, uint32_t *value);

static int io_load(void *ctx, uint32_t address, uint32_t size, uint32_t *value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    if (read_guest(rv, address, size, value) != 0)
        return 1;
    if (address >= rv->latency_base && address < rv->latency_end)
        mcs_latency_read(rv->core, rv->data_latency_cycles);
    return 0;
}

/* A read of guest memory that costs no simulated time (the executor's own fetch). */
static int read_guest(mcs_rv_core *rv, uint32_t address, uint32_t size, uint32_t *value)
{
    uint8_t bytes[4] = {0, 0, 0, 0};
    uint8_t *host = host_pointer(rv, address, size);
    if (host)
        memcpy(bytes, host, size);
    else if (rv->mem_read(rv->uc, address, bytes, size) != UC_ERR_OK)
        return 1; /* unmapped, or a peripheral: Unicorn's MMIO path serves it */
    *value = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
             (uint32_t)bytes[3] << 24;
    return 0;
}

static int io_store(void *ctx, uint32_t address, uint32_t size, uint32_t value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                        (uint8_t)(value >> 24)};
    uint8_t *host = host_pointer(rv, address, size);
    if (host) {
        memcpy(host, bytes, size);
        return 0;
    }
    return rv->mem_write(rv->uc, address, bytes, size) != UC_ERR_OK;
}

/* The range and halfword indices [here, end) of the running block from `address` to its end:
 * what the block hook charged in advance for instructions that have not run (yet, or at all).
 * 0 when `address` is not in the block that ran last. */
static const mcs_code_range *rest_span(const mcs_core *core, uint32_t address, uint64_t *here, uint64_t *end)
{
    for (uint32_t i = 0; i < core->n_code_ranges; i++) {
        const mcs_code_range *r = &core->code_ranges[i];
        if (address >= r->base && core->last_block_end <= r->end &&
            address >= core->last_block_addr && address < core->last_block_end) {
            *here = (address - r->base) >> 1;
            *end = (core->last_block_end - r->base) >> 1;
            return r;
        }
    }
    return 0;
}

/* The static cycles and instructions of the running block from `address` to its end. */
static void rest_of_block(const mcs_core *core, uint32_t address, uint64_t *cycles, uint64_t *instructions)
{
    uint64_t here, end;
    const mcs_code_range *r = rest_span(core, address, &here, &end);
    *cycles = r ? r->cycle_prefix[end] - r->cycle_prefix[here] : 0;
    *instructions = r ? r->instruction_prefix[end] - r->instruction_prefix[here] : 0;
}

/* Cycles and instructions at the instruction at `pc` of the running block. */
static void counters_at(const mcs_rv_core *rv, uint32_t pc, uint64_t *cycles, uint64_t *instructions)
{
    uint64_t rest_cycles, rest_instructions;
    rest_of_block(rv->core, pc, &rest_cycles, &rest_instructions);
    *cycles = rv->core->cycles - rest_cycles;
    *instructions = rv->core->instructions - rest_instructions;
}

static uint32_t counter_pc; /* the pc of the CSR instruction being executed (one core at a time) */

enum { EVENT_CYCLES = 0, EVENT_INSTRUCTIONS = 1, EVENT_TAKEN_BRANCHES = 9, EVENT_LOADS_EXTERNAL = 11,
       EVENT_LOADS_EXTERNAL_CYCLES = 13 };

/* How many times pcer_v1 event `event` happened on this core up to the instruction at `pc`
 * (exact there: the rest of the running block is taken off). IMISS (4), ST_EXT (12), ST_EXT_CYC
 * (14) and TCDM_CONT (15) are not modelled: no instruction cache, no store latency, no bank
 * conflicts. */
static uint64_t event_count(const mcs_rv_core *rv, uint32_t event, uint32_t pc)
{
    const mcs_core *core = rv->core;
    uint64_t here, end;
    const mcs_code_range *r = rest_span(core, pc, &here, &end);
    if (event == EVENT_CYCLES || event == EVENT_INSTRUCTIONS) {
        uint64_t cycles, instructions;
        counters_at(rv, pc, &cycles, &instructions);
        return event == EVENT_CYCLES ? cycles : instructions;
    }
    if (event == EVENT_TAKEN_BRANCHES)
        return core->taken_conditional_branches;
    if (event == EVENT_LOADS_EXTERNAL)
        return core->latency_reads;
    if (event == EVENT_LOADS_EXTERNAL_CYCLES)
        return core->latency_read_cycles;
    int k = event < MCS_RV_EVENTS ? rv->static_event_of[event] : -1;
    if (k < 0)
        return 0;
    uint64_t rest = 0;
    if (r && r->event_prefix) {
        uint64_t stride = (r->end - r->base) / 2 + 1;
        rest = r->event_prefix[k * stride + end] - r->event_prefix[k * stride + here];
    }
    return core->static_events[k] - rest;
}

static int counting(const mcs_rv_core *rv, uint32_t event)
{
    return (rv->pcmr & 1) && (rv->pcer >> event & 1);
}

/* Fold what every counting counter has counted into its value, from now on counting afresh. */
static void sync_counters(mcs_rv_core *rv, uint32_t pc)
{
    for (uint32_t k = 0; k < MCS_RV_EVENTS; k++) {
        uint64_t now = event_count(rv, k, pc);
        if (counting(rv, k))
            rv->pccr_value[k] += now - rv->pccr_sync[k];
        rv->pccr_sync[k] = now;
    }
}

static int io_csr_read(void *ctx, uint32_t csr, uint32_t *value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    uint64_t cycles, instructions;
    counters_at(rv, counter_pc, &cycles, &instructions);
    if (csr == 0x014) { /* uhartid: GAP8's HAL reads the core and cluster id here */
        *value = rv->hartid;
        return 0;
    }
    if (csr >= MCS_RV_COUNTER_CSR_BASE && csr < MCS_RV_COUNTER_CSR_BASE + 8) {
        /* mcycle, mcycleh, minstret, minstreth, cycle, cycleh, instret, instreth */
        uint32_t which = csr - MCS_RV_COUNTER_CSR_BASE;
        uint64_t counter = (which & 2) ? instructions : cycles;
        *value = (which & 1) ? (uint32_t)(counter >> 32) : (uint32_t)counter;
        return 0;
    }
    if (csr == 0x7A0) { *value = rv->pcer; return 0; }
    if (csr == 0x7A1) { *value = rv->pcmr; return 0; }
    if (csr >= 0x780 && csr <= 0x79F) {
        uint32_t event = csr - 0x780;
        if (event >= MCS_RV_EVENTS) { *value = 0; return 0; } /* no counters past the 16 events */
        uint64_t count = rv->pccr_value[event];
        if (counting(rv, event))
            count += event_count(rv, event, counter_pc) - rv->pccr_sync[event];
        *value = (uint32_t)count;
        return 0;
    }
    return 1;
}

static int io_csr_write(void *ctx, uint32_t csr, uint32_t value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    if (csr == 0x7A0 || csr == 0x7A1) {
        sync_counters(rv, counter_pc); /* what was counted so far stays */
        if (csr == 0x7A0)
            rv->pcer = value;
        else
            rv->pcmr = value;
        return 0;
    }
    if (csr >= 0x780 && csr <= 0x79F) { /* PCCRk = value; PCCR31 writes them all */
        sync_counters(rv, counter_pc);
        for (uint32_t k = 0; k < MCS_RV_EVENTS; k++)
            if (csr == 0x79F || csr == 0x780 + k)
                rv->pccr_value[k] = value;
        return 0;
    }
    if (csr >= MCS_RV_COUNTER_CSR_BASE && csr < MCS_RV_COUNTER_CSR_BASE + 8)
        return 0; /* writes to the cycle counters are ignored: they show simulated time */
    return 1;
}

static void stop(mcs_rv_core *rv, uint32_t kind, uint32_t pc, uint32_t insn)
{
    rv->stop_kind = kind;
    rv->stop_pc = pc;
    rv->stop_insn = insn;
    rv->core->reg_write(rv->uc, UC_RISCV_PC, &pc); /* resume (or report) at the instruction itself */
    rv->core->emu_stop(rv->uc);
}

/* Execute the custom instruction `insn` at `pc` (PC already past it or not: it is set here). */
static int run_custom(mcs_rv_core *rv, uc_engine *uc, uint32_t pc, uint32_t insn)
{
    mcs_xpulp_io io = {rv, io_get, io_set, io_load, io_store, io_csr_read, io_csr_write};
    mcs_xpulp_outcome outcome;
    memset(&outcome, 0, sizeof outcome);
    counter_pc = pc;
    rv->executing_pc = pc;
    int result = mcs_xpulp_execute(insn, pc, &io, &rv->loops, &outcome);
    rv->executing_pc = 0;
    switch (result) {
    case MCS_XPULP_DONE:
        rv->xpulp_executed++;
        rv->core->reg_write(uc, UC_RISCV_PC, &outcome.next_pc);
        break;
    case MCS_XPULP_ELW:
        rv->xpulp_executed++;
        rv->elw_address = outcome.elw_address;
        rv->elw_rd = outcome.elw_rd;
        rv->elw_next_pc = outcome.next_pc;
        stop(rv, MCS_RV_STOP_ELW, pc, insn);
        break;
    case MCS_XPULP_FAULT:
        rv->fault_address = outcome.fault_address;
        stop(rv, MCS_RV_STOP_FAULT, pc, insn);
        break;
    default:
        stop(rv, MCS_RV_STOP_ILLEGAL, pc, insn);
        break;
    }
    return result;
}

/* Stubs keep temporaries in FP registers (fmv.w.x / fmv.x.w), which trap while mstatus.FS is
 * Off: firmware that wrote mstatus may have turned the FPU off. Turn it on and run the stub
 * instruction again. Returns whether that was the cause. */
static int enable_fp_for_stub(mcs_rv_core *rv, uc_engine *uc, uint32_t pc)
{
    static const uint32_t fs_mask = 3u << 13, fs_initial = 1u << 13;
    const mcs_core *core = rv->core;
    if (pc < core->stub_base || pc >= core->stub_end)
        return 0;
    uint32_t mstatus = 0;
    core->reg_read(uc, UC_RISCV_REG_MSTATUS, &mstatus);
    if (mstatus & fs_mask)
        return 0; /* the FPU was on: something else is wrong in the stub */
    mstatus |= fs_initial;
    core->reg_write(uc, UC_RISCV_REG_MSTATUS, &mstatus);
    core->reg_write(uc, UC_RISCV_PC, &pc);
    rv->fp_enables++;
    return 1;
}

void mcs_rv_trap_hook(uc_engine *uc, uint32_t intno, void *user_data)
{
    mcs_rv_core *rv = (mcs_rv_core *)user_data;
    rv->uc = uc;
    uint32_t pc_after = 0;
    rv->core->reg_read(uc, UC_RISCV_PC, &pc_after);
    uint32_t pc = pc_after - 4; /* Unicorn 2.1.4 advanced PC by 4 before calling us */
    if (intno != 2) {
        stop(rv, MCS_RV_STOP_EXCEPTION, pc, intno);
        return;
    }
    if (enable_fp_for_stub(rv, uc, pc))
        return;
    uint32_t insn = 0;
    if (read_guest(rv, pc, 4, &insn) != 0 || (insn & 3) != 3) {
        stop(rv, MCS_RV_STOP_ILLEGAL, pc, insn & 0xFFFF);
        return;
    }
    run_custom(rv, uc, pc, insn);
}

int mcs_rv_replay(mcs_rv_core *rv, uc_engine *uc, uint32_t pc, uint32_t insn)
{
    rv->uc = uc;
    rv->stop_kind = MCS_RV_STOP_NONE;
    return run_custom(rv, uc, pc, insn);
}

void mcs_rv_hwloop_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data)
{
    (void)size;
    const mcs_hwloop_site *site = (const mcs_hwloop_site *)user_data;
    mcs_rv_core *rv = site->rv;
    mcs_core *core = rv->core;
    for (int l = 0; l < 2; l++) {
        if (rv->loops.end[l] != site->lpend || rv->loops.count[l] == 0)
            continue;
        if (--rv->loops.count[l] == 0)
            continue; /* this loop is done; loop 1 may end at the same instruction */
        /* Back edge. The block running now was charged up to its end, but execution leaves
         * it here: take back the instructions from `address` on. */
        uint64_t rest_cycles, rest_instructions;
        rest_of_block(core, (uint32_t)address, &rest_cycles, &rest_instructions);
        core->cycles -= rest_cycles;
        core->instructions -= rest_instructions;
        /* Zero-overhead: the block at the loop start must not count as a taken branch. */
        core->last_block_end = rv->loops.start[l];
        core->last_block_branch = 0;
        rv->hwloop_back_edges++;
        uint32_t target = rv->loops.start[l];
        rv->uc = uc;
        rv->core->reg_write(uc, UC_RISCV_PC, &target);
        return;
    }
}
