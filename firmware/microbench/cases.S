/* microbench cases: hand-written Cortex-M4 sequences timed with DWT->CYCCNT.
 *
 * Every case is a function `uint32_t mb_<name>(void)` (AAPCS, callable from C) that returns
 * CYCCNT(after) - CYCCNT(before) around its timed sequence. main.c subtracts the `empty`
 * case (the two reads back to back) and prints `case <name> cycles=<N>`. The expected
 * counts, with their derivations and sources, are in expected.toml (one row per case, same
 * text as the comment above each case here). Sources are the rows of
 * ../shared/docs/cortexm.md §1.1 (integer), §1.2 (FPU), §1.3 (pipelining and hazards), §1.4
 * (memory system); keys as in that file (M4TRM, TI-M4F, M3TRM18, LSRULES, GCC-M4, JNK...).
 *
 * Harness (macros below). Each case function is:
 *     push {r4-r11, lr}; mov r11, sp; ldr r6, =0xE0001004   (r6 = &DWT->CYCCNT)
 *     <setup, untimed>
 *     .balign 4 (or 16)
 *     mov r7, r7          @ fixed 16-bit ALU instruction before the first read, so the read
 *                         @ never pipelines with (or waits on) a setup instruction
 *     ldr r4, [r6]        @ read 1: 16-bit LDR, address register untouched since the prologue
 *     <timed sequence>    @ starts word-aligned (16-byte aligned for the flash-fetch cases)
 *     ldr r5, [r6]        @ read 2
 *     subs r0, r5, r4; mov sp, r11; pop {r4-r11, pc}
 * Timed sequences never write r4, r5, r6 or r11.
 *
 * Convention (as mcusim's M4 model counts): a CYCCNT read returns the cycles of every
 * instruction executed BEFORE the reading instruction. So read 2 - read 1 = cycles(read 1) +
 * cycles(sequence), and the `empty` window (read 1 directly followed by read 2) measures
 * cycles(read 1) = one LDR = 2. measured(case) = raw(case) - raw(empty) = cycles(sequence).
 *
 * Context rule: the instruction before the sequence is an LDR (read 1) and the one after is
 * an LDR (read 2). A load/store next to another load gets pipelined or stalled (LSRULES;
 * JNK: "stores cannot be pipelined with following load instructions", and a PPB load does
 * not pipeline with an SRAM/CCM load on silicon). So every case whose sequence starts or
 * ends with a load/store is bracketed by GUARD = `mov r12, r12` (a 16-bit ALU op, 1 cycle;
 * not a NOP hint, which JNK says a load can "eat"); the two guards are counted in its
 * expected value.
 *
 * Data: the load/store cases use CCM (0x10000000, D-bus, 0 wait states), so on silicon their
 * data accesses do not compete with instruction fetch from SRAM (S-bus). ldr8_sram and
 * pop/push (stack in SRAM1) use SRAM1. The flash cases are marked model-dependent.
 */
    .syntax unified
    .thumb
    .cpu cortex-m4
    .fpu fpv4-sp-d16
    .file "microbench/cases.S"

    .equ DWT_CYCCNT, 0xE0001004
    .equ CCM_BASE, 0x10000000

/* Table of cases, in run order: {function, name}; main.c walks mb_cases[0..mb_case_count). */
    .section .rodata.mb_cases,"a",%progbits
    .balign 4
    .global mb_cases
    .type mb_cases, %object
mb_cases:

    .macro ENTRY name, fn
    .pushsection .rodata.mb_names,"a",%progbits
.Lmb_name_\name:
    .asciz "\name"
    .popsection
    .pushsection .rodata.mb_cases,"a",%progbits
    .word \fn, .Lmb_name_\name
    .popsection
    .endm

    /* CASE name [, section]: table entry + function prologue (untimed). */
    .macro CASE name, sect=.ramfunc
    ENTRY \name, mb_\name
    .section \sect\().mb_\name,"ax",%progbits
    .balign 4
    .global mb_\name
    .type mb_\name, %function
    .thumb_func
