"""`--flame FILE`: collapsed stacks ("main;conv;dot 1234"), weighted by cycles.

One line per distinct call stack (outermost frame first) from the result's `stacks`; the weight is
the cycles spent with that stack on top, so the weights sum to the cycles the call tracking
attributed. On a board with several cores each line starts with the core's name as the root frame.
speedscope (https://www.speedscope.app), inferno and flamegraph.pl load this format. Frame names
have ';' replaced by ':' (the separator) and line breaks by spaces.
"""

from __future__ import annotations

from pathlib import Path

from mcusim.result import RunResult


def _frame(name: str) -> str:
    return name.replace(";", ":").replace("\n", " ").replace("\r", " ") or "?"


def collapsed_stacks(result: RunResult) -> list[tuple[str, int]]:
    multi_core = len({s.core for s in result.stacks}) > 1 or len(result.cores) > 1
    weights: dict[str, int] = {}
    for sample in result.stacks:
        if sample.cycles <= 0:
            continue
        frames = [_frame(f) for f in sample.frames] or ["(unknown)"]
        if multi_core:
            frames.insert(0, _frame(sample.core))
        key = ";".join(frames)
        weights[key] = weights.get(key, 0) + sample.cycles
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))


def write_flame(result: RunResult, path: Path) -> None:
    path.write_text("".join(f"{stack} {weight}\n" for stack, weight in collapsed_stacks(result)),
                    encoding="utf-8")
