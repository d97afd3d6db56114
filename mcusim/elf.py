"""Firmware: an ELF file's loadable image, symbols, sections and static sizes.

Read once at start-up with pyelftools; nothing here runs during emulation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from mcusim.board import Board, CoreSpec
from mcusim.errors import McusimError

EM_ARM = "EM_ARM"
EM_RISCV = "EM_RISCV"

# ARM EABI build attributes (Tag_CPU_arch values): what each can run on.
_ARM_ARCH_NAMES = {
    0: "pre-ARMv4", 1: "ARMv4", 2: "ARMv4T", 3: "ARMv5T", 4: "ARMv5TE", 5: "ARMv5TEJ",
    6: "ARMv6", 7: "ARMv6KZ", 8: "ARMv6T2", 9: "ARMv6K", 10: "ARMv7", 11: "ARMv6-M",
    12: "ARMv6S-M", 13: "ARMv7E-M", 14: "ARMv8-A", 15: "ARMv8-R", 16: "ARMv8-M baseline",
    17: "ARMv8-M mainline", 18: "ARMv8.1-A", 19: "ARMv8.2-A", 20: "ARMv8.3-A",
    21: "ARMv8.1-M mainline",
}
_RUNS_ON_V7EM = {10, 11, 12, 13}  # ARMv7(-M), ARMv6-M and ARMv7E-M code runs on an M4/M7
_FP_ARCH_FPV5 = 7  # Tag_FP_arch 7 = FPv5 (ARMv8 FP), the Cortex-M7's FPU


@dataclass(frozen=True)
class Segment:
    """A PT_LOAD segment: file bytes placed at the load address, memsz at the run address."""

    load_address: int  # p_paddr: where the bytes live at reset (e.g. .data's image in flash)
    run_address: int  # p_vaddr: where the program uses them
    data: bytes
    memory_size: int
    flags: str  # subset of "rwx"


@dataclass(frozen=True)
class Section:
    name: str
    address: int  # run address (VMA)
    load_address: int  # LMA (equals address except for initialised data)
    size: int
    kind: str  # "code" | "ro-data" | "rw-data" | "zi-data"
    writable: bool = False  # SHF_WRITE


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int  # Thumb bit cleared
    size: int
    kind: str  # "function" | "object" | "other"
    weak: bool = False


class Firmware:
    """One loaded ELF. Construct with :meth:`load`."""

    def __init__(self, path: Path, machine: str, entry: int, segments: list[Segment],
                 sections: list[Section], symbols: list[Symbol], mapping_symbols: list[tuple[int, str]],
                 arm_attributes: dict[str, object]) -> None:
        self.path = path
        self.machine = machine
        self.entry = entry
        self.segments = segments
        self.sections = sections
        self.symbols = symbols
        self.mapping_symbols = mapping_symbols  # $t/$a/$x code, $d data: (address, kind letter), sorted
        self.arm_attributes = arm_attributes
        # One function per address: a strong definition wins over weak aliases of it (the
        # Default_Handler every unused vector points to is named as such, not as IRQ17_Handler).
        by_address: dict[int, Symbol] = {}
        for s in sorted((s for s in symbols if s.kind == "function"), key=lambda s: (s.weak, s.name)):
            by_address.setdefault(s.address, s)
        self.functions = sorted(by_address.values(), key=lambda s: s.address)
        self._function_starts = [f.address for f in self.functions]
        self._by_name = {s.name: s for s in symbols}

    @property
    def arch(self) -> str:
        return "arm" if self.machine == EM_ARM else "riscv"

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path_like: str | Path) -> "Firmware":
        path = Path(path_like)
        if not path.exists():
            raise McusimError(f"firmware file {path} does not exist.")
        if not path.is_file():
            raise McusimError(f"firmware {path} is not a file.")
        try:
            with path.open("rb") as stream:
                head = stream.read(4)
                if head != b"\x7fELF":
                    raise McusimError(
                        f"{path} is not an ELF file (it starts with {head!r}, not b'\\x7fELF'). "
                        "Give mcusim the linked firmware ELF, not a .bin or .hex image."
                    )
                return cls._parse(path, ELFFile(stream))
        except McusimError:
            raise
        except (ELFError, ELFParseError, ValueError, KeyError, IndexError, AssertionError) as e:
            raise McusimError(
                f"{path} is a malformed or truncated ELF file ({type(e).__name__}: {e}). "
                "Rebuild it, or check that the copy is complete."
            ) from None
        except OSError as e:
            raise McusimError(f"firmware file {path} cannot be read: {e.strerror}.") from None

    @classmethod
    def _parse(cls, path: Path, elf: ELFFile) -> "Firmware":
        machine = elf["e_machine"]
        if machine not in (EM_ARM, EM_RISCV):
            raise McusimError(
                f"{path} is an ELF for {machine.replace('EM_', '')}, which mcusim does not "
                "simulate: it runs Arm Cortex-M (EM_ARM) and RISC-V (EM_RISCV) firmware."
            )
        if elf.elfclass != 32 or not elf.little_endian:
            raise McusimError(
                f"{path} is a {elf.elfclass}-bit {'little' if elf.little_endian else 'big'}-endian "
                "ELF; mcusim runs 32-bit little-endian microcontroller firmware."
            )
        if elf["e_type"] not in ("ET_EXEC",):
            raise McusimError(
                f"{path} is an ELF of type {elf['e_type']}, not a linked executable (ET_EXEC). "
                "Give mcusim the final linked firmware, not an object file or library."
            )
        file_size = path.stat().st_size
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            if seg["p_offset"] + seg["p_filesz"] > file_size:
                raise McusimError(
                    f"{path} is truncated: a loadable segment needs bytes up to offset "
                    f"{seg['p_offset'] + seg['p_filesz']}, the file has {file_size}."
                )
            data = seg.data()
            if len(data) != seg["p_filesz"]:
                raise McusimError(f"{path} is truncated: a loadable segment is incomplete.")
            flags = seg["p_flags"]
            segments.append(Segment(
                load_address=seg["p_paddr"], run_address=seg["p_vaddr"], data=data,
                memory_size=seg["p_memsz"],
                flags="".join(c for bit, c in ((4, "r"), (2, "w"), (1, "x")) if flags & bit),
            ))
        if not segments:
            raise McusimError(f"{path} has no loadable segments (PT_LOAD): there is nothing to run.")

        sections = []
        for sec in elf.iter_sections():
            flags = sec["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC or sec["sh_size"] == 0:
                continue
            if sec["sh_type"] == "SHT_NOBITS":
                kind = "zi-data"
            elif flags & SH_FLAGS.SHF_EXECINSTR:
                kind = "code"
            elif flags & SH_FLAGS.SHF_WRITE and _in_writable_segment(elf, sec):
                kind = "rw-data"
            else:
                kind = "ro-data"
            sections.append(Section(sec.name, sec["sh_addr"], _load_address(elf, sec),
                                    sec["sh_size"], kind, writable=bool(flags & SH_FLAGS.SHF_WRITE)))

        symbols, mapping = [], []
        symtab = elf.get_section_by_name(".symtab")
        if symtab is not None:
            for sym in symtab.iter_symbols():
                name, value = sym.name, sym["st_value"]
                sym_type = sym["st_info"]["type"]
                if _is_mapping_symbol(machine, name):
                    mapping.append((value, name[1]))
                    continue
                if not name or sym_type in ("STT_SECTION", "STT_FILE") or sym["st_shndx"] == "SHN_UNDEF":
                    continue
                if sym_type == "STT_FUNC":
                    kind = "function"
                    if machine == EM_ARM:
                        value &= ~1
                elif sym_type == "STT_OBJECT":
                    kind = "object"
                else:
                    kind = "other"
                symbols.append(Symbol(name, value, sym["st_size"], kind,
                                      weak=sym["st_info"]["bind"] == "STB_WEAK"))
        mapping.sort()

        attributes: dict[str, object] = {}
        if machine == EM_ARM:
            sec = elf.get_section_by_name(".ARM.attributes")
            if sec is not None:
                for sub in sec.iter_subsections():
                    for subsub in sub.iter_subsubsections():
                        for attr in subsub.iter_attributes():
                            attributes[attr.tag] = attr.value
        entry = elf["e_entry"] & (~1 if machine == EM_ARM else ~0)
        return cls(path, machine, entry, segments, sections, symbols, mapping, attributes)

    # -- checks against a board ------------------------------------------------------------

    def check_runs_on(self, board: Board) -> None:
        core = board.cores[0]
        if self.arch != core.arch:
            built = "an Arm (EM_ARM)" if self.arch == "arm" else "a RISC-V (EM_RISCV)"
            raise McusimError(
                f"{self.path} is {built} ELF, but board {board.name} has {core.model} cores. "
                "Build the firmware for the board's core, or pick a board with that core."
            )
        if self.arch == "arm":
            self._check_arm_core(board, core)
        self._check_segments_fit(board)

    def _check_arm_core(self, board: Board, core: CoreSpec) -> None:
        arch = self.arm_attributes.get("TAG_CPU_ARCH")
        profile = self.arm_attributes.get("TAG_CPU_ARCH_PROFILE")
        name = _ARM_ARCH_NAMES.get(arch, f"Tag_CPU_arch {arch}")
        if profile in (ord("A"), ord("R")) or (arch is not None and arch not in _RUNS_ON_V7EM):
            raise McusimError(
                f"{self.path} was built for {name}"
                f"{' (' + chr(profile) + '-profile)' if isinstance(profile, int) and profile else ''}, "
                f"but board {board.name} has a {core.model} (ARMv7E-M). Build with "
                f"-mcpu={core.model} -mthumb."
            )
        fp_arch = self.arm_attributes.get("TAG_FP_ARCH", 0) or 0
        hardfp_use = self.arm_attributes.get("TAG_ABI_HARDFP_USE", 0)
        if fp_arch and core.fpu == "none":
            raise McusimError(
                f"{self.path} uses floating-point instructions, but board {board.name}'s "
                f"{core.model} has no FPU. Build with -mfloat-abi=soft."
            )
        if core.fpu == "fpv4-sp" and (fp_arch >= _FP_ARCH_FPV5 or (fp_arch and hardfp_use != 1)):
            raise McusimError(
                f"{self.path} was built for a double-precision FPU (Tag_FP_arch {fp_arch}), but "
                f"board {board.name}'s {core.model} has the single-precision FPv4-SP. Build with "
                "-mfpu=fpv4-sp-d16."
            )

    def _check_segments_fit(self, board: Board) -> None:
        for seg in self.segments:
            spans = []
            if seg.data:
                spans.append(("its image", seg.load_address, len(seg.data)))
            spans.append(("its run address range", seg.run_address, seg.memory_size))
            for what, start, size in spans:
                region = board.region_at(start, size)
                if region is None or region.kind == "mmio":
                    near = board.region_at(start) or board.region_at(start + size - 1)
                    detail = (
                        f"it runs past the end of {near.name} ({near.base:#010x}..{near.end:#010x})"
                        if near else "no memory region of the board contains it"
                    )
                    regions = ", ".join(
                        f"{r.name} {r.base:#010x}+{r.size // 1024} KiB" for r in board.memory_regions()
                    )
                    raise McusimError(
                        f"{self.path}: a loadable segment ({what}: {start:#010x}..{start + size:#010x}, "
                        f"{size} bytes) does not fit board {board.name}'s memory: {detail}. "
                        f"The board has {regions}. Check the linker script's MEMORY map against the board."
                    )

    # -- queries ---------------------------------------------------------------------------

    def symbol(self, name: str) -> Symbol | None:
        return self._by_name.get(name)

    def function_at(self, address: int) -> Symbol | None:
        i = bisect.bisect_right(self._function_starts, address) - 1
        if i >= 0:
            f = self.functions[i]
            if f.address <= address < f.address + max(f.size, 1):
                return f
        return None

    def describe_address(self, address: int) -> str:
        """'symbol+0xoff' for an address inside a function, or the bare address."""
        f = self.function_at(address)
        if f is None:
            return f"{address:#010x}"
        return f"{f.name}+{address - f.address:#x}" if address != f.address else f.name

    def code_sections(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "code"]

    def sizes(self, board: Board | None = None) -> dict[str, int]:
        """Keil's 'Program Size' split: Code, RO-data, RW-data, ZI-data (bytes).

        With a board, initialised writable data counts as RW-data where it runs in RAM and as
        RO-data where it stays in flash; without one, the ELF's segments decide (see Section)."""
        totals = {"code": 0, "ro-data": 0, "rw-data": 0, "zi-data": 0}
        for s in self.sections:
            kind = s.kind
            if board is not None and kind in ("rw-data", "ro-data") and s.writable:
                region = board.region_at(s.address)
                kind = "rw-data" if region is not None and region.is_ram else "ro-data"
            totals[kind] += s.size
        return totals


def _is_mapping_symbol(machine: str, name: str) -> bool:
    """ARM $t/$a/$d and RISC-V $x/$d (optionally $x<isa> or $d.<n>) mark code and data."""
    if len(name) < 2 or name[0] != "$":
        return False
    kinds = ("t", "a", "d") if machine == EM_ARM else ("x", "d")
    return name[1] in kinds and (len(name) == 2 or name[2] == "." or (machine == EM_RISCV and name[1] == "x"))


def _in_writable_segment(elf: ELFFile, section) -> bool:
    """False for writable sections the linker placed in the code's segment at their load
    address (e.g. .init_array in flash): nothing copies them to RAM, they are constants in
    practice, and Keil's split counts them as RO-data."""
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_LOAD" and seg.section_in_segment(section):
            in_place = seg["p_vaddr"] == seg["p_paddr"]
            return not (in_place and seg["p_flags"] & 1)
    return True


def _load_address(elf: ELFFile, section) -> int:
    """A section's LMA: its VMA shifted by the offset of the segment that holds it."""
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_LOAD" and seg.section_in_segment(section):
            return section["sh_addr"] - seg["p_vaddr"] + seg["p_paddr"]
    return section["sh_addr"]
