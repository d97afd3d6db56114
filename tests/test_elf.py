"""ELF loading and `mcusim inspect`, checked against pyelftools read independently here."""

from __future__ import annotations

import re

import pytest
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from conftest import cortex_m_only, CORTEX_M_BOARDS, elf_path, entries, entry_id
from mcusim.board import load_board
from mcusim.elf import Firmware

RUNNABLE = [e for e in entries() if e.get("expect") != "load-error"]


def _independent_sizes(elf_file, board) -> dict[str, int]:
    """Keil's split from the section headers: ZI = NOBITS, Code = executable, RW = initialised
    writable data whose run address is in RAM (copied there at start-up), RO = the rest."""
    sizes = {"code": 0, "ro-data": 0, "rw-data": 0, "zi-data": 0}
    with elf_file.open("rb") as f:
        for sec in ELFFile(f).iter_sections():
            flags = sec["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC or not sec["sh_size"]:
                continue
            if sec["sh_type"] == "SHT_NOBITS":
                kind = "zi-data"
            elif flags & SH_FLAGS.SHF_EXECINSTR:
                kind = "code"
            elif flags & SH_FLAGS.SHF_WRITE and board.region_at(sec["sh_addr"]).is_ram:
                kind = "rw-data"
            else:
                kind = "ro-data"
            sizes[kind] += sec["sh_size"]
    return sizes


@pytest.mark.parametrize("entry", RUNNABLE, ids=entry_id)
def test_inspect_program_size(cli, entry):
    elf = elf_path(entry["elf"])
    r = cli("inspect", elf, "--board", entry["board"])
    assert r.rc == 0, r.err
    m = re.search(r"Program Size: Code=(\d+) RO-data=(\d+) RW-data=(\d+) ZI-data=(\d+)", r.out)
    assert m, r.out
    shown = dict(zip(("code", "ro-data", "rw-data", "zi-data"), map(int, m.groups())))
    assert shown == _independent_sizes(elf, load_board(entry["board"]))
    assert shown["code"] > 0 and shown["zi-data"] > 0
    if entry["board"] in CORTEX_M_BOARDS:  # newlib's .data (impure_ptr...) is always there
        assert shown["rw-data"] > 0


def test_inspect_without_board(cli):
    elf = elf_path("hello-nucleo-l4r5zi.elf")
    r = cli("inspect", elf)
    assert r.rc == 0
    assert "Program Size: Code=" in r.out
    assert "--board" in r.out  # the hint that a board shows region placement


@pytest.mark.parametrize("entry", cortex_m_only(entries("hello")), ids=entry_id)
def test_data_loads_from_flash_and_runs_in_ram(cli, entry):
    elf = elf_path(entry["elf"])
    board = load_board(entry["board"])
    with elf.open("rb") as f:
        e = ELFFile(f)
        data = e.get_section_by_name(".data")
        vma = data["sh_addr"]
        segment = next(s for s in e.iter_segments()
                       if s["p_type"] == "PT_LOAD" and s.section_in_segment(data))
        lma = vma - segment["p_vaddr"] + segment["p_paddr"]
        etext = e.get_section_by_name(".symtab").get_symbol_by_name("__etext")[0]["st_value"]
    assert lma == etext  # README: __etext is LOADADDR(.data)
    assert board.region_at(lma).kind == "flash"
    ram = board.region_at(vma)
    assert ram.is_ram

    section = next(s for s in Firmware.load(elf).sections if s.name == ".data")
    assert (section.address, section.load_address, section.kind) == (vma, lma, "rw-data")

    r = cli("inspect", elf, "--board", entry["board"])
    row = next(line for line in r.out.splitlines() if ".data" in line)
    assert f"{vma:#010x}" in row and f"{lma:#010x}" in row
    assert f"{ram.name} (image in FLASH)" in row


@pytest.mark.parametrize("entry", entries("matmul_int8"), ids=entry_id)
def test_loader_segments(entry):
    fw = Firmware.load(elf_path(entry["elf"]))
    board = load_board(entry["board"])
    assert fw.arch == "arm"
    assert board.region_at(fw.entry).kind == "flash"
    copied = [s for s in fw.segments if s.load_address != s.run_address]
    assert len(copied) == 1  # .data: image in flash, used in RAM
    assert board.region_at(copied[0].load_address).kind == "flash"
    assert board.region_at(copied[0].run_address).is_ram
    fw.check_runs_on(board)  # the manifest's board takes it


def _largest_symbols(elf, count: int) -> list[str]:
    with elf.open("rb") as f:
        symbols = [(s["st_size"], s.name) for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()
                   if s["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT") and s["st_size"]
                   and s["st_shndx"] != "SHN_UNDEF" and s.name]
    return [name for _, name in sorted(symbols, key=lambda t: (-t[0], t[1]))[:count]]


@pytest.mark.parametrize("top", [3, 10])
def test_inspect_lists_largest_symbols(cli, top):
    elf = elf_path("matmul_int8-nucleo-h743zi.elf")
    r = cli("inspect", elf, "--top", top)
    assert r.rc == 0
    assert f"largest {top} symbols" in r.out
    table = r.out.split(f"largest {top} symbols", 1)[1]
    shown = re.findall(r"^│ (\S+)\s+│ (?:function|object)", table, flags=re.M)
    assert shown == _largest_symbols(elf, top)


def test_describe_address_names_symbol_and_offset():
    elf = elf_path("fault-stm32f407-disco.elf")
    fw = Firmware.load(elf)
    start = fw.symbol("read_sensor").address
    assert fw.describe_address(start) == "read_sensor"
    assert fw.describe_address(start + 4) == "read_sensor+0x4"
    # Unused vectors alias Default_Handler weakly; the strong name wins.
    handler = fw.symbol("Default_Handler").address
    assert fw.function_at(handler).name == "Default_Handler"
