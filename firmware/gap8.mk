# gap8.mk: GAP8 firmware (RI5CY FC + 8-core cluster), included by the Makefile after ELFS.
# Debian's riscv64-unknown-elf-gcc 12.2, no libc: our runtime in gap8/rt/ (crt0, linker script,
# printf-lite, cluster fork/join, DMA/uDMA helpers). Xpulp instructions are .insn/.word in the
# sources. -misa-spec=2.2 keeps Zicsr inside rv32imc (csrr/csrw) and selects the rv32im/ilp32
# libgcc multilib (no RVC, no A); nothing from libgcc is linked in at present.
#
# One ELF per app, $(OUT)/<app>-gap8.elf, from gap8/rt/*.{S,c} + gap8/<app>/*.{c,S}.

GAP8_APPS := hello conv5x5 l3dma microbench uart_hello rewrite_edges rewrite_fault perfcount
GAP8_ELFS := $(foreach a,$(GAP8_APPS),$(a)-gap8.elf)
ELFS += $(GAP8_ELFS)

GAP8_ARCH   := -march=rv32imc -misa-spec=2.2 -mabi=ilp32
GAP8_CFLAGS := $(GAP8_ARCH) -std=gnu11 -O2 -g -Wall -Wextra -ffreestanding \
               -ffunction-sections -fdata-sections -ffile-prefix-map=$(CURDIR)=. \
               -Igap8/rt -Iinclude
GAP8_ASFLAGS := $(GAP8_ARCH) -g -Wa,--debug-prefix-map=$(CURDIR)=.
GAP8_LDFLAGS := $(GAP8_ARCH) -nostdlib -nostartfiles -static -Wl,--gc-sections \
                -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T gap8/rt/gap8.ld
GAP8_RT_OBJS := $(OBJ)/gap8/rt/crt0.o $(OBJ)/gap8/rt/rt.o
# optional runtime parts, linked only by the apps that use them (GAP8_APP_RT_<app>), so that the
# other ELFs stay as they are
GAP8_RT_UART_OBJS := $(OBJ)/gap8/rt/uart.o
GAP8_APP_RT_uart_hello := $(GAP8_RT_UART_OBJS)
$(OBJ)/gap8/rt/uart.o $(OBJ)/gap8/uart_hello/main.o: gap8/rt/uart.h

# rt.c implements memset/memcpy: their loops must not turn into calls to themselves
$(OBJ)/gap8/rt/rt.o: gap8/rt/rt.c gap8/rt/gap8.h
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_CFLAGS) -fno-tree-loop-distribute-patterns -c $< -o $@

$(OBJ)/gap8/%.o: gap8/%.c gap8/rt/gap8.h include/mcusim.h
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_CFLAGS) -c $< -o $@

$(OBJ)/gap8/%.o: gap8/%.S
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_ASFLAGS) -c $< -o $@

gap8_app_objs = $(patsubst gap8/%,$(OBJ)/gap8/%.o,$(basename $(sort $(wildcard gap8/$(1)/*.c gap8/$(1)/*.S))))

# $(1) = app
define GAP8_APP_RULE
$(OUT)/$(1)-gap8.elf: $(GAP8_RT_OBJS) $(GAP8_APP_RT_$(1)) $(call gap8_app_objs,$(1)) gap8/rt/gap8.ld
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_LDFLAGS) -Wl,-Map=$(OBJ)/gap8/$(1)/$(1).map \
	    $(GAP8_RT_OBJS) $(GAP8_APP_RT_$(1)) $(call gap8_app_objs,$(1)) -o $$@
endef
$(foreach a,$(GAP8_APPS),$(eval $(call GAP8_APP_RULE,$(a))))
