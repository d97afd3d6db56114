"""Capstone's ARM register names to Unicorn register ids."""

from unicorn import arm_const as uc_arm

UNICORN_REGISTERS = {f"r{i}": getattr(uc_arm, f"UC_ARM_REG_R{i}") for i in range(13)}
UNICORN_REGISTERS.update({
    "sb": uc_arm.UC_ARM_REG_R9, "sl": uc_arm.UC_ARM_REG_R10, "fp": uc_arm.UC_ARM_REG_R11,
    "ip": uc_arm.UC_ARM_REG_R12, "sp": uc_arm.UC_ARM_REG_SP, "lr": uc_arm.UC_ARM_REG_LR,
    "pc": uc_arm.UC_ARM_REG_PC,
})
