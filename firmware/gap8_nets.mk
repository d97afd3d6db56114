# gap8_nets.mk: the reference networks on GAP8, <network>-gap8.elf, included by the Makefile
# after gap8.mk and models.mk (uses their GAP8_* flags and runtime objects).
#
# Each ELF compiles the network's committed generated model.c (models/<network>/generated/, the
# very file the Cortex-M builds compile: same weights, input, expected output and per-layer
# hashes) for the FC, with gap8/nets/nn_cluster.c providing the conv kernels on the 8-core
# cluster (Xpulpv2 via .insn/.word, cluster DMA double-buffering) and the portable nn/ bodies of
# the small tail layers (pool, fully connected, softmax). No generator change: the GAP8 tiling
# is planned at run time from the layer parameters.

GAP8_NETS := kws_dscnn vww_mbv1
GAP8_NET_ELFS := $(foreach n,$(GAP8_NETS),$(n)-gap8.elf)
ELFS += $(GAP8_NET_ELFS)

GAP8_NN_SRCS := nn_pool nn_fc nn_elementwise
GAP8_NN_OBJS := $(addprefix $(OBJ)/gap8-nets/nn/,$(addsuffix .o,$(GAP8_NN_SRCS))) \
                $(OBJ)/gap8-nets/nn_cluster.o

$(OBJ)/gap8-nets/nn/%.o: nn/%.c $(wildcard nn/*.h)
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_CFLAGS) -Inn -c $< -o $@

$(OBJ)/gap8-nets/nn_cluster.o: gap8/nets/nn_cluster.c gap8/rt/gap8.h $(wildcard nn/*.h)
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_CFLAGS) -Inn -c $< -o $@

# $(1) = network
define GAP8_NET_RULES
$(OBJ)/gap8-nets/$(1)/model.o: models/$(1)/generated/model.c models/$(1)/generated/model.h \
		$(wildcard nn/*.h) include/mcusim.h
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_CFLAGS) -Inn -Imodels/$(1)/generated -c $$< -o $$@

$(OBJ)/gap8-nets/$(1)/main.o: gap8/nets/main.c models/$(1)/generated/model.h gap8/rt/gap8.h \
		$(wildcard include/*.h)
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_CFLAGS) -Imodels/$(1)/generated -c $$< -o $$@

GAP8_NET_OBJS_$(1) := $(GAP8_RT_OBJS) $(OBJ)/gap8-nets/$(1)/main.o $(OBJ)/gap8-nets/$(1)/model.o \
	$(GAP8_NN_OBJS)
$(OUT)/$(1)-gap8.elf: $$(GAP8_NET_OBJS_$(1)) gap8/rt/gap8.ld
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_LDFLAGS) -Wl,-Map=$(OBJ)/gap8-nets/$(1)/$(1).map $$(GAP8_NET_OBJS_$(1)) -o $$@
endef
$(foreach n,$(GAP8_NETS),$(eval $(call GAP8_NET_RULES,$(n))))
