/* tiny-m33: a minimal ARMv8-M mainline (Cortex-M33) ELF, for the simulator's wrong-core test:
 * loading it for a Cortex-M4/M7 board must fail with a clear error. Never exits. */
    .file "tiny_m33.S"
    .syntax unified
    .thumb
    .section .isr_vector, "a"
    .word 0x20001000
    .word _start + 1
    .section .text._start, "ax"
    .globl _start
    .thumb_func
_start:
    b _start
