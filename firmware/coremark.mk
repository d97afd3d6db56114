# coremark_like: a CoreMark-shaped integer workload of our own (apps/coremark_like/main.c), built
# for one Cortex-M4 and one Cortex-M7 board with the common CFLAGS (-O2). Included at the end of
# the Makefile: it appends its ELFs to ELFS (so `list` and `check` cover them) and to `all`, and
# reuses APP_RULES.

CM_BOARDS := stm32f407-disco disco-f746ng
CM_ELFS   := $(foreach b,$(CM_BOARDS),coremark_like-$(b).elf)

ELFS += $(CM_ELFS)
all: $(addprefix $(OUT)/,$(CM_ELFS))

$(foreach b,$(CM_BOARDS),$(eval $(call APP_RULES,coremark_like,$(b))))
