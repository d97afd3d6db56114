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
        rv->core->cycles += rv->data_latency_cycles;
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

/* The static cycles and instructions of the running block from `address` to its end: what the
 * block hook charged in advance for instructions that have not run (yet, or at all). */
static void rest_of_block(const mcs_core *core, uint32_t address, uint64_t *cycles, uint64_t *instructions)
{
    *cycles = *instructions = 0;
    for (uint32_t i = 0; i < core->n_code_ranges; i++) {
        const mcs_code_range *r = &core->code_ranges[i];
        if (address >= r->base && core->last_block_end <= r->end &&
            address >= core->last_block_addr && address < core->last_block_end) {
            uint64_t here = (address - r->base) >> 1, end = (core->last_block_end - r->base) >> 1;
            *cycles = r->cycle_prefix[end] - r->cycle_prefix[here];
            *instructions = r->instruction_prefix[end] - r->instruction_prefix[here];
            return;
        }
    }
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
        /* Performance counters (pcer_v1 event ids): 0 cycles, 1 instructions; the others are
         * not modelled and read 0. Counting needs PCMR bit 0 (global enable). */
        uint32_t event = csr - 0x780;
        if (!(rv->pcmr & 1)) { *value = 0; return 0; }
        if (event == 0) { *value = (uint32_t)(cycles - rv->cycle_counter_base); return 0; }
        if (event == 1) { *value = (uint32_t)(instructions - rv->instruction_counter_base); return 0; }
        *value = 0;
        return 0;
    }
    return 1;
}

static int io_csr_write(void *ctx, uint32_t csr, uint32_t value)
{
    mcs_rv_core *rv = (mcs_rv_core *)ctx;
    uint64_t cycles, instructions;
    counters_at(rv, counter_pc, &cycles, &instructions);
    if (csr == 0x7A0) { rv->pcer = value; return 0; }
    if (csr == 0x7A1) { rv->pcmr = value; return 0; }
    if (csr == 0x780 || csr == 0x79F) rv->cycle_counter_base = cycles - value;
    if (csr == 0x781 || csr == 0x79F) rv->instruction_counter_base = instructions - value;
    if (csr >= 0x780 && csr <= 0x79F)
        return 0;
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
