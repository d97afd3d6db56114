"""Boards as data: Board, CoreSpec and Region, loaded from boards/*.toml and validated.

A board file may name a parent with ``extends = "name"``; the child's tables are merged over the
parent's, and its ``[[regions]]`` replace the parent's regions of the same name. Files whose name
starts with an underscore are such parents: they are not boards of their own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcusim.errors import McusimError

CORE_MODELS = {
    # model: (architecture family, ISA string as the ELF must be)
    "cortex-m4": "arm",
    "cortex-m7": "arm",
    "ri5cy": "riscv",
}
FPUS = ("none", "fpv4-sp", "fpv5-dp")
REGION_KINDS = ("flash", "sram", "tcm", "ccm", "l1", "l2", "l3", "rom", "mmio")
RAM_KINDS = ("sram", "tcm", "ccm", "l1", "l2", "l3")
ACCELERATORS = ("none", "art", "prefetch", "cache")


@dataclass(frozen=True)
class CacheSpec:
    size: int
    ways: int
    line_bytes: int


@dataclass(frozen=True)
class CoreSpec:
    name: str
    model: str
    clock_hz: int
    fpu: str = "none"
    icache: CacheSpec | None = None
    dcache: CacheSpec | None = None

    @property
    def arch(self) -> str:
        return CORE_MODELS[self.model]


@dataclass(frozen=True)
class Region:
    name: str
    base: int
    size: int
    kind: str
    access: str  # subset of "rwx"
    aliases: tuple[int, ...] = ()
    wait_states: int = 0  # flash: wait states at the board clock (docs/cortexm.md §1.4)
    latency_cycles: int = 0  # extra cycles per data access beyond the core's base cost
    accelerator: str = "none"  # flash: ART accelerator, prefetch buffer or cache in front
    cacheable: bool = False  # reached through the core's L1 caches (Cortex-M7 AXI)
    description: str = ""
    # A core-relative alias: cores whose name starts with `local_to` also see the region at
    # `local_alias` (GAP8: address 0 is each core's own L1 or TCDM).
    local_alias: int | None = None
    local_to: str | None = None

    @property
    def mapped(self) -> bool:
        """Whether cores address it: L3 (HyperRAM/HyperFlash) is reached through DMA only."""
        return self.kind != "l3"

    def spans_for(self, core_name: str) -> list[tuple[int, int]]:
        """Where one core sees the region: its global spans plus a local alias of its own."""
        spans = self.spans()
        if self.local_alias is not None and core_name.startswith(self.local_to or ""):
            spans.append((self.local_alias, self.local_alias + self.size))
        return spans

    @property
    def end(self) -> int:
        return self.base + self.size

    @property
    def is_ram(self) -> bool:
        return self.kind in RAM_KINDS

    def contains(self, address: int, size: int = 1) -> bool:
        return self.base <= address and address + size <= self.end

    def spans(self) -> list[tuple[int, int]]:
        """Every (start, end) where the region appears: its base and each alias."""
        return [(b, b + self.size) for b in (self.base, *self.aliases)]


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    cores: tuple[CoreSpec, ...]
    regions: tuple[Region, ...]
    vector_table: int | None  # Cortex-M: where reset reads SP and PC (VTOR's reset value)
    path: Path
    profile_port: int | None = None  # where firmware/include/mcusim.h writes layer markers
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def arch(self) -> str:
        return self.cores[0].arch

    @property
    def clock_hz(self) -> int:
        return self.cores[0].clock_hz

    def region_at(self, address: int, size: int = 1) -> Region | None:
        for region in self.regions:
            for start, end in region.spans():
                if start <= address and address + size <= end:
                    return region
        return None

    def translate(self, core_name: str, address: int) -> int:
        """The global address of what ``core_name`` sees at ``address``: local aliases undone."""
        for region in self.regions:
            if region.local_alias is not None and core_name.startswith(region.local_to or ""):
                if region.local_alias <= address < region.local_alias + region.size:
                    return region.base + address - region.local_alias
        return address

    def memory_regions(self) -> tuple[Region, ...]:
        """Regions backed by memory (RAM, flash, ROM, L3), not peripherals."""
        return tuple(r for r in self.regions if r.kind != "mmio")


# ----------------------------------------------------------------------------------------------
# loading


def builtin_board_dir() -> Path:
    """boards/ inside the installed package, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "boards"
    return installed if installed.is_dir() else package_dir.parent / "boards"


def builtin_board_names() -> list[str]:
    return sorted(
        p.stem for p in builtin_board_dir().glob("*.toml") if not p.name.startswith("_")
    )


