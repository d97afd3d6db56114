/* microbench (GAP8): RI5CY cycle microbenchmarks, hand-written sequences timed with mcycle.
 *
 * Every case is a function `uint32_t mb_<name>(uint32_t *local, uint32_t *l2)` (ilp32, callable
 * from C; a0 = 16 words of core-local data: cluster L1 on a cluster core, FC TCDM on the FC;
 * a1 = 16 words in L2). It returns mcycle(after) - mcycle(before) around its timed sequence.
 * main.c subtracts the `empty` case of the same core and prints `case <name> cycles=<N>`. The
 * expected counts, with derivation and source (docs/gap8.md §5 column: RI5CY-UM, CV-PIPE or
 * GVSoC; §6 and boards/gap8.toml [soc] for L2), are in expected.toml, one row per case, the
 * same text as the comment above each case here.
 *
 * Which core: the case table names it (`CL` = cluster core 0, reached through the runtime's
 * gap8_cluster_call; `FC` = the fabric controller). Everything runs on cluster core 0; the
 * cases whose latency differs between the two cores (data in L2, core-local data) also run on
 * the FC under a `_fc` name.
 *
 * Harness (macros below):
 *     <setup, untimed>
 *     csrr t5, mcycle      read 1
 *     <timed sequence>     never writes t5
 *     csrr t6, mcycle      read 2
 *     sub a0, t6, t5; ret
 * Convention (mcusim's RI5CY model, like the M4 microbench): an mcycle read returns the cycles
 * of every instruction executed BEFORE the reading instruction. So read 2 - read 1 =
 * cycles(read 1) + cycles(sequence); the `empty` window (the two reads back to back) measures
 * one csrr, and measured(case) = raw(case) - raw(empty) = cycles(sequence).
 * Context: the reads neither load nor read a general register, so no sequence can stall on
 * them or make them stall (a sequence that ends with a load is followed by a csrr: no use).
 *
 * Every instruction is 32 bits (.option norvc) and every jump/branch target is word aligned:
 * no misaligned-target penalty (CV-PIPE: +1 for a non-aligned 32-bit target) anywhere.
 * Xpulpv2 instructions are .insn (docs/gap8.md §9, §12); hardware loops are .word, as in
 * ../conv5x5/main.c: lp.setup L, rs1, end = 0x7b | 4<<12 | L<<7 | rs1<<15 | ((end-.)>>1)<<20,
 * `end` = the LAST instruction of the body (RI5CY semantics, §9.3).
 */
    .file "gap8/microbench/cases.S"
    .option norvc
    .option norelax

/* Table of cases in run order: {function, name, on_fc}; main.c walks mb_cases[0..count). */
    .section .rodata.mb_cases, "a"
    .balign 4
    .globl mb_cases
    .type mb_cases, @object
mb_cases:

    .equ CL, 0
    .equ FC, 1

    /* ENTRY name, fn, core: one row of the table */
    .macro ENTRY name, fn, core
    .pushsection .rodata.mb_names, "a"
.Lmb_name_\name:
    .asciz "\name"
    .popsection
    .pushsection .rodata.mb_cases, "a"
    .word \fn, .Lmb_name_\name, \core
    .popsection
    .endm

    /* CASE name, core [, name_fc]: table entry (and the FC one) + function label */
    .macro CASE name, core=CL, fc_name=
    ENTRY \name, mb_\name, \core
    .ifnb \fc_name
    ENTRY \fc_name, mb_\name, FC
    .endif
    .section .text.mb_\name, "ax"
    .balign 4
    .globl mb_\name
    .type mb_\name, @function
mb_\name:
    .endm

    .macro BEGIN
    csrr t5, mcycle
    .endm

    .macro END name
    csrr t6, mcycle
    sub a0, t6, t5
    ret
    .size mb_\name, . - mb_\name
    .endm

    /* lp.setup L, rs1 (register number), end label */
    .macro LP_SETUP L, rs1, end
.Llp\@:
    .word 0x7b | (4 << 12) | (\L << 7) | (\rs1 << 15) | (((\end - .Llp\@) >> 1) << 20)
    .endm

    .equ T0, 5
    .equ T1, 6

