"""`mcusim run` over every prebuilt firmware in firmware/prebuilt/manifest.toml, and the run's
basic promises: exit codes, stdout/stderr split, the checksum reference.py derives, argv."""

from __future__ import annotations

import re

import pytest

from conftest import (PREBUILT, SMALL_MAX_CYCLES, assert_clean_error, elf_path, entries, entry_id,
                      manifest_entries, matmul_reference, read_json, run_console)
from mcusim.board import load_board
from mcusim.errors import EXIT_BAD_INPUT, EXIT_FIRMWARE_FAULT, EXIT_NEVER_EXITED


def test_manifest_lists_every_prebuilt_elf_once():
    listed = [e["elf"] for e in manifest_entries()]
    assert len(listed) == len(set(listed))
    assert set(listed) == {p.name for p in PREBUILT.glob("*.elf")}
    for e in manifest_entries():
        assert ("exit_code" in e) != ("expect" in e), e["elf"]
        assert e.get("expect", "fault") in ("fault", "cycle-limit", "load-error")


def _semihost_setup(tmp_path):
    """A semihosting dir with input.txt, and a file next to it that must stay unreachable."""
    shdir = tmp_path / "shdir"
    shdir.mkdir()
    text = "Hello, semihosting world!\nline two: 0123 abc xyz\n"
    (shdir / "input.txt").write_text(text)
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET outside the semihosting dir\n")
    return shdir, text, outside


@pytest.mark.parametrize("entry", manifest_entries(), ids=entry_id)
def test_manifest_entry(entry, cli, tmp_path):
    elf = elf_path(entry["elf"])
    board = entry["board"]
    options = ["--board", board]
    semihost = entry["elf"].startswith("semihost_io-")
    if semihost:
        shdir, text, outside = _semihost_setup(tmp_path)
        before = sorted(p.name for p in tmp_path.iterdir())
        options += ["--semihost-dir", shdir]
    expect = entry.get("expect")
    if expect == "cycle-limit":
        options += ["--max-cycles", SMALL_MAX_CYCLES]
    # Options before the ELF: the ELF and its arguments stay together (see
    # test_firmware_args_after_options_in_documented_order for the README's order).
    argv = ["run", *options, elf]
    if entry.get("args"):
        argv += ["--", *entry["args"]]
    r = cli(*argv)

    if "stdout" in entry:
        assert entry["stdout"] in r.out
    if expect is None:
        assert r.rc == entry["exit_code"], r.err
        assert "Traceback" not in r.err
        assert "mcusim run summary" in r.err  # the summary goes to stderr ...
        assert "mcusim run summary" not in r.out  # ... never into the firmware's stdout
    elif expect == "fault":
        message = assert_clean_error(r, EXIT_FIRMWARE_FAULT)
        assert "fault" in message
    elif expect == "cycle-limit":
        message = assert_clean_error(r, EXIT_NEVER_EXITED)
        assert "--max-cycles" in message
    elif expect == "load-error":
        message = assert_clean_error(r, EXIT_BAD_INPUT)
        assert r.out == ""
        core = load_board(board).cores[0].model
        assert core in message  # names the board's core ...
        wanted = {"tiny-rv32.elf": "RISC-V", "tiny-m33.elf": "ARMv8-M"}[entry["elf"]]
        assert wanted in message  # ... and what the ELF was built for instead
    else:
        pytest.fail(f"unknown expect {expect!r}")

    if semihost:
        assert (shdir / "output.txt").read_text() == text.upper()
        assert "output.txt: " in r.out and "verified" in r.out
        assert outside.read_text() == "SECRET outside the semihosting dir\n"
        assert "SECRET" not in r.out
        # Nothing was created outside the semihosting dir.
        assert sorted(p.name for p in tmp_path.iterdir()) == before
        for i, arg in enumerate(entry["args"], start=1):
            assert f"argv[{i}]={arg}" in r.out