mb_\name:
    push {r4-r11, lr}
    mov r11, sp
    ldr r6, =DWT_CYCCNT
    .endm

    /* BEGIN [align]: the fixed pre-read instruction and read 1. */
    .macro BEGIN align=4
    .balign \align
    mov r7, r7
    ldr r4, [r6]
    .endm

    /* END name: read 2, result, epilogue, literal pool. */
    .macro END name
    ldr r5, [r6]
    subs r0, r5, r4
    mov sp, r11
    pop {r4-r11, pc}
    .ltorg
    .size mb_\name, . - mb_\name
    .endm

    .macro GUARD
    mov r12, r12
    .endm

/* ------------------------------------------------------------------------------------------
 * empty: expected 2. The window holds read 1 only: one LDR, not pipelined (the instruction
 * before it is `mov r7, r7`) = 2. Source: M3TRM18 "Load-store single 2" (§1.1 load single).
 * Printed as is; every other case prints raw - raw(empty).
 */
    CASE empty
    BEGIN
    END empty

/* nop32: expected 33 = GUARD 1 + 32 x NOP 1. Source: M3TRM18 NOP 1 (§1.1 barriers, hints).
 * The guard keeps the first NOP from following read 1 (JNK: loads can eat a following NOP). */
    CASE nop32
    BEGIN
    GUARD
    .rept 32
    nop
    .endr
    END nop32

/* alu32: expected 32 = 32 x ADDS r0,r0,#1 (16-bit, dependent chain) x 1.
 * Source: M4TRM/TI-M4F ALU 1 (§1.1 ALU row); a dependent ALU result is forwarded (no stall). */
    CASE alu32
    movs r0, #0
    BEGIN
    .rept 32
    adds r0, r0, #1
    .endr
    END alu32

/* alu32_wide: expected 32 = 32 x ADD.W r0,r0,#1 (32-bit encoding) x 1. Source: as alu32. */
    CASE alu32_wide
    movs r0, #0
    BEGIN
    .rept 32
    add.w r0, r0, #1
    .endr
    END alu32_wide

/* mul16: expected 16 = 16 x MULS r0,r1,r0 (dependent chain) x 1.
 * Source: M4TRM multiply MUL 1 (§1.1 multiply; the M3 would need 1-2). */
    CASE mul16
    movs r0, #3
    movs r1, #1
    BEGIN
    .rept 16
    muls r0, r1, r0
    .endr
    END mul16

/* mla16: expected 16 = 16 x MLA r0,r1,r2,r0 (accumulator chain) x 1.
 * Source: M4TRM multiply MLA 1 (§1.1 multiply). */
    CASE mla16
    movs r0, #0
    movs r1, #1
    movs r2, #2
    BEGIN
    .rept 16
    mla r0, r1, r2, r0
    .endr
    END mla16

/* smull16: expected 16 = 16 x SMULL r0,r2,r1,r3 x 1.
 * Source: TI-M4F long multiply SMULL 1 on M4 (§1.1 long multiply; M3 3-5). */
    CASE smull16
    movs r1, #100
    movs r3, #7
    BEGIN
    .rept 16
    smull r0, r2, r1, r3
    .endr
    END smull16

/* umlal16: expected 16 = 16 x UMLAL r0,r2,r1,r3 (64-bit accumulator chain) x 1.
 * Source: TI-M4F long multiply UMLAL 1 on M4 (§1.1 long multiply; M3 4-7). */
    CASE umlal16
    movs r0, #0
    movs r2, #0
    movs r1, #100
    movs r3, #7
    BEGIN
    .rept 16
    umlal r0, r2, r1, r3
    .endr
    END umlal16

/* smlad16: expected 16 = 16 x SMLAD r0,r1,r2,r0 (accumulator chain) x 1.
 * Source: §1.1 DSP/SIMD row (single-cycle MAC; LLVM-M4 SMLAD latency 1). */
    CASE smlad16
    movs r0, #0
    ldr r1, =0x00030002
    ldr r2, =0x00050004
    BEGIN
    .rept 16
    smlad r0, r1, r2, r0
    .endr
    END smlad16

