/* microbench_m7 cases: hand-written Cortex-M7 sequences timed with DWT->CYCCNT.
 *
 * The harness of the M4 cases (cases.S) with an M7 bracket. Every case is a function
 * `uint32_t mb_<name>(void)` returning CYCCNT(after) - CYCCNT(before); main_m7.c subtracts the
 * `empty` case and prints `case <name> cycles=<N>`. Expected counts, tolerances and their
 * reasons, derivations and sources (rows of ../shared/docs/cortexm.md §2, keys LLVM-M7, JNK,
 * QUIN as defined there) are in expected_m7.toml; each case below carries its one-line
 * derivation.
 *
 * Harness. Each case function is:
 *     push {r4-r11, lr}; mov r11, sp; ldr r6, =0xE0001004   (r6 = &DWT->CYCCNT)
 *     <setup, untimed>
 *     isb                 @ F1
 *     ldr r4, [r6]        @ read 1
 *     isb                 @ F2
 *     <timed sequence>
 *     isb                 @ F3
 *     ldr r5, [r6]        @ read 2
 *     subs r0, r5, r4; mov sp, r11; pop {r4-r11, pc}
 * Timed sequences never write r4, r5, r6, r9 or r11.
 *
 * Why the ISBs: the M7 issues two instructions per cycle, so a sequence's first instruction
 * would pair with read 1 and its last with read 2 (§2.2), and what the bracket measures would
 * depend on the sequence. Barriers are single-issue (§2.2: LLVM-M7 SingleIssue, "barriers"),
 * so nothing pairs across F2 or F3: the sequence starts on a fresh cycle after F2 and F3
 * issues on the cycle after the sequence's last issue. An ISB also flushes the pipeline on
 * silicon (its cost is in `empty` too and cancels). It ends Unicorn's translation block, so
 * the flash-fetch case's lines are charged inside the window.
 *
 * Convention (mcusim): a CYCCNT read returns the cycles of every instruction issued before
 * the reading instruction. raw = issue(F3) - issue(F1); raw(empty) = 3 (read 1, F2, F3 one
 * cycle each); measured = raw - raw(empty) = the cycles from the first issue of the sequence
 * to its last, inclusive (an instruction's latency after it issued is not counted unless a
 * consumer in the sequence waits for it: the latency cases end with one).
 *
 * Memory: code in ITCM (.ramfunc, zero-wait, uncached) except icache_flash_* (flash, AXIM,
 * cacheable); data in DTCM (r9 = mb_dtcm_data, zero-wait, uncached) except dcache_sram1_*
 * (SRAM1, cacheable, never written) and dcache_flash_* (flash .rodata, cacheable).
 */
    .syntax unified
    .thumb
    .cpu cortex-m7
    .fpu fpv5-d16
    .file "microbench/cases_m7.S"

    .equ DWT_CYCCNT, 0xE0001004

/* Table of cases, in run order: {function, name}; main_m7.c walks mb_cases[0..mb_case_count). */
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

    /* CASE name [, section]: table entry + function prologue (untimed); r9 = DTCM data. */
    .macro CASE name, sect=.ramfunc
    ENTRY \name, mb_\name
    .section \sect\().mb_\name,"ax",%progbits
    .balign 32
    .global mb_\name
    .type mb_\name, %function
    .thumb_func
mb_\name:
    push {r4-r11, lr}
    mov r11, sp
    ldr r6, =DWT_CYCCNT
    ldr r9, =mb_dtcm_data
    .endm

    /* BEGIN: F1, read 1, F2. */
    .macro BEGIN
    .balign 4
    isb
    ldr r4, [r6]
    isb
    .endm

    /* BEGIN_LINE: as BEGIN, laid out so that the sequence starts a 32-byte cache line (the
     * 11 NOPs before F1 are untimed). */
    .macro BEGIN_LINE
    .balign 32
    .rept 11
    nop
    .endr
    isb
    ldr r4, [r6]
    isb
    .endm

    /* END name: F3, read 2, result, epilogue, literal pool; padded to a 32-byte line so that
     * no other function shares the case's last cache line. */
    .macro END name
    isb
    ldr r5, [r6]
    subs r0, r5, r4
    mov sp, r11
    pop {r4-r11, pc}
    .ltorg
    .balign 32
    .size mb_\name, . - mb_\name
    .endm

    /* END_AFTER_READ name: the rest of END, for a case that has done F3 and read 2 itself. */
    .macro END_AFTER_READ name
    subs r0, r5, r4
    mov sp, r11
    pop {r4-r11, pc}
    .ltorg
    .balign 32
    .size mb_\name, . - mb_\name
    .endm

/* empty: expected 3 (printed raw) = read 1 + F2 + F3, one issue cycle each (single-issue). */
    CASE empty
    nop
    BEGIN
    END empty

