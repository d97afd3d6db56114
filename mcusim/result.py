"""RunResult: the one serialisable record of a run. Every report renders from it.

``to_dict``/``from_dict`` are exact inverses, so `mcusim report result.json` shows what `mcusim
run` showed. Bump SCHEMA_VERSION on any incompatible change and document it in the README.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

STATUS_EXITED = "exited"
STATUS_FAULT = "fault"
STATUS_CYCLE_LIMIT = "cycle-limit"
STATUS_HANG = "hang"


@dataclass
class Totals:
    instructions: int
    cycles: int
    sim_time_s: float
    host_time_s: float
    mips: float


@dataclass
class CoreResult:
    name: str
    model: str
    clock_hz: int
    instructions: int
    cycles: int
    idle_cycles: int  # cycles fast-forwarded in WFI or branch-to-self waits
    sim_time_s: float
    host_time_s: float
    mips: float
    exceptions_taken: int
    # cycles the core did not execute, by why: "wfi" (Cortex-M WFI/idle loop), "halted" (not
    # started yet), and for GAP8 cores asleep in p.elw: "dma", "barrier", "sync", "event"
    waits: dict[str, int] = field(default_factory=dict)

    @property
    def busy_cycles(self) -> int:
        return self.cycles - self.idle_cycles


@dataclass
class LayerRecord:
    """One marked layer as the firmware ran it (MCUSIM_LAYER_BEGIN/END)."""

    name: str
    macs: int
    core: str
    begin_cycle: int
    end_cycle: int | None  # None: the firmware never ended it
    depth: int  # nesting level, 0 for a top-level layer
    # Filled in after the layer ends (None where not measured):
    stack_high_water_bytes: int | None = None  # deepest stack use during the layer
    touched_bytes: dict[str, int] = field(default_factory=dict)  # RAM region -> bytes written
    dma_bytes_in: int = 0  # into the core's local memory (GAP8: L3->L2, L2->L1)
    dma_bytes_out: int = 0

    @property
    def cycles(self) -> int:
        return (self.end_cycle or self.begin_cycle) - self.begin_cycle


@dataclass
class FunctionProfile:
    """One function of one core, from the hot path's call tracking."""

    name: str
    core: str
    self_cycles: int
    inclusive_cycles: int  # recursion counted once
    calls: int
    file: str | None = None  # from DWARF, where present
    line: int | None = None


@dataclass
class StackSample:
    """Collapsed call stack (outermost first) and the cycles spent with it on top."""

    core: str
    frames: list[str]
    cycles: int


@dataclass
class RegionMemory:
    name: str
    kind: str
    size: int
    static_bytes: int  # .data + .bss (+ sections the ELF places there)
    heap_bytes: int  # heap high-water in this region
    stack_bytes: int  # stack high-water in this region (all cores)
    peak_bytes: int  # static + heap + stack
    touched_bytes: int  # bytes written during the run (word granularity)


@dataclass
class StackUsage:
    core: str
    region: str
    size_bytes: int  # the stack reservation
    high_water_bytes: int  # painted stack, scanned after the run


@dataclass
class MemoryReport:
    regions: list[RegionMemory] = field(default_factory=list)
    stack: list[StackUsage] = field(default_factory=list)
    heap: dict[str, Any] = field(default_factory=dict)  # base, limit, high_water_bytes

    def peak(self, region: str) -> int:
        for r in self.regions:
            if r.name == region:
                return r.peak_bytes
        raise KeyError(f"no memory region {region!r} (regions: {', '.join(r.name for r in self.regions)})")


@dataclass
class FaultReport:
    core: str
    kind: str  # e.g. "read from unmapped memory", "undefined instruction"
    pc: int
    location: str  # symbol+offset
    instruction: str  # disassembly at pc
    address: int | None  # faulting data address, when there is one
    region: str | None  # the board region of that address, or "unmapped"
    registers: dict[str, int]
    backtrace: list[str]
    handler: str | None = None  # the firmware handler that was entered, if any


@dataclass
class RunResult:
    schema_version: int
    mcusim_version: str
    board: dict[str, Any]
    elf: dict[str, Any]
    status: str
    exit_code: int | None
    message: str  # why the run ended, one line
    stdout: str
    stderr: str
    totals: Totals
    cores: list[CoreResult]
    timing_model: dict[str, Any]
    fault: FaultReport | None = None
    layers: list[LayerRecord] = field(default_factory=list)
    functions: list[FunctionProfile] = field(default_factory=list)
    stacks: list[StackSample] = field(default_factory=list)
    memory: MemoryReport = field(default_factory=MemoryReport)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for layer, record in zip(data["layers"], self.layers):
            layer["cycles"] = record.cycles
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunResult":
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version {data.get('schema_version')} is not {SCHEMA_VERSION}")
        values = {f.name: data.get(f.name) for f in fields(cls)}
        values["totals"] = Totals(**data["totals"])
        values["cores"] = [CoreResult(**c) for c in data["cores"]]
        values["fault"] = FaultReport(**data["fault"]) if data.get("fault") else None
        values["layers"] = [LayerRecord(**{k: v for k, v in layer.items() if k != "cycles"})
                            for layer in data.get("layers") or []]
        values["functions"] = [FunctionProfile(**f) for f in data.get("functions") or []]
        values["stacks"] = [StackSample(**x) for x in data.get("stacks") or []]
        memory = data.get("memory") or {}
        values["memory"] = MemoryReport(regions=[RegionMemory(**r) for r in memory.get("regions", [])],
                                        stack=[StackUsage(**x) for x in memory.get("stack", [])],
                                        heap=memory.get("heap", {}))
        values["diagnostics"] = data.get("diagnostics") or {}
        return cls(**values)

    @classmethod
    def load(cls, path: Path) -> "RunResult":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
