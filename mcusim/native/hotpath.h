/*
 * mcusim native hot path: the only code that runs per translated block.
 *
 * Every struct here is mirrored field for field in mcusim/native/__init__.py (ctypes);
 * change both together. Python fills the tables once, C updates the counters, Python
 * reads them after each slice. No Python runs per block or per instruction.
 */
#ifndef MCUSIM_HOTPATH_H
#define MCUSIM_HOTPATH_H

#include <stdint.h>
#include <unicorn/unicorn.h>

#define MCS_MAX_CODE_RANGES 8
#define MCS_MAX_TLB_REGIONS 32
#define MCS_MAX_STATIC_EVENTS 8

/* Why the last slice ended (set by the block hook before it calls uc_emu_stop). */
enum mcs_stop_reason {
    MCS_STOP_NONE = 0,      /* not stopped by the hot path (exit, fault, WFI, host request) */
    MCS_STOP_BUDGET = 1,    /* cycles reached stop_at_cycles: quantum, event deadline or limit */
    MCS_STOP_SELF_LOOP = 2, /* about to run a branch-to-self again: idle or hung */
};

/* Per-halfword flags of the static code map. */
enum mcs_code_flag {
    MCS_FLAG_SELF_LOOP = 1,  /* instruction at this address branches to itself */
    MCS_FLAG_BRANCH_END = 2, /* last halfword of a branch (any write to PC) */
    MCS_FLAG_CALL_END = 4,   /* last halfword of a call (BL/BLX, JAL/JALR linking ra) */
    MCS_FLAG_CONDITIONAL_BRANCH_END = 8, /* last halfword of a conditional branch (RISC-V) */
};

/*
 * One contiguous range of code with static per-instruction costs as prefix sums at
 * 2-byte granularity: the cost of a block [a, a+size) is prefix[(a+size-base)/2] -
 * prefix[(a-base)/2], whatever way the translator splits the blocks.
 */
typedef struct {
    uint64_t base;
    uint64_t end;
    const uint64_t *instruction_prefix; /* (end-base)/2 + 1 entries */
    const uint64_t *cycle_prefix;       /* (end-base)/2 + 1 entries */
    const uint8_t *flags;               /* (end-base)/2 entries, mcs_code_flag */
    uint64_t *block_counts;             /* (end-base)/2 entries: executions per block start */
    const uint32_t *functions;          /* (end-base)/2 entries: function index, 0 = none */
    /* n_static_events rows of (end-base)/2 + 1 prefix sums, one per static performance-counter
     * event of the timing model (loads, stores, stall cycles...); 0 when it has none */
    const uint64_t *event_prefix;
} mcs_code_range;

/*
 * Call tree for the per-function profile (pyinstrument-style): a node is a function reached
 * through a path of calls; every cycle is attributed to the node on top of the shadow stack
 * when it is spent. Node 0 is the root.
 */
typedef struct {
    uint32_t parent;
    uint32_t function;
    uint32_t first_child;
    uint32_t next_sibling;
    uint64_t self_cycles;
    uint64_t calls;
} mcs_call_node;

typedef struct {
    uint32_t node;           /* the caller's node, restored on return */
    uint32_t return_address; /* where the callee returns to */
} mcs_call_frame;

/* Identity mapping with per-region permissions for the virtual TLB. */
typedef struct {
    uint64_t base;
    uint64_t end;
    uint32_t data_perms;  /* given on a data access: RW- for RAM, so stores stay fast */
    uint32_t fetch_perms; /* given on an instruction fetch: adds X */
} mcs_tlb_region;

/*
 * A set-associative cache with round-robin replacement: the STM32 flash accelerator (ART) or a
 * Cortex-M7 L1. Only hit/miss state is kept, never data. What a miss costs depends on the
 * memory behind it, so the caller passes it.
 */
typedef struct {
    uint32_t sets;            /* 0: no cache, every new line misses (a one-line buffer) */
    uint32_t ways;            /* 0 (with sets 0): not even a line buffer, every access pays */
    uint32_t line_shift;
    uint32_t sequential_free; /* a miss on the line after the last one is hidden (prefetch) */
    uint64_t *tags;           /* sets * ways line numbers, UINT64_MAX when invalid */
    uint8_t *victims;         /* per set: the way to replace next */
    uint64_t hits;
    uint64_t misses;
    uint64_t stall_cycles;
    uint64_t last_line;
} mcs_cache;

struct mcs_core_s;

/* One address range whose reads go through a cache (user data of mcs_data_read_hook). */
typedef struct {
    struct mcs_core_s *core;
    mcs_cache *cache;
    uint32_t miss_cycles;
    uint32_t reserved;
} mcs_cached_range;

/*
 * Operand-dependent divide time, as early termination gives it: cycles =
 * clamp(base + floor(quotient_bits / bits_per_cycle), min, max), where quotient_bits =
 * max(0, clz(divisor) - clz(dividend) + 1) on magnitudes. A zero divisor takes min.
 */
typedef struct {
    uint32_t base;
    uint32_t bits_per_cycle;
    uint32_t min_cycles;
    uint32_t max_cycles;
    uint32_t kind; /* MCS_DIVIDE_* */
    uint32_t reserved;
} mcs_divide_timing;

enum mcs_divide_kind {
    MCS_DIVIDE_QUOTIENT_BITS = 0, /* Cortex-M: the formula above */
    MCS_DIVIDE_DIVISOR_ZEROS = 1, /* RI5CY (GVSoC): base + clz(divisor); a zero divisor takes max */
};

/* One divide instruction: its operand registers and the static cycles already charged. */
typedef struct {
    struct mcs_core_s *core;
    int32_t dividend_reg; /* Unicorn register ids */
    int32_t divisor_reg;
    uint32_t is_signed;
    uint32_t static_cycles;
} mcs_divide_site;