@pytest.mark.parametrize("entry", entries("matmul_int8"), ids=entry_id)
def test_matmul_checksum_matches_reference(entry, cli):
    acc_sum, fnv, checksum = matmul_reference()
    r = cli("run", "--quiet", "--board", entry["board"], elf_path(entry["elf"]))
    assert r.rc == 0, r.out
    m = re.search(r"acc_sum=(-?\d+) out_fnv=0x([0-9a-f]{8}) checksum=0x([0-9a-f]{8})", r.out)
    assert m, r.out
    assert int(m.group(1)) & 0xFFFFFFFF == acc_sum
    assert int(m.group(2), 16) == fnv
    assert int(m.group(3), 16) == checksum
    assert f"checksum=0x{checksum:08x}" in entry["stdout"]  # the manifest agrees with reference.py
    assert "PASS" in r.out


def test_matmul_argv_sets_reps_and_costs_fewer_instructions(cli, tmp_path):
    entry = entries("matmul_int8", board="stm32f407-disco")[0]
    elf = elf_path(entry["elf"])
    counts = {}
    for reps in (None, 10, 20, 30):
        out = tmp_path / f"{reps}.json"
        args = ["--", str(reps)] if reps else []
        r = cli("run", "--quiet", "--board", entry["board"], "--json", out, elf, *args)
        assert r.rc == 0, r.out
        assert f"reps={reps or 150} " in r.out and "PASS" in r.out
        counts[reps] = read_json(out)["totals"]["instructions"]
    assert 0 < counts[10] < counts[20] < counts[30] < counts[None]
    # Same inputs every repetition (and the same number of digits printed): each extra
    # repetition executes exactly the same instructions.
    assert counts[20] - counts[10] == counts[30] - counts[20]


def test_firmware_args_after_options_in_documented_order(cli):
    """README and `run --help`: `mcusim run ELF --board NAME [...] [-- ARG ...]`."""
    entry = entries("matmul_int8", board="stm32f407-disco")[0]
    r = cli("run", elf_path(entry["elf"]), "--board", entry["board"], "--quiet", "--", "10")
    assert r.rc == 0, r.err
    assert "reps=10 " in r.out


def test_firmware_argument_with_a_space_stays_one_argument(cli, tmp_path):
    entry = entries("semihost_io", board="stm32f407-disco")[0]
    shdir, _, _ = _semihost_setup(tmp_path)
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir,
            elf_path(entry["elf"]), "--", "two words", "plain")
    assert r.rc == 0, r.out
    assert "argc=3" in r.out
    assert "argv[1]=two words\n" in r.out
    assert "argv[2]=plain\n" in r.out


def test_nonzero_firmware_exit_code_passes_through(cli):
    """semihost_io exits 1 when it cannot open input.txt (no --semihost-dir)."""
    entry = entries("semihost_io", board="disco-f746ng")[0]
    r = cli("run", "--board", entry["board"], elf_path(entry["elf"]))
    assert r.rc == 1
    assert "FAIL: cannot open input.txt" in r.out
    assert "Traceback" not in r.err


def test_quiet_prints_only_the_firmware_output(cli):
    entry = entries("hello", board="nucleo-l432kc")[0]
    r = cli("run", "--quiet", "--board", entry["board"], elf_path(entry["elf"]))
    assert r.rc == 0
    assert r.err == ""
    assert r.out.strip() == entry["stdout"]


@pytest.mark.parametrize("entry", entries("hello") + entries("matmul_int8"), ids=entry_id)
def test_cycle_accounting(entry, cli, tmp_path):
    out = tmp_path / "r.json"
    r = cli("run", "--quiet", "--board", entry["board"], "--json", out, elf_path(entry["elf"]))
    assert r.rc == 0
    data = read_json(out)
    core = data["cores"][0]
    assert core["instructions"] > 0
    assert data["totals"]["instructions"] == sum(c["instructions"] for c in data["cores"])
    assert data["totals"]["cycles"] == max(c["cycles"] for c in data["cores"])
    name = data["timing_model"]["name"]
    busy = core["cycles"] - core["idle_cycles"]
    if name == "instruction-count":
        assert busy == core["instructions"]
    else:
        # A pipeline model issues at most its issue width of instructions per cycle: one on
        # the Cortex-M4 (IT folding aside, outweighed by loads, multi-cycle ops and branch
        # refills), two on the dual-issue Cortex-M7 (and no Cortex-M issues more).
        width = {"cortex-m4": 1, "cortex-m7": 2}.get(name, 2)
        assert busy * width >= core["instructions"]
        assert busy > 0


