"""GAP8 firmware with and without the load-time rewrite of Xpulp instructions (RunOptions
rewrite_custom): the whole RunResult must be identical, host time aside: cycles and
instructions per core, layers, per-function profile, memory report, DMA statistics,
diagnostics, stdout, exit status and fault report.

rewrite_edges-gap8.elf (firmware/gap8/rewrite_edges/) puts rewritten instructions where the
accounting is delicate: last instruction of hardware-loop bodies, nested loops, a loop starting
with one, a branch into the middle of a run, misaligned L2 loads timed with mcycle, MMIO accesses
by Xpulp loads and stores (layer markers, a timer, stdout). A quantum of 7 cycles stops slices
inside runs of stub parts. rewrite_fault-gap8.elf faults in the second part of a run.
"""

from __future__ import annotations

import io

import pytest
from unicorn import UC_HOOK_CODE
from unicorn import riscv_const as rv

from conftest import elf_path
from mcusim.board import load_board
from mcusim.elf import Firmware
from mcusim.machine import Machine, RunOptions

EDGES = "rewrite_edges-gap8.elf"
FAULT = "rewrite_fault-gap8.elf"
VOLATILE = {"host_time_s", "mips", "custom_instructions_rewritten"}


def run(elf: str, rewrite: bool, **options):
    stdout = io.StringIO()
    machine = Machine(load_board("gap8"), Firmware.load(elf_path(elf)),
                      RunOptions(stdout=stdout, stderr=io.StringIO(), rewrite_custom=rewrite, **options))
    result = machine.run()
    return result, stdout.getvalue(), machine


def comparable(value):
    """The result without what depends on the host or on the rewrite itself."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def assert_identical(on, off):
    a, b = comparable(on.to_dict()), comparable(off.to_dict())
    differing = sorted(k for k in a if a[k] != b.get(k))
    assert a == b, f"results differ in {differing}"


@pytest.mark.parametrize("quantum", [10_000, 7])
def test_edge_cases_give_the_same_result_with_and_without_the_rewrite(quantum):
    on, out_on, machine = run(EDGES, True, quantum_cycles=quantum)
    off, out_off, _ = run(EDGES, False, quantum_cycles=quantum)
    assert (on.status, on.exit_code) == ("exited", 0), out_on
    assert "rewrite_edges: PASS" in out_on and out_on == out_off
    assert machine.stubs is not None and len(machine.stubs.sites) == 23  # all of cases.S but lp.setup
    assert_identical(on, off)
    # L2 latency once per (misaligned) access, as the executor charges it: csrr 1 + 3 x (1 + L)
    assert "l2_timed fc=10 cl0=34" in out_on
    assert {"mmio_fc", "mmio_cl"} <= {layer.name for layer in on.layers}


def test_instructions_run_in_stubs_not_in_the_trap_handler():
    on, _, machine = run(EDGES, True)
    off, _, _ = run(EDGES, False)
    cores = on.diagnostics["cores"]
    stub_runs = sum(c.state.stub_blocks for c in machine.cores)
    assert stub_runs > 100
    assert sum(c["xpulp_instructions"] for c in cores.values()) == \
        sum(c["xpulp_instructions"] for c in off.diagnostics["cores"].values())


@pytest.mark.parametrize("where", ["at start", "before a merged block"])
def test_firmware_that_turns_the_fpu_off_gets_the_same_result(where):
    """Stubs park temporaries in FP registers; with mstatus.FS Off their first fmv traps, the
    trap handler turns the FPU on and the block runs again, charged once: at the first stub of
    each core, or (FS cleared by a probe just before it) at a merged block, whose later
    instructions the hot path charges when it starts."""
    off, out_off, _ = run(EDGES, False)
    stdout = io.StringIO()
    machine = Machine(load_board("gap8"), Firmware.load(elf_path(EDGES)),
                      RunOptions(stdout=stdout, stderr=io.StringIO()))
    fc = machine.cores[0]
    if where == "at start":
        for core in machine.cores:
            core.uc.reg_write(rv.UC_RISCV_REG_MSTATUS, 0)
    else:  # cleared at the jump to the block, so that the block is translated with FS Off
        jump = machine.stubs.merged[0].pc
        cleared = []

        def clear_fs_once(uc, address, size, _):
            if not cleared:
                cleared.append(address)
                uc.reg_write(rv.UC_RISCV_REG_MSTATUS, 0)

        fc.uc.hook_add(UC_HOOK_CODE, clear_fs_once, begin=jump, end=jump)
    on = machine.run()
    assert sum(core.rv.fp_enables for core in machine.cores) == (2 if where == "at start" else 1)
    assert stdout.getvalue() == out_off
    assert_identical(on, off)


def test_a_fault_in_a_stub_reports_the_original_instruction():
    on, _, _ = run(FAULT, True)
    off, _, _ = run(FAULT, False)
    assert on.status == "fault"
    fault = on.fault
    assert fault.kind == "memory fault in a custom instruction"
    assert fault.instruction == "p.lw.postinc"
    assert (fault.address, fault.region) == (0x30000000, "unmapped")
    registers = fault.registers
    assert registers["a0"] == 5 + 7 * 7  # the p.mac before it ran, in the same stub
    assert registers["a1"] == 0x30000000  # not incremented: nothing written before the fault
    assert_identical(on, off)


@pytest.mark.parametrize("elf", ["hello-gap8.elf", "microbench-gap8.elf", "l3dma-gap8.elf",
                                 "conv5x5-gap8.elf", "kws_dscnn-gap8.elf"])
def test_gap8_firmware_gives_the_same_result_with_and_without_the_rewrite(elf):
    on, out_on, _ = run(elf, True)
    off, out_off, _ = run(elf, False)
    assert out_on == out_off
    assert_identical(on, off)
