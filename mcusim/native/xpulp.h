/*
 * Xpulpv2 + GAP8 instruction execution for RI5CY cores (docs/gap8.md §9).
 *
 * Unicorn 2.1.4 does not know these instructions: it raises an illegal-instruction exception
 * (UC_HOOK_INTR, intno 2, PC already advanced by 4: docs/unicorn.md §3.1 and P6). The native
 * trap handler (rv_trap in ri5cy.c) fetches the word and calls mcs_xpulp_execute, which decodes
 * and executes it against the core through the accessors in mcs_xpulp_io. Plain C99.
 */
#ifndef MCUSIM_XPULP_H
#define MCUSIM_XPULP_H

#include <stdint.h>

/* What mcs_xpulp_execute did. */
enum mcs_xpulp_result {
    MCS_XPULP_DONE = 0,    /* executed; *next_pc is where execution continues */
    MCS_XPULP_ILLEGAL = 1, /* not an Xpulpv2/GAP8 instruction (nor a handled CSR access) */
    MCS_XPULP_FAULT = 2,   /* a load or store accessor failed; *fault_address says where */
    MCS_XPULP_ELW = 3,     /* p.elw: the caller performs the event load (the core may sleep);
                            * *elw_address and *elw_rd say what, *next_pc is pc + 4 */
};

/* Hardware loop registers (lpstart/lpend/lpcount 0 and 1; CSRs 0x7C0-0x7C2, 0x7C4-0x7C6). */
typedef struct {
    uint32_t start[2];
    uint32_t end[2]; /* address of the LAST instruction of the body (RI5CY semantics) */
    uint32_t count[2];
    /* GAP8 Viterbi flags written by pv.vitop.max and read by pv.vitop.sel (bit 0 = vf0, bit 1 =
     * vf1). Not a loop register, but per-core state owned by the executor: zero it at reset. */
    uint32_t viterbi_flags;
} mcs_hwloops;

/* Access to the core executing the instruction. Register numbers are x0..x31; set() of x0 is
 * ignored by the executor itself (it never calls set(0, ...)). load/store return 0 on success. */
typedef struct {
    void *ctx;
    uint32_t (*get)(void *ctx, uint32_t reg);
    void (*set)(void *ctx, uint32_t reg, uint32_t value);
    int (*load)(void *ctx, uint32_t address, uint32_t size, uint32_t *value);
    int (*store)(void *ctx, uint32_t address, uint32_t size, uint32_t value);
    /* CSRs Unicorn does not implement (hardware loops are handled by the executor itself):
     * return 0 and the value, or non-zero if the CSR does not exist. */
    int (*csr_read)(void *ctx, uint32_t csr, uint32_t *value);
    int (*csr_write)(void *ctx, uint32_t csr, uint32_t value);
} mcs_xpulp_io;

typedef struct {
    uint32_t next_pc;
    uint32_t fault_address;
    uint32_t elw_address;
    uint32_t elw_rd;
} mcs_xpulp_outcome;

/*
 * Execute the 32-bit instruction `insn` located at `pc`.
 * Handles: post-increment and register-offset loads/stores, p.elw (returns MCS_XPULP_ELW),
 * hardware loop setup (lp.*), the scalar ALU/bit-manipulation group, p.mac/p.msu, the
 * mul/mac-with-shift and addN/subN groups, p.beqimm/p.bneimm, all pv.* packed SIMD including the
 * dot products and the GAP8 complex/viterbi ops, and CSR instructions (csrrw/s/c and the
 * immediate forms) on the hardware-loop CSRs and on CSRs served by io->csr_read/csr_write.
 */
int mcs_xpulp_execute(uint32_t insn, uint32_t pc, const mcs_xpulp_io *io, mcs_hwloops *loops,
                      mcs_xpulp_outcome *outcome);

/* Timing class of an instruction (what mcs_xpulp_class returns). */
enum mcs_xpulp_class {
    MCS_XPULP_CLASS_NONE = 0,   /* not recognised by the executor */
    MCS_XPULP_CLASS_LOAD = 1,   /* p.l* post-increment / register-offset loads */
    MCS_XPULP_CLASS_STORE = 2,  /* p.s* post-increment / register-offset stores */
    MCS_XPULP_CLASS_ALU = 3,    /* scalar ALU, bit manipulation, clip, addN/subN */
    MCS_XPULP_CLASS_MUL = 4,    /* p.mul{u,s,hhu,hhs}[N][R] */
    MCS_XPULP_CLASS_MAC = 5,    /* p.mac, p.msu, p.mac{u,s,hhu,hhs}[N][R] */
    MCS_XPULP_CLASS_SIMD = 6,   /* pv.* except the multiplier-based ones below */
    MCS_XPULP_CLASS_DOTP = 7,   /* pv.dot*, pv.sdot*, pv.cplxmul.s* */
    MCS_XPULP_CLASS_BRANCH = 8, /* p.beqimm, p.bneimm */
    MCS_XPULP_CLASS_HWLOOP = 9, /* lp.* */
    MCS_XPULP_CLASS_CSR = 10,   /* csrrw/s/c and the immediate forms */
    MCS_XPULP_CLASS_ELW = 11,   /* p.elw */
};

/*
 * Name of the instruction (e.g. "p.lw.postinc", "pv.sdotsp.sci.b", "lp.setup", "csrrs"), or NULL
 * if the executor does not recognise the encoding (it would return MCS_XPULP_ILLEGAL without even
 * looking at registers). Load/store names carry the addressing mode: ".postinc" = imm(rs1!),
 * ".rr.postinc" = rs2(rs1!), ".rr" = rs2(rs1). Static strings; never freed.
 */
const char *mcs_xpulp_mnemonic(uint32_t insn);

/* enum mcs_xpulp_class of the instruction; MCS_XPULP_CLASS_NONE exactly when the mnemonic is
 * NULL. */
int mcs_xpulp_class(uint32_t insn);

#endif
