"""`mcusim inspect`: static sizes, largest symbols and the placement of sections in regions."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mcusim.board import Board
from mcusim.elf import Firmware


def region_usage(firmware: Firmware, board: Board) -> dict[str, int]:
    """Bytes each region holds: sections at their run address, plus .data's image at its LMA."""
    used = {r.name: 0 for r in board.memory_regions()}
    for section in firmware.sections:
        places = [section.address]
        if section.load_address != section.address and section.kind != "zi-data":
            places.append(section.load_address)
        for address in places:
            region = board.region_at(address, section.size)
            if region is not None and region.name in used:
                used[region.name] += section.size
    return used


def print_inspect(firmware: Firmware, board: Board | None, console: Console, top: int = 10) -> None:
    sizes = firmware.sizes(board)
    console.print(
        f"[bold]{firmware.path}[/]  ({firmware.arch}, entry {firmware.entry:#010x})\n"
        f"Program Size: Code={sizes['code']} RO-data={sizes['ro-data']} "
        f"RW-data={sizes['rw-data']} ZI-data={sizes['zi-data']}"
    )
    console.print(
        f"Flash (ROM) = Code + RO-data + RW-data = {sizes['code'] + sizes['ro-data'] + sizes['rw-data']} bytes; "
        f"RAM = RW-data + ZI-data = {sizes['rw-data'] + sizes['zi-data']} bytes"
    )

    sections = Table(title="sections", title_justify="left")
    for column in ("section", "kind", "address", "load address", "size"):
        sections.add_column(column, justify="right" if column == "size" else "left")
    if board is not None:
        sections.add_column("region")
    for s in firmware.sections:
        row = [s.name, s.kind, f"{s.address:#010x}",
               f"{s.load_address:#010x}" if s.load_address != s.address else "", f"{s.size:,}"]
        if board is not None:
            region = board.region_at(s.address, s.size)
            where = region.name if region else "[red]outside every region[/]"
            if s.load_address != s.address:
                lma_region = board.region_at(s.load_address, s.size)
                where += f" (image in {lma_region.name if lma_region else '?'})"
            row.append(where)
        sections.add_row(*row)
    console.print(sections)

    if board is not None:
        regions = Table(title=f"memory regions of {board.name}", title_justify="left")
        for column in ("region", "kind", "base", "size", "used", "occupancy"):
            regions.add_column(column, justify="left" if column in ("region", "kind") else "right")
        usage = region_usage(firmware, board)
        for r in board.memory_regions():
            share = usage[r.name] / r.size
            style = "bold red" if share > 0.9 else ""
            regions.add_row(r.name, r.kind, f"{r.base:#010x}", f"{r.size:,}", f"{usage[r.name]:,}",
                            f"[{style}]{share:6.1%}[/]" if style else f"{share:6.1%}")
        console.print(regions)
    else:
        console.print("(give --board NAME to see which region each section lands in, with occupancy)")

    largest = sorted((s for s in firmware.symbols if s.size and s.kind in ("function", "object")),
                     key=lambda s: (-s.size, s.name))[:top]
    symbols = Table(title=f"largest {len(largest)} symbols", title_justify="left")
    for column in ("symbol", "kind", "address", "size"):
        symbols.add_column(column, justify="right" if column == "size" else "left")
    for s in largest:
        symbols.add_row(s.name, s.kind, f"{s.address:#010x}", f"{s.size:,}")
    console.print(symbols)
