"""vww_2bit specifics; tests/test_networks.py runs the checks every network gets (bit-exact
nn_output, layer markers, generator reproduction).

- Memory: what the simulator measures agrees with the plan the generator printed
  (firmware/models/vww_2bit/plan.txt). The arena is the only thing in AXI SRAM, so that region's
  peak is the planned arena; the plan's peak is the first conv (the 192 KiB frame plus its
  output); and layer by layer, the bytes the firmware changes in AXI SRAM are those the plan
  places the layer's output (and scratch) at, holding the reference's values.
- Packing: the weight arrays in the ELF, decoded here by the layout nn_2bit.h documents, are the
  generator's seeded 2-bit weights.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from conftest import FIRMWARE, elf_path
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions
from test_networks import built

NETWORK, BOARD = "vww_2bit", "nucleo-h743zi"
PLAN = FIRMWARE / "models" / NETWORK / "plan.txt"
ARENA_REGION = "AXI_SRAM"
PAINT = 0xA5  # the arena's content before the run


def plan_rows() -> list[dict]:
    """The layer rows of plan.txt: index, name, MACs, inputs, output, scratch, live bytes."""
    rows = []
    for line in PLAN.read_text().splitlines():
        fields = line.split(maxsplit=7)
        if len(fields) == 8 and fields[0].isdigit():
            i, name, macs, ins, out, scratch, live, _ = fields
            rows.append({"index": int(i), "name": name, "macs": int(macs), "inputs": ins.split(","),
                         "output": out, "scratch": scratch, "live": int(live)})
    return rows


def planned_arena() -> int:
    return int(re.search(r"^peak activation RAM \(arena\): (\d+) bytes", PLAN.read_text(), re.M)[1])


def span(text: str) -> tuple[int, int] | None:
    """'arena@OFFSET+SIZE' or 'OFFSET+SIZE' -> (offset, size); None for nn_input/nn_output/-."""
    m = re.fullmatch(r"(?:arena@)?(\d+)\+(\d+)", text)
    return (int(m[1]), int(m[2])) if m else None


@pytest.fixture(scope="module")
def run():
    firmware = Firmware.load(elf_path(f"{NETWORK}-{BOARD}.elf"))
    out = io.StringIO()
    machine = Machine(load_board(BOARD), firmware, RunOptions(stdout=out))
    arena = firmware.symbol("nn_arena")
    machine.memory.write(arena.address, bytes([PAINT]) * arena.size)
    result = machine.run()
    assert result.exit_code == 0, (result.message, out.getvalue())
    return firmware, machine, result


def test_plan_peak_is_the_first_conv_and_near_250_kb():
    rows = plan_rows()
    net = built(NETWORK)
    assert [(r["name"], r["macs"]) for r in rows] == net.layer_table()
    arena = planned_arena()
    # the peak live set is the first conv's: the frame, its output, the im2col of two pixels
    # (nn_2bit.h: 2 * 16 * ceil(3 * 3 * 3 / 16) bytes)
    assert rows[0]["name"] == "conv1" and rows[0]["inputs"] == ["arena@0+196608"]
    first_conv = 256 * 256 * 3 + 128 * 128 * 4 + 2 * 32
    assert rows[0]["live"] == first_conv == arena
    assert all(r["live"] < arena for r in rows[1:])
    # the figure: peak RAM near 250 KB
    assert abs(arena - 250 * 1024) <= 0.05 * 250 * 1024


def test_simulated_peak_ram_equals_the_planned_arena(run):
    firmware, _, result = run
    arena = firmware.symbol("nn_arena")
    region = next(r for r in result.memory.regions if r.name == ARENA_REGION)
    assert load_board(BOARD).region_at(arena.address, arena.size).name == ARENA_REGION
    assert arena.size == planned_arena()
    # nothing else lives in AXI SRAM: no other section, no stack, no heap
    assert (region.static_bytes, region.stack_bytes, region.heap_bytes) == (arena.size, 0, 0)
    assert region.peak_bytes == planned_arena()
    assert 0 < region.touched_bytes <= arena.size


def test_each_layer_writes_where_the_plan_puts_its_output(run):
    """Replays the plan over the painted arena: the input copy, then each layer's output (the
    reference's values) at its planned offset. A layer's scratch holds values the plan does not
    know, so its bytes are only bounded. The bytes the simulator saw each layer change in AXI
    SRAM must fall in [the replay's certain changes, + unknown bytes in the output + scratch]."""
    _, _, result = run
    net = built(NETWORK)
    rows = plan_rows()
    state = np.full(planned_arena(), PAINT, dtype=np.uint8)
    known = np.ones(state.size, dtype=bool)
    off, size = span(rows[0]["inputs"][0])
    state[off:off + size] = net.input_tensor.values.reshape(-1).view(np.uint8)
    assert len(result.layers) == len(rows) == len(net.layers)
    for row, layer, record in zip(rows, net.layers, result.layers):
        certain = uncertain = 0
        placed = span(row["output"])
        if placed is not None:
            off, size = placed
            new = layer.output.values.reshape(-1).view(np.uint8)
            assert new.size == size
            certain = int(np.count_nonzero(known[off:off + size] & (state[off:off + size] != new)))
            uncertain = int(np.count_nonzero(~known[off:off + size]))
            state[off:off + size], known[off:off + size] = new, True
        else:
            assert row["output"] == f"nn_output+{layer.output.size}"  # the last layer, in DTCM
        scratch = span(row["scratch"])
        if scratch is not None:
            off, size = scratch
            uncertain += size
            known[off:off + size] = False
        written = record.touched_bytes[ARENA_REGION]
        assert certain <= written <= certain + uncertain, (row["name"], written, certain, uncertain)
    # the first conv's output really is new data: most of its 64 KiB changed
    assert result.layers[0].touched_bytes[ARENA_REGION] >= 0.9 * 128 * 128 * 4


def unpack_row(data: bytes, n: int) -> list[int]:
    """Weights 0..n-1 of a packed row (nn_2bit.h): weight 16g + 4f + b is bits 2f+1:2f of byte
    4g + b, two's complement."""
    out = []
    for k in range(n):
        g, r = divmod(k, 16)
        field = (data[4 * g + r % 4] >> (2 * (r // 4))) & 3
        out.append(field - 4 if field & 2 else field)
    return out


def test_packed_weights_in_the_elf_are_the_seeded_ones(run):
    firmware, machine, _ = run
    net = built(NETWORK)
    weighted = [layer for layer in net.layers if layer.macs]
    assert weighted and all(layer.weights is not None for layer in weighted)  # every conv and FC is 2-bit
    seen = set()
    for layer in weighted:
        w = layer.weights
        rows = w.reshape(1, -1) if layer.kind == "depthwise" else w.reshape(w.shape[0], -1)
        n = rows.shape[1]
        row_bytes = 4 * -(-n // 16)
        symbol = firmware.symbol(f"{layer.name}_w")
        assert symbol is not None and symbol.size == rows.shape[0] * row_bytes, layer.name
        data = machine.memory.read(symbol.address, symbol.size)
        for i, row in enumerate(rows):
            chunk = data[i * row_bytes:(i + 1) * row_bytes]
            assert unpack_row(chunk, n) == row.tolist(), (layer.name, i)
            assert unpack_row(chunk, row_bytes * 4)[n:] == [0] * (row_bytes * 4 - n)  # zero padding
        seen |= set(np.unique(w).tolist())
    assert seen == {-2, -1, 0, 1}  # all four codes occur
