/*
 * Xpulpv2 + GAP8 instruction executor for RI5CY cores: see xpulp.h and docs/gap8.md §9/§10.
 * Plain C99, no dependency.
 *
 * One decoder (xdecode) is the single source of truth for mcs_xpulp_execute, mcs_xpulp_mnemonic
 * and mcs_xpulp_class: mnemonic != NULL exactly when the executor recognises the encoding.
 *
 * Semantics notes (docs/gap8.md is the primary source; where it is silent the reference is
 * GreenWaves' GVSoC as shipped in gap_sdk — pulp_v2.hpp, rvXgap8.hpp, isa_lib/int.h,
 * isa_riscv_gen.py — and, where GVSoC has undefined behaviour or a plain bug, the RI5CY
 * RTL / user manual; every such deviation is listed here):
 *
 *  Encoding strictness
 *   - Bit patterns follow the GVSoC GAP8 tables (pulp_v2 + gap8 subsets). Fields GVSoC marks as
 *     don't-care are ignored (e.g. bit 25 of pv.* vector/.sc forms). Fields shown as 00000 for
 *     unary ops (rs2 of p.abs/ff1/fl1/clb/cnt/ext*, pv.cplxconj.h) are ignored too (lenient).
 *     Fixed f7 values are checked: e.g. the register forms of addN/subN need Is3 == 0, the
 *     register-offset stores need f7 == 0, lp.* need bits 11:8 == 0000.
 *   - Standard RV32IM encodings (OP f7 0000000/0100000/0000001, normal loads/stores/branches,
 *     ecall/ebreak/mret/wfi) are NOT ours: MCS_XPULP_ILLEGAL, mnemonic NULL.
 *
 *  Registers
 *   - Reading x0 gives 0 without calling io->get; writes to x0 are dropped (io->set never sees 0).
 *   - All arithmetic is 32-bit two's complement with wrap-around (no saturation anywhere except
 *     the clip instructions). Sign extension of elements / immediates is explicit.
 *
 *  Loads / stores (§9.2)
 *   - Access size is the natural size (1/2/4); the address is passed unaligned as-is to
 *     io->load/io->store (the accessor deals with misalignment). io->load's value is masked to
 *     the size and then sign- or zero-extended here.
 *   - Post-increment: address = old rs1; the increment (imm12, rs2, or rs3 for stores) is read
 *     before anything is written. If the access fails, NOTHING is written (precise fault,
 *     MCS_XPULP_FAULT with fault_address = the access address).
 *   - rd == rs1 on a post-increment load: rs1 is written first, then rd, so the LOADED VALUE
 *     WINS. This is the RI5CY/CV32E40P RTL behaviour (the LSU write-back comes one cycle after the
 *     ALU port's address update; cv32e40p issue #920 documents it as "same as a normal load").
 *     GVSoC does the opposite (increment wins). GCC never emits this form.
 *   - p.elw rd, imm(rs1): returns MCS_XPULP_ELW with elw_address = rs1 + simm12, elw_rd = rd
 *     (rd may be 0), next_pc = pc + 4; no register is written here.
 *
 *  Hardware loops (§9.3)
 *   - lp.starti/lp.endi: pc + (uimm12 << 1); lp.count: rs1; lp.counti: uimm12;
 *     lp.setup: start = pc + 4, end = pc + (uimm12 << 1), count = rs1;
 *     lp.setupi: start = pc + 4, end = pc + (uimm5 << 1) (bits 19:15), count = uimm12.
 *     end = address of the LAST body instruction. The back-edge is the caller's job.
 *   - The loop registers are also reachable as CSRs 0x7C0-0x7C2 / 0x7C4-0x7C6 (below).
 *
 *  Scalar ALU (§9.4)
 *   - p.abs: |INT32_MIN| = INT32_MIN (wraps, GVSoC lib_ABS).
 *   - p.avgu: (rs1 + rs2) >> 1 with the 32-bit sum (the carry out is LOST), logical shift —
 *     GVSoC lib_AVGU; the RI5CY ALU also shifts the 32-bit adder result.
 *   - p.slet/p.sletu: rd = (rs1 <= rs2) signed / unsigned, 0 or 1.
 *   - p.ror: rotate right by rs2[4:0] (rotate by 0 returns rs1; GVSoC's a << (32 - 0) is UB).
 *   - p.ff1: index of the lowest set bit, 32 if 0. p.fl1: index of the highest set bit, 32 if 0.
 *     p.clb: number of leading bits equal to the sign bit, minus one (GCC __builtin_clrsb);
 *     p.clb(0) = 0 (GVSoC), p.clb(0xFFFFFFFF) = 31. p.cnt: popcount.
 *   - p.clip rd, rs1, Is2 (GVSoC p.clipi): clamp to [-2^(Is2-1), 2^(Is2-1)-1]; Is2 = 0 behaves as
 *     Is2 = 1, i.e. [-1, 0] (GVSoC MAX(Is2-1, 0)).
 *     p.clipu rd, rs1, Is2: clamp to [0, 2^(Is2-1)-1] (Is2 = 0 -> [0, 0]).
 *     p.clipr rd, rs1, rs2: if rs1 < -rs2-1 -> -rs2-1, else if rs1 > rs2 -> rs2 (GVSoC order;
 *     matters only for negative rs2). p.clipur: if rs1 > rs2 -> rs2, else if rs1 <= 0 -> 0.
 *     All comparisons signed.
 *   - Bit-field ops: width = Is3 + 1 (or rs2[9:5] + 1), position = Is2 (or rs2[4:0]);
 *     mask = ((2^width - 1) << position) truncated to 32 bits.
 *     p.extract: field (rs1 >> pos) of min(width, 32 - pos) bits, sign-extended from its top
 *     bit (GVSoC lib_BEXTRACT clipping; width 32 at pos 0 returns rs1 — GVSoC computes
 *     1 << 32 there, which is UB). p.extractu: (rs1 & mask) >> pos.
 *     p.insert: rd = (rd & ~mask) | ((rs1 << pos) & mask) (rd is a source).
 *     p.bclr: rs1 & ~mask. p.bset: rs1 | mask.
 *   - p.mac: rd += rs1 * rs2; p.msu: rd -= rs1 * rs2 (low 32 bits).
 *   - p.beqimm/p.bneimm: rs1 compared (as 32-bit) with imm5 (bits 24:20) sign-extended; taken ->
 *     next_pc = pc + B-type offset, else pc + 4.
 *
 *  0x5B group (§9.5)
 *   - f2 bit 1 = signed, f2 bit 0 = high halves (16x16 -> 32 product, signed or unsigned).
 *     mac forms: v = rd + product (32-bit wrap). mul forms: v = product.
 *     R forms: if Is3 > 0, v += 2^(Is3-1) (32-bit wrap) BEFORE the shift.
 *     Shift: arithmetic (signed forms) / logical (unsigned forms) right by Is3 (0..31).
 *     Note: the RI5CY multiplier keeps 34 bits for the signed mac/round result before shifting;
 *     GVSoC (and this code) wrap at 32 bits first — they differ only on 32-bit overflow.
 *   - addN/subN imm: v = rs1 +/- rs2, shift Is3. Register forms (f2 01 signed, 11 unsigned,
 *     Is3 field must be 0): v = rd +/- rs1, shift rs2[4:0]. Rounding as above, then arithmetic
 *     (f2 0x) or logical (f2 1x) shift. Names follow docs/gap8.md §9.5 (p.addNr etc.).
 *
 *  Packed SIMD (§9.6)
 *   - .h = 2 x 16-bit lanes, .b = 4 x 8-bit lanes, lane 0 in the low bits.
 *   - .sc: the scalar is rs2's LOW lane (rs2[15:0] / rs2[7:0]), replicated.
 *     .sci: imm6 = {bits 24:20, bit 25} (bit 25 is imm[0]). Sign-extended for signed ops (add,
 *     sub, avg, min, max, sra, or, xor, and, cmpeq/ne/gt/ge/lt/le, dotsp, dotusp, sdotsp,
 *     sdotusp, cplxmul.s.sci); zero-extended for unsigned ops (avgu, minu, maxu, srl, sll,
 *     cmp*u, dotup, sdotup) and for selectors/indices (shuffle*, extract*, insert) — GVSoC's
 *     SIM_GET/UIM_GET split (RRS vs RRU formats), same as the RI5CY decoder's IMMB_VS/IMMB_VU.
 *     The immediate is then truncated to the lane width.
 *   - add/sub/and/or/xor: per lane, wrap. avg: ((a + b) truncated to the lane) >> 1 arithmetic;
 *     avgu: ((a + b) truncated to the lane) >> 1 logical (carry lost, GVSoC lib_VEC_AVG*).
 *   - Shifts: per-lane amount masked to lane width - 1 (b & 7 for .b, b & 15 for .h).
 *   - Comparisons: all-ones lane if true, zero lane if false.
 *   - pv.abs: per lane, |-128| = -128 (0x80), |-32768| = 0x8000.
 *   - Dot products: sum of lane products + (rd for sdot*), 32-bit wrap; up = u x u,
 *     usp = unsigned rs1 lanes x signed rs2 lanes, sp = s x s. For .sc/.sci the second operand
 *     is the replicated scalar.
 *   - pv.extract/extractu rd, rs1, imm: lane index = imm & 1 (.h) / imm & 3 (.b) (RI5CY uses the
 *     low index bits; GVSoC shifts by imm*16 which is UB for imm >= 2). Sign / zero extended.
 *     pv.insert rd, rs1, imm: rd lane [index] = rs1 low lane, other lanes of rd kept.
 *   - pv.shuffle.h: result lane i = rs1 lane (rs2 lane i bit 0); .b: rs1 lane (rs2 lane i & 3).
 *     pv.shuffle.sci.h: lane 0 <- rs1 lane imm[0], lane 1 <- rs1 lane imm[1].
 *     pv.shufflei{k}.sci.b: lanes 0..2 <- rs1 lane imm[1:0], imm[3:2], imm[5:4]; lane 3 <- rs1
 *     lane k (the k of the mnemonic supplies the selector's top two bits).
 *     pv.shuffle2.h/.b: result lane i = (sel bit 1 (.h) / bit 2 (.b) ? rs1 : rd) lane (sel & 1 /
 *     sel & 3), sel = rs2 lane i (GVSoC with RISCV defined; RI5CY manual).
 *   - pv.pack.h: {rs1[15:0], rs2[15:0]}. pv.packhi.b: {rs1[7:0], rs2[7:0], rd[15:0]}.
 *     pv.packlo.b: {rd[31:16], rs1[7:0], rs2[7:0]}.
 *   - GAP8 pv.add/sub.{h,b}.div2/div4: ((a +/- b) truncated to the lane) >> 1 / >> 2,
 *     arithmetic (GVSoC VEC_OP_DIV2/DIV4).
 *   - pv.cplxmul.s (lane 0 = real, lane 1 = imaginary, Q15):
 *       re = (a.re*b.re - a.im*b.im) >> 15, im = (a.im*b.re + a.re*b.im) >> 15 (exact products,
 *       arithmetic shift, result truncated to 16 bits); .div2 / .div4 shift by 16 / 17.
 *     .sc / .sci: b.re = b.im = the scalar, i.e. a * (s + j*s) exactly as GVSoC computes it.
 *     Scalar for .sc = (int16)rs2[15:0] (the replicated low lane, like every other .sc op;
 *     GVSoC uses the whole 32-bit rs2 — same result whenever rs2 fits in int16). GVSoC forgets
 *     to mask the real part of .sc/.sci to 16 bits (a negative real part would smear into the
 *     imaginary lane); here it is masked.
 *   - pv.cplxconj.h: {-a.im, a.re} (16-bit wrap). pv.subrotmj.h: -j * (rs1 - rs2), i.e.
 *     re = a.im - b.im, im = b.re - a.re; .div2 / .div4: lane-truncated difference >> 1 / >> 2.
 *   - pv.vitop.max: per signed 16-bit lane max; sets the Viterbi flags vf0 = (a.hi <= b.hi),
 *     vf1 = (a.lo <= b.lo) (updated even when rd = x0). pv.vitop.sel:
 *       rd = ((vf0 ? b.hi : a.hi) << 17) | (vf0 << 16) | (((vf1 ? b.lo : a.lo) << 1) & 0xFFFF)
 *            | vf1   (GVSoC lib_VITOP_SEL).
 *     The flags live in mcs_hwloops.viterbi_flags (bit 0 = vf0, bit 1 = vf1): per-core state.
 *   - pv.pack.h.h: {rs1[31:16], rs2[31:16]}. pv.pack.h.l: {rs1[15:0], rs2[15:0]}.
 *
 *  CSR instructions (opcode 0x73, f3 001/010/011/101/110/111)
 *   - csrrw/csrrwi with rd = x0 do not read the CSR; csrrs/csrrc (rs1 = x0) and csrrsi/csrrci
 *     (uimm = 0) do not write it. The register operand is read before rd is written (rd == rs1
 *     works). A write to a read-only CSR (csr[11:10] == 11) is illegal (RISC-V privileged spec).
 *   - 0x7C0-0x7C2 / 0x7C4-0x7C6 are served from `loops`; any other CSR goes through
 *     io->csr_read / io->csr_write; a non-zero return (or a NULL accessor) -> MCS_XPULP_ILLEGAL
 *     before any state change (the read happens before the write).
 *
 *  Results
 *   - Every recognised instruction is 32 bits: next_pc = pc + 4 except taken p.beqimm/p.bneimm.
 *   - MCS_XPULP_ILLEGAL leaves all state untouched. So does MCS_XPULP_FAULT.
 *   - A NULL `loops` makes hardware-loop instructions, loop CSRs and pv.vitop.* illegal.
 */
