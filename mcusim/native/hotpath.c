/* mcusim native hot path: see hotpath.h. Plain C99, no dependency but the unicorn headers. */
#include "hotpath.h"

#define MCS_ABI_VERSION 10u

uint32_t mcs_abi_version(void) { return MCS_ABI_VERSION; }
uint32_t mcs_core_size(void) { return (uint32_t)sizeof(mcs_core); }
uint32_t mcs_stub_entry_size(void) { return (uint32_t)sizeof(mcs_stub_entry); }

static inline const mcs_code_range *find_range(const mcs_core *core, uint64_t address)
{
    /* Firmware has one to three code ranges; the first (flash .text) is almost always it. */
    for (uint32_t i = 0; i < core->n_code_ranges; i++) {
        const mcs_code_range *r = &core->code_ranges[i];
        if (address >= r->base && address < r->end)
            return r;
    }
    return 0;
}

/* One line access; returns the stall cycles it costs. */
static inline uint32_t cache_access(mcs_cache *c, uint64_t line, uint32_t miss_cycles)
{
    if (c->ways == 0) { /* no cache nor line buffer: every access pays (e.g. GAP8 L2 latency) */
        c->misses++;
        c->stall_cycles += miss_cycles;
        return miss_cycles;
    }
    if (line == c->last_line) { /* the common case: the same line again, and it is present */
        c->hits++;
        return 0;
    }
    uint32_t stall = (c->sequential_free && line == c->last_line + 1) ? 0 : miss_cycles;
    c->last_line = line;
    if (c->sets == 0) {
        c->misses++;
        c->stall_cycles += stall;
        return stall;
    }
    uint64_t set = line & (c->sets - 1); /* sets is a power of two */
    uint64_t *tags = &c->tags[set * c->ways];
    for (uint32_t w = 0; w < c->ways; w++) {
        if (tags[w] == line) {
            c->hits++;
            return 0;
        }
    }
    tags[c->victims[set]] = line;
    c->victims[set] = (uint8_t)((c->victims[set] + 1) % c->ways);
    c->misses++;
    c->stall_cycles += stall;
    return stall;
}

static inline uint64_t cache_lines(mcs_cache *c, uint64_t address, uint64_t size, uint32_t miss_cycles)
{
    uint64_t stall = 0;
    uint64_t last = (address + size - 1) >> c->line_shift;
    for (uint64_t line = address >> c->line_shift; line <= last; line++)
        stall += cache_access(c, line, miss_cycles);
    return stall;
}

/* Whether the block running now is a stub (no ordinary block has run since the last stub). */
static inline int in_stub(const mcs_core *core) { return core->stub_block_seq == core->blocks + 1; }

void mcs_data_read_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                        int64_t value, void *user_data)
{
    (void)uc;
    (void)type;
    (void)value;
    mcs_cached_range *range = (mcs_cached_range *)user_data;
    mcs_core *core = range->core;
    if (in_stub(core)) {
        /* The load of a rewritten Xpulp instruction pays what the Xpulp executor charges for
         * it (ri5cy.c io_load): the latency once per access, however many lines a misaligned
         * access spans or however often Unicorn calls back for one, and no cache statistics.
         * The executor charges latency only where no cache sits in front (ways == 0). */
        if (core->stub_latency_due && range->cache->ways == 0)
            mcs_latency_read(core, range->miss_cycles);
        core->stub_latency_due = 0;
        return;
    }
    uint64_t stall = cache_lines(range->cache, address, (uint64_t)size, range->miss_cycles);
    if (range->cache->ways == 0) /* no cache in front: a read that pays the memory's latency */
        mcs_latency_read(core, (uint32_t)stall);
    else
        core->cycles += stall;
}

void mcs_latency_read(mcs_core *core, uint32_t cycles)
{
    core->cycles += cycles;
    if (core->count_events) {
        core->latency_reads++;
        core->latency_read_cycles += cycles;
    }
}

