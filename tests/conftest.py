"""Shared fixtures: the checkout, the prebuilt firmware and its manifest, and ways to run the CLI.

Everything here drives real parts: the committed cross-compiled ELFs, the real Unicorn engine
and real files. The CLI runs in-process through ``mcusim.cli.main`` (fast) or as a child process
(``python -m mcusim``) where a test has to prove what a user's shell sees.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from mcusim.cli import main

REPO = Path(__file__).resolve().parents[1]
FIRMWARE = REPO / "firmware"
PREBUILT = FIRMWARE / "prebuilt"
MANIFEST = PREBUILT / "manifest.toml"

# The six built-in boards the project ships (the list).
BOARD_NAMES = ("stm32f407-disco", "nucleo-l432kc", "nucleo-l4r5zi", "disco-f746ng",
               "nucleo-h743zi", "gap8")
CORTEX_M_BOARDS = BOARD_NAMES[:5]
M4_BOARDS = ("stm32f407-disco", "nucleo-l432kc", "nucleo-l4r5zi")
M7_BOARDS = ("disco-f746ng", "nucleo-h743zi")

# Small enough to stop a runaway firmware in well under a second.
SMALL_MAX_CYCLES = 2_000_000


@functools.cache
def manifest_entries() -> tuple[dict, ...]:
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(data["firmware"])


def entries(app: str | None = None, **where) -> list[dict]:
    """Manifest entries, optionally those of one app (ELF name prefix) and matching keys."""
    out = []
    for e in manifest_entries():
        if app is not None and not e["elf"].startswith(app + "-"):
            continue
        if all(e.get(k) == v for k, v in where.items()):
            out.append(e)
    return out


def cortex_m_only(entries_: list[dict]) -> list[dict]:
    """Entries for the Cortex-M boards (conventions such as .data copied from flash)."""
    return [e for e in entries_ if e["board"] in CORTEX_M_BOARDS]


def entry_id(entry: dict) -> str:
    return entry["elf"].removesuffix(".elf")


def elf_path(name: str) -> Path:
    path = PREBUILT / name
    assert path.is_file(), f"prebuilt ELF {name} is missing"
    return path


def flat(text: str) -> str:
    """Whitespace collapsed: rich folds long messages at the console width."""
    return " ".join(text.split())


@dataclass
class CliResult:
    rc: int
    out: str
    err: str

    @property
    def message(self) -> str:
        return flat(self.err)


@pytest.fixture
def cli(capsys):
    """Run ``mcusim.cli.main(argv)`` in-process; returns exit code and captured streams."""

    def run(*argv: object) -> CliResult:
        capsys.readouterr()  # drop anything earlier
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:  # argparse usage errors
            rc = e.code if isinstance(e.code, int) else 2
        captured = capsys.readouterr()
        return CliResult(rc, captured.out, captured.err)

    return run


def run_console(*argv: object, cwd: Path | None = None, timeout: float = 60) -> CliResult:
    """Run mcusim as a user does, in a child process (`python -m mcusim`)."""
    env = dict(os.environ, COLUMNS="120")
    proc = subprocess.run([sys.executable, "-m", "mcusim", *map(str, argv)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_error(result: CliResult, exit_code: int = 2) -> str:
    """An error as the project promises it: the exit code, no traceback, one paragraph on
    stderr that starts with 'mcusim: ' (after the run summary, if one was printed) and ends
    stderr. Returns the message with whitespace collapsed."""
    assert result.rc == exit_code, (result.rc, result.err)
    assert "Traceback" not in result.err
    assert "Traceback" not in result.out
    lines = result.err.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("mcusim: ")), None)
    assert first is not None, f"no 'mcusim: ' message on stderr:\n{result.err}"
    before = "\n".join(lines[:first]).strip()
    assert before == "" or before.startswith("mcusim run summary"), before
    text = "\n".join(lines[first:])
    assert "\n\n" not in text, f"message is not one paragraph:\n{text}"
    assert text.startswith("mcusim: "), text
    return flat(text)


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@functools.cache
def matmul_reference() -> tuple[int, int, int]:
    """(acc_sum, out_fnv, checksum) as firmware/apps/matmul_int8/reference.py computes them."""
    path = FIRMWARE / "apps" / "matmul_int8" / "reference.py"
    spec = importlib.util.spec_from_file_location("matmul_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compute()
