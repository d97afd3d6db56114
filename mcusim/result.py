"""RunResult: the one serialisable record of a run. Every report renders from it.

``to_dict``/``from_dict`` are exact inverses, so `mcusim report result.json` shows what `mcusim
run` showed. Bump SCHEMA_VERSION on any incompatible change and document it in the README.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, SupportsIndex, overload

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


@dataclass(frozen=True)
class LayerSummary:
    """Every record of one layer name, as ``result.layers["conv1"]`` gives it.

    ``cycles`` follows the layer table's rule: the records of one core are summed (a layer marked
    several times on a core, e.g. in a loop), and over cores the slowest core's sum counts (the
    parallel section's length); ``core_cycles`` keeps each core's sum. ``macs`` sums every record.
    """

    name: str
    records: tuple[LayerRecord, ...]

    @property
    def core_cycles(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.records:
            out[r.core] = out.get(r.core, 0) + r.cycles
        return out

    @property
    def cycles(self) -> int:
        return max(self.core_cycles.values())

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.records)

    @property
    def cores(self) -> list[str]:
        return list(self.core_cycles)

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def ended(self) -> bool:
        return all(r.end_cycle is not None for r in self.records)

    @property
    def macs_per_cycle(self) -> float | None:
        return self.macs / self.cycles if self.macs and self.cycles else None


@dataclass(frozen=True)
class FunctionSummary:
    """Every profile of one function name, as ``result.functions["dot"]`` gives it: cycles and
    calls summed over the cores that ran it (CPU cycles, not wall time)."""

    name: str
    records: tuple[FunctionProfile, ...]

    @property
    def self_cycles(self) -> int:
        return sum(f.self_cycles for f in self.records)

    @property
    def inclusive_cycles(self) -> int:
        return sum(f.inclusive_cycles for f in self.records)

    @property
    def calls(self) -> int:
        return sum(f.calls for f in self.records)

    @property
    def cores(self) -> list[str]:
        return list(dict.fromkeys(f.core for f in self.records))


class _NamedList(list):
    """A list of records that also looks records up by name: ``xs[0]`` and ``xs[1:3]`` as a list
    does, ``xs["name"]`` gives the summary of every record of that name, ``"name" in xs``,
    ``xs.names()``, ``xs.get(name)``. Serialises, compares and pickles as a plain list."""

    _summary: type
    _what: str

    @overload
    def __getitem__(self, key: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> list: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...

    def _records(self, name: str) -> tuple:
        return tuple(r for r in self if r.name == name)

    def __getitem__(self, key):
        if isinstance(key, str):
            records = self._records(key)
            if not records:
                known = ", ".join(self.names()) or "none"
                raise KeyError(f"no {self._what} named {key!r} ({self._what}s: {known})")
            return self._summary(key, records)
        return super().__getitem__(key)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return bool(self._records(item))
        return super().__contains__(item)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def names(self) -> list[str]:
        """The distinct names, in the order they first appear."""
        return list(dict.fromkeys(r.name for r in self))

    def by_name(self) -> dict[str, Any]:
        return {name: self[name] for name in self.names()}


class LayerList(_NamedList):
    """``RunResult.layers``: the LayerRecords in order, plus ``layers["conv1"]`` -> LayerSummary."""

    _summary = LayerSummary
    _what = "layer"


class FunctionList(_NamedList):
    """``RunResult.functions``: the FunctionProfiles, plus ``functions["dot"]`` -> FunctionSummary.
    A name the profile lacks matches GCC's clones of that function (``dot.constprop.0``,
    ``dot.isra.0``, ``dot.part.0``): the source name finds the code that ran."""

    _summary = FunctionSummary
    _what = "function"

    def _records(self, name: str) -> tuple:
        return super()._records(name) or tuple(r for r in self if r.name.split(".", 1)[0] == name
                                               and "." in r.name and "." not in name)


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
    layers: LayerList = field(default_factory=LayerList)  # a list; layers["conv1"] by name
    functions: FunctionList = field(default_factory=FunctionList)  # functions["dot"] by name
    stacks: list[StackSample] = field(default_factory=list)
    memory: MemoryReport = field(default_factory=MemoryReport)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    # "full", or "off" (--no-profile): no functions, stacks or per-layer memory figures
    profile: str = "full"

    def __setattr__(self, name: str, value: Any) -> None:
        # layers/functions stay name-indexable whatever list they are given
        if name == "layers" and not isinstance(value, LayerList):
            value = LayerList(value)
        elif name == "functions" and not isinstance(value, FunctionList):
            value = FunctionList(value)
        super().__setattr__(name, value)

    @property
    def total(self) -> Totals:
        """The same as ``totals`` (``result.total.cycles`` reads naturally)."""
        return self.totals

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["layers"] = list(data["layers"])
        data["functions"] = list(data["functions"])
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
        values["profile"] = data.get("profile", "full")
        return cls(**values)

    @classmethod
    def load(cls, path: Path) -> "RunResult":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