/*
 * The same for Thumb code, with a repair of Unicorn 2.1.4's IT-state leak. Before a memory hook
 * Unicorn restores the CPU state of the accessing instruction (cpu_restore_state in cputlb.c
 * load_helper), and for a load inside an IT block that writes the block's state into
 * env->condexec_bits. QEMU keeps that field zero inside a translated block and never clears it
 * again, so the next block would be looked up and run as if it were in the IT block: its first
 * instructions are skipped when their condition fails (tests/test_it_state.py shows it in eight
 * instructions; the leak needs a restart since the last PC write, which sets
 * skip_sync_pc_on_exit and so suppresses the restore). Inside a block the
 * field is always zero (arm_tr_tb_start), so clearing it is exact: writing EPSR sets only the IT
 * bits and T. A block that really ends inside an IT block writes its state at its end
 * (gen_set_condexec in arm_tr_tb_stop), after this hook.
 */
void mcs_thumb_data_read_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                              int64_t value, void *user_data)
{
    static const uint32_t thumb_outside_it_block = 1u << 24; /* EPSR: T set, IT bits clear */
    mcs_data_read_hook(uc, type, address, size, value, user_data);
    ((mcs_cached_range *)user_data)->core->reg_write(uc, UC_ARM_REG_EPSR, &thumb_outside_it_block);
}

/* The cost of arriving at `address` after the last block: refill or misprediction. */
static inline void account_control_flow(mcs_core *core, uint64_t address)
{
    int taken = address != core->last_block_end;
    if (core->predictor_mask == 0) {
        if (taken) {
            core->taken_branches++;
            core->cycles += core->taken_branch_cycles;
        }
        return;
    }
    if (taken)
        core->taken_branches++;
    if (!core->last_block_branch) {
        if (taken) /* exception entry or return: no branch to predict, a refill all the same */
            core->cycles += core->mispredict_cycles;
        return;
    }
    uint32_t entry = (uint32_t)(core->last_block_end >> 1) & core->predictor_mask;
    uint8_t *counter = &core->predictor_counters[entry];
    uint64_t *target = &core->predictor_targets[entry];
    int predicted_taken = *counter >= 2;
    int correct = predicted_taken == taken && (!taken || *target == address);
    if (!correct) {
        core->mispredictions++;
        core->cycles += core->mispredict_cycles;
    }
    if (taken) {
        if (*counter < 3)
            (*counter)++;
        *target = address;
    } else if (*counter > 0) {
        (*counter)--;
    }
}

/* The child of `parent` for `function`, created on first use (0 when the tree is full). */
static inline uint32_t call_child(mcs_core *core, uint32_t parent, uint32_t function)
{
    for (uint32_t n = core->nodes[parent].first_child; n; n = core->nodes[n].next_sibling)
        if (core->nodes[n].function == function)
            return n;
    if (core->n_nodes >= core->max_nodes)
        return 0;
    uint32_t n = core->n_nodes++;
    mcs_call_node *node = &core->nodes[n];
    node->parent = parent;
    node->function = function;
    node->first_child = 0;
    node->self_cycles = 0;
    node->calls = 0;
    node->next_sibling = core->nodes[parent].first_child;
    core->nodes[parent].first_child = n;
    return n;
}

/* Give the cycles spent since the last block to the node on top, then follow the control flow
 * into `address` (in function `function`): a call pushes, a return pops, anything else that
 * lands in another function (tail call, exception) replaces the top frame's function. */
static inline void track_calls(mcs_core *core, uint64_t address, uint32_t function)
{
    core->nodes[core->current_node].self_cycles += core->cycles - core->attributed_cycles;
    core->attributed_cycles = core->cycles;
    if (core->depth && address == core->frames[core->depth - 1].return_address && !core->last_block_call) {
        core->current_node = core->frames[--core->depth].node;
        if (function == 0 || core->nodes[core->current_node].function == function || core->current_node == 0)
            return;
    }
    if (function == 0)
        return;
    if (core->last_block_call) {
        uint32_t child = call_child(core, core->current_node, function);
        if (child && core->depth < core->max_depth) {
            core->frames[core->depth].node = core->current_node;
            core->frames[core->depth].return_address = (uint32_t)core->last_block_end;
            core->depth++;
            core->current_node = child;
            core->nodes[child].calls++;
        } else {
            core->dropped_nodes++;
        }
        return;
    }
    if (core->nodes[core->current_node].function != function) {
        uint32_t parent = core->current_node ? core->nodes[core->current_node].parent : 0;
        uint32_t sibling = call_child(core, parent, function);
        if (sibling) {
            if (core->current_node == 0)
                core->nodes[sibling].calls++; /* the first function entered from reset */
            core->current_node = sibling;
        }
    }
}

