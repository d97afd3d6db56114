# layers: the layer-marker demo (apps/layers/main.c) on the STM32F407 Discovery, and its
# deliberately slowed copy layers_slow (-DMCUSIM_SLOW_LAYER=dot512: an extra loop inside the
# dot512 layer) that tests/test_pytest_plugin.py holds against the normal build's cycle baseline.
# Included at the end of the Makefile: it appends its ELFs to ELFS (so `list` and `check` cover
# them) and to `all`, and reuses APP_RULES for the normal build.

LAYERS_BOARD := stm32f407-disco
LAYERS_SLOW  := dot512
LAYERS_ELFS  := layers-$(LAYERS_BOARD).elf layers_slow-$(LAYERS_BOARD).elf

ELFS += $(LAYERS_ELFS)
all: $(addprefix $(OUT)/,$(LAYERS_ELFS))

$(eval $(call APP_RULES,layers,$(LAYERS_BOARD)))

$(OBJ)/$(LAYERS_BOARD)/layers_slow/main.o: apps/layers/main.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(call cpu,$(LAYERS_BOARD)) $(CFLAGS) -D$(DEF_$(LAYERS_BOARD)) \
	    -DMCUSIM_SLOW_LAYER=$(LAYERS_SLOW) -c $< -o $@

$(OUT)/layers_slow-$(LAYERS_BOARD).elf: $(OBJ)/$(LAYERS_BOARD)/startup.o \
		$(OBJ)/$(LAYERS_BOARD)/layers_slow/main.o cortexm/$(LAYERS_BOARD).ld cortexm/common.ld \
		$(addprefix $(OBJ)/lib/$(call core,$(LAYERS_BOARD))/,$(LIBS_TO_SLIM))
	@mkdir -p $(@D)
	$(CC) $(call cpu,$(LAYERS_BOARD)) $(LDFLAGS) -L$(OBJ)/lib/$(call core,$(LAYERS_BOARD)) \
	    -T cortexm/$(LAYERS_BOARD).ld -Wl,-Map=$(OBJ)/$(LAYERS_BOARD)/layers_slow/layers_slow.map \
	    $(OBJ)/$(LAYERS_BOARD)/startup.o $(OBJ)/$(LAYERS_BOARD)/layers_slow/main.o -o $@