/* sxtb16_16: expected 16 = 16 x SXTB16 r0,r0 (dependent chain) x 1.
 * Source: §1.1 DSP/SIMD row (SXTB16 1; LLVM-M4). */
    CASE sxtb16_16
    ldr r0, =0x00800080
    BEGIN
    .rept 16
    sxtb16 r0, r0
    .endr
    END sxtb16_16

/* qadd16: expected 16 = 16 x QADD r0,r0,r1 (dependent chain) x 1.
 * Source: §1.1 DSP/SIMD row (QADD 1; LLVM-M4). */
    CASE qadd16
    movs r0, #0
    movs r1, #3
    BEGIN
    .rept 16
    qadd r0, r0, r1
    .endr
    END qadd16

/* Divide: the TRM gives only "2-12, early termination" (TI-M4F, M3TRM18; §1.1 divide).
 * ASSUMPTION (documented formula, not a vendor table): for A / B with bits(x) = 32 - clz(|x|),
 *     cycles = 2                                             if A == 0 or B == 0
 *     cycles = clamp(2 + floor((bits(A) - bits(B) + 1) / 3), 2, 12)   otherwise
 * i.e. about 3 quotient bits per cycle after a 2-cycle setup; it meets the TRM's bounds
 * exactly (0xFFFFFFFF / 1 -> 12). Community note (compendium.i-0.nl, M4 measurements): a
 * zero operand takes 2 and the time grows with bits(A) - bits(B); its exact formula was not
 * retrievable, so udiv_zero8 and udiv_max8 (the two TRM bounds) are the firm checks and
 * sdiv_mid8 depends on the formula. Divides do not overlap each other. */

/* udiv_zero8: expected 16 = 8 x UDIV (0 / 7) x 2 (TRM minimum: zero dividend). */
    CASE udiv_zero8
    movs r1, #0
    movs r2, #7
    BEGIN
    .rept 8
    udiv r0, r1, r2
    .endr
    END udiv_zero8

/* sdiv_mid8: expected 48 = 8 x SDIV (-65536 / 16) x 6; bits(65536) = 17, bits(16) = 5,
 * 2 + floor((17 - 5 + 1) / 3) = 2 + 4 = 6 (ASSUMPTION formula above). */
    CASE sdiv_mid8
    ldr r1, =-65536
    movs r2, #16
    BEGIN
    .rept 8
    sdiv r0, r1, r2
    .endr
    END sdiv_mid8

/* udiv_max8: expected 96 = 8 x UDIV (0xFFFFFFFF / 1) x 12 (TRM maximum: 32-bit quotient). */
    CASE udiv_max8
    mov r1, #-1
    movs r2, #1
    BEGIN
    .rept 8
    udiv r0, r1, r2
    .endr
    END udiv_max8

