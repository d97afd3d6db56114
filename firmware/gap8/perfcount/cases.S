/* perfcount (GAP8): RI5CY performance counters (pcer_v1, docs/gap8.md §7) around hand-written
 * sequences; the expected count of every event of every case, derived by hand, is in
 * expected.toml (tests/test_perfcount_ri5cy.py compares).
 *
 * Every case is `void pc_<name>(uint32_t *out, uint32_t *local, uint32_t *l2)` (ilp32): a0 = 16
 * words for the counters, a1 = 8 words of core-local data (FC TCDM or cluster L1), a2 = 8 words
 * in L2. Harness (macros below):
 *     csrw PCER, <events>; csrw PCCR31, zero   enable the events, clear every counter
 *     li t0, 1; csrw PCMR, t0                  count from the csrw on (a counter read or write
 *                                              is exact at its instruction: it sees the events
 *                                              of every instruction before it)
 *     <sequence>
 *     csrw PCMR, zero                          stop: the counters hold the sequence's events
 *                                              and the first csrw's instruction and cycles
 *     csrr/sw PCCR0..15 -> out[0..15]
 * CSR instructions are no load, store, jump or branch, so the counters of those events hold the
 * sequence's alone. Every instruction is 32 bits except in `rvc`; Xpulpv2 words are .insn.
 */
    .file "gap8/perfcount/cases.S"
    .option norvc
    .option norelax

    .equ PCER, 0x7A0
    .equ PCMR, 0x7A1
    .equ PCCR0, 0x780
    .equ PCCR_ALL, 0x79F
    .equ ALL_EVENTS, 0xFFFF

/* Table of cases in run order: {function, name, on_fc}; main.c walks pc_cases[0..count). */
    .section .rodata.pc_cases, "a"
    .balign 4
    .globl pc_cases
    .type pc_cases, @object
pc_cases:

    .equ CL, 0
    .equ FC, 1

    .macro CASE name, core
    .pushsection .rodata.pc_names, "a"
.Lpc_name_\name:
    .asciz "\name"
    .popsection
    .pushsection .rodata.pc_cases, "a"
    .word pc_\name, .Lpc_name_\name, \core
    .popsection
    .section .text.pc_\name, "ax"
    .balign 4
    .globl pc_\name
    .type pc_\name, @function
pc_\name:
    .endm

    .macro START events=ALL_EVENTS
    li t0, \events
    csrw PCER, t0
    csrw PCCR_ALL, zero
    li t0, 1
    csrw PCMR, t0
    .endm

    .macro STOP name
    csrw PCMR, zero
    .irp k, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    csrr t0, PCCR0 + \k
    sw t0, 4 * \k(a0)
    .endr
    ret
    .size pc_\name, . - pc_\name
    .endm

/* loads_stores: 4 lw and 3 sw on core-local data, no load used by the next instruction. */
    CASE loads_stores, FC
    START
    lw t1, 0(a1)
    lw t2, 4(a1)
    lw t3, 8(a1)
    lw t4, 12(a1)
    sw t1, 16(a1)
    sw t2, 20(a1)
    sw t3, 24(a1)
    STOP loads_stores

/* load_use: 2 loads, each read by the next instruction: 2 load-use stall cycles. */
    CASE load_use, FC
    START
    lw t1, 0(a1)
    addi t2, t1, 1
    lw t3, 4(a1)
    addi t4, t3, 1
    STOP load_use

/* jumps: jalr whose base the previous ALU instruction wrote (1 stall cycle), then a jal. */
    CASE jumps, FC
    START
    la t1, 1f
    jalr x0, 0(t1)
    nop
1:  jal x0, 2f
    nop
2:
    STOP jumps

/* branches: a loop of 5: bnez taken 4 times, not taken once. */
    CASE branches, FC
    li t1, 5
    START
1:  addi t1, t1, -1
    bnez t1, 1b
    STOP branches

/* rvc: 4 compressed instructions. */
    CASE rvc, FC
    li t1, 1
    START
    .option rvc
    c.addi t1, 1
    c.addi t1, 1
    c.mv t2, t1
    c.nop
    .option norvc
    STOP rvc

/* xpulp: 3 p.lw t, 4(a1!) post-increment loads and 1 p.sw t1, 4(a1!) store (rewritten into
 * stubs at load time; counted as the instructions they are). */
    CASE xpulp, FC
    START
    .insn i 0x0b, 2, t1, a1, 4
    .insn i 0x0b, 2, t2, a1, 4
    .insn i 0x0b, 2, t3, a1, 4
    .insn s 0x2b, 2, t1, 4(a1)
    STOP xpulp

/* l2_fc / l2_cl: 3 lw and 1 p.lw from L2: 4 external loads, each paying the core's L2 latency
 * (boards/gap8.toml [soc]: FC 2, cluster 10 cycles). */
    CASE l2_fc, FC
    START
    lw t1, 0(a2)
    lw t2, 4(a2)
    lw t3, 8(a2)
    .insn i 0x0b, 2, t4, a2, 4
    STOP l2_fc

    CASE l2_cl, CL
    START
    lw t1, 0(a2)
    lw t2, 4(a2)
    lw t3, 8(a2)
    .insn i 0x0b, 2, t4, a2, 4
    STOP l2_cl

/* held: only LD enabled (PCER bit 5); 2 loads counted, PCMR = 0 holds the counter over 2 loads,
 * PCMR = 1 counts 1 more: LD 3, every other counter 0 (not enabled). */
    CASE held, FC
    START 0x20
    lw t1, 0(a1)
    lw t2, 4(a1)
    csrw PCMR, zero
    lw t1, 8(a1)
    lw t2, 12(a1)
    li t0, 1
    csrw PCMR, t0
    lw t3, 16(a1)
    STOP held

    .section .rodata.pc_cases, "a"
    .balign 4
    .globl pc_case_count
pc_case_count:
    .word (pc_case_count - pc_cases) / 12