/* ------------------------------------------------------------------------------------------
 * empty / empty_fc: expected 1. The window holds read 1 only: one csrr = 1.
 * Source: §5 "CSR access" GVSoC 1 (CV-PIPE gives 4 for mcycle; RI5CY-UM has no figure).
 * Printed raw; every other case prints raw - raw(empty of its core).
 */
    CASE empty, CL, empty_fc
    BEGIN
    END empty

/* alu_chain: expected 16 = 16 x `addi a2, a2, 1` (dependent chain) x 1.
 * Source: §5 "ALU" RI5CY-UM 1 / CV-PIPE 1 (forwarding EX->ID, no penalty) / GVSoC 1. */
    CASE alu_chain
    li a2, 0
    BEGIN
    .rept 16
    addi a2, a2, 1
    .endr
    END alu_chain

/* lw_local (cluster core 0: L1) / lw_local_fc (FC: FC TCDM): expected 4 = 4 independent lw x 1.
 * Source: §5 "load/store (0-wait memory)" RI5CY-UM 1 / CV-PIPE 1; §6 L1 from a cluster core
 * "1 cycle (no added latency)" (GVSoC); the FC TCDM is the FC's L1 (no latency in the board). */
    CASE lw_local, CL, lw_local_fc
    BEGIN
    lw a2, 0(a0)
    lw a3, 4(a0)
    lw a4, 8(a0)
    lw a5, 12(a0)
    END lw_local

/* lw_l2 (cluster core 0): expected 44 = 4 independent lw x (1 + 10).
 * lw_l2_fc (FC): expected 12 = 4 x (1 + 2).
 * Source: §5 load 1 + §6 "cluster->SoC (L2)" GVSoC 2 + 8 = +10 per L2 access from a cluster
 * core (boards/gap8.toml [soc] cluster_l2_latency_cycles = 10); FC: fc_l2_latency_cycles = 2,
 * the board's assumption (not published: docs/gap8.md §13 open question). */
    CASE lw_l2, CL, lw_l2_fc
    BEGIN
    lw a2, 0(a1)
    lw a3, 4(a1)
    lw a4, 8(a1)
    lw a5, 12(a1)
    END lw_l2

/* lw_use: expected 3 = lw 1 + load-use stall 1 + addi 1 (the addi reads the loaded a2).
 * Source: §5 "load-use hazard" CV-PIPE +1 / GVSoC +1 (load out-reg latency 2). */
    CASE lw_use
    BEGIN
    lw a2, 0(a0)
    addi a3, a2, 1
    END lw_use

/* lw_indep: expected 2 = lw 1 + addi 1 (the addi does not read a2: no stall).
 * Source: §5 "load-use hazard" (only when the NEXT instruction reads the result). */
    CASE lw_indep
    BEGIN
    lw a2, 0(a0)
    addi a3, a4, 1
    END lw_indep

/* lw_use_l2 (cluster core 0): expected 13 = lw 1 + L2 10 + load-use 1 + addi 1.
 * lw_use_l2_fc (FC): expected 5 = lw 1 + L2 2 + load-use 1 + addi 1.
 * Source: §5 load-use (CV-PIPE, GVSoC) + §6 L2 latency (boards/gap8.toml [soc]). */
    CASE lw_use_l2, CL, lw_use_l2_fc
    BEGIN
    lw a2, 0(a1)
    addi a3, a2, 1
    END lw_use_l2

/* sw_local: expected 4 = 4 x sw 1. Source: §5 "load/store" RI5CY-UM 1 / CV-PIPE 1. */
    CASE sw_local
    li a2, 7
    BEGIN
    sw a2, 32(a0)
    sw a2, 36(a0)
    sw a2, 40(a0)
    sw a2, 44(a0)
    END sw_local

/* mul_chain: expected 4 = 4 x `mul a2, a2, a3` (each reads the previous result) x 1.
 * Source: §5 "mul" RI5CY-UM 1 / CV-PIPE 1 (GVSoC's +1 on a dependent next instruction would
 * give 7; §5 note: use the RTL numbers). */
    CASE mul_chain
    li a2, 3
    li a3, 5
    BEGIN
    mul a2, a2, a3
    mul a2, a2, a3
    mul a2, a2, a3
    mul a2, a2, a3
    END mul_chain

