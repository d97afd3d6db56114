/* rewrite_edges (GAP8): Xpulp instructions in the places where mcusim's load-time rewrite
 * (mcusim/cores/xpulp_rewrite.py: custom instructions become jumps to RV32 stubs) must behave
 * exactly as the trap path: the last instruction of a hardware-loop body, nested loops (ends
 * apart and at the same instruction), a loop that starts with a rewritten instruction, a branch
 * into the middle of a run of rewritten instructions, rd == rs1 post-increment, x0
 * destinations, misaligned L2 loads timed with mcycle, and MMIO accesses made by Xpulp
 * loads/stores (a timer read, a stdout character, layer markers, the exit register). main.c checks every value
 * against plain C; tests/test_rewrite_firmware.py runs the ELF with and without the rewrite and
 * requires the identical result (cycles, layers, profile, stdout).
 *
 * Every function is ilp32-callable and uses caller-saved registers only. 32-bit instructions
 * only (.option norvc). Encodings: docs/gap8.md §9, written with .insn / .word (§12):
 *     p.lw rd, imm(rs1!)       .insn i 0x0b, 2, rd, rs1, imm   (p.lh 1, p.lbu 4)
 *     p.sw rs2, imm(rs1!)      .insn s 0x2b, 2, rs2, imm(rs1)  (p.sb 0)
 *     p.mac rd, rs1, rs2       .insn r 0x33, 0, 0x21, rd, rs1, rs2
 *     p.max rd, rs1, rs2       .insn r 0x33, 6, 0x02, rd, rs1, rs2
 *     pv.sdotsp.b rd, rs1, rs2 .insn r 0x57, 1, 0x5c, rd, rs1, rs2
 *     lp.setup L, rs1, end     .word 0x7b | 4<<12 | L<<7 | rs1<<15 | ((end - .) >> 1) << 20
 */
    .file "gap8/rewrite_edges/cases.S"
    .option norvc
    .option norelax
    .text

    .macro LP_SETUP L, rs1, end
.Llp\@:
    .word 0x7b | (4 << 12) | (\L << 7) | (\rs1 << 15) | (((\end - .Llp\@) >> 1) << 20)
    .endm

    .macro FUNC name
    .section .text.\name, "ax"
    .balign 4
    .globl \name
    .type \name, @function
\name:
    .endm

/* uint32_t re_loop_end(uint32_t n, uint32_t a, uint32_t b): an n-iteration loop whose last
 * body instruction is p.mac (rewritten): acc = n*a*b; returns acc ^ (iterations << 16). */
    FUNC re_loop_end
    mv t0, a0
    li a3, 0
    li a4, 0
    LP_SETUP 0, 5, 1f
    addi a4, a4, 1
1:  .insn r 0x33, 0, 0x21, a3, a1, a2
    slli a4, a4, 16
    xor a0, a3, a4
    ret
    .size re_loop_end, . - re_loop_end

/* uint32_t re_nested(const uint32_t *x, const uint32_t *w, uint32_t outer, uint32_t inner,
 *                    uint32_t *acc_out):
 * outer loop L1 (count `outer`) around inner loop L0 (count `inner`) whose body is a run of
 * three rewritten instructions starting the loop (p.lw x, p.lw w, pv.sdotsp.b = inner end);
 * the outer body ends with p.mac right after the inner end. x advances through outer*inner
 * words, w restarts every outer iteration. *acc_out = the dot-product accumulator; returns the
 * p.mac accumulator (acc * outer summed over the outer iterations). */
    FUNC re_nested
    li a5, 0
    li a6, 0
    mv t1, a2
    LP_SETUP 1, 6, 2f
    mv t0, a3
    mv t2, a1
    LP_SETUP 0, 5, 1f
    .insn i 0x0b, 2, t3, a0, 4
    .insn i 0x0b, 2, t4, t2, 4
1:  .insn r 0x57, 1, 0x5c, a5, t3, t4
2:  .insn r 0x33, 0, 0x21, a6, a5, t1
    sw a5, 0(a4)
    mv a0, a6
    ret
    .size re_nested, . - re_nested

