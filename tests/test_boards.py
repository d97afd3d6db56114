"""Built-in boards: the memory maps and flash wait states of the real parts (reference manuals
and datasheets, as the issue lists them), `mcusim boards`, and user board files with `extends`."""

from __future__ import annotations

import re

import pytest

from conftest import cortex_m_only, BOARD_NAMES, CORTEX_M_BOARDS, elf_path, entries
from mcusim.board import builtin_board_names, load_board

KiB, MiB = 1024, 1024 * 1024


def _region(board, name):
    matches = [r for r in board.regions if r.name == name]
    assert len(matches) == 1, f"{board.name} has no single region {name}"
    return matches[0]


def _sram_total(board) -> int:
    return sum(r.size for r in board.regions if r.kind == "sram")


def test_builtin_boards_are_the_six():
    assert sorted(builtin_board_names()) == sorted(BOARD_NAMES)


def test_boards_command_lists_all(cli):
    r = cli("boards")
    assert r.rc == 0
    listed = re.findall(r"^\W*([a-z0-9][a-z0-9-]+)\s", r.out, flags=re.M)
    for name in BOARD_NAMES:
        assert name in listed, r.out


@pytest.mark.parametrize("name", BOARD_NAMES)
def test_boards_command_shows_every_region(cli, name):
    r = cli("boards", name)
    assert r.rc == 0, r.err
    board = load_board(name)
    for region in board.regions:
        assert region.name in r.out
        assert f"{region.base:#010x}" in r.out


def test_boards_f746_memory_map(cli):
    r = cli("boards", "disco-f746ng")
    assert r.rc == 0
    for name in ("ITCM", "DTCM", "SRAM1", "SRAM2", "FLASH"):
        assert re.search(rf"\b{name}\b", r.out), name
    assert "cortex-m7" in r.out and "216 MHz" in r.out


def test_f407():
    b = load_board("stm32f407-disco")
    assert b.cores[0].model == "cortex-m4" and b.cores[0].fpu == "fpv4-sp"
    assert _region(b, "FLASH").size == 1 * MiB
    assert _region(b, "SRAM1").size == 112 * KiB and _region(b, "SRAM1").base == 0x20000000
    assert _region(b, "SRAM2").size == 16 * KiB and _region(b, "SRAM2").base == 0x2001C000
    ccm = _region(b, "CCM")
    assert ccm.size == 64 * KiB and ccm.base == 0x10000000
    assert "x" not in ccm.access  # CCM is on the D-bus only


def test_l432():
    b = load_board("nucleo-l432kc")
    assert b.cores[0].model == "cortex-m4"
    assert _region(b, "FLASH").size == 256 * KiB
    assert _sram_total(b) == 64 * KiB


def test_l4r5():
    b = load_board("nucleo-l4r5zi")
    assert b.cores[0].model == "cortex-m4"
    assert _region(b, "FLASH").size == 2 * MiB
    assert _sram_total(b) == 640 * KiB


def test_f746():
    b = load_board("disco-f746ng")
    core = b.cores[0]
    assert core.model == "cortex-m7" and core.fpu == "fpv5-dp"
    assert _region(b, "FLASH").size == 1 * MiB
    assert _region(b, "DTCM").size == 64 * KiB and _region(b, "DTCM").kind == "tcm"
    assert _region(b, "ITCM").size == 16 * KiB and _region(b, "ITCM").kind == "tcm"
    assert _region(b, "SRAM1").size == 240 * KiB
    assert _region(b, "SRAM2").size == 16 * KiB
    assert core.icache.size == 4 * KiB and core.dcache.size == 4 * KiB


def test_h743():
    b = load_board("nucleo-h743zi")
    core = b.cores[0]
    assert core.model == "cortex-m7" and core.fpu == "fpv5-dp"
    assert _region(b, "FLASH").size == 2 * MiB
    assert _region(b, "DTCM").size == 128 * KiB
    assert _region(b, "ITCM").size == 64 * KiB
    axi = _region(b, "AXI_SRAM")
    assert axi.size == 512 * KiB and axi.base == 0x24000000
    # SRAM1..SRAM4 (RM0433 §2.3: 128 + 128 + 32 KiB in D2, 64 KiB SRAM4 in D3)
    sizes = {n: _region(b, n).size for n in ("SRAM1", "SRAM2", "SRAM3", "SRAM4")}
    assert sizes == {"SRAM1": 128 * KiB, "SRAM2": 128 * KiB, "SRAM3": 32 * KiB, "SRAM4": 64 * KiB}
    assert core.icache.size == 16 * KiB and core.dcache.size == 16 * KiB


