"""Static code map: every instruction of the firmware decoded once with Capstone at load time.

The result is what the native block hook reads: per code range, prefix sums of instruction
counts and static cycles at 2-byte granularity, per-halfword flags, and a block counter array.
"""

from __future__ import annotations

from dataclasses import dataclass

import capstone
import numpy as np

from mcusim.elf import Firmware
from mcusim.native import (FLAG_BRANCH_END, FLAG_CALL_END, FLAG_CONDITIONAL_BRANCH_END, FLAG_SELF_LOOP,
                           MAX_CODE_RANGES)
from mcusim.timing import DecodedInstruction, TimingModel

_MERGE_GAP = 256  # code sections closer than this share one range (gap costs nothing)

# Branch-to-self encodings: Thumb `b .` (T2), `b<cond> .` (T1), `b.w .` (T4); RISC-V `c.j .`, `j .`.
_SELF_LOOPS_16 = {0xE7FE, 0xA001} | {0xD0FE | (cond << 8) for cond in range(14)}
_THUMB_SELF_LOOP_32 = (0xF7FF, 0xBFFE)
_SELF_LOOPS_32 = {0x0000006F}
_BRANCH_GROUPS = {capstone.CS_GRP_JUMP, capstone.CS_GRP_CALL, capstone.CS_GRP_RET,
                  capstone.CS_GRP_BRANCH_RELATIVE}


@dataclass
class CodeRange:
    base: int
    end: int
    instruction_prefix: np.ndarray  # uint64[(end-base)/2 + 1]
    cycle_prefix: np.ndarray  # uint64[(end-base)/2 + 1]
    flags: np.ndarray  # uint8[(end-base)/2]
    functions: np.ndarray  # uint32[(end-base)/2]: 1 + index into CodeMap.functions, 0 = none
    # uint64[len(timing.static_events), (end-base)/2 + 1]: prefix sums of each static event
    # (performance counters); None when the timing model has none
    event_prefix: np.ndarray | None = None

    def contains(self, address: int) -> bool:
        return self.base <= address < self.end


