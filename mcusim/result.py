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


@dataclass
class LayerRecord:
    """One marked layer as the firmware ran it (MCUSIM_LAYER_BEGIN/END)."""

    name: str
    macs: int
    core: str
    begin_cycle: int
    end_cycle: int | None  # None: the firmware never ended it
    depth: int  # nesting level, 0 for a top-level layer

    @property
    def cycles(self) -> int:
        return (self.end_cycle or self.begin_cycle) - self.begin_cycle


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
        values["diagnostics"] = data.get("diagnostics") or {}
        return cls(**values)

    @classmethod
    def load(cls, path: Path) -> "RunResult":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
