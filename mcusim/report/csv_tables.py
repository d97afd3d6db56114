"""`--csv DIR`: the layer, function and memory tables as CSV files in DIR.

DIR/layers.csv     one row per layer (as the terminal table), then `outside` and `total` rows
                   (column `kind`); cycles of each row's core, time in µs at that core's clock
DIR/functions.csv  every function (not only the top N), by self cycles
DIR/memory.csv     one row per memory region

Units are in the column names. A file whose table is empty (no markers, no call tracking) holds
its header only, so scripts find the same files for every run.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mcusim.report.functions import function_rows
from mcusim.report.layers import layer_rows
from mcusim.result import RunResult

LAYER_COLUMNS = ["index", "kind", "name", "depth", "cores", "cycles", "time_us", "share_pct", "macs",
                 "macs_per_cycle", "stack_high_water_bytes"]
LAYER_TAIL = ["dma_in_bytes", "dma_out_bytes", "core_cycles"]
FUNCTION_COLUMNS = ["rank", "core", "function", "self_cycles", "self_pct", "inclusive_cycles",
                    "inclusive_pct", "calls", "cycles_per_call", "file", "line"]
MEMORY_COLUMNS = ["region", "kind", "size_bytes", "static_bytes", "heap_bytes", "stack_bytes",
                  "peak_bytes", "occupancy_pct", "written_bytes"]


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.3f}" if whole else ""


def layer_csv_rows(result: RunResult) -> list[dict[str, object]]:
    t = layer_rows(result)
    if t is None:
        return []
    regions = t.regions
    rows: list[dict[str, object]] = []
    for r in t.rows:
        row = {"index": r.index, "kind": "layer", "name": r.label, "depth": r.depth,
               "cores": " ".join(r.cores), "cycles": r.cycles, "time_us": f"{r.time_s * 1e6:.3f}",
               "share_pct": _pct(r.cycles, t.total_cycles), "macs": r.macs,
               "macs_per_cycle": "" if r.macs_per_cycle is None else f"{r.macs_per_cycle:.6f}",
               "stack_high_water_bytes": "" if r.stack_high_water_bytes is None else r.stack_high_water_bytes}
        row.update({f"written_{region}_bytes": r.touched_bytes.get(region, 0) for region in regions})
        row.update({"dma_in_bytes": r.dma_bytes_in, "dma_out_bytes": r.dma_bytes_out,
                    "core_cycles": " ".join(f"{c}={n}" for c, n in r.core_cycles.items())})
        rows.append(row)
    for kind, name, cycles, macs in (("outside", "(outside layers)", t.outside_cycles, ""),
                                     ("total", "total", t.total_cycles, t.total_macs)):
        rows.append({"index": "", "kind": kind, "name": name, "depth": "", "cores": t.reference_core,
                     "cycles": cycles, "time_us": f"{cycles / t.clock_hz * 1e6:.3f}",
                     "share_pct": _pct(cycles, t.total_cycles), "macs": macs,
                     "macs_per_cycle": f"{macs / cycles:.6f}" if macs and cycles else "",
                     "stack_high_water_bytes": "",
                     **{f"written_{region}_bytes": "" for region in regions},
                     "dma_in_bytes": "", "dma_out_bytes": "", "core_cycles": ""})
    return rows


def write_csv(result: RunResult, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    t = layer_rows(result)
    regions = t.regions if t is not None else []
    layer_columns = LAYER_COLUMNS + [f"written_{r}_bytes" for r in regions] + LAYER_TAIL
    written = [_write(directory / "layers.csv", layer_columns, layer_csv_rows(result))]

    functions = []
    for rank, row in enumerate(function_rows(result), start=1):
        f = row.function
        per_call = row.cycles_per_call
        functions.append({"rank": rank, "core": f.core, "function": f.name, "self_cycles": f.self_cycles,
                          "self_pct": _pct(f.self_cycles, row.core_cycles),
                          "inclusive_cycles": f.inclusive_cycles,
                          "inclusive_pct": _pct(f.inclusive_cycles, row.core_cycles), "calls": f.calls,
                          "cycles_per_call": "" if per_call is None else f"{per_call:.3f}",
                          "file": f.file or "", "line": "" if f.line is None else f.line})
    written.append(_write(directory / "functions.csv", FUNCTION_COLUMNS, functions))

    memory = [{"region": r.name, "kind": r.kind, "size_bytes": r.size, "static_bytes": r.static_bytes,
               "heap_bytes": r.heap_bytes, "stack_bytes": r.stack_bytes, "peak_bytes": r.peak_bytes,
               "occupancy_pct": _pct(r.peak_bytes, r.size), "written_bytes": r.touched_bytes}
              for r in result.memory.regions]
    written.append(_write(directory / "memory.csv", MEMORY_COLUMNS, memory))
    return written


def _write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
