"""Source file and line of an address, from the ELF's DWARF line tables (when present)."""

from __future__ import annotations

import bisect
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile


class SourceLines:
    def __init__(self, path: Path) -> None:
        self.addresses: list[int] = []
        self.rows: list[tuple[str, int]] = []
        try:
            with Path(path).open("rb") as stream:
                elf = ELFFile(stream)
                if not elf.has_dwarf_info():
                    return
                dwarf = elf.get_dwarf_info()
                entries = []
                for cu in dwarf.iter_CUs():
                    program = dwarf.line_program_for_CU(cu)
                    if program is None:
                        continue
                    header = program.header
                    files = header["file_entry"]
                    version = header["version"]
                    for entry in program.get_entries():
                        state = entry.state
                        if state is None or state.end_sequence:
                            continue
                        index = state.file if version >= 5 else state.file - 1
                        if 0 <= index < len(files):
                            name = files[index].name.decode("utf-8", "replace")
                            entries.append((state.address, name, state.line))
        except (ELFError, OSError, KeyError, IndexError, AttributeError, ValueError):
            return
        entries.sort()
        self.addresses = [a for a, _, _ in entries]
        self.rows = [(n, line) for _, n, line in entries]

    def lookup(self, address: int) -> tuple[str | None, int | None]:
        """The line whose code starts at or just before ``address`` (within the function)."""
        i = bisect.bisect_left(self.addresses, address)
        if i < len(self.addresses) and self.addresses[i] == address:
            return self.rows[i]
        if i > 0 and address - self.addresses[i - 1] < 64:
            return self.rows[i - 1]
        return None, None
