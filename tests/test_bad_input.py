"""Bad input reaches the user as one 'mcusim: ' paragraph on stderr and exit code 2, never as a
traceback; firmware faults and runaway firmware get their own exit codes and reports."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from conftest import (BOARD_NAMES, assert_clean_error, elf_path, entries, entry_id, read_json,
                      run_console)
from mcusim.board import load_board
from mcusim.errors import EXIT_BAD_INPUT, EXIT_FIRMWARE_FAULT, EXIT_NEVER_EXITED

HELLO = "hello-stm32f407-disco.elf"
F407 = "stm32f407-disco"


# ---- the ELF --------------------------------------------------------------------------------


def test_missing_elf(cli, tmp_path):
    missing = tmp_path / "nope.elf"
    message = assert_clean_error(cli("run", missing, "--board", F407))
    assert str(missing) in message and "does not exist" in message


def test_missing_elf_console_script(tmp_path):
    missing = tmp_path / "nope.elf"
    message = assert_clean_error(run_console("run", missing, "--board", F407))
    assert "does not exist" in message


def test_directory_instead_of_elf(cli, tmp_path):
    message = assert_clean_error(cli("run", tmp_path, "--board", F407))
    assert "not a file" in message


def test_text_file_is_not_an_elf(cli, tmp_path):
    text = tmp_path / "firmware.elf"
    text.write_text("this is not firmware\n")
    message = assert_clean_error(cli("run", text, "--board", F407))
    assert "is not an ELF file" in message
    assert str(text) in message


def test_text_file_is_not_an_elf_console_script(tmp_path):
    text = tmp_path / "firmware.hex"
    text.write_text(":020000040800F2\n")
    message = assert_clean_error(run_console("run", text, "--board", F407))
    assert "is not an ELF file" in message


def _cuts(size: int) -> list[int]:
    return [4, 16, 40, 52, 100, 1000, size // 2, size - 100, size - 1]


@pytest.mark.parametrize("fraction", range(9))
def test_truncated_elf(cli, tmp_path, fraction):
    data = elf_path(HELLO).read_bytes()
    length = _cuts(len(data))[fraction]
    cut = tmp_path / f"cut{length}.elf"
    cut.write_bytes(data[:length])
    message = assert_clean_error(cli("run", cut, "--board", F407))
    assert str(cut) in message
    assert "truncated" in message or "malformed" in message


def test_truncated_elf_inspect(cli, tmp_path):
    data = elf_path(HELLO).read_bytes()
    cut = tmp_path / "half.elf"
    cut.write_bytes(data[: len(data) // 2])
    message = assert_clean_error(cli("inspect", cut))
    assert "truncated" in message or "malformed" in message


def test_truncated_elf_console_script(tmp_path):
    data = elf_path(HELLO).read_bytes()
    cut = tmp_path / "forty.elf"
    cut.write_bytes(data[:40])
    message = assert_clean_error(run_console("run", cut, "--board", F407))
    assert "truncated" in message or "malformed" in message


def test_wrong_architecture(cli):
    r = cli("run", elf_path("tiny-rv32.elf"), "--board", F407)
    message = assert_clean_error(r)
    assert "RISC-V" in message and "cortex-m4" in message
    assert r.out == ""


def test_wrong_architecture_console_script():
    message = assert_clean_error(run_console("run", elf_path("tiny-rv32.elf"), "--board", F407))
    assert "RISC-V" in message


def test_host_executable_is_an_elf_for_another_machine(cli):
    """The Python interpreter running this test is a real ELF, for the host's machine."""
    host = Path(sys.executable).resolve()
    with host.open("rb") as f:
        machine = ELFFile(f)["e_machine"]
    message = assert_clean_error(cli("run", host, "--board", F407))
    assert machine.removeprefix("EM_") in message and "does not simulate" in message


def test_arm_elf_on_riscv_board(cli):
    message = assert_clean_error(cli("run", elf_path(HELLO), "--board", "gap8"))
    assert "ri5cy" in message and "Arm" in message


def test_wrong_core_armv8m(cli):
    message = assert_clean_error(cli("run", elf_path("tiny-m33.elf"), "--board", "nucleo-l432kc"))
    assert "ARMv8-M" in message and "cortex-m4" in message


def test_wrong_fpu_double_precision_elf_on_m4f(cli):
    """An M7 (FPv5-DP) build on the F407's single-precision FPv4-SP."""
    elf = elf_path("matmul_int8-disco-f746ng.elf")
    r = cli("run", elf, "--board", F407)
    message = assert_clean_error(r)
    assert "double-precision" in message
    assert "FPv4-SP" in message or "fpv4-sp" in message
    assert r.out == ""  # refused before anything ran


def test_wrong_fpu_is_refused_by_inspect_with_board(cli):
    message = assert_clean_error(cli("inspect", elf_path("hello-nucleo-h743zi.elf"),
                                     "--board", "nucleo-l4r5zi"))
    assert "double-precision" in message