#include "xpulp.h"

#include <stddef.h>

/* ------------------------------------------------------------------------------------------ */
/* Field helpers                                                                                */

#define F_RD(i) (((i) >> 7) & 31u)
#define F_RS1(i) (((i) >> 15) & 31u)
#define F_RS2(i) (((i) >> 20) & 31u)
#define F_F3(i) (((i) >> 12) & 7u)
#define F_F7(i) ((i) >> 25)
#define F_F2(i) ((i) >> 30)
#define F_IS3(i) (((i) >> 25) & 31u)

static inline int32_t sext(uint32_t v, unsigned bits)
{
    /* sign-extend the low `bits` bits (1..32) */
    if (bits >= 32)
        return (int32_t)v;
    uint32_t m = 1u << (bits - 1);
    v &= (m << 1) - 1u;
    return (int32_t)((v ^ m) - m);
}

static inline uint32_t imm_i(uint32_t insn) { return (uint32_t)((int32_t)insn >> 20); }

static inline uint32_t imm_s(uint32_t insn)
{
    return ((uint32_t)((int32_t)insn >> 25) << 5) | ((insn >> 7) & 31u);
}

static inline uint32_t imm_b(uint32_t insn)
{
    uint32_t v = ((insn >> 31) & 1u) << 12 | ((insn >> 7) & 1u) << 11 | ((insn >> 25) & 63u) << 5 |
                 ((insn >> 8) & 15u) << 1;
    return (uint32_t)sext(v, 13);
}

/* imm6 of the .sci forms: {bits 24:20, bit 25}, bit 25 = imm[0] */
static inline uint32_t imm6(uint32_t insn)
{
    return (((insn >> 20) & 31u) << 1) | ((insn >> 25) & 1u);
}

/* ------------------------------------------------------------------------------------------ */
/* Decoder                                                                                      */

enum xop {
    X_NONE = 0,
    X_LOAD,
    X_STORE,
    X_ELW,
    X_LP_STARTI,
    X_LP_ENDI,
    X_LP_COUNT,
    X_LP_COUNTI,
    X_LP_SETUP,
    X_LP_SETUPI,
    X_ABS,
    X_AVGU,
    X_SLET,
    X_SLETU,
    X_MIN,
    X_MINU,
    X_MAX,
    X_MAXU,
    X_ROR,
    X_FF1,
    X_FL1,
    X_CLB,
    X_CNT,
    X_EXTHS,
    X_EXTHZ,
    X_EXTBS,
    X_EXTBZ,
    X_CLIP,
    X_CLIPU,
    X_CLIPR,
    X_CLIPUR,
    X_EXTRACT, /* immediate forms: width Is3+1 (29:25), position Is2 (24:20) */
    X_EXTRACTU,
    X_INSERT,
    X_BCLR,
    X_BSET,
    X_EXTRACTR, /* register forms: rs2[9:5] / rs2[4:0] */
    X_EXTRACTUR,
    X_INSERTR,
    X_BCLRR,
    X_BSETR,
    X_MAC,
    X_MSU,
    X_BEQIMM,
    X_BNEIMM,
    X_MULN, /* 0x5B f3 000/100 */
    X_MACN, /* 0x5B f3 001/101 */
    X_ADDN, /* 0x5B f3 010/110 */
    X_SUBN, /* 0x5B f3 011/111 */
    X_PV,
    X_CSR,
};

