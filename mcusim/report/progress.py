"""A live progress line for long runs: simulated cycles and time, the current layer, MIPS.

Shown on stderr only when stderr is a terminal and the run is not --quiet, and erased when the run
ends, so what stays on the screen is exactly the report `mcusim report` prints. The Machine calls
`update` through RunOptions.progress about every 0.1 s of host time, from a helper thread, with a
dict: cycles, instructions, sim_time_s, host_time_s, layer.

It is one line redrawn in place (carriage return, erase line), not a multi-line display that moves
the cursor up: the firmware's stdout streams to the same terminal, and `stream` wraps it so that
the status line is erased before the firmware writes and is not redrawn over a line the firmware
has not finished.
"""

from __future__ import annotations

import shutil
import threading
from typing import Any, TextIO

from mcusim.report.units import duration

ERASE = "\r\x1b[2K"
DIM, RESET = "\x1b[2m", "\x1b[0m"


class StatusLine:
    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.shown = False
        self.firmware_mid_line = False
        self.lock = threading.Lock()  # updates come from the Machine's progress thread

    def update(self, status: dict[str, Any]) -> None:
        with self.lock:
            if self.firmware_mid_line:
                return
            width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
            self._write(f"{ERASE}{DIM}{progress_text(status)[:width]}{RESET}")
            self.shown = True

    def clear(self) -> None:
        with self.lock:
            self._clear()

    def _clear(self) -> None:
        if self.shown:
            self._write(ERASE)
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.terminal.write(text)
            self.terminal.flush()
        except (OSError, ValueError):
            pass

    def stream(self, firmware_stream: TextIO) -> "_ClearingStream":
        return _ClearingStream(firmware_stream, self)

    def __enter__(self) -> "StatusLine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()


class _ClearingStream:
    """The firmware's stdout with the status line erased before each write."""

    def __init__(self, stream: TextIO, status: StatusLine) -> None:
        self.wrapped, self.status = stream, status

    def write(self, text: str) -> int:
        with self.status.lock:
            self.status._clear()
            if text:
                self.status.firmware_mid_line = not text.endswith("\n")
            return self.wrapped.write(text)

    def flush(self) -> None:
        self.wrapped.flush()


def progress_text(status: dict[str, Any]) -> str:
    host = status.get("host_time_s") or 0.0
    instructions = status.get("instructions") or 0
    mips = instructions / host / 1e6 if host > 0 else 0.0
    layer = f"layer {status['layer']}, " if status.get("layer") else ""
    return (f"running: {layer}{status.get('cycles', 0):,} cycles, "
            f"{duration(status.get('sim_time_s') or 0.0)} simulated, {mips:,.1f} MIPS, "
            f"{duration(host)} host")


def wants_progress(stream: Any, quiet: bool) -> bool:
    try:
        return not quiet and stream.isatty()
    except (AttributeError, ValueError):
        return False
