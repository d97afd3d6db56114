/* rewrite_fault (GAP8): a post-increment load from unmapped memory, the second instruction of a
 * run of rewritten Xpulp instructions (mcusim/cores/xpulp_rewrite.py), on the FC. The run must
 * end in the same fault report as when the instruction traps: "memory fault in a custom
 * instruction" at the p.lw, address 0x30000000 (unmapped), registers as before it
 * (tests/test_rewrite_firmware.py). */
#include "gap8.h"

int main(void)
{
    gap8_printf("rewrite_fault: loading from unmapped memory\n");
    register uint32_t acc __asm__("a0") = 5;
    register uint32_t base __asm__("a1") = 0x30000000u;
    register uint32_t k __asm__("a2") = 7;
    __asm__ volatile(".option push\n\t.option norvc\n\t"
                     ".insn r 0x33, 0, 0x21, a0, a2, a2\n\t" /* p.mac a0, a2, a2 */
                     ".insn i 0x0b, 2, a3, a1, 4\n\t"        /* p.lw a3, 4(a1!): faults */
                     ".insn r 0x33, 0, 0x21, a0, a3, a2\n\t" /* p.mac (never runs) */
                     ".option pop"
                     : "+r"(acc), "+r"(base)
                     : "r"(k)
                     : "a3", "memory");
    gap8_printf("rewrite_fault: not reached (%lu)\n", acc);
    return 0;
}
