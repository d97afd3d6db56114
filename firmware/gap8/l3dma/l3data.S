/* l3data.S: the L3 (HyperRAM) image of l3dma: 8 KiB, 2048 words of the LCG
 * x = x * 1103515245 + 12345 (mod 2^32), seed 777, first word = the first step. Placed in .l3
 * (0x80000000): not loaded into memory, read with the uDMA. main.c recomputes the sequence. */
    .file "l3data.S"
    .section .l3, "a"
    .balign 4
    .globl l3_data
    .type l3_data, @object
l3_data:
    .set lcg, 777
    .rept 2048
    .set lcg, (lcg * 1103515245 + 12345) & 0xFFFFFFFF
    .word lcg
    .endr
    .size l3_data, . - l3_data