/* mulh: expected 20 = 4 independent mulh x 5.
 * Source: §5 "mulh/mulhsu/mulhu" CV-PIPE 5 / GVSoC 5 (RI5CY-UM says 4: would give 16). */
    CASE mulh
    li a6, 0x12345678
    li a7, -3
    BEGIN
    mulh a2, a6, a7
    mulh a3, a6, a7
    mulhu a4, a6, a7
    mulhsu a5, a6, a7
    END mulh

/* div_d1: expected 34 = div by 1: clz(1) = 31, 31 + 3.
 * div_d256: expected 26 = div by 0x100: clz = 23, 23 + 3.
 * div_d65536: expected 18 = div by 0x10000: clz = 15, 15 + 3.
 * divu_dmsb: expected 3 = divu by 0x80000000: clz = 0, 0 + 3 (the minimum).
 * remu_d16: expected 30 = remu by 16: clz = 27, 27 + 3.
 * div_d0: expected 35 = div by 0 (the maximum).
 * Source: §5 "div/divu/rem/remu" GVSoC total = clz(divisor) + 3 / CV-PIPE 3..35 on the
 * divisor's leading zeros, 35 if the divisor is 0 (RI5CY-UM: 2..32, no formula). */
    .macro DIVCASE name, op, divisor
    CASE \name
    li a3, 1000000
    li a4, \divisor
    BEGIN
    \op a2, a3, a4
    END \name
    .endm
    DIVCASE div_d1, div, 1
    DIVCASE div_d256, div, 0x100
    DIVCASE div_d65536, div, 0x10000
    DIVCASE divu_dmsb, divu, 0x80000000
    DIVCASE remu_d16, remu, 16
    DIVCASE div_d0, div, 0

/* div_dneg256: expected 25 = signed div by -256: GVSoC clz(-d) + 2 = clz(256) + 2 = 23 + 2.
 * Source: §5 "div" GVSoC column "(signed negative divisor: clz(-d)+2)"; CV-PIPE gives no rule
 * for negative divisors. */
    DIVCASE div_dneg256, div, -256

/* branch_taken: expected 3 = beq taken 3 (the skipped addi does not execute).
 * Source: §5 "branch taken" CV-PIPE 3 / GVSoC 3 (RI5CY-UM: no figure). */
    CASE branch_taken
    li a2, 0
    BEGIN
    beq a2, zero, 1f
    addi a3, a3, 1
1:  END branch_taken

/* branch_not_taken: expected 2 = bne not taken 1 + addi 1.
 * Source: §5 "branch not taken" CV-PIPE 1 / GVSoC 1. */
    CASE branch_not_taken
    li a2, 0
    BEGIN
    bne a2, zero, 1f
    addi a3, a3, 1
1:  END branch_not_taken

/* jal: expected 2 = `j` (jal zero) 2, over one addi that does not execute.
 * Source: §5 "jal / jalr" CV-PIPE 2 / GVSoC 2 (word-aligned target). */
    CASE jal
    BEGIN
    j 1f
    addi a3, a3, 1
1:  END jal

/* jalr: expected 2 = jalr 2 (its base t0 was set before read 1: no data hazard).
 * Source: §5 "jal / jalr" CV-PIPE 2 / GVSoC 2. */
    CASE jalr
    la t0, 1f
    BEGIN
    jalr zero, 0(t0)
    addi a3, a3, 1
1:  END jalr

/* call_ret: expected 4 = jal t1 2 + jalr 0(t1) 2 (a call to a one-instruction leaf and back).
 * Source: §5 "jal / jalr" CV-PIPE 2 / GVSoC 2. */
    CASE call_ret
    BEGIN
    jal t1, 2f
    END call_ret
2:  jalr zero, 0(t1)

/* jalr_dep: expected 4 = addi 1 + jalr 2 + 1 (the jalr reads t0, written by the instruction
 * just before it). Source: §5 "jalr data hazard" CV-PIPE +1 (RI5CY-UM counts these stalls as
 * JR_STALL; GVSoC does not model it: it would give 3). The two RTL references agree, so the
 * RTL figure is used (the model's rule for conflicts, ri5cy.toml header). */
    CASE jalr_dep
    la t0, 1f
    BEGIN
    addi t0, t0, 0
    jalr zero, 0(t0)
    addi a3, a3, 1
