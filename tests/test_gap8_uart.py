"""GAP8 UART0 behind the uDMA (mcusim/periph/gap8.py Uart), on the prebuilt uart_hello firmware
(firmware/gap8/uart_hello/, runtime helper firmware/gap8/rt/uart.c): output on stdout in program
order, line time at the board's baud rate and at a firmware-set divisor, STATUS and CFG EN/PENDING,
queued transfers, an RX transfer that never completes, and the transfers' records."""

from __future__ import annotations

import functools
import io
import re

import pytest

from conftest import PREBUILT
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

FC_HZ = 250_000_000
PS = 10**12
BITS_8N1 = 10  # start + 8 data + stop
CLKDIV = 124  # firmware/gap8/uart_hello/main.c: 250 MHz / (124 + 1) = 2 Mbaud
WAKEUP_CYCLES = 2  # boards/gap8.toml event_wakeup_cycles


def run(baud: int | None = None):
    board = load_board("gap8")
    if baud is not None:
        board.extra["soc"]["uart_baud"] = baud
    machine = Machine(board, Firmware.load(PREBUILT / "uart_hello-gap8.elf"),
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
    return machine.run()


@functools.cache
def default_run():
    return run()


def line_ps(size: int, baud: int) -> int:
    return size * BITS_8N1 * PS // baud


def timed(result) -> dict[tuple[int, bool], int]:
    """(bytes, at 2 Mbaud) -> FC timer cycles the firmware measured around the write."""
    return {(int(n), bool(div)): int(c) for n, div, c in
            re.findall(r"uart_hello: tx (\d+) B (at clkdiv \d+ )?cycles=(\d+)", result.stdout)}


def uart_records(result) -> list[dict]:
    return [t for t in result.diagnostics["dma_transfers"] if t["engine"] == "udma_uart"]


def test_uart_output_reaches_stdout_in_program_order():
    result = default_run()
    assert (result.status, result.exit_code) == ("exited", 0), result.stdout
    lines = result.stdout.splitlines()
    # UART lines ("uart:") and virtual-stdout lines ("uart_hello:") in the order the FC wrote them
    expected = ["uart: Hello from GAP8 over the UART!", "uart: 16 B" + "." * 5, "uart: 160 B" + "." * 148,
                "uart_hello: tx 37 B", "uart_hello: tx 16 B", "uart_hello: tx 160 B",
                "uart: queued A", "uart: queued B", "uart_hello: queued", "uart_hello: rx started",
                "uart: 2 Mbaud", "uart: 2 Mbaud", "uart_hello: tx 20 B", "uart_hello: tx 100 B",
                "uart: bye", "uart_hello: PASS"]
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected):
        assert line.startswith(start), (line, start)
    uart = result.diagnostics["soc"]["udma_uart"]
    assert uart["bytes"] == {"L2->UART": 37 + 16 + 160 + 32 + 32 + 20 + 100 + 10}
    assert uart["transfers"] == 8


def test_fc_waits_exactly_the_line_time():
    """Every timed write is the FC's timer around queue + sleep + wake: the transfer's line time
    (bytes * 10 bits / baud, whole FC cycles from a cycle boundary), the event unit's wake-up
    latency, and the same few instructions each time."""
    measured = timed(default_run())
    assert set(measured) == {(37, False), (16, False), (160, False), (20, True), (100, True)}
    line_cycles = {key: -(-line_ps(key[0], FC_HZ // (CLKDIV + 1) if key[1] else 115_200) * FC_HZ // PS)
                   for key in measured}
    overhead = {key: measured[key] - line_cycles[key] - WAKEUP_CYCLES for key in measured}
    assert len(set(overhead.values())) == 1, overhead
    assert 0 < next(iter(overhead.values())) < 20
    # 144 bytes at 115200 baud are 12.5 ms, 80 bytes at 2 Mbaud 400 us: exact FC cycles
    assert measured[(160, False)] - measured[(16, False)] == 3_125_000
    assert measured[(100, True)] - measured[(20, True)] == 100_000


def test_transfer_records_hold_the_line_time_and_queueing():
    records = uart_records(default_run())
    assert [r["bytes"] for r in records] == [37, 16, 160, 32, 32, 20, 100, 10]
    assert all(r["direction"] == "L2->UART" and r["core"] == "fc" for r in records)
    bauds = [115_200] * 5 + [FC_HZ // (CLKDIV + 1)] * 3
    for r, baud in zip(records, bauds):
        assert round((r["end_s"] - r["begin_s"]) * PS) == line_ps(r["bytes"], baud), r
    first, second = records[3], records[4]  # queued back to back
    assert first["issued_s"] == first["begin_s"] < second["issued_s"] < second["begin_s"]
    assert second["begin_s"] == first["end_s"]  # the pending one starts when the first ends


def test_status_and_cfg_registers_as_the_firmware_read_them():
    out = default_run().stdout
    # two queued: EN | PENDING and TX busy; after the wait: idle
    assert "uart_hello: queued cfg=0x30 status=0x1 done cfg=0x0 status=0x0" in out
    # RX with no input connected: EN stays 1 and RX busy, whatever TX does after it
    assert "uart_hello: rx started rx_cfg=0x10 status=0x2" in out


def test_rx_never_completes_without_input():
    result = default_run()
    uart = result.diagnostics["soc"]["udma_uart"]
    assert uart["rx_waiting"] == 1
    assert "UART->L2" not in uart["bytes"]
    assert not [r for r in uart_records(result) if r["direction"] == "UART->L2"]


def test_board_baud_rate_sets_the_line_time():
    """The board's uart_baud applies while CLKDIV is 0; the firmware's divisor wins after."""
    faster = run(baud=230_400)
    assert faster.exit_code == 0, faster.stdout
    slow, fast = timed(default_run()), timed(faster)
    assert slow[(160, False)] - slow[(16, False)] == 2 * (fast[(160, False)] - fast[(16, False)])
    assert fast[(100, True)] == slow[(100, True)]
    assert faster.diagnostics["soc"]["udma_uart"]["baud"] == FC_HZ / (CLKDIV + 1)


def test_the_fc_sleeps_instead_of_polling():
    """The FC waits on the SoC event with p.elw: nearly all of its time is an event wait."""
    fc = default_run().cores[0]
    assert fc.waits.get("event", 0) > 0.99 * fc.cycles
    # polling CFG for 6 M cycles would execute hundreds of thousands of instructions
    assert fc.instructions < 20_000


@pytest.mark.parametrize("name", ["hello-gap8.elf", "l3dma-gap8.elf"])
def test_firmware_without_the_uart_does_not_use_it(name):
    machine = Machine(load_board("gap8"), Firmware.load(PREBUILT / name),
                      RunOptions(stdout=io.StringIO(), stderr=io.StringIO()))
    result = machine.run()
    assert result.exit_code == 0
    assert result.diagnostics["soc"]["udma_uart"]["transfers"] == 0
    assert result.diagnostics["soc"]["protocol_errors"] == 0
