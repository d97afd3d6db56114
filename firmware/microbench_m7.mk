# microbench_m7: Cortex-M7 cycle microbenchmarks on the 32F746G Discovery (microbench/main_m7.c,
# microbench/cases_m7.S, its own linker script microbench/microbench-disco-f746ng.ld: timed code
# in ITCM, data in DTCM, one array in SRAM1; the flash cases in flash). Expected counts with
# tolerances: microbench/expected_m7.toml; tests/test_microbench_m7.py compares.
# Included at the end of the Makefile: it appends its ELF to ELFS (so `list` and `check` cover
# it) and to `all`.

MB7_BOARD := disco-f746ng
MB7_ELF   := microbench-$(MB7_BOARD).elf
MB7_DIR   := $(OBJ)/$(MB7_BOARD)/microbench_m7

ELFS += $(MB7_ELF)
all: $(OUT)/$(MB7_ELF)

$(MB7_DIR)/main.o: microbench/main_m7.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(call cpu,$(MB7_BOARD)) $(CFLAGS) -D$(DEF_$(MB7_BOARD)) -c $< -o $@

# As for the M4 cases.S: map the directory for the assembler explicitly; cases_m7.S names
# itself with `.file`.
$(MB7_DIR)/cases.o: microbench/cases_m7.S
	@mkdir -p $(@D)
	$(CC) $(call cpu,$(MB7_BOARD)) $(CFLAGS) -Wa,--debug-prefix-map=$(CURDIR)=. -c $< -o $@

MB7_OBJS := $(OBJ)/$(MB7_BOARD)/startup.o $(MB7_DIR)/main.o $(MB7_DIR)/cases.o
$(OUT)/$(MB7_ELF): $(MB7_OBJS) microbench/microbench-$(MB7_BOARD).ld cortexm/common.ld \
		$(addprefix $(OBJ)/lib/$(call core,$(MB7_BOARD))/,$(LIBS_TO_SLIM))
	@mkdir -p $(@D)
	$(CC) $(call cpu,$(MB7_BOARD)) $(LDFLAGS) -L$(OBJ)/lib/$(call core,$(MB7_BOARD)) \
	    -T microbench/microbench-$(MB7_BOARD).ld -Wl,-Map=$(MB7_DIR)/microbench.map \
	    $(MB7_OBJS) -o $@
