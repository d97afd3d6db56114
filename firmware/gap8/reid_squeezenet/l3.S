/* l3.S: the L3 (HyperRAM/HyperFlash) image of reid_squeezenet, section .l3 at 0x80000000: not
 * loaded into memory, read with the uDMA (offset = address - 0x80000000). Both files come from
 * models/reid_squeezenet.py: weights.bin = the weight chunks (see reid_chunks in model.c),
 * input.bin = the 128x128 int16 input image. */
    .file "l3.S"
    .section .l3, "a"
    .balign 4
    .globl reid_l3_weights
    .type reid_l3_weights, @object
reid_l3_weights:
    .incbin "weights.bin"
    .size reid_l3_weights, . - reid_l3_weights
    .balign 4
    .globl reid_l3_input
    .type reid_l3_input, @object
reid_l3_input:
    .incbin "input.bin"
    .size reid_l3_input, . - reid_l3_input
