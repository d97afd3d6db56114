/* crt0.S: GAP8 start-up for the fabric controller and the 8 cluster cores (mcusim runtime).
 *
 * Boot model (firmware/README.md, "GAP8 runtime"): the FC starts at the ELF entry _start with
 * every cluster core halted; nothing sets SP. A cluster core i starts at BOOTADDR[i] + 0x80
 * once the FC sets FETCH_EN bit i; gap8_cluster_start writes BOOTADDR[i] = __vectors, so the
 * reset slot at __vectors + 0x80 jumps to _start too. _start tells the cores apart with uhartid
 * (CSR 0x014: FC 0x400, cluster core i = i).
 *
 *   FC:        gp, sp = __fc_stack_top (FC TCDM), mtvec, zero .bss (L2), .l1.bss, .fc_tcdm.bss,
 *              main(), gap8_exit(main's return value)
 *   cluster i: gp, sp = __l1_stack_top - i * __l1_stack_size (L1), mtvec, __gap8_cluster_main(i)
 */
    .file "crt0.S"

/* Vector table: 32 interrupt slots, reset at +0x80, illegal instruction +0x84, ecall +0x88
 * (RI5CY layout). 4-byte jumps only; every slot except reset goes to the trap handler. The
 * runtime never enables interrupts. */
    .section .vectors, "ax"
    .option push
    .option norvc
    .globl __vectors
    .type __vectors, @function
__vectors:
    .rept 32
    j __gap8_trap
    .endr
    j _start            /* +0x80: reset entry of a cluster core */
    j __gap8_trap       /* +0x84: illegal instruction */
    j __gap8_trap       /* +0x88: ecall */
    .size __vectors, . - __vectors
    .option pop

    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      t0, __vectors
    csrw    mtvec, t0
    csrr    a0, 0x014               /* uhartid */
    srli    t1, a0, 5
    andi    t1, t1, 0x3F            /* cluster id */
    li      t2, 32
    bne     t1, t2, .Lcluster

    /* ---- fabric controller ---- */
    la      sp, __fc_stack_top
    la      a0, __bss_start
    la      a1, __bss_end
    call    .Lzero
    la      a0, __l1_bss_start
    la      a1, __l1_bss_end
    call    .Lzero
    la      a0, __fc_tcdm_bss_start
    la      a1, __fc_tcdm_bss_end
    call    .Lzero
    li      a0, 0
    li      a1, 0
    call    main
    call    gap8_exit               /* never returns */
1:  j       1b

    /* ---- cluster core: a0 = hartid ---- */
.Lcluster:
    andi    a0, a0, 0x1F            /* core id */
    la      t0, __l1_stack_top
    la      t1, __l1_stack_size
    mul     t1, t1, a0
    sub     sp, t0, t1
    call    __gap8_cluster_main     /* never returns */
2:  j       2b

    /* zero [a0, a1), word aligned (the linker script aligns every bound to 4) */
.Lzero:
    bgeu    a0, a1, 4f
3:  sw      zero, 0(a0)
    addi    a0, a0, 4
    bltu    a0, a1, 3b
4:  ret
    .size _start, . - _start
