# reid.mk: reid_squeezenet on GAP8, two variants from one source (gap8/reid_squeezenet/), included
# by the Makefile after gap8.mk (it uses RVCC, GAP8_CFLAGS/ASFLAGS/LDFLAGS and GAP8_RT_OBJS).
#
#   reid_squeezenet_sync-gap8.elf   -DREID_ASYNC=0: load a weight chunk L3 -> L2 (uDMA), wait,
#                                    compute it
#   reid_squeezenet_async-gap8.elf  -DREID_ASYNC=1: double-buffered, chunk g+1 loads while the
#                                    cluster computes chunk g
#
# models/reid_squeezenet.py writes models/reid_squeezenet/generated/ (model.c, model.h and the
# L3 image weights.bin + input.bin, committed; the build does not run Python). l3.S .incbin's the
# two .bin files into section .l3.

REID_VARIANTS := sync async
REID_ASYNC_sync  := 0
REID_ASYNC_async := 1
REID_GEN  := models/reid_squeezenet/generated
REID_SRC  := gap8/reid_squeezenet
REID_ELFS := $(foreach v,$(REID_VARIANTS),reid_squeezenet_$(v)-gap8.elf)
ELFS += $(REID_ELFS)

$(OBJ)/reid/model.o: $(REID_GEN)/model.c $(REID_GEN)/model.h
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_CFLAGS) -I$(REID_GEN) -c $< -o $@

$(OBJ)/reid/l3.o: $(REID_SRC)/l3.S $(REID_GEN)/weights.bin $(REID_GEN)/input.bin
	@mkdir -p $(@D)
	$(RVCC) $(GAP8_ASFLAGS) -Wa,-I$(REID_GEN) -c $< -o $@

# $(1) = variant
define REID_RULES
$(OBJ)/reid/$(1)/main.o: $(REID_SRC)/main.c $(REID_GEN)/model.h gap8/rt/gap8.h $(wildcard include/*.h)
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_CFLAGS) -I$(REID_GEN) -DREID_ASYNC=$(REID_ASYNC_$(1)) -c $$< -o $$@

$(OUT)/reid_squeezenet_$(1)-gap8.elf: $(GAP8_RT_OBJS) $(OBJ)/reid/$(1)/main.o $(OBJ)/reid/model.o \
		$(OBJ)/reid/l3.o gap8/rt/gap8.ld
	@mkdir -p $$(@D)
	$$(RVCC) $$(GAP8_LDFLAGS) -Wl,-Map=$(OBJ)/reid/$(1)/reid_squeezenet_$(1).map \
	    $(GAP8_RT_OBJS) $(OBJ)/reid/$(1)/main.o $(OBJ)/reid/model.o $(OBJ)/reid/l3.o -o $$@
endef
$(foreach v,$(REID_VARIANTS),$(eval $(call REID_RULES,$(v))))
