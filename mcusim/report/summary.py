"""The run summary and fault report shown on the terminal, rendered from a RunResult."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcusim.report.units import duration as _duration
from mcusim.result import STATUS_EXITED, RunResult


def summary_table(result: RunResult) -> Table:
    board = result.board
    core = result.cores[0]
    table = Table(title="mcusim run summary", show_header=False, title_justify="left", box=None,
                  padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("board", f"{board['name']} ({board['description']})")
    models = sorted({c["model"] for c in board["cores"]})
    table.add_row("core", f"{', '.join(models)} x{len(board['cores'])}" if len(board["cores"]) > 1
                  else models[0])
    table.add_row("clock", f"{board['clock_hz'] / 1e6:g} MHz")
    table.add_row("firmware", result.elf["path"])
    table.add_row("instructions", f"{result.totals.instructions:,}")
    cycles = f"{result.totals.cycles:,}"
    if core.idle_cycles:
        cycles += f"  (idle {core.idle_cycles:,})"
    table.add_row("cycles", cycles)
    table.add_row("timing model", f"{result.timing_model['name']} ({result.timing_model['mode']})")
    table.add_row("simulated time", _duration(result.totals.sim_time_s))
    table.add_row("host time", _duration(result.totals.host_time_s))
    table.add_row("speed", f"{result.totals.mips:,.1f} MIPS")
    if result.status == STATUS_EXITED:
        style = "green" if result.exit_code == 0 else "red"
        table.add_row("exit code", Text(str(result.exit_code), style=style))
    else:
        table.add_row("ended", Text(result.status, style="red"))
    return table


def fault_text(result: RunResult) -> str:
    """One paragraph: what happened, where, with registers and backtrace."""
    fault = result.fault
    if fault is None:
        return f"mcusim: {result.message}."
    parts = [f"mcusim: {result.message}."]
    parts.append(f"Instruction: {fault.instruction}.")
    if fault.address is not None:
        parts.append(f"Faulting address: {fault.address:#010x} ({fault.region}).")
    if fault.handler:
        parts.append(f"The firmware's handler ran ({fault.handler}) and did not recover.")
    regs = fault.registers
    names = [n for n in ("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",
                         "r12", "sp", "lr", "pc", "xpsr", "msp", "psp", "control") if n in regs]
    parts.append("Registers: " + " ".join(f"{n}={regs[n]:#010x}" for n in names) + ".")
    if fault.backtrace:
        parts.append("Backtrace: " + " <- ".join(fault.backtrace) + ".")
    return " ".join(parts)


def print_summary(result: RunResult, console: Console) -> None:
    console.print(summary_table(result))