def _small_flash_board(tmp_path, flash_size: str = "4 KiB"):
    board = tmp_path / "tiny-flash.toml"
    board.write_text(f'''
name = "tiny-flash"
extends = "stm32f407-disco"

[[regions]]
name = "FLASH"
kind = "flash"
base = 0x08000000
size = "{flash_size}"
''')
    return board


def test_segment_outside_every_region(cli, tmp_path):
    board_file = _small_flash_board(tmp_path)
    elf = elf_path(HELLO)
    message = assert_clean_error(cli("run", elf, "--board", board_file))
    with elf.open("rb") as f:
        flash_segment = next(s for s in ELFFile(f).iter_segments()
                             if s["p_type"] == "PT_LOAD" and s["p_flags"] & 1)
        start = flash_segment["p_paddr"]
    assert f"{start:#010x}" in message  # names the segment
    board = load_board(str(board_file))
    for region in board.memory_regions():  # and the board's regions
        assert region.name in message
    assert "FLASH 0x08000000+4 KiB" in message


def test_h743_elf_does_not_fit_l432(cli, tmp_path):
    """An H743 build on a board file with the H743's core but the L432's 256 KiB of flash and
    64 KiB of SRAM: the H743 ELF's RAM (DTCM, 128 KiB) cannot be placed."""
    board_file = tmp_path / "h743-core-l432-memory.toml"
    board_file.write_text('''
name = "h743-core-l432-memory"
extends = "nucleo-l432kc"

[[cores]]
name = "cpu"
model = "cortex-m7"
fpu = "fpv5-dp"
clock_hz = 80_000_000
''')
    message = assert_clean_error(cli("run", elf_path("hello-nucleo-h743zi.elf"),
                                     "--board", board_file))
    assert "does not fit" in message
    assert "0x20000000" in message and "SRAM1" in message


# ---- the board --------------------------------------------------------------------------------


def test_unknown_board_lists_known_boards(cli):
    message = assert_clean_error(cli("run", elf_path(HELLO), "--board", "stm32f999-disco"))
    assert "stm32f999-disco" in message
    for name in BOARD_NAMES:
        assert name in message


def test_unknown_board_for_boards_command(cli):
    message = assert_clean_error(cli("boards", "no-such-board"))
    assert "unknown board" in message and "nucleo-h743zi" in message


def test_parent_board_file_is_not_a_board(cli):
    message = assert_clean_error(cli("boards", "_cortex-m"))
    assert "unknown board" in message


def test_missing_board_file(cli, tmp_path):
    missing = tmp_path / "mine.toml"
    message = assert_clean_error(cli("run", elf_path(HELLO), "--board", missing))
    assert str(missing) in message and "does not exist" in message


STANDALONE = '''
name = "mine"
[[cores]]
name = "cpu"
model = "cortex-m4"
fpu = "fpv4-sp"
clock_hz = 100_000_000
[boot]
vector_table = 0x08000000
[[regions]]
name = "FLASH"
kind = "flash"
base = 0x08000000
size = "1 MiB"
[[regions]]
name = "SRAM1"
kind = "sram"
base = 0x20000000
size = "128 KiB"
'''


def _board_error(cli, tmp_path, text: str) -> tuple[str, str]:
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return assert_clean_error(cli("run", elf_path(HELLO), "--board", path)), str(path)


def test_standalone_board_file_runs(cli, tmp_path):
    """The base of the malformed-file tests below is itself a good board."""
    path = tmp_path / "mine.toml"
    path.write_text(STANDALONE)
    r = cli("run", "--quiet", "--board", path, elf_path(HELLO))
    assert r.rc == 0, r.err
    assert "Hello from stm32f407-disco" in r.out


def test_board_file_invalid_toml(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE + "\n[[regions]\n")
    assert path in message and "not valid TOML" in message
    assert "line" in message


def test_board_file_missing_field(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE.replace("clock_hz = 100_000_000\n", ""))
    assert path in message
    assert "'cores[0].clock_hz'" in message and "missing" in message


def _names_region_field(message: str, index: int, name: str, field: str) -> bool:
    """The field path names the region by its index in the file or by its name."""
    return f"'regions[{index}].{field}'" in message or f"'regions[{name}].{field}'" in message


def test_board_file_wrong_type(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE.replace("base = 0x20000000", 'base = "0x20000000"'))
    assert path in message
    assert _names_region_field(message, 1, "SRAM1", "base") and "integer" in message


def test_board_file_bad_size(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE.replace('"128 KiB"', '"128 kilobytes"'))
    assert path in message and _names_region_field(message, 1, "SRAM1", "size")


def test_board_file_unknown_field(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE + 'colour = "blue"\n')
    assert path in message
    assert _names_region_field(message, 1, "SRAM1", "colour") and "not a known field" in message


def test_board_file_unknown_core_model(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE.replace('"cortex-m4"', '"cortex-m99"'))
    assert path in message and "'cores[0].model'" in message and "cortex-m7" in message


def test_board_file_overlapping_regions(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, STANDALONE + '''
[[regions]]
name = "EXTRA"
kind = "sram"
base = 0x20010000
size = "64 KiB"
''')
    assert path in message and "overlap" in message
    assert "'SRAM1'" in message and "'EXTRA'" in message


