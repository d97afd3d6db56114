"""The timing tables themselves: every instruction the core runs has exactly one cost."""

import random

import capstone
import pytest
from capstone import arm

from mcusim.timing.tables import load_table

NAMES = {getattr(arm, n): n[len("ARM_INS_"):] for n in dir(arm) if n.startswith("ARM_INS_")}


def _thumb_instruction_ids() -> set[int]:
    """Every instruction id Capstone decodes from a sweep of the Thumb encoding space: all
    16-bit encodings, and every 32-bit first halfword with fixed and seeded second halfwords."""
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    ids: set[int] = set()
    for halfword in range(0x10000):
        if halfword >> 11 not in (0x1D, 0x1E, 0x1F):
            ids.update(i.id for i in md.disasm(halfword.to_bytes(2, "little"), 0, 1))
    rng = random.Random(1)
    fixed = (0x0000, 0x0F00, 0xF000, 0x8000, 0x0A00, 0x0B00, 0xF0F0, 0x00F0, 0x4000, 0xC000,
             0x2000, 0x1000, 0x0800)
    for first in range(0xE800, 0x10000):
        for second in fixed + tuple(rng.getrandbits(16) for _ in range(8)):
            code = first.to_bytes(2, "little") + second.to_bytes(2, "little")
            ids.update(i.id for i in md.disasm(code, 0, 1))
    return ids


@pytest.fixture(scope="module")
def decoded_ids():
    return _thumb_instruction_ids()


TABLES = ("cortex_m4", "cortex_m7")


@pytest.mark.parametrize("name", TABLES)
def test_table_has_no_duplicates(name):
    table = load_table(name)
    classes = table.by_instruction()  # raises on an instruction in two classes
    assert not set(classes) & table.not_on_core


@pytest.mark.parametrize("name", TABLES)
def test_table_covers_every_decodable_instruction(name, decoded_ids):
    table = load_table(name)
    classes = table.by_instruction()
    uncovered = sorted(NAMES[i] for i in decoded_ids
                       if NAMES[i] not in classes and NAMES[i] not in table.not_on_core)
    assert uncovered == []


@pytest.mark.parametrize("name", TABLES)
def test_table_names_only_real_instructions(name):
    table = load_table(name)
    unknown = sorted(n for n in set(table.by_instruction()) | table.not_on_core
                     if n not in NAMES.values())
    assert unknown == []


@pytest.mark.parametrize("name", TABLES)
def test_every_class_cites_its_source(name):
    for cls in load_table(name).classes:
        assert cls.source.strip(), cls.name
        assert cls.cycles >= 0
