"""Number formatting shared by the renderers: every number leaves with its unit."""

from __future__ import annotations


def si(value: float, unit: str) -> str:
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:,.3f} {prefix}{unit}"
    return f"{value:,.0f} {unit}"


def duration(seconds: float) -> str:
    """A simulated or host duration at a readable scale: s, ms, µs or ns."""
    for factor, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if abs(seconds) >= factor:
            return f"{seconds / factor:,.3f} {unit}"
    return f"{seconds * 1e9:,.0f} ns"


def percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "—"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def nbytes(value: int | None) -> str:
    return "—" if value is None else f"{value:,} B"


def signed(value: float, digits: int = 0) -> str:
    return f"{value:+,.{digits}f}"


def core_list(names: list[str]) -> str:
    """'cl0', 'cl0,cl3' or 'cl0–cl7' for a run of cores with numbered names."""
    if len(names) <= 2:
        return ",".join(names)
    stem = names[0].rstrip("0123456789")
    numbers = [n[len(stem):] for n in names]
    if all(n.startswith(stem) and d.isdigit() for n, d in zip(names, numbers)):
        values = [int(d) for d in numbers]
        if values == list(range(values[0], values[0] + len(values))):
            return f"{names[0]}–{names[-1]}"
    return ",".join(names)
