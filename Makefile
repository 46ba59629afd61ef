# anyvm build. `make` builds build/$(APP).elf (default hello); see README.md.
APP ?= hello
TARGET ?= microvm
B := build

GIT_REV := $(shell git describe --always --dirty 2>/dev/null)
VERSION := 0.1$(if $(GIT_REV),-$(GIT_REV))

# ---- the kernel and its application: freestanding, plain x86-64, no SSE/x87 ----
KCC := gcc
GCC_INC := $(shell $(KCC) -print-file-name=include)
KCFLAGS := -std=gnu11 -Os -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-march=x86-64 -mtune=generic -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-ffunction-sections -fdata-sections -nostdinc -isystem $(GCC_INC) -Ilibc/include -I. \
	-MMD -MP -DANYVM_VERSION=\"$(VERSION)\"
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --gc-sections \
	--no-warn-rwx-segments -T arch/x86_64/kernel.ld

# The core every image has, and the device layers (buses, drivers, network)
# that an app gets unless its apps/NAME/app.mk says NAME_DEVICES := no: an app
# that drives no device (hello) then links no bus or driver, and kernel_main
# skips device discovery (buses_init is a weak reference).
CORE_DIRS := arch/x86_64 boot core hv dev libc drivers/uart
DEVICE_DIRS := bus bus/pci bus/virtio_mmio drivers/virtio net
dir_objs = $(patsubst %,$(B)/k/%.o,$(foreach d,$(1),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
CORE_OBJS := $(call dir_objs,$(CORE_DIRS))
DEVICE_OBJS := $(call dir_objs,$(DEVICE_DIRS))
-include $(wildcard apps/*/app.mk)
APP_DEVICE_OBJS = $(if $(filter no,$($(1)_DEVICES)),,$(DEVICE_OBJS))
APP_SRCS = $(wildcard apps/$(1)/*.c)
APP_OBJS = $(patsubst %,$(B)/k/%.o,$(call APP_SRCS,$(1)))
APPS := $(notdir $(wildcard apps/*))

.PHONY: all apps run test bench setup unit hostsim clean format tools reference
all: $(B)/$(APP).elf
apps: $(foreach a,$(APPS),$(B)/$(a).elf)

$(B)/k/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(KCC) $(KCFLAGS) -c $< -o $@
$(B)/k/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	@echo '  AS      $<'
	@$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The image: symbols and debug info stay in build/NAME.debug.elf; the shipped
# build/NAME.elf is stripped (the PVH note and the multiboot header survive).
.SECONDEXPANSION:
$(B)/%.debug.elf: $(CORE_OBJS) $$(call APP_DEVICE_OBJS,%) $$(call APP_OBJS,%) $(B)/k/appname/%.o \
		arch/x86_64/kernel.ld
	@test -n "$(call APP_SRCS,$*)" || { echo "no such app: apps/$*" >&2; exit 1; }
	@echo '  LD      $@'
	@ld $(KLDFLAGS) -o $@ $(CORE_OBJS) $(call APP_DEVICE_OBJS,$*) $(call APP_OBJS,$*) \
		$(B)/k/appname/$*.o
# The app's name, argv[0] of its main().
$(B)/k/appname/%.o: Makefile
	@mkdir -p $(dir $@)
	@printf 'const char anyvm_app_name[] = "%s";\n' '$*' > $(B)/k/appname/$*.c
	@$(KCC) $(KCFLAGS) -c $(B)/k/appname/$*.c -o $@
$(B)/%.elf: $(B)/%.debug.elf
	@objcopy --strip-all --remove-section=.comment $< $@

.PRECIOUS: $(B)/%.debug.elf $(B)/k/%.c.o $(B)/k/%.S.o $(B)/k/appname/%.o

# ---- host programs: hostsim and the unit tests ----
HCC := gcc
HCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -MMD -MP
HOSTSIM_SRCS := $(wildcard hostsim/*.c hostsim/*/*.c)
# hostsim's pure logic (no KVM), linked into the unit tests beside the kernel's.
HOSTSIM_PURE_SRCS := hostsim/guest_mem.c hostsim/log.c hostsim/options.c hostsim/registry.c \
	hostsim/ioloop.c \
	$(wildcard hostsim/acpi/*.c hostsim/boot/*.c hostsim/devices/*.c) \
	hostsim/cpu/iobus.c hostsim/cpu/msrbus.c hostsim/cpu/vcpu.c hostsim/cpu/msi.c \
	hostsim/cpu/assist.c \
	hostsim/virtio/virtq.c hostsim/virtio/mmio.c hostsim/virtio/blk.c hostsim/virtio/net.c \
	hostsim/firecracker/virtio_layout.c hostsim/firecracker/cmdline.c \
	hostsim/firecracker/dsdt.c hostsim/firecracker/tables.c hostsim/firecracker/memmap.c \
	hostsim/firecracker/ram.c
hostsim: $(B)/hostsim
$(B)/hostsim: $(HOSTSIM_SRCS:%.c=$(B)/h/%.o)
	$(HCC) -o $@ $^
$(B)/h/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $<'
	@$(HCC) $(HCFLAGS) -c $< -o $@

# Pure-logic sources, compiled for the host unchanged (DESIGN.md): the kernel's,
# and hostsim's device back ends, so tests can drive both sides of a protocol.
PURE_SRCS := core/cmdline.c core/memmap.c core/page_alloc.c core/heap.c core/acpi.c \
	boot/bootinfo.c boot/multiboot.c boot/pvh.c boot/linux64.c libc/format.c \
	bus/pci/pci_addr.c bus/pci/pci_bar_decode.c bus/pci/pci_cap_walk.c bus/pci/pci_match.c \
	bus/pci/pci_irq_logic.c bus/pci/pci_format.c \
	net/inet_csum.c net/ping_responder.c drivers/virtio/net_hdr.c dev/netdev.c dev/blkdev.c \
	apps/devinfo/pattern.c drivers/virtio/virtqueue.c bus/virtio_mmio/virtio_mmio_cmdline.c \
	bus/virtio_mmio/virtio_mmio_aml.c \
	$(HOSTSIM_PURE_SRCS)
PURE_SRCS := $(wildcard $(PURE_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
unit: $(UNIT_BINS)
$(B)/unit/%: tests/unit/%.c $(PURE_SRCS:%.c=$(B)/pure/%.o)
	@mkdir -p $(dir $@) $(B)/unitdep
	@echo '  HOSTCC  $@'
	@$(HCC) $(HCFLAGS) -MF $(B)/unitdep/$*.d -fsanitize=address,undefined -o $@ \
		$(filter %.c %.o,$^)
# test_hostsim_kvm runs a tiny guest on /dev/kvm with hostsim's CPU back end.
$(B)/unit/test_hostsim_kvm: $(B)/pure/hostsim/cpu/cpu_kvm.o $(B)/pure/hostsim/cpu/cpu_kvm_run.o \
	$(B)/pure/hostsim/firecracker/boot_linux.o $(B)/pure/hostsim/firecracker/boot_gdt.o
$(B)/pure/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $<'
	@$(HCC) $(HCFLAGS) -fsanitize=address,undefined -DANYVM_HOST_TEST -c $< -o $@

# ---- libFuzzer harnesses (tests/fuzz/fuzz_NAME.c), one per parser of untrusted input ----
# `make fuzz` runs each for FUZZ_SECONDS; `make test` runs each briefly (tests/run.py).
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I. -DANYVM_HOST_TEST
FUZZ_SECONDS ?= 60
fuzz_srcs_virtio_mmio_cmdline := bus/virtio_mmio/virtio_mmio_cmdline.c core/cmdline.c
fuzz_srcs_aml_scan := bus/virtio_mmio/virtio_mmio_aml.c bus/virtio_mmio/virtio_mmio_cmdline.c
fuzz_srcs_virtq_used := drivers/virtio/virtqueue.c
fuzz_srcs_cmdline := core/cmdline.c
fuzz_srcs_acpi := core/acpi.c
fuzz_srcs_bootinfo := boot/bootinfo.c boot/multiboot.c boot/pvh.c boot/linux64.c
fuzz_srcs_memmap := core/memmap.c
fuzz_srcs_net_rx := net/ping_responder.c net/inet_csum.c drivers/virtio/net_hdr.c
# hostsim's parsers of what a guest or a user controls.
HOSTSIM_VIRTIO_SRCS := hostsim/virtio/mmio.c hostsim/virtio/virtq.c hostsim/guest_mem.c \
	hostsim/log.c
fuzz_srcs_hostsim_virtio_blk := hostsim/virtio/blk.c $(HOSTSIM_VIRTIO_SRCS)
fuzz_srcs_hostsim_virtio_net := hostsim/virtio/net.c $(HOSTSIM_VIRTIO_SRCS)
fuzz_srcs_hostsim_elf := hostsim/boot/elf_load.c hostsim/guest_mem.c
fuzz_srcs_hostsim_legacy := hostsim/devices/serial16550.c hostsim/devices/i8042.c \
	hostsim/cpu/iobus.c hostsim/log.c
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzzers
fuzzers: $(FUZZERS:%=$(B)/fuzz/fuzz_%)
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_srcs_$$*)
	@mkdir -p $(dir $@)
	@echo '  FUZZCC  $@'
	@$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^
fuzz: fuzzers
	@for f in $(FUZZERS); do \
	    mkdir -p $(B)/fuzz/corpus/$$f; \
	    echo "  FUZZ    $$f ($(FUZZ_SECONDS) s)"; \
	    $(B)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        $(B)/fuzz/corpus/$$f $$(test -d tests/fuzz/seeds/$$f && echo tests/fuzz/seeds/$$f) \
	        > $(B)/fuzz/$$f.log 2>&1 || { tail -40 $(B)/fuzz/$$f.log; exit 1; }; \
	    grep -E '^stat::number_of_executed_units' $(B)/fuzz/$$f.log; \
	done

# ---- the README contract ----
setup:
	@scripts/setup.sh
run: setup
	@$(MAKE) --no-print-directory $(B)/$(APP).elf
	tools/anyvm run --target $(TARGET) $(if $(ACCEL),--accel $(ACCEL)) $(B)/$(APP).elf $(if $(ARGS),-- $(ARGS))
test: setup
	@$(MAKE) --no-print-directory apps hostsim unit fuzzers $(B)/empty.elf
	python3 tests/run.py
# A real Linux 6.1 booted on hostsim's Firecracker model (tests/reference/):
# builds build/reference/vmlinux from Debian's linux-source-6.1 (about 4
# minutes on 2 cores), then boots it in both modes and judges its log.
reference: setup
	@$(MAKE) --no-print-directory hostsim
	tests/reference/build_linux.sh
	python3 tests/reference/boot.py
bench: setup
	@$(MAKE) --no-print-directory apps hostsim $(B)/empty.elf
	python3 bench/bench.py

# An empty payload for the boot-time baseline: exits at its first instructions.
$(B)/empty.elf: bench/empty.S bench/empty.ld
	@mkdir -p $(B)
	$(KCC) -c -o $(B)/empty.o bench/empty.S
	ld -nostdlib -static -T bench/empty.ld -o $@ $(B)/empty.o

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
clean:
	rm -rf $(B)/k $(B)/h $(B)/pure $(B)/unit $(B)/*.elf

-include $(shell find $(B) -path $(B)/reference -prune -o -name '*.d' -print 2>/dev/null)