enum pvop {
    PV_NONE = 0,
    PV_ADD,
    PV_SUB,
    PV_AVG,
    PV_AVGU,
    PV_MIN,
    PV_MINU,
    PV_MAX,
    PV_MAXU,
    PV_SRL,
    PV_SRA,
    PV_SLL,
    PV_OR,
    PV_XOR,
    PV_AND,
    PV_CMPEQ,
    PV_CMPNE,
    PV_CMPGT,
    PV_CMPGE,
    PV_CMPLT,
    PV_CMPLE,
    PV_CMPGTU,
    PV_CMPGEU,
    PV_CMPLTU,
    PV_CMPLEU,
    PV_DOTUP,
    PV_DOTUSP,
    PV_DOTSP,
    PV_SDOTUP,
    PV_SDOTUSP,
    PV_SDOTSP,
    PV_ABS,
    PV_EXTRACT,
    PV_EXTRACTU,
    PV_INSERT,
    PV_SHUFFLE,    /* .h/.b vector, .sci.h */
    PV_SHUFFLEI,   /* .sci.b, `aux` = k (0..3) */
    PV_SHUFFLE2,
    PV_PACK_H,
    PV_PACKHI_B,
    PV_PACKLO_B,
    PV_ADD_DIV,    /* `aux` = shift (1 or 2); lane size from f3 bit 0 */
    PV_SUB_DIV,
    PV_CPLXMUL,    /* `aux` = shift (15/16/17); mode from f3 */
    PV_CPLXCONJ,
    PV_SUBROTMJ,   /* `aux` = shift (0/1/2) */
    PV_VITOP_MAX,
    PV_VITOP_SEL,
    PV_PACK_HH,
    PV_PACK_HL,
};

enum addr_mode { AM_POSTINC_IMM, AM_POSTINC_REG, AM_REG_REG };

typedef struct {
    uint8_t op;   /* enum xop */
    uint8_t cls;  /* enum mcs_xpulp_class */
    uint8_t pv;   /* enum pvop */
    uint8_t aux;  /* see enum comments; load/store: address mode; 0x5B: round flag */
    uint8_t size; /* load/store size; SIMD lane size (1 or 2) */
    uint8_t sgn;  /* load: sign-extend; SIMD .sci: imm is signed; 0x5B: signed */
    const char *name;
} xdec;

#define PVN(x)                                                                           \
    {                                                                                    \
        "pv." x ".h", "pv." x ".b", NULL, NULL, "pv." x ".sc.h", "pv." x ".sc.b",        \
            "pv." x ".sci.h", "pv." x ".sci.b"                                           \
    }

typedef struct {
    uint8_t pv;
    uint8_t imm_signed;
    uint8_t cls;
    const char *names[8]; /* indexed by f3 */
} pv_generic;

/* The funct6 values whose six modes (.h .b .sc.h .sc.b .sci.h .sci.b) all exist. */
static const pv_generic PV_GENERIC[64] = {
    [0x00] = {PV_ADD, 1, MCS_XPULP_CLASS_SIMD, PVN("add")},
    [0x02] = {PV_SUB, 1, MCS_XPULP_CLASS_SIMD, PVN("sub")},
    [0x04] = {PV_AVG, 1, MCS_XPULP_CLASS_SIMD, PVN("avg")},
    [0x06] = {PV_AVGU, 0, MCS_XPULP_CLASS_SIMD, PVN("avgu")},
    [0x08] = {PV_MIN, 1, MCS_XPULP_CLASS_SIMD, PVN("min")},
    [0x0A] = {PV_MINU, 0, MCS_XPULP_CLASS_SIMD, PVN("minu")},
    [0x0C] = {PV_MAX, 1, MCS_XPULP_CLASS_SIMD, PVN("max")},
    [0x0E] = {PV_MAXU, 0, MCS_XPULP_CLASS_SIMD, PVN("maxu")},
    [0x10] = {PV_SRL, 0, MCS_XPULP_CLASS_SIMD, PVN("srl")},
    [0x12] = {PV_SRA, 1, MCS_XPULP_CLASS_SIMD, PVN("sra")},
    [0x14] = {PV_SLL, 0, MCS_XPULP_CLASS_SIMD, PVN("sll")},
    [0x16] = {PV_OR, 1, MCS_XPULP_CLASS_SIMD, PVN("or")},
    [0x18] = {PV_XOR, 1, MCS_XPULP_CLASS_SIMD, PVN("xor")},
    [0x1A] = {PV_AND, 1, MCS_XPULP_CLASS_SIMD, PVN("and")},
    [0x01] = {PV_CMPEQ, 1, MCS_XPULP_CLASS_SIMD, PVN("cmpeq")},
    [0x03] = {PV_CMPNE, 1, MCS_XPULP_CLASS_SIMD, PVN("cmpne")},
    [0x05] = {PV_CMPGT, 1, MCS_XPULP_CLASS_SIMD, PVN("cmpgt")},
    [0x07] = {PV_CMPGE, 1, MCS_XPULP_CLASS_SIMD, PVN("cmpge")},
    [0x09] = {PV_CMPLT, 1, MCS_XPULP_CLASS_SIMD, PVN("cmplt")},
    [0x0B] = {PV_CMPLE, 1, MCS_XPULP_CLASS_SIMD, PVN("cmple")},
    [0x0D] = {PV_CMPGTU, 0, MCS_XPULP_CLASS_SIMD, PVN("cmpgtu")},
    [0x0F] = {PV_CMPGEU, 0, MCS_XPULP_CLASS_SIMD, PVN("cmpgeu")},
    [0x11] = {PV_CMPLTU, 0, MCS_XPULP_CLASS_SIMD, PVN("cmpltu")},
    [0x13] = {PV_CMPLEU, 0, MCS_XPULP_CLASS_SIMD, PVN("cmpleu")},
    [0x20] = {PV_DOTUP, 0, MCS_XPULP_CLASS_DOTP, PVN("dotup")},
    [0x22] = {PV_DOTUSP, 1, MCS_XPULP_CLASS_DOTP, PVN("dotusp")},
    [0x26] = {PV_DOTSP, 1, MCS_XPULP_CLASS_DOTP, PVN("dotsp")},
    [0x28] = {PV_SDOTUP, 0, MCS_XPULP_CLASS_DOTP, PVN("sdotup")},
    [0x2A] = {PV_SDOTUSP, 1, MCS_XPULP_CLASS_DOTP, PVN("sdotusp")},
    [0x2E] = {PV_SDOTSP, 1, MCS_XPULP_CLASS_DOTP, PVN("sdotsp")},
};

static int set(xdec *d, uint8_t op, uint8_t cls, const char *name)
{
    d->op = op;
    d->cls = cls;
    d->name = name;
    return 1;
}

static int set_pv(xdec *d, uint8_t pv, uint8_t size, uint8_t sgn, uint8_t aux, uint8_t cls,
                  const char *name)
{
    d->pv = pv;
    d->size = size;
    d->sgn = sgn;
    d->aux = aux;
    return set(d, X_PV, cls, name);
}