/* ldr_single8: expected 26 = GUARD 1 + 8 x (LDR 2 + ADDS 1) + GUARD 1.
 * Each LDR follows an ALU op, so none is pipelined. Source: M3TRM18 "Load-store single 2"
 * (§1.1 load single); LSRULES pipelining only applies to a load/store after a load (§1.3). */
    CASE ldr_single8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28
    ldr r0, [r1, #\off]
    adds r2, r2, #1
    .endr
    GUARD
    END ldr_single8

/* ldr_pipelined16: expected 19 = GUARD 1 + 16 independent LDRs pipelined (16 + 1 = 17) +
 * GUARD 1. All 16-bit, word-aligned, same base r1, no LDR uses an earlier LDR's destination.
 * Source: LSRULES "LDR are pipelined when possible" (§1.3 first row): the first LDR 2, each
 * following one 1 (N + 1). */
    CASE ldr_pipelined16
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .irp off, 0, 16, 32, 48
    ldr r0, [r1, #\off]
    ldr r2, [r1, #\off + 4]
    ldr r3, [r1, #\off + 8]
    ldr r7, [r1, #\off + 12]
    .endr
    GUARD
    END ldr_pipelined16

/* ldr_use8: expected 26 = GUARD 1 + 8 x (LDR r0 2 + ADDS r0,r0,#1 1) + GUARD 1.
 * Load-use: no extra stall, the LDR's 2 cycles cover its result latency for an ALU consumer.
 * Source: M3TRM18 LDR 2 (§1.1); GCC-M4 load1 latency 2 = its issue cost (§1.1 load single);
 * the only +1 hazard in §1.3 is for an address operand (ldr_agu8). */
    CASE ldr_use8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28
    ldr r0, [r1, #\off]
    adds r0, r0, #1
    .endr
    GUARD
    END ldr_use8

/* ldr_agu8: expected 34 = GUARD 1 + 8 x (ADDS r1,r1,#4 1 + AGU stall 1 + LDR r0,[r1] 2) +
 * GUARD 1. Source: LSRULES/GCC-M4 AGU hazard "address from the preceding data-processing
 * result stalls one cycle" (§1.3 AGU row); LDR 2 (§1.1). */
    CASE ldr_agu8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .rept 8
    adds r1, r1, #4
    ldr r0, [r1]
    .endr
    GUARD
    END ldr_agu8

/* str_imm8: expected 10 = GUARD 1 + 8 x STR r0,[r1,#imm] 1 + GUARD 1.
 * Source: LSRULES "STR effectively 1 cycle (write buffer)" (§1.1 store single); JNK
 * "immediate offset store effectively execute in 1 cycle". */
    CASE str_imm8
    ldr r1, =CCM_BASE + 0x100
    movs r0, #0
    BEGIN
    GUARD
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28
    str r0, [r1, #\off]
    .endr
    GUARD
    END str_imm8

/* str_reg8: expected 18 = GUARD 1 + 8 x STR r0,[r1,r2] 2 + GUARD 1.
 * Source: LSRULES/JNK "STR with register offset 2"; nothing pipelines after it (§1.1 store
 * register offset; §1.3 second row). */
    CASE str_reg8
    ldr r1, =CCM_BASE + 0x100
    movs r0, #0
    movs r2, #4
    BEGIN
    GUARD
    .rept 8
    str r0, [r1, r2]
    .endr
    GUARD
    END str_reg8

/* ldrd8: expected 26 = GUARD 1 + 8 x LDRD 3 + GUARD 1.
 * Source: §1.1 LDRD/STRD 1+N = 3 (TRM, GCC-M4 load2 = 3); LSRULES "LDRD/STRD cannot be
 * pipelined" (§1.3). */
    CASE ldrd8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .irp off, 0, 8, 16, 24, 32, 40, 48, 56
    ldrd r0, r2, [r1, #\off]
    .endr
    GUARD
    END ldrd8

/* strd8: expected 26 = GUARD 1 + 8 x STRD 3 + GUARD 1. Source: as ldrd8 (GCC-M4 store2 = 3). */
    CASE strd8
    ldr r1, =CCM_BASE + 0x100
    movs r0, #0
    movs r2, #0
    BEGIN
    GUARD
    .irp off, 0, 8, 16, 24, 32, 40, 48, 56
    strd r0, r2, [r1, #\off]
    .endr
    GUARD
    END strd8

/* ldm4x8: expected 42 = GUARD 1 + 8 x LDM r1,{r0,r2,r3,r7} (1 + N = 5) + GUARD 1.
 * No writeback (32-bit encoding) so no base-update hazard. Source: M3TRM18 LDM 1+N (§1.1
 * LDM/STM/PUSH/POP; GCC-M4 load4 = 5). */
    CASE ldm4x8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .rept 8
    ldm r1, {r0, r2, r3, r7}
    .endr
    GUARD
    END ldm4x8

/* stm4x8: expected 42 = GUARD 1 + 8 x STM r1,{r0,r2,r3,r7} (1 + N = 5) + GUARD 1.
 * Source: M3TRM18 STM 1+N (§1.1 LDM/STM/PUSH/POP). */
    CASE stm4x8
    ldr r1, =CCM_BASE + 0x100
    BEGIN
    GUARD
    .rept 8
    stm r1, {r0, r2, r3, r7}
    .endr
    GUARD
    END stm4x8

/* push4x8: expected 42 = GUARD 1 + 8 x PUSH {r0-r3} (1 + N = 5) + GUARD 1 (stack in SRAM1).
 * Source: M3TRM18 PUSH 1+N (§1.1 LDM/STM/PUSH/POP). */
    CASE push4x8
    BEGIN
    GUARD
    .rept 8
    push {r0-r3}
    .endr
    GUARD
    END push4x8

/* pop4x8: expected 42 = GUARD 1 + 8 x POP {r0-r3} (1 + N = 5, no PC) + GUARD 1.
 * Source: M3TRM18 POP 1+N (+P only if PC is loaded) (§1.1 LDM/STM/PUSH/POP). */
    CASE pop4x8
    .rept 8
    push {r0-r3}
    .endr
    BEGIN
    GUARD
    .rept 8
    pop {r0-r3}
    .endr
    GUARD
    END pop4x8

/* Branches. P (pipeline refill) = 2 for every taken branch here: the targets are word-aligned
 * 16-bit instructions (M3TRM18 "pipeline reloads (two cycles are added)"; GCC-M4 branch = 3;
 * LLVM-M4 MispredictPenalty 2; §1.1 branch row). The `.balign 4` padding after a taken branch
 * is never executed. */

/* b_taken8: expected 24 = 8 x B.N taken to the next word-aligned address (1 + P = 3). */
    CASE b_taken8
    BEGIN
    .rept 8
    b.n 1f
    .balign 4
1:
    .endr
    END b_taken8

/* bcc_taken8: expected 24 = 8 x BEQ.N taken (Z = 1), word-aligned target (1 + P = 3).
 * Source: §1.1 conditional branch "1+P if taken". */
    CASE bcc_taken8
    cmp r0, r0
    BEGIN
    .rept 8
    beq.n 1f
    .balign 4
1:
    .endr
    END bcc_taken8

/* bcc_not_taken16: expected 16 = 16 x BNE.N not taken (Z = 1) x 1.
 * Source: §1.1 conditional branch "1 if not taken". */
    CASE bcc_not_taken16
    cmp r0, r0
    BEGIN
    .rept 16
    bne.n 9f
    .endr
9:
    END bcc_not_taken16

/* cbz_taken8: expected 24 = 8 x CBZ taken (r0 = 0), word-aligned target (1 + P = 3).
 * Source: §1.1 CBZ/CBNZ "1+P if taken". */
    CASE cbz_taken8
    movs r0, #0
    BEGIN
    .rept 8
    cbz r0, 1f
    .balign 4
1:
    .endr
    END cbz_taken8

/* cbz_not_taken16: expected 16 = 16 x CBZ not taken (r0 = 1) x 1.
 * Source: §1.1 CBZ/CBNZ "1 if not taken". */
    CASE cbz_not_taken16
    movs r0, #1
    BEGIN
    .rept 16
    cbz r0, 9f
    .endr
9:
    END cbz_not_taken16

/* tbb8: expected 32 = 8 x TBB [pc, r0] (r0 = 0; table entry 2 -> the next word-aligned
 * instruction) x (2 + P = 4). Source: M3TRM18 table branch 2+P (§1.1 table branch).
 * FLAG: the same row quotes LSRULES "at least six cycles" for TBB/TBH; with that reading
 * this case would be 8 x 6 = 48. The TRM formula 2+P with P = 2 is used here. */
    CASE tbb8
    movs r0, #0
    BEGIN
    .rept 8
    tbb [pc, r0]
    .byte 2, 0, 0, 0
    .endr
    END tbb8

/* tbh8: expected 32 = 8 x TBH [pc, r0, lsl #1] (r0 = 0; entry 2) x (2 + P = 4).
 * Source and FLAG: as tbb8. */
    CASE tbh8
    movs r0, #0
    BEGIN
    .rept 8
    tbh [pc, r0, lsl #1]
    .hword 2, 0
    .endr
    END tbh8

/* IT blocks: group = <op>; ITT EQ; ADDEQ r0,r0,#1; ADDEQ r3,r3,#1.
 * An instruction whose condition fails inside an IT block still takes its issue cycle (1).
 * IT itself costs 1, or 0 when it folds onto a preceding 16-bit instruction (LLVM-M4 "only
 * IT can be dual-issued"; §1.1 IT row). FLAG: folding is from the LLVM model comment and
 * the M3 TRM folding note, not a TI-M4F table row. */

/* it_pass8: expected 32 = 8 x (ADD.W 1 + IT 1 (no fold: after a 32-bit op) + 2 x ADDEQ 1),
 * Z = 1 so both conditional adds execute. */
    CASE it_pass8
    cmp r0, r0
    BEGIN
    .rept 8
    add.w r2, r2, r8
    itt eq
    addeq r0, r0, #1
    addeq r3, r3, #1
    .endr
    END it_pass8

/* it_fail8: expected 32 = 8 x (ADD.W 1 + IT 1 + 2 x skipped ADDEQ 1), Z = 0. */
    CASE it_fail8
    movs r0, #1
    BEGIN
    .rept 8
    add.w r2, r2, r8
    itt eq
    addeq r0, r0, #1
    addeq r3, r3, #1
    .endr
    END it_fail8

/* it_fold_pass8: expected 24 = 8 x (ADD r2,r8 (16-bit) 1 + IT 0 (folded) + 2 x ADDEQ 1),
 * Z = 1. */
    CASE it_fold_pass8
    cmp r0, r0
    BEGIN
    .rept 8
    add r2, r8
    itt eq
    addeq r0, r0, #1
    addeq r3, r3, #1
    .endr
    END it_fold_pass8

/* it_fold_fail8: expected 24 = 8 x (ADD r2,r8 1 + IT 0 (folded) + 2 x skipped ADDEQ 1),
 * Z = 0. */
    CASE it_fold_fail8
    movs r0, #1
    BEGIN
    .rept 8
    add r2, r8
    itt eq
    addeq r0, r0, #1
    addeq r3, r3, #1
    .endr
    END it_fold_fail8

/* bl_bx8: expected 48 = 8 x (BL 1 + P + BX LR 1 + P) = 8 x 6, P = 2 (word-aligned callee
 * `mb_leaf: bx lr` and word-aligned return addresses). Source: M3TRM18 BL, BX 1+P (§1.1
 * branch row). */
    CASE bl_bx8
    BEGIN
    .rept 8
    bl mb_leaf
    .endr
    END bl_bx8

    .section .ramfunc.mb_leaf,"ax",%progbits
    .balign 4
    .type mb_leaf, %function
    .thumb_func
mb_leaf:
    bx lr
    .size mb_leaf, . - mb_leaf

/* vadd16: expected 16 = 16 x VADD.F32 (independent: destinations s2..s9, twice) x 1.
 * Source: TI-M4F FPU VADD.F32 1 (§1.2). Independent so that the GCC-model result latency
 * of 2 (§1.2) plays no part. */
    CASE vadd16
    vmov.f32 s0, #1.0
    vmov.f32 s1, #1.0
    BEGIN
    .rept 2
    .irp d, 2, 3, 4, 5, 6, 7, 8, 9
    vadd.f32 s\d, s0, s1
    .endr
    .endr
    END vadd16

/* vmul16: expected 16 = 16 x VMUL.F32 (independent) x 1. Source: TI-M4F VMUL.F32 1 (§1.2). */
    CASE vmul16
    vmov.f32 s0, #1.0
    vmov.f32 s1, #2.0
    BEGIN
    .rept 2
    .irp d, 2, 3, 4, 5, 6, 7, 8, 9
    vmul.f32 s\d, s0, s1
    .endr
    .endr
    END vmul16

/* vmla_chain8: expected 24 = 8 x VMLA.F32 s0,s1,s2 (accumulator chain) x 3.
 * Source: TI-M4F VMLA.F32 3; GCC-M4FPU MAC-to-MAC 3 (§1.2 VMLA row). */
    CASE vmla_chain8
    movs r0, #0
    vmov s0, r0
    vmov.f32 s1, #1.0
    vmov.f32 s2, #1.0
    BEGIN
    .rept 8
    vmla.f32 s0, s1, s2
    .endr
    END vmla_chain8

/* vdiv_chain8: expected 113 = 8 x VDIV.F32 s0,s0,s1 (dependent chain) x 14 + VMOV r0,s0 1.
 * The trailing VMOV reads the last quotient so the last divide completes inside the window
 * ("integer instructions following VDIV complete out-of-order", §1.2). Source: TI-M4F
 * VDIV.F32 14, VMOV 1 (§1.2). FLAG: GCC-M4FPU gives result latency 15, which on silicon
 * could add up to 1 per dependent divide. */
    CASE vdiv_chain8
    vmov.f32 s0, #1.0
    vmov.f32 s1, #1.0
    BEGIN
    .rept 8
    vdiv.f32 s0, s0, s1
    .endr
    vmov r0, s0
    END vdiv_chain8

/* vsqrt_chain8: expected 113 = 8 x VSQRT.F32 s0,s0 (chain, sqrt(1.0) = 1.0) x 14 + VMOV 1.
 * Source and FLAG: as vdiv_chain8 (TI-M4F VSQRT.F32 14). */
    CASE vsqrt_chain8
    vmov.f32 s0, #1.0
    BEGIN
    .rept 8
    vsqrt.f32 s0, s0
    .endr
    vmov r0, s0
    END vsqrt_chain8

/* vldr8: expected 26 = GUARD 1 + 8 x (VLDR.F32 2 + ADDS 1) + GUARD 1.
 * Each VLDR follows an ALU op (no load-load pipelining question). Source: TI-M4F VLDR.F32 2
 * (§1.2). */
    CASE vldr8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7
    vldr s\k, [r1, #4 * \k]
    adds r2, r2, #1
    .endr
    GUARD
    END vldr8

/* vldm4x8: expected 42 = GUARD 1 + 8 x VLDMIA r1,{s0-s3} (1 + N = 5) + GUARD 1.
 * Source: TI-M4F VLDM 1+N (§1.2). */
    CASE vldm4x8
    ldr r1, =CCM_BASE
    BEGIN
    GUARD
    .rept 8
    vldmia r1, {s0-s3}
    .endr
    GUARD
    END vldm4x8

/* vmov_to_s16: expected 16 = 16 x VMOV s<d>,r0 (core -> S, d = 2..9 twice) x 1.
 * Source: TI-M4F VMOV core<->S 1 (§1.2). */
    CASE vmov_to_s16
    movs r0, #0
    BEGIN
    .rept 2
    .irp d, 2, 3, 4, 5, 6, 7, 8, 9
    vmov s\d, r0
    .endr
    .endr
    END vmov_to_s16

/* vmov_to_r16: expected 16 = 16 x VMOV r<d>,s2 (S -> core, d = r0, r2, r3, r7) x 1.
 * Source: TI-M4F VMOV core<->S 1 (§1.2). */
    CASE vmov_to_r16
    vmov.f32 s2, #1.0
    BEGIN
    .rept 4
    .irp d, 0, 2, 3, 7
    vmov r\d, s2
    .endr
    .endr
    END vmov_to_r16

/* Memory regions. Body: GUARD + 8 independent pipelined LDRs (two 16-byte lines, 16-byte
 * aligned table) + GUARD = 1 + (8 + 1) + 1 = 11 at zero wait states (LSRULES N+1, §1.3).
 * The code runs from SRAM (.ramfunc); only the data region differs. */
    .macro LDR8_BODY
    GUARD
    .irp off, 0, 16
    ldr r0, [r1, #\off]
    ldr r2, [r1, #\off + 4]
    ldr r3, [r1, #\off + 8]
    ldr r7, [r1, #\off + 12]
    .endr
    GUARD
    .endm

/* ldr8_ccm: expected 11 (CCM, D-bus, 0 WS; §1.4 STM32F4 flash path row). */
    CASE ldr8_ccm
    ldr r1, =CCM_BASE
    BEGIN
    LDR8_BODY
    END ldr8_ccm

/* ldr8_sram: expected 11 (SRAM1, 0 WS). FLAG: on silicon the data accesses share the S-bus
 * with the instruction fetch from SRAM, which may add cycles the model does not have. */
    CASE ldr8_sram
    ldr r1, =mb_sram_data
    BEGIN
    LDR8_BODY
    END ldr8_sram

/* ldr8_flash_cold / ldr8_flash_warm (MODEL-DEPENDENT): the same 8 loads from a 16-byte
 * aligned table in flash (.rodata), WS = 5 (168 MHz, §1.4). main.c calls the function twice
 * back to back: first call = cold, second = warm.
 * ASSUMPTION: ART data cache on, prefetch off; a D-cache miss fills one 128-bit line and
 * stalls WS cycles; hits are 0 WS and pipeline like SRAM loads; the two lines are not cached
 * before the first call and stay cached until the second.
 *   cold: 11 + 2 lines x 5 WS = 21;  warm: 11 + 0 = 11.
 * (With the ART data cache off, every load would pay WS and not pipeline: 2 + 8 x (2 + 5)
 * = 58 on both calls.) */
    CASE ldr8_flash_cold
    ldr r1, =mb_flash_data
    BEGIN
    LDR8_BODY
    END ldr8_flash_cold
    ENTRY ldr8_flash_warm, mb_ldr8_flash_cold

/* alu30_sram: expected 30 = 30 x ADDS (1 each) from SRAM, laid out like alu30_flash_cold. */
    CASE alu30_sram
    movs r0, #0
    BEGIN 16
    .rept 30
    adds r0, r0, #1
    .endr
    END alu30_sram

/* alu30_flash_cold / alu30_flash_warm (MODEL-DEPENDENT): the same 30 ADDS executed from
 * flash (.text), called twice back to back (cold, then warm). Layout: `mov r7, r7` and read 1
 * start a 16-byte line L0; the 30 ADDS fill the rest of L0 (6) and lines L1, L2, L3 (8 each);
 * read 2 is the first halfword of L4. Lines first fetched inside the window: L1..L4 = 4.
 * ASSUMPTION: ART instruction cache on, prefetch off; each 128-bit line fetched from flash
 * stalls WS = 5 cycles; a cached line costs 0.
 *   cold: 30 + 4 x 5 = 50;  warm: 30 + 0 = 30.
 * (ART off and prefetch off: 50 on both calls. Prefetch on: at most the first line stalls.) */
    CASE alu30_flash_cold, .text
    movs r0, #0
    BEGIN 16
    .rept 30
    adds r0, r0, #1
    .endr
    END alu30_flash_cold
    ENTRY alu30_flash_warm, mb_alu30_flash_cold

/* Flash data for ldr8_flash_*: two 128-bit lines. */
    .section .rodata.mb_flash_data,"a",%progbits
    .balign 16
    .global mb_flash_data
mb_flash_data:
    .word 0, 1, 2, 3, 4, 5, 6, 7

/* End of the case table (after the last ENTRY). */
    .section .rodata.mb_cases,"a",%progbits
    .size mb_cases, . - mb_cases
    .balign 4
    .global mb_case_count
    .type mb_case_count, %object
mb_case_count:
    .word (. - mb_cases) / 8
    .size mb_case_count, 4