/* The performance-counter events of the block [first, last) (halfword indices) of range r. */
static inline void count_events(mcs_core *core, const mcs_code_range *r, uint64_t address, uint64_t first,
                                uint64_t last)
{
    if (address != core->last_block_end && core->last_block_conditional)
        core->taken_conditional_branches++;
    core->last_block_conditional = r->flags[last - 1] & MCS_FLAG_CONDITIONAL_BRANCH_END;
    if (r->event_prefix) {
        uint64_t stride = (r->end - r->base) / 2 + 1;
        for (uint32_t k = 0; k < core->n_static_events; k++)
            core->static_events[k] += r->event_prefix[k * stride + last] - r->event_prefix[k * stride + first];
    }
}

/* Charge the block [address, address + size) of range r: what every executed block costs. */
static inline void account_block(mcs_core *core, const mcs_code_range *r, uint64_t address, uint32_t size)
{
    uint64_t first = (address - r->base) >> 1;
    uint64_t last = (address + size - r->base) >> 1;
    if (core->nodes)
        track_calls(core, address, r->functions[first]);
    if (core->count_events)
        count_events(core, r, address, first, last);
    account_control_flow(core, address);
    core->instructions += r->instruction_prefix[last] - r->instruction_prefix[first];
    core->cycles += r->cycle_prefix[last] - r->cycle_prefix[first];
    if (core->fetch_enabled && address >= core->fetch_base && address < core->fetch_end)
        core->cycles += cache_lines(&core->fetch_cache, address, size, core->fetch_miss_cycles);
    core->blocks++;
    r->block_counts[first]++;
    core->last_block_addr = address;
    core->last_block_end = address + size;
    core->last_block_branch = r->flags[last - 1] & MCS_FLAG_BRANCH_END;
    core->last_block_call = r->flags[last - 1] & MCS_FLAG_CALL_END;
}

static inline int over_budget(uc_engine *uc, mcs_core *core)
{
    /* The block hook runs before the block; a stop here means the block has not run and
     * will be hooked again on resume, so stop before accounting it (docs/unicorn.md P4). */
    if (core->cycles < core->stop_at_cycles)
        return 0;
    core->stop_reason = MCS_STOP_BUDGET;
    core->emu_stop(uc);
    return 1;
}

/*
 * A stub block (hotpath.h): the part of a stub that does the work of the custom instruction
 * `e->site`, or a merged block that does the work of it and the `e->then` rewritten
 * instructions after it (none of which accesses memory). A rewritten instruction either jumped
 * here, and the block that ended with it charged it, or follows the previous part of its run,
 * which just ran. Then it is charged here as the one-instruction block the trap path gave it,
 * budget check included: on a stop the core resumes at the instruction itself, whose jump
 * brings it back. The instructions a merged block adds are charged the same way, one block
 * each, if the budget lasts to the last of them; otherwise the core goes to the single part of
 * `site` (e->fallback), and the next parts charge the rest one by one.
 */
static void stub_block(uc_engine *uc, mcs_core *core, uint64_t address, const mcs_stub_entry *e)
{
    uint32_t site = e->site;
    if (core->stub_block_seq == core->blocks + 1 && core->stub_block_addr == address)
        return; /* the same block again at once: restarted after its first fmv found the FPU off
                 * (ri5cy.c enable_fp_for_stub); it has been charged */
    const mcs_code_range *r = site ? find_range(core, site) : 0;
    if (site && r == 0)
        return;
    if (site && core->last_block_end != (uint64_t)site + 4) {
        if (core->cycles >= core->stop_at_cycles) {
            core->reg_write(uc, UC_RISCV_REG_PC, &site);
            over_budget(uc, core);
            return;
        }
        account_block(core, r, site, 4);
    }
    if (e->then) {
        /* the budget is checked before each added instruction's block, on cycles that only
         * grow: it lasts if it lasts to the last one (static costs only: without a fetch cache,
         * consecutive one-instruction blocks add nothing else) */
        uint64_t first = (site + 4 - r->base) >> 1, last = (site + 4 * e->then - r->base) >> 1;
        if (core->fetch_enabled ||
            core->cycles + (r->cycle_prefix[last] - r->cycle_prefix[first]) >= core->stop_at_cycles) {
            core->reg_write(uc, UC_RISCV_REG_PC, &e->fallback);
            return;
        }
        for (uint32_t k = 1; k <= e->then; k++)
            account_block(core, r, site + 4 * k, 4);
    }
    core->stub_blocks += 1 + e->then;
    core->stub_block_addr = address;
    core->stub_block_seq = core->blocks + 1;
    core->stub_latency_due = 1;
}

