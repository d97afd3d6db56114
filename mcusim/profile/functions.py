"""Per-function profile and collapsed stacks from the hot path's call tree (native/hotpath.c)."""

from __future__ import annotations

import numpy as np

from mcusim.profile.source_lines import SourceLines
from mcusim.result import FunctionProfile, StackSample

UNKNOWN = "(unknown)"


def call_profile(nodes: np.ndarray, n_nodes: int, current_node: int, pending_cycles: int,
                 functions: list, core: str, source: SourceLines | None,
                 ) -> tuple[list[FunctionProfile], list[StackSample]]:
    """``nodes`` is the core's call tree (native.CALL_NODE records); ``pending_cycles`` were spent
    after the last block and belong to ``current_node``."""
    tree = nodes[:n_nodes].copy()
    tree["self_cycles"][current_node] += pending_cycles
    parent = tree["parent"].astype(np.int64)
    function = tree["function"].astype(np.int64)
    self_cycles = tree["self_cycles"].astype(np.int64)

    # Children have larger indices than their parents (nodes are appended), so a reverse sweep
    # accumulates each subtree in one pass.
    subtree = self_cycles.copy()
    for n in range(n_nodes - 1, 0, -1):
        subtree[parent[n]] += subtree[n]

    def name(number: int) -> str:
        return functions[number - 1].name if 0 < number <= len(functions) else UNKNOWN

    profiles: dict[int, list[int]] = {}  # function -> [self, inclusive, calls]
    stacks = []
    for n in range(1, n_nodes):
        path, outer_same = [], False
        a = n
        while a != 0:
            path.append(int(function[a]))
            a = int(parent[a])
            if a != 0 and function[a] == function[n]:
                outer_same = True
        entry = profiles.setdefault(int(function[n]), [0, 0, 0])
        entry[0] += int(self_cycles[n])
        entry[2] += int(tree["calls"][n])
        if not outer_same:  # recursion: the outermost occurrence holds the inclusive time
            entry[1] += int(subtree[n])
        if self_cycles[n]:
            stacks.append(StackSample(core=core, frames=[name(f) for f in reversed(path)],
                                      cycles=int(self_cycles[n])))
    if self_cycles[0]:
        stacks.append(StackSample(core=core, frames=[UNKNOWN], cycles=int(self_cycles[0])))
        profiles.setdefault(0, [0, 0, 0])
        profiles[0][0] += int(self_cycles[0])
        profiles[0][1] += int(self_cycles[0])

    out = []
    for number, (own, inclusive, calls) in profiles.items():
        file = line = None
        if source is not None and 0 < number <= len(functions):
            file, line = source.lookup(functions[number - 1].address)
        out.append(FunctionProfile(name=name(number), core=core, self_cycles=own,
                                   inclusive_cycles=inclusive, calls=calls, file=file, line=line))
    out.sort(key=lambda f: (-f.self_cycles, f.name))
    stacks.sort(key=lambda s: (-s.cycles, s.frames))
    return out, stacks