static int decode_pv(uint32_t insn, xdec *d)
{
    uint32_t f3 = F_F3(insn), f7 = F_F7(insn), f6 = insn >> 26, b25 = (insn >> 25) & 1u;
    const uint8_t S = MCS_XPULP_CLASS_SIMD, D = MCS_XPULP_CLASS_DOTP;

    /* GAP8 /2 and /4 forms: f3 010 (.h) and 011 (.b), whole f7 significant. */
    if (f3 == 2) {
        switch (f7) {
        case 0x00: return set_pv(d, PV_ADD_DIV, 2, 1, 1, S, "pv.add.h.div2");
        case 0x01: return set_pv(d, PV_ADD_DIV, 2, 1, 2, S, "pv.add.h.div4");
        case 0x04: return set_pv(d, PV_SUB_DIV, 2, 1, 1, S, "pv.sub.h.div2");
        case 0x05: return set_pv(d, PV_SUB_DIV, 2, 1, 2, S, "pv.sub.h.div4");
        case 0x2A: return set_pv(d, PV_CPLXMUL, 2, 1, 16, D, "pv.cplxmul.s.div2");
        case 0x2B: return set_pv(d, PV_CPLXMUL, 2, 1, 17, D, "pv.cplxmul.s.div4");
        case 0x36: return set_pv(d, PV_SUBROTMJ, 2, 1, 1, S, "pv.subrotmj.h.div2");
        case 0x37: return set_pv(d, PV_SUBROTMJ, 2, 1, 2, S, "pv.subrotmj.h.div4");
        default: return 0;
        }
    }
    if (f3 == 3) {
        switch (f7) {
        case 0x00: return set_pv(d, PV_ADD_DIV, 1, 1, 1, S, "pv.add.b.div2");
        case 0x01: return set_pv(d, PV_ADD_DIV, 1, 1, 2, S, "pv.add.b.div4");
        case 0x04: return set_pv(d, PV_SUB_DIV, 1, 1, 1, S, "pv.sub.b.div2");
        case 0x05: return set_pv(d, PV_SUB_DIV, 1, 1, 2, S, "pv.sub.b.div4");
        default: return 0;
        }
    }

    switch (f6) {
    case 0x15: /* 010101 pv.cplxmul.s */
        if (f3 == 0) return set_pv(d, PV_CPLXMUL, 2, 1, 15, D, "pv.cplxmul.s");
        if (f3 == 4) return set_pv(d, PV_CPLXMUL, 2, 1, 15, D, "pv.cplxmul.s.sc");
        if (f3 == 6) return set_pv(d, PV_CPLXMUL, 2, 1, 15, D, "pv.cplxmul.s.sci");
        return 0;
    case 0x17: /* 0101110 pv.cplxconj.h */
        if (f3 == 0 && !b25) return set_pv(d, PV_CPLXCONJ, 2, 1, 0, S, "pv.cplxconj.h");
        return 0;
    case 0x1B: /* 011011- pv.subrotmj.h */
        if (f3 == 0) return set_pv(d, PV_SUBROTMJ, 2, 1, 0, S, "pv.subrotmj.h");
        return 0;
    case 0x19: /* 011001- pv.vitop.* */
        if (f3 == 1) return set_pv(d, PV_VITOP_MAX, 2, 1, 0, S, "pv.vitop.max");
        if (f3 == 0) return set_pv(d, PV_VITOP_SEL, 2, 1, 0, S, "pv.vitop.sel");
        return 0;
    case 0x34: /* 110100 pv.pack.h (f7 exact), pv.pack.h.h, pv.pack.h.l */
        if (f3 == 0 && !b25) return set_pv(d, PV_PACK_H, 2, 0, 0, S, "pv.pack.h");
        if (f3 == 6) return set_pv(d, PV_PACK_HH, 2, 0, 0, S, "pv.pack.h.h");
        if (f3 == 4) return set_pv(d, PV_PACK_HL, 2, 0, 0, S, "pv.pack.h.l");
        return 0;
    case 0x1C: /* 0111000 pv.abs */
        if (b25) return 0;
        if (f3 == 0) return set_pv(d, PV_ABS, 2, 1, 0, S, "pv.abs.h");
        if (f3 == 1) return set_pv(d, PV_ABS, 1, 1, 0, S, "pv.abs.b");
        return 0;
    case 0x1E: /* 011110 pv.extract */
        if (f3 == 6) return set_pv(d, PV_EXTRACT, 2, 0, 0, S, "pv.extract.h");
        if (f3 == 7) return set_pv(d, PV_EXTRACT, 1, 0, 0, S, "pv.extract.b");
        return 0;
    case 0x24: /* 100100 pv.extractu */
        if (f3 == 6) return set_pv(d, PV_EXTRACTU, 2, 0, 0, S, "pv.extractu.h");
        if (f3 == 7) return set_pv(d, PV_EXTRACTU, 1, 0, 0, S, "pv.extractu.b");
        return 0;
    case 0x2C: /* 101100 pv.insert */
        if (f3 == 6) return set_pv(d, PV_INSERT, 2, 0, 0, S, "pv.insert.h");
        if (f3 == 7) return set_pv(d, PV_INSERT, 1, 0, 0, S, "pv.insert.b");
        return 0;
    case 0x30: /* 110000 pv.shuffle */
        if (f3 == 0) return set_pv(d, PV_SHUFFLE, 2, 0, 0, S, "pv.shuffle.h");
        if (f3 == 1) return set_pv(d, PV_SHUFFLE, 1, 0, 0, S, "pv.shuffle.b");
        if (f3 == 6) return set_pv(d, PV_SHUFFLE, 2, 0, 0, S, "pv.shuffle.sci.h");
        if (f3 == 7) return set_pv(d, PV_SHUFFLEI, 1, 0, 0, S, "pv.shufflei0.sci.b");
        return 0;
    case 0x3A:
        if (f3 == 7) return set_pv(d, PV_SHUFFLEI, 1, 0, 1, S, "pv.shufflei1.sci.b");
        return 0;
    case 0x3C:
        if (f3 == 7) return set_pv(d, PV_SHUFFLEI, 1, 0, 2, S, "pv.shufflei2.sci.b");
        return 0;
    case 0x3E:
        if (f3 == 7) return set_pv(d, PV_SHUFFLEI, 1, 0, 3, S, "pv.shufflei3.sci.b");
        return 0;
    case 0x32: /* 110010 pv.shuffle2 */
        if (f3 == 0) return set_pv(d, PV_SHUFFLE2, 2, 0, 0, S, "pv.shuffle2.h");
        if (f3 == 1) return set_pv(d, PV_SHUFFLE2, 1, 0, 0, S, "pv.shuffle2.b");
        return 0;
    case 0x36: /* 110110 pv.packhi.b */
        if (f3 == 1) return set_pv(d, PV_PACKHI_B, 1, 0, 0, S, "pv.packhi.b");
        return 0;
    case 0x38: /* 111000 pv.packlo.b */
        if (f3 == 1) return set_pv(d, PV_PACKLO_B, 1, 0, 0, S, "pv.packlo.b");
        return 0;
    default:
        break;
    }

    const pv_generic *g = &PV_GENERIC[f6];
    if (g->pv == PV_NONE || g->names[f3] == NULL)
        return 0;
    return set_pv(d, g->pv, (f3 & 1u) ? 1 : 2, g->imm_signed, 0, g->cls, g->names[f3]);
}

static int decode_op(uint32_t insn, xdec *d) /* opcode 0x33 */
{
    static const char *const G02[8] = {"p.abs", "p.avgu", "p.slet", "p.sletu",
                                       "p.min", "p.minu", "p.max",  "p.maxu"};
    static const uint8_t G02OP[8] = {X_ABS, X_AVGU, X_SLET, X_SLETU, X_MIN, X_MINU, X_MAX, X_MAXU};
    static const char *const G08[8] = {"p.ff1",   "p.fl1",   "p.clb",   "p.cnt",
                                       "p.exths", "p.exthz", "p.extbs", "p.extbz"};
    static const uint8_t G08OP[8] = {X_FF1,   X_FL1,   X_CLB,   X_CNT,
                                     X_EXTHS, X_EXTHZ, X_EXTBS, X_EXTBZ};
    static const char *const GBI[5] = {"p.extract", "p.extractu", "p.insert", "p.bclr", "p.bset"};
    static const uint8_t GBIOP[5] = {X_EXTRACT, X_EXTRACTU, X_INSERT, X_BCLR, X_BSET};
    static const char *const GBR[5] = {"p.extractr", "p.extractur", "p.insertr", "p.bclrr",
                                       "p.bsetr"};
    static const uint8_t GBROP[5] = {X_EXTRACTR, X_EXTRACTUR, X_INSERTR, X_BCLRR, X_BSETR};
    const uint8_t A = MCS_XPULP_CLASS_ALU;
    uint32_t f3 = F_F3(insn), f7 = F_F7(insn);

    if (F_F2(insn) == 3) { /* bit-manipulation with immediates */
        if (f3 > 4) return 0;
        return set(d, GBIOP[f3], A, GBI[f3]);
    }
    switch (f7) {
    case 0x02: return set(d, G02OP[f3], A, G02[f3]);
    case 0x04:
        if (f3 == 5) return set(d, X_ROR, A, "p.ror");
        return 0;
    case 0x08: return set(d, G08OP[f3], A, G08[f3]);
    case 0x0A:
        switch (f3) {
        case 1: return set(d, X_CLIP, A, "p.clip");
        case 2: return set(d, X_CLIPU, A, "p.clipu");
        case 5: return set(d, X_CLIPR, A, "p.clipr");
        case 6: return set(d, X_CLIPUR, A, "p.clipur");
        default: return 0;
        }
    case 0x40:
        if (f3 > 4) return 0;
        return set(d, GBROP[f3], A, GBR[f3]);
    case 0x21:
        if (f3 == 0) return set(d, X_MAC, MCS_XPULP_CLASS_MAC, "p.mac");
        if (f3 == 1) return set(d, X_MSU, MCS_XPULP_CLASS_MAC, "p.msu");
        return 0;
    default: return 0;
    }
}