def load_board(name_or_path: str) -> Board:
    """A built-in board by name, or a user's board file by path."""
    path = Path(name_or_path)
    looks_like_path = name_or_path.endswith(".toml") or "/" in name_or_path or path.is_file()
    if looks_like_path:
        if not path.is_file():
            raise McusimError(f"board file {name_or_path} does not exist.")
        return _load_file(path)
    candidate = builtin_board_dir() / f"{name_or_path}.toml"
    if name_or_path.startswith("_") or not candidate.is_file():
        known = ", ".join(builtin_board_names())
        raise McusimError(
            f"unknown board '{name_or_path}'. Known boards: {known}. A path to a board "
            "file of your own (a .toml file) also works; `mcusim boards` lists them all."
        )
    return _load_file(candidate)


def load_all_boards() -> list[Board]:
    return [load_board(name) for name in builtin_board_names()]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise McusimError(f"board file {path} is not valid TOML: {e}.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise McusimError(f"board file {path} cannot be read: {e}.") from None


def _merged(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    data = _read_toml(path)
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data
    if not isinstance(parent_name, str):
        raise McusimError(f"board file {path}: field 'extends' must be a board file name.")
    parent_path = path.parent / f"{parent_name}.toml"
    if not parent_path.is_file():
        parent_path = builtin_board_dir() / f"{parent_name}.toml"
    if not parent_path.is_file():
        raise McusimError(f"board file {path}: 'extends' names '{parent_name}', which is not a board file.")
    if parent_path.resolve() in seen:
        raise McusimError(f"board file {path}: 'extends' makes a cycle through {parent_path}.")
    parent = _merged(parent_path, seen + (path.resolve(),))
    return _merge(parent, data)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(parent)
    for key, value in child.items():
        if key == "regions" and isinstance(value, list) and isinstance(parent.get(key), list):
            names = {r.get("name") for r in value if isinstance(r, dict)}
            merged[key] = [r for r in parent[key] if r.get("name") not in names] + value
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = _merge(parent[key], value)
        else:
            merged[key] = value
    return merged


_SIZE_RE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$")
_UNITS = {None: 1, "B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


class _Fields:
    """Typed access to one table of a board file, with errors that name file and field."""

    def __init__(self, path: Path, where: str, table: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            self.fail("", "must be a table")
        self.table = table

    def fail(self, key: str, message: str) -> None:
        name = f"{self.where}.{key}" if self.where and key else (key or self.where)
        raise McusimError(f"board file {self.path}: field '{name}' {message}.")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., required: bool = True) -> Any:
        if key not in self.table:
            if default is not ...:
                return default
            self.fail(key, "is missing")
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool:
            self.fail(key, f"must be {_kind_name(kind)}, not a boolean")
        if not isinstance(value, kind):
            self.fail(key, f"must be {_kind_name(kind)}, not {value!r}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(key, str, default)
        if value not in choices:
            self.fail(key, f"is '{value}'; it must be one of {', '.join(choices)}")
        return value

    def size(self, key: str, default: Any = ...) -> int:
        value = self.get(key, (int, str), default)
        if isinstance(value, str):
            m = _SIZE_RE.match(value)
            if not m:
                self.fail(key, f"is '{value}'; write a byte count such as 65536 or \"64 KiB\"")
            value = int(m.group(1)) * _UNITS[m.group(2)]
        if value <= 0:
            self.fail(key, "must be positive")
        return value

    def natural(self, key: str, default: Any = ...) -> int:
        value = self.get(key, int, default)
        if value < 0:
            self.fail(key, "must not be negative")
        return value

    def unknown(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                self.fail(key, f"is not a known field (known: {', '.join(sorted(allowed))})")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", str: "a string", bool: "true or false", list: "a list", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _cache(path: Path, where: str, table: Any) -> CacheSpec | None:
    if table is None:
        return None
    f = _Fields(path, where, table)
    f.unknown({"size", "ways", "line_bytes"})
    return CacheSpec(size=f.size("size"), ways=f.natural("ways"), line_bytes=f.natural("line_bytes"))


def _load_file(path: Path) -> Board:
    data = _merged(path)
    top = _Fields(path, "", data)
    top.unknown({"name", "description", "cores", "regions", "boot", "semihosting", "profiling", "soc"})
    name = top.get("name", str)

    cores_data = top.get("cores", list)
    if not cores_data:
        top.fail("cores", "must list at least one core")
    cores = []
    for i, table in enumerate(cores_data):
        f = _Fields(path, f"cores[{i}]", table)
        f.unknown({"name", "model", "clock_hz", "fpu", "icache", "dcache", "count"})
        model = f.choice("model", tuple(CORE_MODELS))
        count = f.natural("count", 1)
        core_name = f.get("name", str)
        clock = f.natural("clock_hz")
        if clock == 0:
            f.fail("clock_hz", "must be positive")
        common = dict(
            model=model,
            clock_hz=clock,
            fpu=f.choice("fpu", FPUS, "none"),
            icache=_cache(path, f"cores[{i}].icache", table.get("icache")),
            dcache=_cache(path, f"cores[{i}].dcache", table.get("dcache")),
        )
        names = [core_name] if count == 1 else [f"{core_name}{k}" for k in range(count)]
        cores.extend(CoreSpec(name=n, **common) for n in names)
    if len({c.arch for c in cores}) != 1:
        top.fail("cores", "mixes architectures")

    regions = []
    for i, table in enumerate(top.get("regions", list)):
        # Name the region, not its index: with `extends` the index is in the merged list.
        label = table.get("name") if isinstance(table, dict) else None
        f = _Fields(path, f"regions[{label}]" if isinstance(label, str) else f"regions[{i}]", table)
        f.unknown({"name", "base", "size", "kind", "access", "aliases", "wait_states",
                   "latency_cycles", "accelerator", "cacheable", "description", "local_alias",
                   "local_to"})
        kind = f.choice("kind", REGION_KINDS)
        default_access = {"flash": "rx", "rom": "rx", "mmio": "rw"}.get(kind, "rwx")
        access = f.get("access", str, default_access)
        if not access or set(access) - set("rwx"):
            f.fail("access", f"is '{access}'; use letters of 'rwx'")
        aliases = f.get("aliases", list, [])
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in aliases):
            f.fail("aliases", "must be a list of addresses")
        region = Region(
            name=f.get("name", str),
            base=f.natural("base"),
            size=f.size("size"),
            kind=kind,
            access=access,
            aliases=tuple(aliases),
            wait_states=f.natural("wait_states", 0),
            latency_cycles=f.natural("latency_cycles", 0),
            accelerator=f.choice("accelerator", ACCELERATORS, "none"),
            cacheable=f.get("cacheable", bool, False),
            description=f.get("description", str, ""),
            local_alias=f.get("local_alias", int, None),
            local_to=f.get("local_to", str, None),
        )
        if (region.local_alias is None) != (region.local_to is None):
            f.fail("local_alias", "and local_to go together")
        for start, end in region.spans():
            if start % 1024 or end % 1024:
                f.fail("base", f"and size must be multiples of 1 KiB (the emulator's page), got {start:#x}..{end:#x}")
            if end > 1 << 32:
                f.fail("size", "puts the region past the 4 GiB address space")
        regions.append(region)
    _check_overlaps(path, regions)

    boot = _Fields(path, "boot", data.get("boot", {}))
    boot.unknown({"vector_table"})
    vector_table = boot.get("vector_table", int, None)
    if cores[0].arch == "arm":
        if vector_table is None:
            boot.fail("vector_table", "is missing (a Cortex-M board boots from its vector table)")
        if not any(r.contains(vector_table, 8) for r in regions if r.kind != "mmio"):
            boot.fail("vector_table", f"({vector_table:#x}) is not inside a memory region")

    profiling = _Fields(path, "profiling", data.get("profiling", {}))
    profiling.unknown({"port"})
    profile_port = profiling.get("port", int, None)
    if profile_port is not None and not any(
            r.kind == "mmio" and r.contains(profile_port, 0xC) for r in regions):
        profiling.fail("port", f"({profile_port:#x}) is not inside an mmio region of the board")
    extra = {k: data[k] for k in ("semihosting", "soc") if k in data}
    return Board(
        name=name,
        description=top.get("description", str, ""),
        cores=tuple(cores),
        regions=tuple(regions),
        vector_table=vector_table,
        path=path,
        profile_port=profile_port,
        extra=extra,
    )


def _check_overlaps(path: Path, regions: list[Region]) -> None:
    spans = sorted((start, end, r.name) for r in regions for start, end in r.spans())
    for (s1, e1, n1), (s2, e2, n2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise McusimError(
                f"board file {path}: regions '{n1}' ({s1:#x}..{e1:#x}) and '{n2}' "
                f"({s2:#x}..{e2:#x}) overlap."
            )
