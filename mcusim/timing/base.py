"""The interface every timing model implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class DecodedInstruction:
    address: int
    size: int
    mnemonic: str
    operands: str


class TimingModel:
    name: ClassVar[str]
    version: ClassVar[str]
    covers: ClassVar[tuple[str, ...]]
    omits: ClassVar[tuple[str, ...]]

    def static_cycles(self, instruction: DecodedInstruction) -> int:
        raise NotImplementedError

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "covers": list(self.covers),
                "omits": list(self.omits)}