# ---- the console script, as a user's shell sees it ----------------------------------------


def test_console_script_success_splits_stdout_and_stderr():
    entry = entries("hello", board="stm32f407-disco")[0]
    r = run_console("run", elf_path(entry["elf"]), "--board", entry["board"])
    assert r.rc == 0
    assert r.out.strip() == entry["stdout"]
    assert "mcusim run summary" in r.err and "Traceback" not in r.err


def test_console_script_fault_exit_code():
    entry = entries("fault", board="nucleo-h743zi")[0]
    r = run_console("run", elf_path(entry["elf"]), "--board", entry["board"])
    message = assert_clean_error(r, EXIT_FIRMWARE_FAULT)
    assert "read_sensor+0x4" in message
    assert entry["stdout"] in r.out


def test_console_script_cycle_limit_exit_code():
    entry = entries("spin", board="disco-f746ng")[0]
    r = run_console("run", elf_path(entry["elf"]), "--board", entry["board"],
                    "--max-cycles", "1_000_000", "--quiet")
    message = assert_clean_error(r, EXIT_NEVER_EXITED)
    assert "--max-cycles" in message
    assert entry["stdout"] in r.out


def test_console_script_firmware_exit_code():
    entry = entries("semihost_io", board="nucleo-h743zi")[0]
    r = run_console("run", elf_path(entry["elf"]), "--board", entry["board"], "--quiet")
    assert r.rc == 1  # the firmware's own code: no input.txt without --semihost-dir
    assert "Traceback" not in r.err


def test_version(cli):
    import mcusim

    r = cli("--version")
    assert r.rc == 0
    assert mcusim.__version__ in r.out


def test_installed_console_script():
    """The `mcusim` entry point pip installed next to this interpreter."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = shutil.which("mcusim", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")]))
    assert script, "the mcusim console script is not installed"
    entry = entries("hello", board="nucleo-l4r5zi")[0]
    proc = subprocess.run([script, "run", "--quiet", str(elf_path(entry["elf"])), "--board", entry["board"]],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == entry["stdout"] and proc.stderr == ""
    bad = subprocess.run([script, "run", str(elf_path("tiny-rv32.elf")), "--board", entry["board"]],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == EXIT_BAD_INPUT
    assert bad.stderr.startswith("mcusim: ") and "Traceback" not in bad.stderr


@pytest.mark.parametrize("board", ["nucleo-l432kc", "nucleo-h743zi"])
def test_timing_mode_changes_cycles_not_behaviour(cli, tmp_path, board):
    """--timing fast|accurate may cost instructions differently, but the same program runs:
    matmul has no interrupts, so the instructions executed and the output are identical."""
    entry = entries("matmul_int8", board=board)[0]
    runs = {}
    for mode in ("fast", "accurate"):
        out = tmp_path / f"{mode}.json"
        r = cli("run", "--quiet", "--board", board, "--timing", mode, "--json", out,
                elf_path(entry["elf"]), "--", "5")
        assert r.rc == 0, r.err
        runs[mode] = (r.out, read_json(out))
    assert runs["fast"][0] == runs["accurate"][0]
    assert runs["fast"][1]["totals"]["instructions"] == runs["accurate"][1]["totals"]["instructions"]
    for mode, (_, data) in runs.items():
        assert data["timing_model"]["mode"] == mode


def test_closed_stdout_is_not_a_traceback():
    """`mcusim run ... | head -1`: the reader goes away while the firmware still prints."""
    import os
    import subprocess
    import sys

    entry = entries("hello", board="stm32f407-disco")[0]  # exits 0 when its output is read
    proc = subprocess.Popen([sys.executable, "-m", "mcusim", "run", str(elf_path(entry["elf"])),
                             "--board", entry["board"], "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, COLUMNS="120"))
    proc.stdout.close()  # before the child has started: every write it makes hits EPIPE
    err = proc.stderr.read()
    rc = proc.wait(timeout=60)
    assert "Traceback" not in err
    assert err == "" or err.startswith("mcusim: ")
    assert rc != 0  # the firmware's output was lost: not a success (cf. 141 from SIGPIPE)