static int decode_5b(uint32_t insn, xdec *d)
{
    /* [f3][f2] */
    static const char *const N[8][4] = {
        {"p.muluN", "p.mulhhuN", "p.mulsN", "p.mulhhsN"},
        {"p.macuN", "p.machhuN", "p.macsN", "p.machhsN"},
        {"p.addN", "p.addNr", "p.adduN", "p.adduNr"},
        {"p.subN", "p.subNr", "p.subuN", "p.subuNr"},
        {"p.muluNR", "p.mulhhuNR", "p.mulsNR", "p.mulhhsNR"},
        {"p.macuNR", "p.machhuNR", "p.macsNR", "p.machhsNR"},
        {"p.addRN", "p.addRNr", "p.adduRN", "p.adduRNr"},
        {"p.subRN", "p.subRNr", "p.subuRN", "p.subuRNr"},
    };
    /* Is3 == 0 spellings of the non-rounding mul/mac forms (GVSoC p.mulu, p.macs, ...) */
    static const char *const N0[2][4] = {
        {"p.mulu", "p.mulhhu", "p.muls", "p.mulhhs"},
        {"p.macu", "p.machhu", "p.macs", "p.machhs"},
    };
    uint32_t f3 = F_F3(insn), f2 = F_F2(insn);
    d->aux = (uint8_t)(f3 >> 2); /* round */
    switch (f3 & 3u) {
    case 0:
    case 1:
        d->sgn = (uint8_t)(f2 >> 1);
        d->size = (uint8_t)(f2 & 1u); /* high halves */
        if (!(f3 & 4u) && F_IS3(insn) == 0)
            return set(d, (f3 & 1u) ? X_MACN : X_MULN,
                       (f3 & 1u) ? MCS_XPULP_CLASS_MAC : MCS_XPULP_CLASS_MUL, N0[f3 & 1u][f2]);
        return set(d, (f3 & 1u) ? X_MACN : X_MULN,
                   (f3 & 1u) ? MCS_XPULP_CLASS_MAC : MCS_XPULP_CLASS_MUL, N[f3][f2]);
    default:
        if ((f2 & 1u) && F_IS3(insn) != 0) return 0; /* register forms: f7 0100000 / 1100000 */
        d->sgn = (uint8_t)!(f2 >> 1);
        d->size = (uint8_t)(f2 & 1u); /* register form */
        return set(d, (f3 & 1u) ? X_SUBN : X_ADDN, MCS_XPULP_CLASS_ALU, N[f3][f2]);
    }
}

static int xdecode(uint32_t insn, xdec *d)
{
    static const char *const LPI[8] = {"p.lb.postinc", "p.lh.postinc", "p.lw.postinc", NULL,
                                       "p.lbu.postinc", "p.lhu.postinc", NULL, NULL};
    static const char *const SPI[3] = {"p.sb.postinc", "p.sh.postinc", "p.sw.postinc"};
    static const char *const SRRPI[3] = {"p.sb.rr.postinc", "p.sh.rr.postinc", "p.sw.rr.postinc"};
    static const char *const SRR[3] = {"p.sb.rr", "p.sh.rr", "p.sw.rr"};
    static const char *const LP[6] = {"lp.starti", "lp.endi",  "lp.count",
                                      "lp.counti", "lp.setup", "lp.setupi"};
    static const char *const CSR[8] = {NULL,  "csrrw",  "csrrs",  "csrrc",
                                       NULL,  "csrrwi", "csrrsi", "csrrci"};
    uint32_t f3 = F_F3(insn), f7 = F_F7(insn);

    d->op = X_NONE;
    d->cls = MCS_XPULP_CLASS_NONE;
    d->pv = PV_NONE;
    d->aux = d->size = d->sgn = 0;
    d->name = NULL;
    if ((insn & 3u) != 3u)
        return 0;

    switch (insn & 0x7Fu) {
    case 0x0B: /* post-increment loads */
        if (f3 == 7) {
            /* register increment: f7 selects the access like the reg-reg loads */
            static const char *const LRPI[] = {"p.lb.rr.postinc", "p.lh.rr.postinc",
                                               "p.lw.rr.postinc", "p.lbu.rr.postinc",
                                               "p.lhu.rr.postinc"};
            int k;
            switch (f7) {
            case 0x00: k = 0; d->size = 1; d->sgn = 1; break;
            case 0x08: k = 1; d->size = 2; d->sgn = 1; break;
            case 0x10: k = 2; d->size = 4; d->sgn = 0; break;
            case 0x20: k = 3; d->size = 1; d->sgn = 0; break;
            case 0x28: k = 4; d->size = 2; d->sgn = 0; break;
            default: return 0;
            }
            d->aux = AM_POSTINC_REG;
            return set(d, X_LOAD, MCS_XPULP_CLASS_LOAD, LRPI[k]);
        }
        if (LPI[f3] == NULL)
            return 0;
        d->size = (uint8_t)(1u << (f3 & 3u));
        d->sgn = (uint8_t)!(f3 & 4u);
        d->aux = AM_POSTINC_IMM;
        return set(d, X_LOAD, MCS_XPULP_CLASS_LOAD, LPI[f3]);

    case 0x03: /* reg-reg loads (f3 111) and p.elw (f3 110) */
        if (f3 == 6)
            return set(d, X_ELW, MCS_XPULP_CLASS_ELW, "p.elw");
        if (f3 == 7) {
            static const char *const LRR[] = {"p.lb.rr", "p.lh.rr", "p.lw.rr", "p.lbu.rr",
                                              "p.lhu.rr"};
            int k;
            switch (f7) {
            case 0x00: k = 0; d->size = 1; d->sgn = 1; break;
            case 0x08: k = 1; d->size = 2; d->sgn = 1; break;
            case 0x10: k = 2; d->size = 4; d->sgn = 0; break;
            case 0x20: k = 3; d->size = 1; d->sgn = 0; break;
            case 0x28: k = 4; d->size = 2; d->sgn = 0; break;
            default: return 0;
            }
            d->aux = AM_REG_REG;
            return set(d, X_LOAD, MCS_XPULP_CLASS_LOAD, LRR[k]);
        }
        return 0;

    case 0x2B: /* post-increment stores */
        if (f3 <= 2) {
            d->size = (uint8_t)(1u << f3);
            d->aux = AM_POSTINC_IMM;
            return set(d, X_STORE, MCS_XPULP_CLASS_STORE, SPI[f3]);
        }
        if (f3 >= 4 && f3 <= 6 && f7 == 0) {
            d->size = (uint8_t)(1u << (f3 - 4));
            d->aux = AM_POSTINC_REG;
            return set(d, X_STORE, MCS_XPULP_CLASS_STORE, SRRPI[f3 - 4]);
        }
        return 0;

    case 0x23: /* reg-reg stores */
        if (f3 >= 4 && f3 <= 6 && f7 == 0) {
            d->size = (uint8_t)(1u << (f3 - 4));
            d->aux = AM_REG_REG;
            return set(d, X_STORE, MCS_XPULP_CLASS_STORE, SRR[f3 - 4]);
        }
        return 0;

    case 0x7B: /* hardware loops */
        if (((insn >> 8) & 15u) != 0 || f3 > 5)
            return 0;
        return set(d, (uint8_t)(X_LP_STARTI + f3), MCS_XPULP_CLASS_HWLOOP, LP[f3]);

    case 0x33:
        return decode_op(insn, d);

    case 0x5B:
        return decode_5b(insn, d);

    case 0x57:
        return decode_pv(insn, d);

    case 0x63:
        if (f3 == 2) return set(d, X_BEQIMM, MCS_XPULP_CLASS_BRANCH, "p.beqimm");
        if (f3 == 3) return set(d, X_BNEIMM, MCS_XPULP_CLASS_BRANCH, "p.bneimm");
        return 0;

    case 0x73:
        if (CSR[f3] == NULL)
            return 0;
        return set(d, X_CSR, MCS_XPULP_CLASS_CSR, CSR[f3]);

    default:
        return 0;
    }
}