/* uint32_t re_same_end(uint32_t m, uint32_t n, uint32_t a, uint32_t b): loops L1 (m) and L0 (n)
 * ending at the same rewritten p.mac: m*n*a*b. */
    FUNC re_same_end
    li a4, 0
    mv t1, a0
    mv t2, a1
    LP_SETUP 1, 6, 1f
    mv t0, t2
    LP_SETUP 0, 5, 1f
1:  .insn r 0x33, 0, 0x21, a4, a2, a3
    mv a0, a4
    ret
    .size re_same_end, . - re_same_end

/* uint32_t re_middle(uint32_t skip): a run of four rewritten instructions, entered at its first
 * (skip = 0) or, by a branch, at its second (skip != 0). */
    FUNC re_middle
    li a3, 1
    li a4, 2
    li a5, 3
    bnez a0, 1f
    .insn r 0x33, 0, 0x21, a3, a4, a5
1:  .insn r 0x33, 0, 0x21, a4, a3, a5
    .insn r 0x33, 6, 0x02, a5, a3, a4
    .insn r 0x57, 1, 0x5c, a3, a4, a5
    slli a3, a3, 20
    slli a4, a4, 10
    xor a0, a3, a4
    xor a0, a0, a5
    ret
    .size re_middle, . - re_middle

/* uint32_t re_regs(const uint32_t *p, uint32_t *out): p.lw into its own base register (the
 * loaded value wins), p.lw into x0 (the access and the increment happen), pv.sdotsp.b into x0
 * (nothing happens). out[0] = the loaded value, out[1] = the x0 load's base after it. */
    FUNC re_regs
    mv a2, a0
    li a3, 0x01010101
    .insn i 0x0b, 2, a0, a0, 4
    .insn i 0x0b, 2, x0, a2, 8
    .insn r 0x57, 1, 0x5c, x0, a3, a3
    sw a0, 0(a1)
    sw a2, 4(a1)
    mv a0, x0
    ret
    .size re_regs, . - re_regs

/* uint32_t re_l2_timed(const uint8_t *p, uint32_t *out): mcycle(after) - mcycle(before) around
 * p.lw, p.lh, p.lbu post-increment loads from p (misaligned in the test: L2 latency is paid
 * once per access, not per word touched). out[0..2] = the values. */
    FUNC re_l2_timed
    csrr t5, mcycle
    .insn i 0x0b, 2, a2, a0, 4
    .insn i 0x0b, 1, a3, a0, 3
    .insn i 0x0b, 4, a4, a0, 1
    csrr t6, mcycle
    sw a2, 0(a1)
    sw a3, 4(a1)
    sw a4, 8(a1)
    sub a0, t6, t5
    ret
    .size re_l2_timed, . - re_l2_timed

/* uint32_t re_mmio(volatile uint32_t *timer_count, uint32_t port, const char *name, char c):
 * a layer whose markers are written by p.sw (the profile port: MACS at +4, BEGIN at +0, END at
 * +8), with a p.lw of a timer counter and a p.sb of `c` to the virtual stdout inside it.
 * Returns the timer value. */
    FUNC re_mmio
    li t0, 1000
    addi a1, a1, 4
    .insn s 0x2b, 2, t0, -4(a1)
    .insn s 0x2b, 2, a2, 8(a1)
    .insn i 0x0b, 2, a0, a0, 0
    li t1, 0x1A110000
    .insn s 0x2b, 0, a3, 0(t1)
    .insn s 0x2b, 2, x0, 0(a1)
    ret
    .size re_mmio, . - re_mmio

/* void re_exit(int code): ends the run with a p.sw to the exit register (APB SoC CORESTATUS,
 * bit 31 set), followed in the same run by a p.mac: the run ends after the store as when the
 * store traps. */
    FUNC re_exit
    li t0, 0x80000000
    or a0, a0, t0
    li a1, 0x1A1040A0
    .insn s 0x2b, 2, a0, 4(a1)
    .insn r 0x33, 0, 0x21, a2, a1, a1
1:  j 1b
    .size re_exit, . - re_exit