/* ---- dual issue (§2.2) ------------------------------------------------------------------ */

/* alu_pairs32: 16 = 32 independent ADD.W (two chains, r0 and r1), two per cycle. */
    CASE alu_pairs32
    movs r0, #0
    movs r1, #0
    BEGIN
    .rept 16
    add.w r0, r0, #1
    add.w r1, r1, #1
    .endr
    END alu_pairs32

/* alu_dep_pairs32: 16 = 16 x (ADD r1,r0,r3 ; ADD r1,r1,r2), the 3-input add pairs. */
    CASE alu_dep_pairs32
    movs r0, #1
    movs r2, #2
    movs r3, #3
    BEGIN
    .rept 16
    add.w r1, r0, r3
    add.w r1, r1, r2
    .endr
    END alu_dep_pairs32

/* movw_movt32: 16 = 16 x (MOVW r0 ; MOVT r0), pairs despite the mutual dependency. */
    CASE movw_movt32
    BEGIN
    .rept 16
    movw r0, #0x1234
    movt r0, #0x5678
    .endr
    END movw_movt32

/* alu_load32: 16 = 16 x (ADD.W ; LDR from DTCM), ALU + load pair. */
    CASE alu_load32
    movs r0, #0
    BEGIN
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60
    add.w r0, r0, #1
    ldr.w r1, [r9, #\off]
    .endr
    END alu_load32

/* load_store32: 16 = 16 x (LDR even word ; STR odd word), load + store pair (DTCM). */
    CASE load_store32
    movs r3, #0
    BEGIN
    .irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120
    ldr.w r1, [r9, #\off]
    str.w r3, [r9, #\off + 260]
    .endr
    END load_store32

/* ldr_ldr_banks32: 16 on silicon = 16 x (LDR even word ; LDR odd word), two loads in
 * different DTCM banks pair (§2.2 JNK). */
    CASE ldr_ldr_banks32
    BEGIN
    .irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120
    ldr.w r1, [r9, #\off]
    ldr.w r3, [r9, #\off + 4]
    .endr
    END ldr_ldr_banks32

/* ldr_ldr_same_bank32: 32 = 32 LDRs, each pair in the same bank (offsets 8 apart): no pair. */
    CASE ldr_ldr_same_bank32
    BEGIN
    .irp off, 0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240
    ldr.w r1, [r9, #\off]
    ldr.w r3, [r9, #\off + 8]
    .endr
    END ldr_ldr_same_bank32

/* shifted_pairs16: 16 = 16 independent ADD.W rX, r8, r1, LSL #2: two inline-shifted operands
 * never pair (one shifter op per cycle). */
    CASE shifted_pairs16
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 4
    .irp d, 0, 2, 3, 7
    add.w r\d, r8, r1, lsl #2
    .endr
    .endr
    END shifted_pairs16

/* shifted_alu_pairs16: 8 = 8 x (ADD.W r0,r8,r1,LSL #2 ; ADD.W r2,r8,#1): one shifted op
 * pairs with a simple one. */
    CASE shifted_alu_pairs16
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 8
    add.w r0, r8, r1, lsl #2
    add.w r2, r8, #1
    .endr
    END shifted_alu_pairs16

/* bitfield_older16: 8 = 8 x (UXTB r0,r1 ; ADD.W r2,r8,#1): bit-field op in the older slot pairs. */
    CASE bitfield_older16
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 8
    uxtb.w r0, r1
    add.w r2, r8, #1
    .endr
    END bitfield_older16

/* bitfield_younger16: 9 = 8 x (ADD.W ; UXTB): a UXTB cannot be the younger op, so it starts
 * the next cycle and pairs with the following ADD; only the first ADD issues alone. */
    CASE bitfield_younger16
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 8
    add.w r2, r8, #1
    uxtb.w r0, r1
    .endr
    END bitfield_younger16

/* bitfield_pairs16: 16 = 16 independent UXTB: bit-field ops never pair with each other. */
    CASE bitfield_pairs16
    movs r1, #1
    BEGIN
    .rept 4
    .irp d, 0, 2, 3, 7
    uxtb.w r\d, r1
    .endr
    .endr
    END bitfield_pairs16

/* dsp_older16: 8 = 8 x (QADD r0,r1,r8 ; ADD.W r2,r8,#1): a DSP op in the older slot pairs. */
    CASE dsp_older16
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 8
    qadd r0, r1, r8
    add.w r2, r8, #1
    .endr
    END dsp_older16

/* mul_alu16: 8 = 8 x (MUL r0,r1,r8 ; ADD.W r2,r8,#1): MUL + ALU pair (control for mul_store16). */
    CASE mul_alu16
    movs r1, #3
    mov r8, #2
    BEGIN
    .rept 8
    mul r0, r1, r8
    add.w r2, r8, #1
    .endr
    END mul_alu16

/* mul_store16: 16 = 8 x (MUL r0,r1,r8 ; STR r3 to DTCM): a MUL never pairs with a store. */
    CASE mul_store16
    movs r1, #3
    mov r8, #2
    movs r3, #0
    BEGIN
    .irp off, 256, 264, 272, 280, 288, 296, 304, 312
    mul r0, r1, r8
    str.w r3, [r9, #\off]
    .endr
    END mul_store16

/* ---- latencies (§2.3) ------------------------------------------------------------------- */

/* load_use8: 9 = 8 x (LDR r0 ; ADD.W r1,r0,#1): a word load feeds a simple (late-ALU) op on the
 * next cycle, where the next LDR pairs with that ADD: LDRs at 0..7, ADDs at 1..8. */
    CASE load_use8
    BEGIN
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28
    ldr.w r0, [r9, #\off]
    add.w r1, r0, #1
    .endr
    END load_use8

/* load_use_byte8: 17 = 8 x (LDRB r0 ; ADD.W r1,r0,#1): a byte load is one cycle slower (2):
 * LDRB at 0,2,..,14 (each pairs with the previous ADD), ADDs at 2,4,..,16. */
    CASE load_use_byte8
    BEGIN
    .irp off, 0, 4, 8, 12, 16, 20, 24, 28
    ldrb.w r0, [r9, #\off]
    add.w r1, r0, #1
    .endr
    END load_use_byte8

/* mla_chain16: 16 = 16 x MLA r0,r1,r8,r0: the accumulator chain issues every cycle. */
    CASE mla_chain16
    movs r0, #0
    movs r1, #1
    mov r8, #2
    BEGIN
    .rept 16
    mla r0, r1, r8, r0
    .endr
    END mla_chain16

/* mul_chain16: 33 = 16 x MUL r0,r0,r1 (latency 2: at 0,2,..,30) + ADD.W r2,r0,#0 at 32. */
    CASE mul_chain16
    movs r0, #1
    movs r1, #1
    BEGIN
    .rept 16
    mul r0, r0, r1
    .endr
    add.w r2, r0, #0
    END mul_chain16

/* vadd_chain8: 25 = 8 x VADD.F32 s0,s0,s1 (latency 3: at 0,3,..,21) + VMOV r0,s0 at 24. */
    CASE vadd_chain8
    vmov.f32 s0, #1.0
    vmov.f32 s1, #1.0
    BEGIN
    .rept 8
    vadd.f32 s0, s0, s1
    .endr
    vmov r0, s0
    END vadd_chain8

/* vmla_chain8: 28 = 8 x VMLA.F32 s0,s1,s2 (accumulator latency 3: at 0,3,..,21) + VMOV r0,s0
 * after the full VMLA latency 6, at 27. */
    CASE vmla_chain8
    vmov.f32 s0, #1.0
    vmov.f32 s1, #1.0
    vmov.f32 s2, #1.0
    BEGIN
    .rept 8
    vmla.f32 s0, s1, s2
    .endr
    vmov r0, s0
    END vmla_chain8

/* vdiv_chain4: 65 = 4 x VDIV.F32 s0,s0,s1 (16 each, pipeline locked: at 0,16,32,48) + VMOV
 * r0,s0 at 64. */
    CASE vdiv_chain4
    vmov.f32 s0, #1.0
    vmov.f32 s1, #1.0
    BEGIN
    .rept 4
    vdiv.f32 s0, s0, s1
    .endr
    vmov r0, s0
    END vdiv_chain4

/* ---- load/store multiple (§2.2, §2.5) --------------------------------------------------- */

/* ldm4x8: 16 = 8 x LDM r9,{r0-r3} x ceil(4/2) = 2, single-issue. */
    CASE ldm4x8
    BEGIN
    .rept 8
    ldm r9, {r0-r3}
    .endr
    END ldm4x8

/* ldm3x8: 16 = 8 x LDM r9,{r0-r2} x ceil(3/2) = 2. */
    CASE ldm3x8
    BEGIN
    .rept 8
    ldm r9, {r0-r2}
    .endr
    END ldm3x8

/* stm4x8: 16 = 8 x STM r10,{r0-r3} x 2 (r10 8-byte aligned: no misalignment cycle). */
    CASE stm4x8
    add r10, r9, #256
    BEGIN
    .rept 8
    stm r10, {r0-r3}
    .endr
    END stm4x8

/* ---- branches (§2.4) -------------------------------------------------------------------- */

/* loop16_cold / loop16_warm: 16 iterations of {ADD.W ; SUBS ; BNE back}, 2 cycles each
 * (ADD+SUBS pair, BNE waits a cycle for the flags), called twice back to back.
 *   warm: 32 + the exit mispredicted (predicted taken, falls through) 8 = 40
 *   cold: 40 + 2 x 8 while the 2-bit counter warms up = 56 (model; silicon: BTAC, unpublished) */
    CASE loop16_cold
    movs r0, #0
    movs r1, #16
    BEGIN
1:  add.w r0, r0, #1
    subs r1, r1, #1
    bne 1b
    END loop16_cold
    ENTRY loop16_warm, mb_loop16_cold

/* alt_branch16: 16 iterations over r1 = 16..1 of {TST r1,#1 ; BEQ skip ; ADD.W ; skip: SUBS ;
 * BNE back}: the BEQ alternates taken (r1 even) / not taken. The function runs the loop twice
 * and returns the second pass: the first (untimed) steps r1 by 2 (16, 14, .., 2) so the BEQ is
 * always taken, which leaves both branches predicted taken whatever state the predictor was
 * in; the second steps by 1.
 *   issue: taken iteration 2 cycles (TST+BEQ pair, SUBS+BNE), not-taken 3 (TST+BEQ, ADD+SUBS,
 *   BNE): 8 x 2 + 8 x 3 = 40; + 8 BEQ mispredicts (every not-taken one) x 8 + the loop exit 8
 *   = 112. */
    CASE alt_branch16
    movs r3, #2
    movs r7, #2
0:  movs r0, #0
    movs r1, #16
    BEGIN
1:  tst.w r1, #1
    beq.n 2f
    add.w r0, r0, #1
2:  subs r1, r1, r3
    bne 1b
    isb
    ldr r5, [r6]
    movs r3, #1
    subs r7, r7, #1
    bne 0b
    END_AFTER_READ alt_branch16

/* ---- caches (§2.6) ---------------------------------------------------------------------- */

/* LINES8: 8 LDRs of r1 from [r2 + 32k], k = 0..7: one word in each of 8 consecutive 32-byte
 * lines, no two in different banks (never pair): 8 cycles when they hit. */
    .macro LINES8
    .irp off, 0, 32, 64, 96, 128, 160, 192, 224
    ldr.w r1, [r2, #\off]
    .endr
    .endm

/* dcache_sram1_cold / _warm: LINES8 over mb_sram1_data (SRAM1, cacheable): 8 + 8 misses x the
 * board's SRAM1 miss cost, which is 0 (boards/disco-f746ng.toml gives SRAM1 no latency):
 * cold 8, warm 8. */
    CASE dcache_sram1_cold
    ldr r2, =mb_sram1_data
    BEGIN
    LINES8
    END dcache_sram1_cold
    ENTRY dcache_sram1_warm, mb_dcache_sram1_cold

/* dcache_flash_cold / _warm: LINES8 over mb_flash_data (flash .rodata via AXIM, cacheable,
 * 7 wait states): cold 8 + 8 line misses x 7 = 64; warm 8. */
    CASE dcache_flash_cold
    ldr r2, =mb_flash_data
    BEGIN
    LINES8
    END dcache_flash_cold
    ENTRY dcache_flash_warm, mb_dcache_flash_cold

/* icache_flash_cold / _warm: the function is in flash (.text, AXIM, cacheable, 7 wait states);
 * 64 independent ADD.W (two chains) = 32 cycles, 256 bytes = 8 lines, plus F3 in a ninth line
 * (read 2 and the epilogue are in that line too, fetched by then). cold: 32 + 9 x 7 = 95;
 * warm: 32. */
    CASE icache_flash_cold, .text
    movs r0, #0
    movs r1, #0
    BEGIN_LINE
    .rept 32
    add.w r0, r0, #1
    add.w r1, r1, #1
    .endr
    END icache_flash_cold
    ENTRY icache_flash_warm, mb_icache_flash_cold

/* SRAM1 array (NOLOAD, never written: its lines are not in the D-cache before the cold call). */
    .section .sram1.mb_sram1_data,"aw",%nobits
    .balign 32
    .global mb_sram1_data
mb_sram1_data:
    .space 256

/* Flash array: eight 32-byte lines. */
    .section .rodata.mb_flash_data,"a",%progbits
    .balign 32
    .global mb_flash_data
mb_flash_data:
    .rept 64
    .word 0x5a5a5a5a
    .endr

/* End of the case table (after the last ENTRY). */
    .section .rodata.mb_cases,"a",%progbits
    .size mb_cases, . - mb_cases
    .balign 4
    .global mb_case_count
    .type mb_case_count, %object
mb_case_count:
    .word (. - mb_cases) / 8
    .size mb_case_count, 4