def test_board_file_error_in_a_child_names_the_childs_own_region(cli, tmp_path):
    """A board that extends a built-in one: the bad field must be findable in the user's file,
    which has a single [[regions]] table (regions[0], named SRAM1)."""
    message, path = _board_error(cli, tmp_path, '''
name = "child"
extends = "stm32f407-disco"
[[regions]]
name = "SRAM1"
kind = "sram"
base = "0x20000000"
size = "112 KiB"
''')
    assert path in message
    assert _names_region_field(message, 0, "SRAM1", "base")


def test_board_file_extends_missing_parent(cli, tmp_path):
    message, path = _board_error(cli, tmp_path, 'extends = "no-such-parent"\n' + STANDALONE)
    assert path in message and "no-such-parent" in message


def test_board_file_extends_cycle(cli, tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\nname = "b"\n')
    message = assert_clean_error(cli("boards", tmp_path / "a.toml"))
    assert "cycle" in message


# ---- the run ---------------------------------------------------------------------------------


def _symbol(elf, name: str) -> int:
    with elf.open("rb") as f:
        sym = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name(name)[0]
        return sym["st_value"] & ~1


@pytest.mark.parametrize("entry", entries("fault"), ids=entry_id)
def test_firmware_fault_report(cli, entry):
    elf = elf_path(entry["elf"])
    r = cli("run", "--board", entry["board"], elf)
    message = assert_clean_error(r, EXIT_FIRMWARE_FAULT)
    pc = _symbol(elf, "read_sensor") + 4
    assert f"{pc:#010x}" in message
    assert f"pc={pc:#010x}" in message
    assert "read_sensor+0x4" in message
    assert re.search(r"Instruction: ldr r\d+, \[r3\]", message), message
    assert "0x60000000 (unmapped)" in message
    assert "r3=0x60000000" in message
    backtrace = message.split("Backtrace:", 1)[1]
    assert "read_sensor+0x4" in backtrace and "main+" in backtrace
    assert entry["stdout"] in r.out  # what the firmware printed before it faulted


def test_cycle_limit(cli, tmp_path):
    entry = entries("spin", board=F407)[0]
    out = tmp_path / "r.json"
    limit = 1_000_000
    r = cli("run", "--board", entry["board"], "--max-cycles", limit, "--json", out, elf_path(entry["elf"]))
    message = assert_clean_error(r, EXIT_NEVER_EXITED)
    assert "--max-cycles" in message and f"{limit:,}" in message
    assert entry["stdout"] in r.out
    data = read_json(out)
    assert data["status"] == "cycle-limit" and data["exit_code"] is None
    # Stopped at the limit, not long after it (one basic block of overshoot at most).
    assert limit <= data["totals"]["cycles"] < limit + 1000


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_bad_max_cycles(cli, value):
    r = cli("run", elf_path(HELLO), "--board", F407, "--max-cycles", value)
    assert r.rc == EXIT_BAD_INPUT
    assert "--max-cycles" in r.err and "Traceback" not in r.err


def test_semihost_dir_missing(cli, tmp_path):
    missing = tmp_path / "no-such-dir"
    entry = entries("semihost_io", board=F407)[0]
    r = cli("run", "--board", F407, "--semihost-dir", missing, elf_path(entry["elf"]))
    message = assert_clean_error(r)
    assert str(missing) in message and "not a directory" in message
    assert not missing.exists()  # not created either
    assert r.out == ""


def test_semihost_dir_is_a_file(cli, tmp_path):
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    message = assert_clean_error(cli("run", "--board", F407, "--semihost-dir", afile, elf_path(HELLO)))
    assert "not a directory" in message


def test_json_to_unwritable_place(cli, tmp_path):
    target = tmp_path / "no-such-dir" / "r.json"
    message = assert_clean_error(cli("run", "--quiet", "--board", F407, "--json", target, elf_path(HELLO)))
    assert "--json" in message and str(target) in message


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_the_user_gave_is_modified(cli, tmp_path):
    entry = entries("semihost_io", board=F407)[0]
    elf = tmp_path / "fw.elf"
    shutil.copyfile(elf_path(entry["elf"]), elf)
    board = tmp_path / "board.toml"
    board.write_text('extends = "stm32f407-disco"\nname = "my-f407"\n')
    shdir = tmp_path / "sh"
    shdir.mkdir()
    (shdir / "input.txt").write_text("keep me as I am\n")
    given = [elf, board, shdir / "input.txt"]
    before = {p: (_sha256(p), p.stat().st_mtime_ns) for p in given}
    out = tmp_path / "r.json"
    r = cli("run", "--board", board, "--semihost-dir", shdir, "--json", out, elf, "--", "x")
    assert r.rc == 0, r.out
    assert {p: (_sha256(p), p.stat().st_mtime_ns) for p in given} == before
    assert read_json(out)["elf"]["sha256"] == before[elf][0]
    # Only the firmware's own output file and the JSON were added.
    assert sorted(p.name for p in shdir.iterdir()) == ["input.txt", "output.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.toml", "fw.elf", "r.json", "sh"]
