# The build rule every loader's Makefile includes after setting NAME (the source NAME.S, the
# binary NAME.bin), CPU (-mcpu) and, where it has them, DEPS (the files it includes):
#   make            builds NAME.bin in the loader's directory
#   make OUT=dir    builds dir/NAME.bin
# Debian 12's gcc-arm-none-eabi (12.2.rel1) rebuilds each committed binary byte for byte
# (test: plugins/target-stm32/test/loaders-rebuild.test.ts).
CC := arm-none-eabi-gcc
OBJCOPY := arm-none-eabi-objcopy
OUT ?= .
COMMON := $(dir $(lastword $(MAKEFILE_LIST)))

$(OUT)/$(NAME).bin: $(NAME).S $(DEPS) Makefile $(COMMON)loader.mk
	$(CC) -mcpu=$(CPU) -mthumb -nostdlib -nostartfiles -Wl,--build-id=none \
	  -Wl,-Ttext=0 -Wl,-e,$(NAME) -o $(OUT)/$(NAME).elf $(NAME).S
	$(OBJCOPY) -O binary -j .text $(OUT)/$(NAME).elf $@