def test_gap8():
    b = load_board("gap8")
    assert {c.model for c in b.cores} == {"ri5cy"}
    assert len(b.cores) == 9  # fabric controller + 8 cluster cores
    fc = _region(b, "FC_TCDM")
    assert (fc.base, fc.size) == (0x1B000000, 16 * KiB)
    l2 = _region(b, "L2")
    assert (l2.base, l2.size) == (0x1C000000, 512 * KiB)
    l1 = _region(b, "L1")
    assert (l1.base, l1.size) == (0x10000000, 64 * KiB)


@pytest.mark.parametrize("name, wait_states", [("stm32f407-disco", 5), ("nucleo-l432kc", 4),
                                               ("nucleo-l4r5zi", 5), ("disco-f746ng", 7)])
def test_flash_wait_states(name, wait_states):
    assert _region(load_board(name), "FLASH").wait_states == wait_states


@pytest.mark.parametrize("entry", cortex_m_only(entries("hello")), ids=lambda e: e["board"])
def test_board_clock_matches_the_firmware_build(entry):
    """hello prints SYSTEM_CORE_CLOCK from firmware/include/board.h: the board file agrees."""
    mhz = int(re.search(r"@ (\d+) MHz", entry["stdout"]).group(1))
    assert load_board(entry["board"]).clock_hz == mhz * 1_000_000


@pytest.mark.parametrize("name", CORTEX_M_BOARDS)
def test_cortex_m_boards_boot_from_flash_and_have_the_ppb(name):
    b = load_board(name)
    assert b.vector_table == 0x08000000
    assert b.region_at(b.vector_table).kind == "flash"
    ppb = b.region_at(0xE000E010)  # SysTick, from the shared _cortex-m parent
    assert ppb is not None and ppb.kind == "mmio"


def test_user_board_extends_builtin(cli, tmp_path):
    path = tmp_path / "f407-fast.toml"
    path.write_text('''
name = "f407-overclocked"
description = "an F407 with twice the flash and a faster clock"
extends = "stm32f407-disco"

[[cores]]
name = "cpu"
model = "cortex-m4"
fpu = "fpv4-sp"
clock_hz = 200_000_000

[[regions]]
name = "FLASH"
kind = "flash"
base = 0x08000000
size = "2 MiB"
wait_states = 6
''')
    parent = load_board("stm32f407-disco")
    child = load_board(str(path))
    assert child.name == "f407-overclocked"
    assert child.clock_hz == 200_000_000
    flash = _region(child, "FLASH")  # replaced as a whole ...
    assert (flash.size, flash.wait_states, flash.aliases) == (2 * MiB, 6, ())
    for name in ("SRAM1", "SRAM2", "CCM", "PPB"):  # ... the rest inherited, PPB from _cortex-m
        assert _region(child, name) == _region(parent, name)
    assert child.vector_table == parent.vector_table

    r = cli("boards", path)
    assert r.rc == 0 and "f407-overclocked" in r.out and "2 MiB" in r.out

    entry = entries("hello", board="stm32f407-disco")[0]
    r = cli("run", "--quiet", "--board", path, elf_path(entry["elf"]))
    assert r.rc == 0, r.err
    assert entry["stdout"] in r.out


def test_user_board_extends_sibling_file(tmp_path):
    """A parent next to the child wins over a built-in of the same name."""
    (tmp_path / "base.toml").write_text('extends = "nucleo-l432kc"\nname = "base"\n')
    (tmp_path / "child.toml").write_text('extends = "base"\nname = "child"\n')
    child = load_board(str(tmp_path / "child.toml"))
    assert child.name == "child"
    assert child.regions == load_board("nucleo-l432kc").regions


def test_directory_named_like_a_board_does_not_shadow_it(cli, tmp_path, monkeypatch):
    """A project directory named after its board (e.g. build output in ./stm32f407-disco/) is
    not a board file: `--board stm32f407-disco` still means the built-in board."""
    (tmp_path / "stm32f407-disco").mkdir()
    monkeypatch.chdir(tmp_path)
    entry = entries("hello", board="stm32f407-disco")[0]
    r = cli("run", "--quiet", "--board", "stm32f407-disco", elf_path(entry["elf"]))
    assert r.rc == 0, r.err
    assert entry["stdout"] in r.out