1:  END jalr_dep

/* hwloop_4x8: expected 33 = lp.setup 1 + 8 iterations x 4-instruction body x 1, zero-cost back
 * edges. Source: §5 "hardware loop back-edge" RI5CY-UM "zero stall cycles" / CV-PIPE 0 / GVSoC
 * 0; lp.setup 1 (§5 "ALU / most Xpulp" 1). */
    CASE hwloop_4x8
    li t0, 8
    li a2, 0
    BEGIN
    LP_SETUP 0, T0, 2f
    addi a2, a2, 1
    addi a3, a3, 1
    addi a4, a4, 1
2:  addi a5, a5, 1
    END hwloop_4x8

/* hwloop_count1: expected 5 = lp.setup 1 + 1 iteration x 4. Source: as hwloop_4x8. */
    CASE hwloop_count1
    li t0, 1
    BEGIN
    LP_SETUP 0, T0, 2f
    addi a2, a2, 1
    addi a3, a3, 1
    addi a4, a4, 1
2:  addi a5, a5, 1
    END hwloop_count1

/* hwloop_nested: expected 34 = outer lp.setup 1 + 3 x (inner lp.setup 1 + 4 x 2-instruction
 * inner body + 2 instructions after the inner loop) = 1 + 3 x 11. Loop 1 outer, loop 0 inner
 * (RI5CY-UM: nested loops use loop 0 for the inner one; the inner end is not the outer end).
 * Source: as hwloop_4x8. */
    CASE hwloop_nested
    li t0, 3
    li t1, 4
    BEGIN
    LP_SETUP 1, T0, 3f
    LP_SETUP 0, T1, 2f
    addi a2, a2, 1
2:  addi a3, a3, 1
    addi a4, a4, 1
3:  addi a5, a5, 1
    END hwloop_nested

/* p_mac: expected 8 = 8 x `p.mac a2, a3, a4` (accumulating into a2: a chain) x 1.
 * Source: §5 "ALU / most Xpulp ALU, SIMD, dot products, p.mac" RI5CY-UM 1 / CV-PIPE 1 / GVSoC 1. */
    CASE p_mac
    li a2, 0
    li a3, 3
    li a4, 5
    BEGIN
    .rept 8
    .insn r 0x33, 0, 0x21, a2, a3, a4
    .endr
    END p_mac

/* pv_sdotsp_b: expected 8 = 8 x `pv.sdotsp.b a2, a3, a4` (accumulating chain) x 1.
 * Source: §5 "dot products" RI5CY-UM 1 / CV-PIPE 1 / GVSoC 1. */
    CASE pv_sdotsp_b
    li a2, 0
    li a3, 0x01020304
    li a4, 0xFF02FE03
    BEGIN
    .rept 8
    .insn r 0x57, 1, 0x5c, a2, a3, a4
    .endr
    END pv_sdotsp_b

/* pv_add_b: expected 8 = 8 x `pv.add.b a2, a2, a3` x 1. Source: §5 "SIMD" RI5CY-UM 1 /
 * CV-PIPE 1 / GVSoC 1. */
    CASE pv_add_b
    li a2, 0
    li a3, 0x01020304
    BEGIN
    .rept 8
    .insn r 0x57, 1, 0x00, a2, a2, a3
    .endr
    END pv_add_b

/* p_clip: expected 8 = 8 x `p.clip a2, a2, 8` (clamp to [-128, 127]) x 1.
 * Source: §5 "most Xpulp ALU" RI5CY-UM 1 / CV-PIPE 1 / GVSoC 1. */
    CASE p_clip
    li a2, 1000
    BEGIN
    .rept 8
    .insn r 0x33, 1, 0x0a, a2, a2, x8
    .endr
    END p_clip

/* p_extract: expected 8 = 8 x `p.extract a2, a2, 7, 8` (8 bits from bit 8, sign-extended) x 1.
 * Source: §5 "most Xpulp ALU" RI5CY-UM 1 / CV-PIPE 1 / GVSoC 1. */
    CASE p_extract
    li a2, 0x12345678
    BEGIN
    .rept 8
    .insn r 0x33, 0, 0x67, a2, a2, x8
    .endr
    END p_extract