class CodeMap:
    def __init__(self, ranges: list[CodeRange], instructions: int,
                 system_words: dict[int, int] | None = None, functions: list | None = None,
                 custom_words: dict[int, int] | None = None) -> None:
        self.ranges = ranges
        self.functions = functions or []  # the firmware's functions; index i is number i + 1
        self.static_instructions = instructions
        # RISC-V: 32-bit words of the SYSTEM (CSR) and hardware-loop (custom-3) opcodes, by
        # address: the RI5CY core finds loop ends and cycle-counter reads among them.
        self.system_words = system_words or {}
        # RISC-V: 32-bit words Capstone does not decode (Xpulpv2/GAP8 instructions), by address:
        # the candidates of the load-time rewrite (cores/xpulp_rewrite.py).
        self.custom_words = custom_words or {}

    def new_block_counts(self) -> list[np.ndarray]:
        """Zeroed execution counters of block starts, one array per range: one set per core."""
        return [np.zeros((r.end - r.base) // 2, dtype=np.uint64) for r in self.ranges]

    @classmethod
    def build(cls, firmware: Firmware, timing: TimingModel) -> "CodeMap":
        spans = _code_spans(firmware)
        image = _Image(firmware)
        ranges, total, system_words, custom_words = [], 0, {}, {}
        for base, end in spans:
            n = (end - base) // 2
            instructions = np.zeros(n, dtype=np.uint64)
            cycles = np.zeros(n, dtype=np.uint64)
            flags = np.zeros(n, dtype=np.uint8)
            events = np.zeros((len(timing.static_events), n), dtype=np.uint64)
            for run in _decode(firmware, image, base, end, timing.needs_detail):
                for insn, (cost, insn_events) in zip(run, timing.schedule_run(run)):
                    i = (insn.address - base) >> 1
                    instructions[i] = 1
                    cycles[i] = cost
                    if insn_events:
                        events[:, i] = insn_events
                    if _is_self_loop(image, insn):
                        flags[i] |= FLAG_SELF_LOOP
                    if insn.detail is not None and _is_branch(insn.detail):
                        flags[(insn.address + insn.size - 2 - base) >> 1] |= FLAG_BRANCH_END
                        if _is_call(insn.detail, image.read(insn.address, insn.size)):
                            flags[(insn.address + insn.size - 2 - base) >> 1] |= FLAG_CALL_END
                    if firmware.arch == "riscv" and insn.size == 4:
                        word = int.from_bytes(image.read(insn.address, 4), "little")
                        if word & 0x7F in (0x73, 0x7B):
                            system_words[insn.address] = word
                        if insn.mnemonic == "custom":
                            custom_words[insn.address] = word
                    if firmware.arch == "riscv" and _is_riscv_conditional_branch(image.read(insn.address, insn.size)):
                        flags[(insn.address + insn.size - 2 - base) >> 1] |= FLAG_CONDITIONAL_BRANCH_END
            total += int(instructions.sum())
            function_index = np.zeros(n, dtype=np.uint32)
            starts = [f.address for f in firmware.functions] + [end]
            for number, function in enumerate(firmware.functions, start=1):
                # Assembly functions often have no size: they run to the next function.
                size = function.size or (starts[number] - function.address)
                lo = max(function.address, base)
                hi = min(function.address + max(size, 2), end)
                if lo < hi:
                    function_index[(lo - base) >> 1:(hi - base + 1) >> 1] = number
            ranges.append(CodeRange(
                base=base, end=end,
                instruction_prefix=_prefix(instructions), cycle_prefix=_prefix(cycles),
                flags=flags, functions=function_index,
                event_prefix=_prefix_rows(events) if len(events) else None,
            ))
        return cls(ranges, total, system_words, list(firmware.functions), custom_words)


def _prefix(values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values, out=out[1:])
    return out


def _prefix_rows(values: np.ndarray) -> np.ndarray:
    out = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.uint64)
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def _is_riscv_conditional_branch(raw: bytes) -> bool:
    """BRANCH opcode (beq..bgeu, and Xpulp's p.beqimm/p.bneimm), or C.BEQZ/C.BNEZ."""
    if len(raw) == 2:
        half = int.from_bytes(raw, "little")
        return half & 3 == 1 and half >> 13 in (6, 7)
    return int.from_bytes(raw, "little") & 0x7F == 0x63


def _code_spans(firmware: Firmware) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for sec in sorted(firmware.code_sections(), key=lambda s: s.address):
        start, end = sec.address & ~1, (sec.address + sec.size + 1) & ~1
        if spans and start - spans[-1][1] < _MERGE_GAP:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    while len(spans) > MAX_CODE_RANGES:  # merge the closest pair
        gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:])]
        i = gaps.index(min(gaps))
        spans[i:i + 2] = [[spans[i][0], spans[i + 1][1]]]
    return [(a, b) for a, b in spans]


class _Image:
    """Bytes of the firmware at run addresses (code may run from RAM it is copied to)."""

    def __init__(self, firmware: Firmware) -> None:
        self.pieces = [(s.run_address, s.data) for s in firmware.segments if s.data]

    def read(self, address: int, size: int) -> bytes:
        for base, data in self.pieces:
            if base <= address and address + size <= base + len(data):
                return data[address - base:address - base + size]
        return b""


def _decode(firmware: Firmware, image: _Image, base: int, end: int, detail: bool):
    """Straight-line runs of decoded instructions (a run ends at data or undecodable bytes)."""
    if firmware.arch == "riscv":
        yield from _decode_riscv(firmware, image, base, end, detail)
        return
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = detail
    for start, stop in _code_spans_by_mapping(firmware, base, end, "t"):
        code = image.read(start, stop - start)
        offset = 0
        while offset < len(code):
            run = []
            if detail:
                for insn in md.disasm(code[offset:], start + offset):
                    run.append(DecodedInstruction(insn.address, insn.size, insn.mnemonic, insn.op_str, insn))
            else:
                for address, size, mnemonic, operands in md.disasm_lite(code[offset:], start + offset):
                    run.append(DecodedInstruction(address, size, mnemonic, operands))
            if run:
                yield run
                offset = run[-1].address + run[-1].size - start
            else:
                offset += 2  # undecodable halfword (data in code): skip it