void mcs_block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data)
{
    mcs_core *core = (mcs_core *)user_data;

    if (address >= core->stub_base && address < core->stub_end) {
        stub_block(uc, core, address, &core->stub_entries[(address - core->stub_base) >> 2]);
        return;
    }
    if (over_budget(uc, core))
        return;

    const mcs_code_range *r = find_range(core, address);
    if (r == 0 || address + size > r->end) {
        uint64_t estimate = size / core->unknown_bytes_per_instruction;
        if (estimate == 0)
            estimate = 1;
        core->unknown_blocks++;
        core->unknown_bytes += size;
        core->instructions += estimate;
        core->cycles += estimate;
        core->blocks++;
        core->last_block_addr = address;
        core->last_block_end = address + size;
        core->last_block_branch = 0;
        core->last_block_call = 0;
        core->last_block_conditional = 0;
        return;
    }

    if (address == core->last_block_addr && (r->flags[(address - r->base) >> 1] & MCS_FLAG_SELF_LOOP)) {
        /* `b .`: idle wait or hang; Python decides which (an interrupt may be due). */
        core->stop_reason = MCS_STOP_SELF_LOOP;
        core->emu_stop(uc);
        return;
    }
    account_block(core, r, address, size);
}

static inline uint32_t leading_zeros(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32u; }

void mcs_divide_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data)
{
    (void)address;
    (void)size;
    const mcs_divide_site *site = (const mcs_divide_site *)user_data;
    mcs_core *core = site->core;
    uint32_t dividend = 0, divisor = 0;
    core->reg_read(uc, site->dividend_reg, &dividend);
    core->reg_read(uc, site->divisor_reg, &divisor);
    int negative_divisor = site->is_signed && (int32_t)divisor < 0;
    if (site->is_signed) {
        dividend = (int32_t)dividend < 0 ? 0u - dividend : dividend;
        divisor = (int32_t)divisor < 0 ? 0u - divisor : divisor;
    }
    const mcs_divide_timing *t = &core->divide;
    uint32_t cycles = t->min_cycles;
    if (t->kind == MCS_DIVIDE_DIVISOR_ZEROS) {
        /* GVSoC: clz(divisor) + 3, and clz(-divisor) + 2 for a negative signed divisor */
        cycles = divisor == 0 ? t->max_cycles
                              : t->base + leading_zeros(divisor) - (negative_divisor ? 1u : 0u);
    } else if (divisor != 0) {
        int32_t bits = (int32_t)leading_zeros(divisor) - (int32_t)leading_zeros(dividend) + 1;
        if (bits < 0)
            bits = 0;
        cycles = t->base + (uint32_t)bits / t->bits_per_cycle;
        if (cycles < t->min_cycles)
            cycles = t->min_cycles;
        if (cycles > t->max_cycles)
            cycles = t->max_cycles;
    }
    /* The block already charged the static cost; this hook runs before the instruction. */
    core->cycles += cycles;
    core->cycles -= site->static_cycles;
    core->divides++;
}

bool mcs_tlb_fill(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *result,
                  void *user_data)
{
    (void)uc;
    const mcs_core *core = (const mcs_core *)user_data;
    result->paddr = vaddr & core->page_mask;
    result->perms = UC_PROT_ALL; /* unmapped or MMIO: the physical layer reports faults */
    for (uint32_t i = 0; i < core->n_tlb_regions; i++) {
        const mcs_tlb_region *t = &core->tlb_regions[i];
        if (vaddr >= t->base && vaddr < t->end) {
            result->perms = (type == UC_MEM_FETCH) ? t->fetch_perms : t->data_perms;
            break;
        }
    }
    return true;
}