/* p_lw_postinc: expected 4 = 4 x `p.lw aN, 4(a0!)` x 1 (each reads the base the previous one
 * incremented: an ALU result, forwarded; none reads a loaded register).
 * Source: §5 "load/store" RI5CY-UM 1 / CV-PIPE 1 / GVSoC 1 (L1 / FC TCDM: no added latency). */
    CASE p_lw_postinc
    BEGIN
    .insn i 0x0b, 2, a2, a0, 4
    .insn i 0x0b, 2, a3, a0, 4
    .insn i 0x0b, 2, a4, a0, 4
    .insn i 0x0b, 2, a5, a0, 4
    END p_lw_postinc

/* p_lw_use: expected 3 = p.lw 1 + load-use stall 1 + addi 1 (reads the loaded a2).
 * Source: §5 "load-use hazard" CV-PIPE +1 / GVSoC +1 (any load: out-reg latency 2). */
    CASE p_lw_use
    BEGIN
    .insn i 0x0b, 2, a2, a0, 4
    addi a3, a2, 1
    END p_lw_use

/* p_lw_base_use: expected 2 = p.lw 1 + addi 1 (the addi reads the incremented base a0, an ALU
 * result written in EX: not the load result, no stall).
 * Source: §5 "load-use hazard" (the load result only) / "ALU" forwarding. */
    CASE p_lw_base_use
    BEGIN
    .insn i 0x0b, 2, a2, a0, 4
    addi a3, a0, 1
    END p_lw_base_use

/* p_lw_sdot_use: expected 3 = p.lw 1 + load-use 1 + pv.sdotsp.b 1 (its rs1 is the loaded a2).
 * Source: §5 "load-use hazard" CV-PIPE / GVSoC + "dot products" 1. */
    CASE p_lw_sdot_use
    li a4, 0x01010101
    BEGIN
    .insn i 0x0b, 2, a2, a0, 4
    .insn r 0x57, 1, 0x5c, a3, a2, a4
    END p_lw_sdot_use

/* lw_pmac_use: expected 3 = lw 1 + load-use 1 + p.mac 1 (its rs1 is the loaded a2).
 * Source: §5 "load-use hazard" CV-PIPE / GVSoC + "p.mac" 1. */
    CASE lw_pmac_use
    li a4, 3
    BEGIN
    lw a2, 0(a0)
    .insn r 0x33, 0, 0x21, a3, a2, a4
    END lw_pmac_use

/* p_lw_l2: expected 11 = p.lw 1 + L2 10, from cluster core 0.
 * Source: §5 load 1 + §6 "+10 per L2 access from a cluster core" (boards/gap8.toml [soc]). */
    CASE p_lw_l2
    BEGIN
    .insn i 0x0b, 2, a2, a1, 4
    END p_lw_l2

/* p_beqimm_taken: expected 3 = p.beqimm a2, 5 taken (a2 = 5), over an addi that does not run.
 * Source: §5 "branch taken (incl. p.beqimm/p.bneimm)" CV-PIPE 3 / GVSoC 3. */
    CASE p_beqimm_taken
    li a2, 5
    BEGIN
    .insn b 0x63, 2, a2, x5, 1f
    addi a3, a3, 1
1:  END p_beqimm_taken

/* p_beqimm_not_taken: expected 2 = p.beqimm a2, 5 not taken (a2 = 0) 1 + addi 1.
 * Source: §5 "branch not taken" CV-PIPE 1 / GVSoC 1. */
    CASE p_beqimm_not_taken
    li a2, 0
    BEGIN
    .insn b 0x63, 2, a2, x5, 1f
    addi a3, a3, 1
1:  END p_beqimm_not_taken

/* end of the table (same section as the rows: the count is an assembly-time constant) */
    .section .rodata.mb_cases, "a"
.Lmb_cases_end:
    .globl mb_case_count
    .type mb_case_count, @object
mb_case_count:
    .word (.Lmb_cases_end - mb_cases) / 12
    .size mb_case_count, 4
