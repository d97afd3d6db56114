# Reference inference networks (models/, nn/, apps/net_<network>/): one ELF per (network, board),
# named <network>-<board>.elf. Included by the Makefile right after ELFS is defined.
#
# models/<network>.py generates models/<network>/generated/{model.c,model.h} (committed; the
# build does not run Python). The kernels in nn/ are built with -DNN_USE_DSP (SXTB16/SMLAD
# bodies) for these Cortex-M4/M7 boards; the pairs in NN_PORTABLE are built a second time with
# the portable C bodies, as <network>_portable-<board>.elf, so that both builds of every kernel
# run (and are checked bit-exact) and their speeds can be compared.

NN_NETS := kws_dscnn ecg_gru vww_mbv1 vww_2bit
NN_BOARDS_kws_dscnn := nucleo-l4r5zi disco-f746ng
NN_BOARDS_ecg_gru   := nucleo-l432kc
NN_BOARDS_vww_mbv1  := disco-f746ng nucleo-h743zi
NN_BOARDS_vww_2bit  := nucleo-h743zi

# Linker script per (network, board): default the board's own (arena in .bss, main RAM);
# models/ld/<board>-arena-<region>.ld puts the .nn_arena section in another RAM.
NN_ARENA_vww_mbv1-disco-f746ng := sram1
NN_ARENA_vww_2bit-nucleo-h743zi := axisram

# Kernel sources: NN_SRCS, or NN_SRCS_<network> for a network that needs more. (Linking an
# unused kernel object would still change an ELF: its DWARF stays after --gc-sections.)
NN_SRCS   := nn_conv nn_fc nn_pool nn_elementwise
NN_SRCS_vww_2bit := $(NN_SRCS) nn_2bit nn_mul
nn_srcs = $(or $(NN_SRCS_$(1)),$(NN_SRCS))

# Kernel builds: "" (DSP) and "_portable"; their compiler flags and object directory suffix.
NN_CFLAGS := -DNN_USE_DSP -Inn
NN_CFLAGS_portable := -Inn
NN_PORTABLE := kws_dscnn-nucleo-l4r5zi ecg_gru-nucleo-l432kc vww_2bit-nucleo-h743zi
nn_cflags = $(if $(1),$(NN_CFLAGS$(1)),$(NN_CFLAGS))
pair_net = $(firstword $(subst -, ,$(1)))
pair_board = $(patsubst $(call pair_net,$(1))-%,%,$(1))

NN_ELFS := $(foreach n,$(NN_NETS),$(foreach b,$(NN_BOARDS_$(n)),$(n)-$(b).elf)) \
           $(foreach p,$(NN_PORTABLE),$(call pair_net,$(p))_portable-$(call pair_board,$(p)).elf)
ELFS += $(NN_ELFS)
NN_ALL_BOARDS := $(sort $(foreach n,$(NN_NETS),$(NN_BOARDS_$(n))))

# $(1) = board, $(2) = kernel source, $(3) = kernel build suffix ("" or _portable)
define NN_LIB_RULE
$(OBJ)/$(1)/nn$(3)/$(2).o: nn/$(2).c $(wildcard nn/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(call cpu,$(1)) $$(CFLAGS) $$(call nn_cflags,$(3)) -c $$< -o $$@
endef
NN_ALL_SRCS := $(sort $(foreach n,$(NN_NETS),$(call nn_srcs,$(n))))
$(foreach b,$(NN_ALL_BOARDS),$(foreach s,$(NN_ALL_SRCS),$(eval $(call NN_LIB_RULE,$(b),$(s),))))
$(foreach b,$(NN_ALL_BOARDS),$(foreach s,$(NN_ALL_SRCS),$(eval $(call NN_LIB_RULE,$(b),$(s),_portable))))

nn_arena = $(NN_ARENA_$(1)-$(2))
nn_ld = $(if $(call nn_arena,$(1),$(2)),models/ld/$(2)-arena-$(call nn_arena,$(1),$(2)).ld,cortexm/$(2).ld)

# $(1) = network, $(2) = board, $(3) = kernel build suffix ("" or _portable)
define NN_NET_RULES
$(OBJ)/$(2)/net_$(1)$(3)/model.o: models/$(1)/generated/model.c models/$(1)/generated/model.h \
		$(wildcard nn/*.h) $(wildcard include/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(call cpu,$(2)) $$(CFLAGS) $$(call nn_cflags,$(3)) -Imodels/$(1)/generated -D$$(DEF_$(2)) \
	    $(if $(call nn_arena,$(1),$(2)),-DNN_ARENA_IN_SECTION) -c $$< -o $$@

$(OBJ)/$(2)/net_$(1)$(3)/main.o: apps/net_$(1)/main.c models/$(1)/generated/model.h \
		$(wildcard nn/*.h) $(wildcard include/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(call cpu,$(2)) $$(CFLAGS) $$(call nn_cflags,$(3)) -Imodels/$(1)/generated -D$$(DEF_$(2)) -c $$< -o $$@

NN_OBJS_$(1)$(3)-$(2) := $(OBJ)/$(2)/startup.o $(OBJ)/$(2)/net_$(1)$(3)/main.o $(OBJ)/$(2)/net_$(1)$(3)/model.o \
	$(addprefix $(OBJ)/$(2)/nn$(3)/,$(addsuffix .o,$(call nn_srcs,$(1))))
$(OUT)/$(1)$(3)-$(2).elf: $$(NN_OBJS_$(1)$(3)-$(2)) $(call nn_ld,$(1),$(2)) cortexm/$(2).ld cortexm/common.ld \
		$(addprefix $(OBJ)/lib/$(call core,$(2))/,$(LIBS_TO_SLIM))
	@mkdir -p $$(@D)
	$$(CC) $$(call cpu,$(2)) $$(LDFLAGS) -L$(OBJ)/lib/$(call core,$(2)) -T $(call nn_ld,$(1),$(2)) \
	    -Wl,-Map=$(OBJ)/$(2)/net_$(1)$(3)/$(1).map $$(NN_OBJS_$(1)$(3)-$(2)) -o $$@
endef
$(foreach n,$(NN_NETS),$(foreach b,$(NN_BOARDS_$(n)),$(eval $(call NN_NET_RULES,$(n),$(b),))))
$(foreach p,$(NN_PORTABLE),$(eval $(call NN_NET_RULES,$(call pair_net,$(p)),$(call pair_board,$(p)),_portable)))