const char *mcs_xpulp_mnemonic(uint32_t insn)
{
    xdec d;
    return xdecode(insn, &d) ? d.name : NULL;
}

int mcs_xpulp_class(uint32_t insn)
{
    xdec d;
    return xdecode(insn, &d) ? d.cls : MCS_XPULP_CLASS_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Scalar helpers                                                                               */

static inline uint32_t ror32(uint32_t a, uint32_t n)
{
    n &= 31u;
    return n ? (a >> n) | (a << (32u - n)) : a;
}

static inline uint32_t popcount32(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    return (v * 0x01010101u) >> 24;
}

static inline uint32_t ff1(uint32_t v)
{
    if (!v) return 32;
    uint32_t n = 0;
    while (!(v & 1u)) { v >>= 1; n++; }
    return n;
}

static inline uint32_t fl1(uint32_t v)
{
    if (!v) return 32;
    uint32_t n = 31;
    while (!(v & 0x80000000u)) { v <<= 1; n--; }
    return n;
}

static inline uint32_t clb(uint32_t v)
{
    if (!v) return 0;
    uint32_t x = (v & 0x80000000u) ? ~v : v; /* leading sign bits become leading zeros */
    if (!x) return 31;
    uint32_t n = 0;
    while (!(x & 0x80000000u)) { x <<= 1; n++; }
    return n - 1; /* redundant sign bits: leading equal bits minus the sign bit itself */
}

static inline uint32_t field_mask(uint32_t width, uint32_t pos)
{
    uint64_t m = (width >= 32 ? 0xFFFFFFFFull : ((1ull << width) - 1ull)) << pos;
    return (uint32_t)m;
}

static inline uint32_t bextract(uint32_t v, uint32_t width, uint32_t pos)
{
    if (pos + width > 32) width = 32 - pos;
    return (uint32_t)sext(v >> pos, width);
}

static inline uint32_t clip_s(int32_t a, int32_t low, int32_t high)
{
    if (a < low) return (uint32_t)low;
    if (a > high) return (uint32_t)high;
    return (uint32_t)a;
}

static inline uint32_t clip_u(int32_t a, int32_t high)
{
    if (a > high) return (uint32_t)high;
    if (a <= 0) return 0;
    return (uint32_t)a;
}

/* ------------------------------------------------------------------------------------------ */
/* SIMD helpers                                                                                 */

static inline uint32_t lane(uint32_t v, unsigned i, unsigned bits)
{
    return (v >> (i * bits)) & ((bits == 8) ? 0xFFu : 0xFFFFu);
}

static inline uint32_t replicate(uint32_t v, unsigned bits)
{
    return bits == 8 ? (v & 0xFFu) * 0x01010101u : (v & 0xFFFFu) * 0x00010001u;
}

static uint32_t pv_lanewise(int op, uint32_t a, uint32_t b, unsigned bits, unsigned div)
{
    uint32_t mask = (bits == 8) ? 0xFFu : 0xFFFFu, out = 0;
    unsigned n = 32 / bits;
    for (unsigned i = 0; i < n; i++) {
        uint32_t ua = lane(a, i, bits), ub = lane(b, i, bits), r;
        int32_t sa = sext(ua, bits), sb = sext(ub, bits);
        uint32_t sh = ub & (bits - 1u);
        switch (op) {
        case PV_ADD: r = ua + ub; break;
        case PV_SUB: r = ua - ub; break;
        case PV_AVG: r = (uint32_t)(sext(ua + ub, bits) >> 1); break;
        case PV_AVGU: r = ((ua + ub) & mask) >> 1; break;
        case PV_MIN: r = (uint32_t)(sa > sb ? sb : sa); break;
        case PV_MINU: r = ua > ub ? ub : ua; break;
        case PV_MAX: r = (uint32_t)(sa > sb ? sa : sb); break;
        case PV_MAXU: r = ua > ub ? ua : ub; break;
        case PV_SRL: r = ua >> sh; break;
        case PV_SRA: r = (uint32_t)(sa >> sh); break;
        case PV_SLL: r = ua << sh; break;
        case PV_OR: r = ua | ub; break;
        case PV_XOR: r = ua ^ ub; break;
        case PV_AND: r = ua & ub; break;
        case PV_CMPEQ: r = ua == ub ? mask : 0; break;
        case PV_CMPNE: r = ua != ub ? mask : 0; break;
        case PV_CMPGT: r = sa > sb ? mask : 0; break;
        case PV_CMPGE: r = sa >= sb ? mask : 0; break;
        case PV_CMPLT: r = sa < sb ? mask : 0; break;
        case PV_CMPLE: r = sa <= sb ? mask : 0; break;
        case PV_CMPGTU: r = ua > ub ? mask : 0; break;
        case PV_CMPGEU: r = ua >= ub ? mask : 0; break;
        case PV_CMPLTU: r = ua < ub ? mask : 0; break;
        case PV_CMPLEU: r = ua <= ub ? mask : 0; break;
        case PV_ABS: r = (uint32_t)(sa < 0 ? -sa : sa); break;
        case PV_ADD_DIV: r = (uint32_t)(sext(ua + ub, bits) >> div); break;
        case PV_SUB_DIV: r = (uint32_t)(sext(ua - ub, bits) >> div); break;
        default: r = 0; break;
        }
        out |= (r & mask) << (i * bits);
    }
    return out;
}

/* sum of lane products; sa/sb: lanes of a/b signed */
static uint32_t pv_dot(uint32_t a, uint32_t b, unsigned bits, int sa, int sb)
{
    uint32_t acc = 0;
    for (unsigned i = 0; i < 32 / bits; i++) {
        uint32_t ua = lane(a, i, bits), ub = lane(b, i, bits);
        int64_t x = sa ? (int64_t)sext(ua, bits) : (int64_t)ua;
        int64_t y = sb ? (int64_t)sext(ub, bits) : (int64_t)ub;
        acc += (uint32_t)(x * y);
    }
    return acc;
}

static uint32_t cplxmul(uint32_t a, int32_t bre, int32_t bim, unsigned shift)
{
    int64_t are = (int16_t)(a & 0xFFFFu), aim = (int16_t)(a >> 16);
    int64_t re = (are * bre - aim * bim), im = (aim * bre + are * bim);
    /* arithmetic shift of a possibly negative value, done without relying on >> of negatives */
    int64_t d = (int64_t)1 << shift;
    int64_t qre = re >= 0 ? re / d : -((-re + d - 1) / d);
    int64_t qim = im >= 0 ? im / d : -((-im + d - 1) / d);
    return (((uint32_t)qim & 0xFFFFu) << 16) | ((uint32_t)qre & 0xFFFFu);
}

/* ------------------------------------------------------------------------------------------ */
/* Executor                                                                                     */

static inline uint32_t R(const mcs_xpulp_io *io, uint32_t r) { return r ? io->get(io->ctx, r) : 0; }

static inline void W(const mcs_xpulp_io *io, uint32_t r, uint32_t v)
{
    if (r) io->set(io->ctx, r, v);
}

static uint32_t *loop_csr(mcs_hwloops *loops, uint32_t csr)
{
    if (!loops) return NULL;
    switch (csr) {
    case 0x7C0: return &loops->start[0];
    case 0x7C1: return &loops->end[0];
    case 0x7C2: return &loops->count[0];
    case 0x7C4: return &loops->start[1];
    case 0x7C5: return &loops->end[1];
    case 0x7C6: return &loops->count[1];
    default: return NULL;
    }
}

static int exec_csr(uint32_t insn, const mcs_xpulp_io *io, mcs_hwloops *loops)
{
    uint32_t f3 = F_F3(insn), rd = F_RD(insn), rs1 = F_RS1(insn), csr = insn >> 20;
    uint32_t kind = f3 & 3u; /* 1 write, 2 set, 3 clear */
    uint32_t src = (f3 & 4u) ? rs1 : R(io, rs1);
    int do_write = kind == 1 || rs1 != 0;
    int do_read = kind != 1 || rd != 0;
    uint32_t *lr = loop_csr(loops, csr);
    uint32_t old = 0;

    if (do_write && (csr >> 10) == 3u)
        return MCS_XPULP_ILLEGAL;
    if (do_read) {
        if (lr)
            old = *lr;
        else if (!io->csr_read || io->csr_read(io->ctx, csr, &old) != 0)
            return MCS_XPULP_ILLEGAL;
    }
    if (do_write) {
        uint32_t v = kind == 1 ? src : kind == 2 ? (old | src) : (old & ~src);
        if (lr)
            *lr = v;
        else if (!io->csr_write || io->csr_write(io->ctx, csr, v) != 0)
            return MCS_XPULP_ILLEGAL;
    }
    W(io, rd, old);
    return MCS_XPULP_DONE;
}

static int exec_pv(const xdec *d, uint32_t insn, const mcs_xpulp_io *io, mcs_hwloops *loops)
{
    uint32_t f3 = F_F3(insn), rd = F_RD(insn);
    unsigned bits = d->size * 8u;
    uint32_t a = R(io, F_RS1(insn));
    uint32_t b, r;

    /* second operand: vector / replicated low lane of rs2 / replicated imm6 */
    if ((f3 == 6 || f3 == 7) && d->pv != PV_PACK_HH) { /* pv.pack.h.h (f3 110) has a rs2 */
        uint32_t imm = imm6(insn);
        b = d->sgn ? (uint32_t)sext(imm, 6) : imm;
    } else {
        b = R(io, F_RS2(insn));
    }
    uint32_t bv = (f3 >= 4) ? replicate(b, bits) : b; /* for the lane-wise ops */

    switch (d->pv) {
    case PV_ADD: case PV_SUB: case PV_AVG: case PV_AVGU: case PV_MIN: case PV_MINU:
    case PV_MAX: case PV_MAXU: case PV_SRL: case PV_SRA: case PV_SLL: case PV_OR:
    case PV_XOR: case PV_AND: case PV_CMPEQ: case PV_CMPNE: case PV_CMPGT: case PV_CMPGE:
    case PV_CMPLT: case PV_CMPLE: case PV_CMPGTU: case PV_CMPGEU: case PV_CMPLTU: case PV_CMPLEU:
        r = pv_lanewise(d->pv, a, bv, bits, 0);
        break;
    case PV_ABS:
        r = pv_lanewise(PV_ABS, a, 0, bits, 0);
        break;
    case PV_ADD_DIV: case PV_SUB_DIV:
        r = pv_lanewise(d->pv, a, b, bits, d->aux);
        break;
    case PV_DOTUP: r = pv_dot(a, bv, bits, 0, 0); break;
    case PV_DOTUSP: r = pv_dot(a, bv, bits, 0, 1); break;
    case PV_DOTSP: r = pv_dot(a, bv, bits, 1, 1); break;
    case PV_SDOTUP: r = R(io, rd) + pv_dot(a, bv, bits, 0, 0); break;
    case PV_SDOTUSP: r = R(io, rd) + pv_dot(a, bv, bits, 0, 1); break;
    case PV_SDOTSP: r = R(io, rd) + pv_dot(a, bv, bits, 1, 1); break;
    case PV_EXTRACT: {
        unsigned idx = b & (bits == 8 ? 3u : 1u);
        r = (uint32_t)sext(lane(a, idx, bits), bits);
        break;
    }
    case PV_EXTRACTU: {
        unsigned idx = b & (bits == 8 ? 3u : 1u);
        r = lane(a, idx, bits);
        break;
    }
    case PV_INSERT: {
        unsigned idx = b & (bits == 8 ? 3u : 1u);
        uint32_t m = (bits == 8 ? 0xFFu : 0xFFFFu) << (idx * bits);
        r = (R(io, rd) & ~m) | ((a << (idx * bits)) & m);
        break;
    }
    case PV_SHUFFLE:
        r = 0;
        if (bits == 16) {
            for (unsigned i = 0; i < 2; i++) {
                uint32_t sel = (f3 == 6) ? (b >> i) & 1u : lane(b, i, 16) & 1u;
                r |= lane(a, sel, 16) << (16 * i);
            }
        } else {
            for (unsigned i = 0; i < 4; i++)
                r |= lane(a, lane(b, i, 8) & 3u, 8) << (8 * i);
        }
        break;
    case PV_SHUFFLEI:
        r = lane(a, d->aux, 8) << 24;
        for (unsigned i = 0; i < 3; i++)
            r |= lane(a, (b >> (2 * i)) & 3u, 8) << (8 * i);
        break;
    case PV_SHUFFLE2: {
        uint32_t c = R(io, rd);
        r = 0;
        if (bits == 16) {
            for (unsigned i = 0; i < 2; i++) {
                uint32_t sel = lane(b, i, 16);
                r |= lane((sel & 2u) ? a : c, sel & 1u, 16) << (16 * i);
            }
        } else {
            for (unsigned i = 0; i < 4; i++) {
                uint32_t sel = lane(b, i, 8);
                r |= lane((sel & 4u) ? a : c, sel & 3u, 8) << (8 * i);
            }
        }
        break;
    }
    case PV_PACK_H:
    case PV_PACK_HL: r = (a << 16) | (b & 0xFFFFu); break;
    case PV_PACK_HH: r = (a & 0xFFFF0000u) | (b >> 16); break;
    case PV_PACKHI_B: r = ((a & 0xFFu) << 24) | ((b & 0xFFu) << 16) | (R(io, rd) & 0xFFFFu); break;
    case PV_PACKLO_B: r = (R(io, rd) & 0xFFFF0000u) | ((a & 0xFFu) << 8) | (b & 0xFFu); break;
    case PV_CPLXMUL:
        if (f3 == 4) {
            int32_t s = (int16_t)(b & 0xFFFFu);
            r = cplxmul(a, s, s, d->aux);
        } else if (f3 == 6) {
            int32_t s = (int32_t)b; /* already sign-extended imm6 */
            r = cplxmul(a, s, s, d->aux);
        } else {
            r = cplxmul(a, (int16_t)(b & 0xFFFFu), (int16_t)(b >> 16), d->aux);
        }
        break;
    case PV_CPLXCONJ:
        r = ((0u - (a >> 16)) << 16) | (a & 0xFFFFu);
        break;
    case PV_SUBROTMJ: {
        uint32_t re = (a >> 16) - (b >> 16);        /* a.im - b.im */
        uint32_t im = (b & 0xFFFFu) - (a & 0xFFFFu); /* b.re - a.re */
        re = (uint32_t)(sext(re, 16) >> d->aux);
        im = (uint32_t)(sext(im, 16) >> d->aux);
        r = ((im & 0xFFFFu) << 16) | (re & 0xFFFFu);
        break;
    }
    case PV_VITOP_MAX: {
        int32_t ah = (int16_t)(a >> 16), al = (int16_t)(a & 0xFFFFu);
        int32_t bh = (int16_t)(b >> 16), bl = (int16_t)(b & 0xFFFFu);
        if (!loops) return MCS_XPULP_ILLEGAL;
        loops->viterbi_flags = (ah <= bh ? 1u : 0u) | (al <= bl ? 2u : 0u);
        r = (((uint32_t)(ah > bh ? ah : bh)) << 16) | ((uint32_t)(al > bl ? al : bl) & 0xFFFFu);
        break;
    }
    case PV_VITOP_SEL: {
        if (!loops) return MCS_XPULP_ILLEGAL;
        uint32_t vf0 = loops->viterbi_flags & 1u, vf1 = (loops->viterbi_flags >> 1) & 1u;
        uint32_t hi = vf0 ? (b >> 16) : (a >> 16);
        uint32_t lo = vf1 ? (b & 0xFFFFu) : (a & 0xFFFFu);
        r = (hi << 17) | (vf0 << 16) | ((lo << 1) & 0xFFFFu) | vf1;
        break;
    }
    default:
        return MCS_XPULP_ILLEGAL;
    }
    W(io, rd, r);
    return MCS_XPULP_DONE;
}

int mcs_xpulp_execute(uint32_t insn, uint32_t pc, const mcs_xpulp_io *io, mcs_hwloops *loops,
                      mcs_xpulp_outcome *outcome)
{
    xdec d;
    uint32_t rd = F_RD(insn), rs1 = F_RS1(insn), rs2 = F_RS2(insn);

    outcome->next_pc = pc + 4u;
    if (!xdecode(insn, &d))
        return MCS_XPULP_ILLEGAL;

    switch (d.op) {
    case X_LOAD: {
        uint32_t base = R(io, rs1), addr, inc = 0, v = 0;
        if (d.aux == AM_POSTINC_IMM) { addr = base; inc = imm_i(insn); }
        else if (d.aux == AM_POSTINC_REG) { addr = base; inc = R(io, rs2); }
        else addr = base + R(io, rs2);
        if (io->load(io->ctx, addr, d.size, &v) != 0) {
            outcome->fault_address = addr;
            return MCS_XPULP_FAULT;
        }
        if (d.size < 4)
            v = d.sgn ? (uint32_t)sext(v, d.size * 8u) : (v & ((1u << (d.size * 8u)) - 1u));
        if (d.aux != AM_REG_REG)
            W(io, rs1, base + inc);
        W(io, rd, v); /* last: with rd == rs1 the loaded value wins (RTL) */
        return MCS_XPULP_DONE;
    }
    case X_STORE: {
        uint32_t base = R(io, rs1), val = R(io, rs2), addr, inc = 0;
        if (d.aux == AM_POSTINC_IMM) { addr = base; inc = imm_s(insn); }
        else if (d.aux == AM_POSTINC_REG) { addr = base; inc = R(io, rd); }
        else addr = base + R(io, rd);
        if (d.size < 4)
            val &= (1u << (d.size * 8u)) - 1u;
        if (io->store(io->ctx, addr, d.size, val) != 0) {
            outcome->fault_address = addr;
            return MCS_XPULP_FAULT;
        }
        if (d.aux != AM_REG_REG)
            W(io, rs1, base + inc);
        return MCS_XPULP_DONE;
    }
    case X_ELW:
        outcome->elw_address = R(io, rs1) + imm_i(insn);
        outcome->elw_rd = rd;
        return MCS_XPULP_ELW;

    case X_LP_STARTI: case X_LP_ENDI: case X_LP_COUNT: case X_LP_COUNTI: case X_LP_SETUP:
    case X_LP_SETUPI: {
        unsigned l = (insn >> 7) & 1u;
        uint32_t uimm = insn >> 20;
        if (!loops) return MCS_XPULP_ILLEGAL;
        switch (d.op) {
        case X_LP_STARTI: loops->start[l] = pc + (uimm << 1); break;
        case X_LP_ENDI: loops->end[l] = pc + (uimm << 1); break;
        case X_LP_COUNT: loops->count[l] = R(io, rs1); break;
        case X_LP_COUNTI: loops->count[l] = uimm; break;
        case X_LP_SETUP:
            loops->start[l] = pc + 4u;
            loops->end[l] = pc + (uimm << 1);
            loops->count[l] = R(io, rs1);
            break;
        default: /* X_LP_SETUPI */
            loops->start[l] = pc + 4u;
            loops->end[l] = pc + (rs1 << 1); /* uimmS in bits 19:15 */
            loops->count[l] = uimm;
            break;
        }
        return MCS_XPULP_DONE;
    }

    case X_BEQIMM: case X_BNEIMM: {
        int eq = R(io, rs1) == (uint32_t)sext(rs2, 5);
        if (eq == (d.op == X_BEQIMM))
            outcome->next_pc = pc + imm_b(insn);
        return MCS_XPULP_DONE;
    }

    case X_CSR:
        return exec_csr(insn, io, loops);

    case X_PV:
        return exec_pv(&d, insn, io, loops);

    case X_MULN: case X_MACN: {
        uint32_t a = R(io, rs1), b = R(io, rs2), sh = F_IS3(insn), v;
        unsigned hs = d.size ? 16u : 0u; /* high halves */
        if (d.sgn)
            v = (uint32_t)((int32_t)(int16_t)(a >> hs) * (int32_t)(int16_t)(b >> hs));
        else
            v = ((a >> hs) & 0xFFFFu) * ((b >> hs) & 0xFFFFu);
        if (d.op == X_MACN)
            v += R(io, rd);
        if (d.aux && sh)
            v += 1u << (sh - 1u);
        v = d.sgn ? (uint32_t)((int32_t)v >> sh) : v >> sh;
        W(io, rd, v);
        return MCS_XPULP_DONE;
    }
    case X_ADDN: case X_SUBN: {
        uint32_t x, y, sh, v;
        if (d.size) { x = R(io, rd); y = R(io, rs1); sh = R(io, rs2) & 31u; } /* register form */
        else { x = R(io, rs1); y = R(io, rs2); sh = F_IS3(insn); }
        v = d.op == X_ADDN ? x + y : x - y;
        if (d.aux && sh)
            v += 1u << (sh - 1u);
        v = d.sgn ? (uint32_t)((int32_t)v >> sh) : v >> sh;
        W(io, rd, v);
        return MCS_XPULP_DONE;
    }

    default:
        break;
    }

    /* opcode 0x33 scalar group */
    {
        uint32_t a = R(io, rs1), r;
        uint32_t is3 = F_IS3(insn), is2 = rs2;
        switch (d.op) {
        case X_ABS: r = (int32_t)a < 0 ? 0u - a : a; break;
        case X_AVGU: r = (a + R(io, rs2)) >> 1; break;
        case X_SLET: r = (int32_t)a <= (int32_t)R(io, rs2); break;
        case X_SLETU: r = a <= R(io, rs2); break;
        case X_MIN: { uint32_t b = R(io, rs2); r = (int32_t)a < (int32_t)b ? a : b; break; }
        case X_MINU: { uint32_t b = R(io, rs2); r = a < b ? a : b; break; }
        case X_MAX: { uint32_t b = R(io, rs2); r = (int32_t)a > (int32_t)b ? a : b; break; }
        case X_MAXU: { uint32_t b = R(io, rs2); r = a > b ? a : b; break; }
        case X_ROR: r = ror32(a, R(io, rs2)); break;
        case X_FF1: r = ff1(a); break;
        case X_FL1: r = fl1(a); break;
        case X_CLB: r = clb(a); break;
        case X_CNT: r = popcount32(a); break;
        case X_EXTHS: r = (uint32_t)sext(a, 16); break;
        case X_EXTHZ: r = a & 0xFFFFu; break;
        case X_EXTBS: r = (uint32_t)sext(a, 8); break;
        case X_EXTBZ: r = a & 0xFFu; break;
        case X_CLIP: {
            uint32_t e = is2 ? is2 - 1u : 0u;
            int32_t hi = (int32_t)((1u << e) - 1u), lo = -(int32_t)hi - 1;
            r = clip_s((int32_t)a, lo, hi);
            break;
        }
        case X_CLIPU: {
            uint32_t e = is2 ? is2 - 1u : 0u;
            r = clip_u((int32_t)a, (int32_t)((1u << e) - 1u));
            break;
        }
        case X_CLIPR: {
            uint32_t b = R(io, rs2);
            r = clip_s((int32_t)a, (int32_t)(0u - b - 1u), (int32_t)b);
            break;
        }
        case X_CLIPUR: r = clip_u((int32_t)a, (int32_t)R(io, rs2)); break;
        case X_EXTRACT: r = bextract(a, is3 + 1u, is2); break;
        case X_EXTRACTU: r = (a & field_mask(is3 + 1u, is2)) >> is2; break;
        case X_INSERT: {
            uint32_t m = field_mask(is3 + 1u, is2);
            r = (R(io, rd) & ~m) | ((a << is2) & m);
            break;
        }
        case X_BCLR: r = a & ~field_mask(is3 + 1u, is2); break;
        case X_BSET: r = a | field_mask(is3 + 1u, is2); break;
        case X_EXTRACTR: case X_EXTRACTUR: case X_INSERTR: case X_BCLRR: case X_BSETR: {
            uint32_t b = R(io, rs2), w = ((b >> 5) & 31u) + 1u, p = b & 31u, m = field_mask(w, p);
            switch (d.op) {
            case X_EXTRACTR: r = bextract(a, w, p); break;
            case X_EXTRACTUR: r = (a & m) >> p; break;
            case X_INSERTR: r = (R(io, rd) & ~m) | ((a << p) & m); break;
            case X_BCLRR: r = a & ~m; break;
            default: r = a | m; break;
            }
            break;
        }
        case X_MAC: r = R(io, rd) + a * R(io, rs2); break;
        case X_MSU: r = R(io, rd) - a * R(io, rs2); break;
        default: return MCS_XPULP_ILLEGAL;
        }
        W(io, rd, r);
        return MCS_XPULP_DONE;
    }
}
