"""Start-up self-test of the Unicorn behaviour the engine is built on.

mcusim relies on private details of unicorn 2.1.4 (the binding's ``Uc._uch`` and ``uclib``, the
Cortex-M model selection, the exception numbers its hooks see and the hflags rebuild after an
IPSR write: docs/unicorn.md P6-P8, docs/cortexm.md §4), and on the RISC-V behaviour the Xpulp
stubs need (selftest_stubs.py). If a different Unicorn changes any of
them, this fails loudly at start-up instead of producing wrong cycle counts later.
"""

from __future__ import annotations

import functools

import unicorn
from unicorn import UC_ARCH_ARM, UC_HOOK_INTR, UC_MODE_THUMB, Uc
from unicorn import arm_const as arm

from mcusim import native
from mcusim.errors import McusimError
from mcusim.selftest_stubs import check_stub_conventions

REQUIRED_UNICORN = "2.1.4"

# movs r0,#1 ; svc #0 ; bkpt 0xab   at 0x1000;   bx lr   at 0x1010
_PROGRAM = {0x1000: bytes.fromhex("0120 00df abbe"), 0x1010: bytes.fromhex("7047")}


def _fail(what: str) -> None:
    raise McusimError(
        f"engine self-test failed: {what}. mcusim needs unicorn=={REQUIRED_UNICORN} exactly "
        f"(found {unicorn.__version__}); reinstall with `pip install unicorn=={REQUIRED_UNICORN}`."
    )


@functools.cache
def ensure_engine_conventions() -> None:
    if unicorn.__version__ != REQUIRED_UNICORN:
        _fail(f"unicorn {unicorn.__version__} is installed")
    try:
        from unicorn.unicorn_py3.unicorn import uclib  # noqa: F401
    except ImportError:
        _fail("the binding no longer exposes unicorn_py3.unicorn.uclib")
    native.library()

    for model, expected in (("M4", arm.UC_CPU_ARM_CORTEX_M4), ("M7", arm.UC_CPU_ARM_CORTEX_M7)):
        uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB)
        if not hasattr(uc, "_uch"):
            _fail("Uc objects no longer carry the _uch handle")
        uc.ctl_set_cpu_model(expected)
        if uc.ctl_get_cpu_model() != expected:
            _fail(f"Cortex-{model} model selection did not hold")

    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB)
    uc.ctl_set_cpu_model(arm.UC_CPU_ARM_CORTEX_M4)
    uc.mem_map(0x0, 0x4000)
    for address, code in _PROGRAM.items():
        uc.mem_write(address, code)
    uc.reg_write(arm.UC_ARM_REG_SP, 0x3000)
    seen: list[tuple[int, int]] = []

    def on_interrupt(uc, intno, _):
        pc = uc.reg_read(arm.UC_ARM_REG_PC)
        seen.append((intno, pc))
        if intno == 2:  # SVC: PC already past it; fake an exception entry to a `bx lr`
            uc.reg_write(arm.UC_ARM_REG_LR, 0xFFFFFFF9)
            uc.reg_write(arm.UC_ARM_REG_IPSR, 11)
            uc.reg_write(arm.UC_ARM_REG_APSR_NZCV, uc.reg_read(arm.UC_ARM_REG_APSR_NZCV))
            uc.reg_write(arm.UC_ARM_REG_PC, 0x1011)
        elif intno == 8:  # exception return: PC holds EXC_RETURN without bit 0
            uc.reg_write(arm.UC_ARM_REG_IPSR, 0)
            uc.reg_write(arm.UC_ARM_REG_APSR_NZCV, uc.reg_read(arm.UC_ARM_REG_APSR_NZCV))
            uc.reg_write(arm.UC_ARM_REG_PC, 0x1005)
        else:
            uc.emu_stop()

    uc.hook_add(UC_HOOK_INTR, on_interrupt)
    try:
        uc.emu_start(0x1001, 0xFFFFFFFE)
    except unicorn.UcError as e:
        _fail(f"the SVC/exception-return/BKPT probe stopped with {e}")
    expected = [(2, 0x1004), (8, 0xFFFFFFF8), (7, 0x1004)]
    if seen != expected:
        _fail(f"interrupt hook saw {[(i, hex(p)) for i, p in seen]}, expected "
              f"{[(i, hex(p)) for i, p in expected]} (SVC, EXC_RETURN, BKPT conventions)")
    check_stub_conventions(lambda what: _fail(f"RISC-V stubs: {what}"))