/* What starts at one 4-byte word of the stubs (all zero where no block starts). */
typedef struct {
    uint32_t site;     /* the rewritten instruction whose part (or merged block) starts here */
    uint32_t then;     /* merged block: how many rewritten instructions after `site` it also does */
    uint32_t fallback; /* merged block: the single part of `site` */
    uint32_t reserved;
} mcs_stub_entry;

typedef uc_err (*mcs_emu_stop_fn)(uc_engine *uc);
typedef uc_err (*mcs_reg_read_fn)(uc_engine *uc, int regid, void *value);
typedef uc_err (*mcs_reg_write_fn)(uc_engine *uc, int regid, const void *value);

typedef struct mcs_core_s {
    /* counters, updated per block */
    uint64_t instructions;
    uint64_t cycles;
    uint64_t blocks;
    uint64_t unknown_blocks; /* blocks outside every code range (no static costs) */
    uint64_t unknown_bytes;
    uint64_t taken_branches;
    uint64_t mispredictions;
    uint64_t divides;
    /* scheduling: the hook stops before running a block once cycles >= stop_at_cycles */
    uint64_t stop_at_cycles;
    uint64_t last_block_addr;
    uint64_t last_block_end; /* a block starting elsewhere follows a taken branch */
    uint64_t page_mask;
    uint32_t stop_reason;
    uint32_t n_code_ranges;
    uint32_t n_tlb_regions;
    uint32_t unknown_bytes_per_instruction; /* estimate for code outside the map */
    /* branches: without a predictor every taken branch costs taken_branch_cycles; with one
     * (predictor_mask != 0) only mispredicted branches cost, mispredict_cycles each */
    uint32_t taken_branch_cycles;
    uint32_t mispredict_cycles;
    uint32_t predictor_mask;
    uint32_t last_block_branch; /* the block that ran last ended with a branch */
    uint8_t *predictor_counters; /* 2-bit saturating counters */
    uint64_t *predictor_targets; /* last target per entry (BTAC) */
    /* instruction fetch through a cache (flash accelerator, I-cache) over one range */
    uint64_t fetch_base;
    uint64_t fetch_end;
    uint32_t fetch_miss_cycles;
    uint32_t fetch_enabled;
    mcs_cache fetch_cache;
    mcs_cache data_cache; /* data reads, through mcs_data_read_hook per cached range */
    mcs_divide_timing divide;
    mcs_emu_stop_fn emu_stop;
    mcs_reg_read_fn reg_read;
    mcs_reg_write_fn reg_write;
    mcs_code_range code_ranges[MCS_MAX_CODE_RANGES];
    mcs_tlb_region tlb_regions[MCS_MAX_TLB_REGIONS];
    /* call tracking (enabled when nodes != 0) */
    mcs_call_node *nodes;
    mcs_call_frame *frames;
    uint32_t n_nodes;
    uint32_t max_nodes;
    uint32_t depth;
    uint32_t max_depth;
    uint32_t current_node;
    uint32_t last_block_call; /* the block that ran last ended with a call */
    uint64_t attributed_cycles; /* cycles already given to a node */
    uint64_t dropped_nodes;     /* calls not tracked because the tree or the stack was full */
    /* Stubs (RI5CY, mcusim/cores/xpulp_rewrite.py): RV32 code in [stub_base, stub_end) that runs
     * in place of custom instructions rewritten at load time into a jump to it, one block
     * ("part") per instruction; a run of consecutive rewritten instructions shares one stub whose
     * parts follow each other, and consecutive ones without memory accesses also have one merged
     * block. Every rewritten instruction is accounted exactly as the trap path's block of it
     * (hotpath.c stub_block): blocks of stub code themselves count nothing. */
    uint64_t stub_base;
    uint64_t stub_end;
    const mcs_stub_entry *stub_entries; /* one per 4-byte word of the stubs */
    uint64_t stub_blocks;      /* stub blocks run: one per rewritten instruction executed */
    uint64_t stub_block_addr;  /* the stub block that ran last */
    uint64_t stub_block_seq;   /* `blocks` + 1 when it ran: still so while that part runs (0: none) */
    uint32_t stub_latency_due; /* the running stub's data read has not paid its latency yet */
    uint32_t stub_reserved;
    /* Performance-counter events (RI5CY's PCCRs), counted only when count_events is set (the
     * firmware reads them): the static ones from the ranges' event prefixes, taken conditional
     * branches from block edges, and data reads that pay a latency (the data-read hook's ranges
     * with no cache in front: GAP8's L2) with the cycles they cost. */
    uint32_t count_events;
    uint32_t n_static_events;
    uint32_t last_block_conditional; /* the block that ran last ended with a conditional branch */
    uint32_t events_reserved;
    uint64_t static_events[MCS_MAX_STATIC_EVENTS];
    uint64_t taken_conditional_branches;
    uint64_t latency_reads;
    uint64_t latency_read_cycles;
} mcs_core;

void mcs_block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data);
bool mcs_tlb_fill(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *result,
                  void *user_data);
void mcs_data_read_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                        int64_t value, void *user_data);
void mcs_thumb_data_read_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                              int64_t value, void *user_data);
void mcs_divide_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user_data);
/* A data read that pays `cycles` of memory latency (no cache in front): charged, and counted
 * for the performance counters. The data-read hook and the Xpulp executor's loads use it. */
void mcs_latency_read(mcs_core *core, uint32_t cycles);
uint32_t mcs_abi_version(void);
uint32_t mcs_core_size(void);
uint32_t mcs_stub_entry_size(void);

#endif
