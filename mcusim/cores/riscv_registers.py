"""RISC-V register names (ABI and xN, as Capstone prints them) to numbers and Unicorn ids."""

from unicorn import riscv_const

ABI_NAMES = ("zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
             "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
             "t3", "t4", "t5", "t6")

REGISTER_NUMBERS = {name: i for i, name in enumerate(ABI_NAMES)}
REGISTER_NUMBERS.update({f"x{i}": i for i in range(32)})
REGISTER_NUMBERS["fp"] = REGISTER_NUMBERS["s0"]

UNICORN_REGISTERS = {name: riscv_const.UC_RISCV_REG_X0 + i for name, i in REGISTER_NUMBERS.items()}
