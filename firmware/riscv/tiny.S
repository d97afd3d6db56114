/* tiny-rv32: the smallest RV32 ELF, for the simulator's wrong-architecture test
 * (loading it with a Cortex-M board must fail with a clear error). Never exits. */
    .file "tiny.S"
    .section .text._start, "ax"
    .globl _start
_start:
    j _start
