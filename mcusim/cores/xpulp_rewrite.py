"""Load-time rewrite of hot Xpulpv2/GAP8 custom instructions into jumps to RV32 stubs.

Unicorn does not know the custom instructions: each one leaves the translated code through the
illegal-instruction trap (docs/unicorn.md §3.1), about 150 ns, while a GAP8 kernel runs one in
three. So, once at load time and in the loaded image only (never the ELF file), each custom
instruction that xpulp_stubs.routine() can express in RV32IM is replaced by `jal x0, stub`: a
J-type jump that links no register. Its part of the stub does what the instruction does and ends
with a jump to the next instruction's part, when that one is rewritten too (a run of rewritten
instructions shares one stub), or back to `pc + 4`. Consecutive instructions of a run that access
no memory also get one merged block. Everything the engine reports stays exactly as with the trap:

- cycles and instructions: the block that jumps ends at the rewritten instruction, as it ended
  at the trapping one, and charges its static cost from the code map (built from the ELF); each
  later instruction of a run is charged by the hot path when its part (or merged block) starts,
  as the one-instruction block the trap path made of it, budget check included; blocks of stub
  code count nothing else (hotpath.c stub_block), so block boundaries, counts, branches and the
  call tree are those of the trap path;
- hardware loops: a run ends at a loop's last instruction and returns to the instruction after
  it, where the back-edge hook sits, as the trap handler did;
- the executor's dynamic costs: a stub's L2 load pays the latency once, as io_load does
  (hotpath.c mcs_data_read_hook); MMIO accesses and faults of a stub are attributed to the
  original instruction, and a fault is replayed through the executor for the same report
  (cores/ri5cy.py).

The stubs live in a window of the address space the board leaves free, an engine detail rather
than a board region: the first page at least STUB_GUARD past the end of the memory region
holding the code (GAP8: 0x1C090000, just above L2), within the ±1 MiB reach of `jal` from every
rewritten instruction. One NumPy buffer holds them and is mapped, execute-only, into every
core's Unicorn. Stubs park their temporaries in FP registers (xpulp_stubs.py), which are per
core, so the shared code needs no per-core scratch memory.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from unicorn import UC_PROT_EXEC, UC_PROT_READ

from mcusim.board import Board
from mcusim.cores import rv32_encode as E
from mcusim.cores.xpulp_stubs import Routine, routine
from mcusim.elf import Firmware
from mcusim.memory import Memory
from mcusim.native import STUB_ENTRY, TlbRegion

PAGE = 0x1000
# Left unmapped between the code's memory region and the stubs, so that a stray access just past
# the end of that region still faults as it does without the rewrite.
STUB_GUARD = 0x10000
MAX_WINDOW = 0x100000  # what one jal spans, at most


@dataclass(frozen=True)
class Site:
    """One rewritten instruction and its part of a stub."""

    pc: int
    word: int            # the original instruction
    entry: int           # the part's first instruction
    end: int             # just past its return jump
    temps: tuple[int, ...]
    body: int            # the first address after the prologue that parks the temporaries


class XpulpRewrite:
    def __init__(self, base: int, sites: list[Site], image: np.ndarray, entries: np.ndarray,
                 targets: dict[int, int], merged: list["Merged"]) -> None:
        self.base = base
        self.end = base + len(image)
        self.image = image  # uint8, a whole number of pages
        self.entries = entries  # native.STUB_ENTRY per 4-byte word: the hot path's stub_entries
        self.sites = {s.pc: s for s in sites}
        self.targets = targets  # where each rewritten instruction jumps
        self.merged = merged
        self._by_entry = sorted(sites, key=lambda s: s.entry)
        self._entries = [s.entry for s in self._by_entry]

    @classmethod
    def plan(cls, firmware: Firmware, board: Board, memory: Memory, custom_words: dict[int, int],
             loop_ends: set[int] = frozenset(), loads_allowed: bool = True) -> "XpulpRewrite | None":
        """Stubs for the custom instructions at ``custom_words`` (address -> word, from the code
        map) that have a routine, lie in code (not `$d` data), are loaded where they run, and are
        within jal reach of the window. ``loop_ends`` are the last instructions of hardware-loop
        bodies: a run of stub parts ends there, so that the back edge, at the next instruction,
        is taken. ``loads_allowed`` False keeps loads trapping (a memory system whose latency
        the stub path could not charge like the executor). None when nothing is rewritten."""
        candidates = []
        data_marks = _data_marks(firmware)
        for pc in sorted(custom_words):
            word = custom_words[pc]
            if _is_data(data_marks, pc) or not _loaded_in_place(memory, pc, word):
                continue
            found = routine(word)
            if found is None or (not loads_allowed and _reads_memory(word)):
                continue
            candidates.append((pc, word, found))
        if not candidates:
            return None
        window = _window(board, [pc for pc, _, _ in candidates])
        if window is None:
            return None
        return cls.layout(candidates, *window, loop_ends=loop_ends)

    @classmethod
    def layout(cls, candidates: list[tuple[int, int, Routine]], base: int, limit: int,
               loop_ends: set[int] = frozenset()) -> "XpulpRewrite | None":
        """Stubs for (address, word, routine) candidates, sorted by address, in [base, limit):
        one part per instruction, a run's parts in a row, and a merged block for each stretch
        of two or more consecutive instructions of a run that access no memory."""
        runs, cursor = [], base
        for run in _runs(candidates, loop_ends):
            placed = _place_run(run, cursor, limit)
            if placed is None:
                continue  # out of jal reach, or no room left: keeps trapping
            runs.append((run, placed))
            cursor = placed[-1].end
        if not runs:
            return None
        merged: list[Merged] = []
        for run, placed in runs:
            for start, count in _register_only_stretches(run):
                block = _place_merged(run, placed, start, count, cursor, limit)
                if block is not None:
                    merged.append(block)
                    cursor = block.end
        size = -(-(cursor - base) // PAGE) * PAGE
        words = np.full(size // 4, 0x00000013, dtype="<u4")  # nops where a page was skipped
        entries = np.zeros(size // 4, dtype=STUB_ENTRY)
        merged_at = {m.pc: m for m in merged}
        sites = [site for _, placed in runs for site in placed]
        target = {s.pc: (merged_at[s.pc].entry if s.pc in merged_at else s.entry) for s in sites}

        def emit(entry: int, body: list[int], end: int, after: int) -> None:
            at = (entry - base) // 4
            words[at:at + len(body)] = body
            words[(end - base) // 4 - 1] = E.jal(0, after - (end - 4))

        for run, placed in runs:
            for i, ((pc, _, found), site) in enumerate(zip(run, placed)):
                last = i + 1 == len(run)
                emit(site.entry, list(found.words), site.end, pc + 4 if last else target[pc + 4])
                entries[(site.entry - base) // 4] = (pc, 0, 0, 0)
            for m in (merged_at[site.pc] for site in placed if site.pc in merged_at):
                body = [w for pc, _, found in run for w in found.words if m.pc <= pc < m.pc + 4 * m.count]
                after = m.pc + 4 * m.count
                emit(m.entry, body, m.end, after if after > run[-1][0] else target[after])
                entries[(m.entry - base) // 4] = (m.pc, m.count - 1, _single_part(placed, m.pc), 0)
        return cls(base, sites, words.view(np.uint8), entries, target, merged)

    def jumps(self) -> list[tuple[int, bytes]]:
        """(address, bytes) of each rewritten instruction's replacement: `jal x0, its stub`."""
        return [(pc, E.jal(0, target - pc).to_bytes(4, "little")) for pc, target in self.targets.items()]

    def patch(self, memory: Memory) -> None:
        """Replace every rewritten instruction by its jump, in the loaded image."""
        for address, jump in self.jumps():
            memory.write(address, jump)

    def map_into(self, uc) -> None:
        uc.mem_map_ptr(self.base, len(self.image), UC_PROT_READ | UC_PROT_EXEC, self.image.ctypes.data)

    def tlb_region(self) -> TlbRegion:
        """Fetch only: a firmware load or store there faults (it is no memory of the board)."""
        return TlbRegion(self.base, self.end, 0, UC_PROT_READ | UC_PROT_EXEC)

    def contains(self, address: int) -> bool:
        return self.base <= address < self.end

    def site_of_stub(self, address: int) -> Site | None:
        """The site whose part holds ``address`` (None in merged blocks: they access no memory,
        so neither an MMIO access nor a fault can come from them)."""
        i = bisect.bisect_right(self._entries, address) - 1
        if i >= 0 and address < self._by_entry[i].end:
            return self._by_entry[i]
        return None

    def original_word(self, pc: int) -> int | None:
        site = self.sites.get(pc)
        return site.word if site is not None else None


