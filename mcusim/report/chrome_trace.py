"""`--trace FILE`: Chrome trace event JSON (opens in https://ui.perfetto.dev and chrome://tracing).

One process (the board), one track (tid) per core. Every layer marker is a complete event
("ph": "X") on its core's track, with `ts` and `dur` in µs from the layer's cycles and that core's
clock (ts = cycle / clock_hz * 1e6, rounded to the ns; a layer's end is rounded the same way, so
nested layers stay inside their parent). Layers the firmware never ended run to the core's last
cycle (args.ended = false).

DMA: transfers listed in the result's diagnostics (`dma_transfers`: engine, begin_s, end_s, bytes,
direction) become complete events on one track per DMA engine (overlapping transfers on further
lanes, so each track stays well nested). Layers with DMA bytes also set a "DMA bytes" counter
track for their duration.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcusim.result import RunResult

PID = 1
DMA_TID_BASE = 1000


def _us(cycles: int, clock_hz: int) -> float:
    return round(cycles * 1e6 / clock_hz, 3)


def trace_events(result: RunResult) -> dict[str, Any]:
    cores = {c.name: (i + 1, c.clock_hz, c.cycles) for i, c in enumerate(result.cores)}
    events: list[dict[str, Any]] = [
        {"ph": "M", "pid": PID, "name": "process_name",
         "args": {"name": f"{result.board.get('name', 'board')} ({result.elf.get('path', '')})"}},
    ]
    for name, (tid, clock, _) in cores.items():
        events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_name",
                       "args": {"name": f"{name} ({clock / 1e6:g} MHz)"}})
        events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_sort_index",
                       "args": {"sort_index": tid}})

    counters: list[tuple[float, float, int, int]] = []
    for layer in result.layers:
        tid, clock, last = cores.get(layer.core, (len(cores) + 1, result.cores[0].clock_hz, layer.begin_cycle))
        end = layer.end_cycle if layer.end_cycle is not None else max(last, layer.begin_cycle)
        ts, te = _us(layer.begin_cycle, clock), _us(end, clock)
        cycles = end - layer.begin_cycle
        args: dict[str, Any] = {"cycles": cycles, "macs": layer.macs, "depth": layer.depth,
                                "begin_cycle": layer.begin_cycle, "end_cycle": end,
                                "clock_hz": clock, "ended": layer.end_cycle is not None}
        if layer.macs and cycles:
            args["macs_per_cycle"] = round(layer.macs / cycles, 6)
        if layer.stack_high_water_bytes is not None:
            args["stack_high_water_bytes"] = layer.stack_high_water_bytes
        if any(layer.touched_bytes.values()):
            args["written_bytes"] = {k: v for k, v in layer.touched_bytes.items() if v}
        if layer.dma_bytes_in or layer.dma_bytes_out:
            args["dma_bytes_in"], args["dma_bytes_out"] = layer.dma_bytes_in, layer.dma_bytes_out
            counters.append((ts, te, layer.dma_bytes_in, layer.dma_bytes_out))
        events.append({"ph": "X", "pid": PID, "tid": tid, "name": layer.name, "cat": "layer",
                       "ts": ts, "dur": round(te - ts, 3), "args": args})

    for ts, te, bytes_in, bytes_out in sorted(counters):
        events.append({"ph": "C", "pid": PID, "name": "DMA bytes (per layer)", "ts": ts,
                       "args": {"in": bytes_in, "out": bytes_out}})
        events.append({"ph": "C", "pid": PID, "name": "DMA bytes (per layer)", "ts": te,
                       "args": {"in": 0, "out": 0}})

    events += _dma_events(result.diagnostics.get("dma_transfers") or [])
    return {
        "traceEvents": events,
        "displayTimeUnit": "ns",
        "otherData": {
            "generator": f"mcusim {result.mcusim_version}",
            "board": result.board.get("name"),
            "firmware": result.elf.get("path"),
            "timing_model": result.timing_model,
            "time_unit": "µs of simulated time (cycles / core clock)",
            "core_clock_hz": {name: clock for name, (_, clock, _) in cores.items()},
        },
    }


def _dma_events(transfers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One track per DMA engine; a transfer that overlaps the previous one on a lane goes to the
    next free lane (Perfetto does not accept overlapping slices on one track)."""
    events: list[dict[str, Any]] = []
    lanes: dict[str, list[float]] = {}  # engine -> end time of each lane
    tids: dict[tuple[str, int], int] = {}
    for t in sorted(transfers, key=lambda t: (str(t.get("engine", "dma")), t.get("begin_s", 0.0))):
        engine = str(t.get("engine", "dma"))
        ts = round(float(t.get("begin_s", 0.0)) * 1e6, 3)
        te = max(ts, round(float(t.get("end_s", t.get("begin_s", 0.0))) * 1e6, 3))
        ends = lanes.setdefault(engine, [])
        lane = next((i for i, end in enumerate(ends) if end <= ts), None)
        if lane is None:
            lane = len(ends)
            ends.append(te)
        else:
            ends[lane] = te
        if (engine, lane) not in tids:
            tid = DMA_TID_BASE + len(tids)
            tids[(engine, lane)] = tid
            events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_name",
                           "args": {"name": engine if lane == 0 else f"{engine} #{lane + 1}"}})
            events.append({"ph": "M", "pid": PID, "tid": tid, "name": "thread_sort_index",
                           "args": {"sort_index": tid}})
        label = f"{t.get('direction', 'transfer')} {t.get('bytes', '?')} B"
        events.append({"ph": "X", "pid": PID, "tid": tids[(engine, lane)], "name": label, "cat": "dma",
                       "ts": ts, "dur": round(te - ts, 3),
                       "args": {k: v for k, v in t.items() if k not in ("begin_s", "end_s")}})
    return events


def write_trace(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(trace_events(result), indent=None, separators=(",", ":")) + "\n",
                    encoding="utf-8")
