"""Loading of timing tables (timing/*.toml): instruction classes with cycles and their source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class InstructionClass:
    name: str
    source: str
    instructions: tuple[str, ...]
    cycles: int = 1  # issue cycles (in-order single-issue cores)
    per_register: int = 0
    properties: tuple[tuple[str, Any], ...] = ()  # model-specific fields (latency, issue, group...)

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.properties).get(key, default)


@dataclass(frozen=True)
class TimingTable:
    path: Path
    parameters: dict[str, Any]
    classes: tuple[InstructionClass, ...]
    not_on_core: frozenset[str]  # decodable, but undefined on this core: no cost

    def by_instruction(self) -> dict[str, InstructionClass]:
        table: dict[str, InstructionClass] = {}
        for cls in self.classes:
            for name in cls.instructions:
                if name in table:
                    raise ValueError(f"{self.path}: {name} is in classes {table[name].name} and {cls.name}")
                table[name] = cls
        return table


def load_table(name: str) -> TimingTable:
    path = Path(__file__).resolve().parent / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    common = {"name", "source", "instructions", "cycles", "per_register"}
    classes = tuple(
        InstructionClass(name=c["name"], source=c["source"], instructions=tuple(c["instructions"]),
                         cycles=c.get("cycles", 1), per_register=c.get("per_register", 0),
                         properties=tuple(sorted((k, v) for k, v in c.items() if k not in common)))
        for c in data.pop("class")
    )
    not_on_core = frozenset(data.pop("not_on_core", {}).get("instructions", ()))
    return TimingTable(path=path, parameters=data, classes=classes, not_on_core=not_on_core)