def _decode_riscv(firmware: Firmware, image: _Image, base: int, end: int, detail: bool):
    """RV32IMC through Capstone; the 32-bit words it does not know are Xpulpv2/GAP8 custom
    instructions (or data): they stay in the run as `custom` instructions, so the timing model
    can cost them and the run is not cut (GAP8 kernels interleave them with RV32)."""
    md = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV32 | capstone.CS_MODE_RISCVC)
    md.detail = detail
    # RISC-V compilers put no data in code sections, but custom instructions written with
    # `.word` (Xpulp hardware-loop set-ups) carry a $d mapping symbol: decode the whole range.
    for start, stop in [(base, end)]:
        code = image.read(start, stop - start)
        offset, run = 0, []
        while offset < len(code):
            decoded = next(md.disasm(code[offset:], start + offset, 1), None)
            if decoded is not None:
                run.append(DecodedInstruction(decoded.address, decoded.size, decoded.mnemonic,
                                              decoded.op_str, decoded if detail else None))
                offset += decoded.size
                continue
            word = int.from_bytes(code[offset:offset + 4].ljust(4, b"\0"), "little")
            if word & 3 == 3 and offset + 4 <= len(code):
                run.append(DecodedInstruction(start + offset, 4, "custom", f"{word:#010x}", None))
                offset += 4
            else:
                if run:
                    yield run
                run = []
                offset += 2
        if run:
            yield run


def _code_spans_by_mapping(firmware: Firmware, base: int, end: int, code_kind: str) -> list[tuple[int, int]]:
    """Parts of [base, end) that hold code, from the mapping symbols ($t/$x code, $d data)."""
    marks = [(a, k) for a, k in firmware.mapping_symbols if base <= a < end]
    if not marks:
        return [(base, end)]
    spans, current = [], None
    if marks[0][0] > base:
        current = base
    for address, kind in marks:
        if kind == code_kind:
            if current is None:
                current = address
        elif current is not None:
            spans.append((current, address))
            current = None
    if current is not None:
        spans.append((current, end))
    return [(a, b) for a, b in spans if b > a]


def _is_branch(detail) -> bool:
    """Any instruction that may write the PC: branches, calls, returns, POP/LDM/LDR of PC."""
    if set(detail.groups) & _BRANCH_GROUPS:
        return True
    if detail._cs.arch == capstone.CS_ARCH_ARM:
        return capstone.arm.ARM_REG_PC in detail.regs_access()[1]
    return detail.mnemonic in ("jalr", "c.jalr", "c.jr", "ret", "mret")


def _is_call(detail, raw: bytes) -> bool:
    """A branch that links: BL/BLX (Arm); on RISC-V a JAL/JALR whose rd is a link register (x1
    or x5, the psABI's), or C.JAL/C.JALR (they link ra). RISC-V is decided from the encoding:
    Capstone prints `jal ra, f` as `jal f` and `jalr ra, a5` as `jalr a5`, without the rd."""
    if detail._cs.arch == capstone.CS_ARCH_ARM:
        return detail.mnemonic.split(".")[0] in ("bl", "blx")
    if len(raw) == 2:
        return detail.mnemonic in ("c.jal", "c.jalr")
    word = int.from_bytes(raw, "little")
    return word & 0x7F in (0x6F, 0x67) and (word >> 7) & 0x1F in (1, 5)


def _is_self_loop(image: _Image, insn: DecodedInstruction) -> bool:
    raw = image.read(insn.address, insn.size)
    value = int.from_bytes(raw, "little")
    if insn.size == 2:
        return value in _SELF_LOOPS_16
    if insn.size == 4:
        return value in _SELF_LOOPS_32 or (
            (int.from_bytes(raw[:2], "little"), int.from_bytes(raw[2:], "little")) == _THUMB_SELF_LOOP_32)
    return False