@dataclass(frozen=True)
class Merged:
    """One block doing `count` consecutive rewritten instructions from `pc`, none accessing
    memory: the hot path charges them one by one (hotpath.c stub_block)."""

    pc: int
    count: int
    entry: int
    end: int


def _register_only_stretches(run: list[tuple[int, int, Routine]]):
    """(index, length) of each stretch of two or more instructions of a run without a data
    access."""
    start = None
    for i, (_, word, _) in enumerate(run + [(0, None, None)]):
        quiet = word is not None and not _accesses_memory(word)
        if quiet and start is None:
            start = i
        elif not quiet and start is not None:
            if i - start >= 2:
                yield start, i - start
            start = None


def _place_merged(run, placed: list[Site], start: int, count: int, cursor: int, limit: int) -> Merged | None:
    length = 4 * (sum(len(found.words) for _, _, found in run[start:start + count]) + 1)
    if length > PAGE:
        return None
    entry = cursor
    if entry // PAGE != (entry + length - 1) // PAGE:
        entry = -(-entry // PAGE) * PAGE
    end = entry + length
    pc, last = run[start][0], run[start + count - 1][0]
    if end > limit or not E.jal_reaches(entry - pc) or not E.jal_reaches(last + 4 - (end - 4)):
        return None
    return Merged(pc, count, entry, end)


def _single_part(placed: list[Site], pc: int) -> int:
    return next(s.entry for s in placed if s.pc == pc)


def _runs(candidates: list[tuple[int, int, Routine]], loop_ends: set[int]):
    """Candidates grouped into runs of consecutive instructions, a run ending at a loop end."""
    run: list[tuple[int, int, Routine]] = []
    for candidate in candidates:
        if run and (candidate[0] != run[-1][0] + 4 or run[-1][0] in loop_ends):
            yield run
            run = []
        run.append(candidate)
    if run:
        yield run


def _place_run(run: list[tuple[int, int, Routine]], cursor: int, limit: int) -> list[Site] | None:
    """Sites of one run whose parts follow each other from ``cursor``: each part (routine plus a
    jump to the next part, or back after the last instruction) is one translated block, so it
    never spans two pages. None if a jump would not reach or the window is full."""
    sites = []
    for pc, word, found in run:
        length = 4 * (len(found.words) + 1)
        entry = cursor
        if entry // PAGE != (entry + length - 1) // PAGE:
            entry = -(-entry // PAGE) * PAGE
        end = entry + length
        if not E.jal_reaches(entry - pc) or end > limit:
            return None
        sites.append(Site(pc, word, entry, end, found.temps, entry + 4 * found.prologue_words))
        cursor = end
    last = sites[-1]
    if not E.jal_reaches(last.pc + 4 - (last.end - 4)):
        return None
    return sites


def _window(board: Board, pcs: list[int]) -> tuple[int, int] | None:
    """(base, limit) of the stubs: from the first page STUB_GUARD past the region holding the
    highest rewritten instruction, up to MAX_WINDOW or the next thing of the board."""
    region = board.region_at(max(pcs))
    if region is None:
        return None
    base = -(-(region.end + STUB_GUARD) // PAGE) * PAGE
    limit = min(max(pcs) + MAX_WINDOW, base + MAX_WINDOW)
    for other in board.regions:
        for core in board.cores:
            for start, end in other.spans_for(core.name):
                if start < limit and base < end:
                    limit = min(limit, start)
    if board.profile_port is not None and base <= board.profile_port < limit:
        limit = board.profile_port
    return (base, limit) if limit - base >= PAGE else None


def _data_marks(firmware: Firmware) -> tuple[list[int], list[str]]:
    marks = sorted(firmware.mapping_symbols)
    return [a for a, _ in marks], [k for _, k in marks]


def _is_data(marks: tuple[list[int], list[str]], address: int) -> bool:
    """Whether the assembler marked ``address`` as data ($d): a `.word` may be data or an
    instruction, and data must never be rewritten (such instructions just keep trapping)."""
    addresses, kinds = marks
    i = bisect.bisect_right(addresses, address) - 1
    return i >= 0 and kinds[i] == "d"


def _loaded_in_place(memory: Memory, pc: int, word: int) -> bool:
    """Whether the loader put the instruction where it runs: code that the firmware copies there
    itself (load address != run address) is left alone."""
    try:
        return int.from_bytes(memory.read(pc, 4), "little") == word
    except KeyError:
        return False


def charges_loads_like_executor(memory_system) -> bool:
    """Whether a stub's loads pay what the executor's loads pay on a core with this memory
    system (timing.memory_system.MemorySystem): nothing, or one uncached latency range, charged
    once per access (hotpath.c mcs_data_read_hook, ri5cy.c io_load)."""
    if memory_system is None or memory_system.data_cache is None:
        return True
    return memory_system.data_cache.ways == 0 and len(memory_system.data_ranges) == 1


def _reads_memory(word: int) -> bool:
    from mcusim.native import xpulp_class

    return xpulp_class(word) == "load"


def _accesses_memory(word: int) -> bool:
    from mcusim.native import xpulp_class

    return xpulp_class(word) in ("load", "store")
