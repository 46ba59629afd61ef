# anyvm build. `make` builds build/$(APP).elf (default hello); see README.md.
# No built-in rules: the dependency files included at the end must never be
# "remade" by make's implicit link rules.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
# `make` alone builds the app (all), whichever rule comes first below.
.DEFAULT_GOAL := all

APP ?= hello
TARGET ?= microvm
B := build

GIT_REV := $(shell git describe --always --dirty 2>/dev/null)
VERSION := 0.1$(if $(GIT_REV),-$(GIT_REV))

# ---- the kernel and its application: freestanding, plain x86-64, no SSE/x87 ----
# Code generation flags are given at compile and at link time alike: with
# link-time optimisation (-flto) the code is generated when the image is
# linked, across files (hello is about 10% smaller than without).
# -malign-data=abi: arrays aligned as the psABI asks, not to 32 bytes for
# vector code the kernel never has (-mgeneral-regs-only).
KCC := gcc
GCC_INC := $(shell $(KCC) -print-file-name=include)
KCODEGEN := -Os -malign-data=abi -flto -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -march=x86-64 -mtune=generic -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -ffunction-sections -fdata-sections
KCFLAGS := -std=gnu11 -g -Wall -Wextra -Werror -ffreestanding $(KCODEGEN) \
	-nostdinc -isystem $(GCC_INC) -Iklib/include -I. \
	-MMD -MP -DANYVM_VERSION=\"$(VERSION)\"
KLDFLAGS := $(KCODEGEN) -flto-partition=one -g -Werror -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--gc-sections -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-T arch/x86_64/kernel.ld

# The core every image has, and the device layers (buses, drivers, network)
# that an app gets unless its apps/NAME/app.mk says NAME_DEVICES := no: an app
# that drives no device (hello) then links no bus or driver: its registration
# tables (core/device.h) are empty, so starting the buses does nothing. api/
# (the calls of include/anyvm/) is in every image: --gc-sections keeps only
# what the app calls.
CORE_DIRS := arch/x86_64 boot core init hv dev klib drivers/uart sys api
DEVICE_DIRS := bus/pci bus/virtio_mmio drivers/virtio drivers/e1000 drivers/vmxnet3 dev/scsi drivers/pvscsi net \
	hv/hyperv bus/vmbus drivers/hyperv drivers/netvsc drivers/storvsc
dir_objs = $(patsubst %,$(B)/k/%.o,$(foreach d,$(1),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
CORE_OBJS := $(call dir_objs,$(CORE_DIRS))
# The block drivers (virtio-blk, PVSCSI and the SCSI layer under it) are part
# of the device layers unless apps/NAME/app.mk says NAME_BLOCK := no (an
# anyvm.toml: block = false): an app that reads no disk (httpd serves its
# initrd) then lists none and is about 25 KiB smaller. Their drivers register
# through the device model's tables, so leaving the objects out is all.
BLOCK_OBJS := $(call dir_objs,dev/scsi drivers/pvscsi drivers/storvsc) \
	$(patsubst %,$(B)/k/%.o,drivers/virtio/blk.c drivers/virtio/blk_config.c)
DEVICE_OBJS := $(filter-out $(BLOCK_OBJS),$(call dir_objs,$(DEVICE_DIRS)))
# The file layer (the initrd as a read-only tree): an archive, so that only
# an app whose C library code names a file pulls its members into the link
# (sys/path.c says how); the others, hello among them, pay nothing for it.
# gcc-ar adds the index link-time optimisation needs.
FILES_DIRS := fs sys/files
FILES_OBJS := $(call dir_objs,$(FILES_DIRS))
FILES_LIB := $(B)/k/libfiles.a
$(FILES_LIB): $(FILES_OBJS)
	@rm -f $@
	@gcc-ar rcs $@ $^
-include $(wildcard apps/*/app.mk)
APP_DEVICE_OBJS = $(if $(filter no,$($(1)_DEVICES)),,$(DEVICE_OBJS) \
	$(if $(filter no,$($(1)_BLOCK)),,$(BLOCK_OBJS))) \
	$(if $(filter yes,$($(1)_NETWORK)),$(NET_OBJS))
# The waiting calls (sys/poll/: poll, ppoll, select, pselect6, epoll_*) are
# linked unless apps/NAME/app.mk says NAME_POLL := no; sys/syscall.c refers
# to them weakly, so an image without them answers ENOSYS to those calls
# and is about 5 KiB smaller (the dispatch table would keep them otherwise).
POLL_OBJS := $(call dir_objs,sys/poll)
APP_POLL_OBJS = $(if $(filter no,$($(1)_POLL)),,$(POLL_OBJS))
APP_SRCS = $(wildcard apps/$(1)/*.c)
APP_OBJS = $(patsubst %,$(B)/a/%.o,$(call APP_SRCS,$(1)))
APPS := $(notdir $(wildcard apps/*))

# ---- the network layer, for apps whose app.mk says NAME_NETWORK := yes
# (on top of the device layers): lwIP from Debian's source (scripts/setup.sh
# unpacks it), built freestanding like the kernel with our port
# (net/lwip/include: arch/cc.h, lwipopts.h), the stack service (net/stack),
# the socket calls (net/socket) and Azure's ready report (net/azure). lwIP
# is third-party code: it gets the kernel's code generation and warnings,
# not -Werror. ----
LWIP_SRC := $(B)/src/lwip/src
LWIP_FILES := core/init core/def core/dns core/inet_chksum core/ip core/mem core/memp \
	core/netif core/pbuf core/raw core/stats core/sys core/tcp core/tcp_in core/tcp_out \
	core/timeouts core/udp core/ipv4/dhcp core/ipv4/etharp core/ipv4/icmp core/ipv4/ip4_frag \
	core/ipv4/ip4 core/ipv4/ip4_addr core/ipv6/ethip6 core/ipv6/icmp6 core/ipv6/inet6 \
	core/ipv6/ip6 core/ipv6/ip6_addr core/ipv6/ip6_frag core/ipv6/mld6 core/ipv6/nd6 \
	netif/ethernet
LWIP_OBJS := $(LWIP_FILES:%=$(B)/lwip/%.o)
LWIP_INC := -Inet/lwip/include -I$(LWIP_SRC)/include
# A failed lwIP assertion names its file relative to lwIP's src/ (arch/cc.h).
LWIP_FILE_NAMES := -fmacro-prefix-map=$(LWIP_SRC)/=
NET_DIRS := net/lwip net/stack net/socket net/azure
NET_OBJS := $(call dir_objs,$(NET_DIRS)) $(LWIP_OBJS)
$(B)/lwip/%.o: $(LWIP_SRC)/%.c net/lwip/include/lwipopts.h net/lwip/include/arch/cc.h Makefile
	@mkdir -p $(dir $@)
	@echo '  CC      lwip/$*.c'
	@$(KCC) $(filter-out -Werror -Wextra -MMD -MP,$(KCFLAGS)) $(LWIP_INC) $(LWIP_FILE_NAMES) -c $< -o $@
$(LWIP_SRC)/%.c:
	@echo "no lwIP source in $(B)/src/lwip: run make setup (scripts/setup.sh)" >&2; exit 1
$(B)/k/net/%.c.o: KCFLAGS += $(LWIP_INC)

# ---- the C library apps link: musl from Debian's source (scripts/setup.sh
# unpacks it; scripts/build-musl.sh says how and why it is built so) ----
MUSL_SRC := $(B)/src/musl
MUSL := $(B)/musl
LIBC := $(MUSL)/lib/libc.a
$(LIBC): scripts/build-musl.sh $(wildcard libc/port/*.h)
	@test -f $(MUSL_SRC)/.anyvm-debian-source || { \
	    echo "no musl source in $(MUSL_SRC): run make setup (scripts/setup.sh)" >&2; exit 1; }
	+@scripts/build-musl.sh $(MUSL_SRC) $(MUSL)

# ---- apps: C with musl's headers and ordinary warnings, built as musl is
# (clang -mno-implicit-float -mno-red-zone: scripts/build-musl.sh), so an
# app that does not compute in floating point never touches an SSE
# register ----
ACC := clang
CLANG_INC := $(shell $(ACC) -print-resource-dir 2>/dev/null)/include
ACFLAGS := -std=gnu11 -Os -g -Wall -mno-implicit-float -mno-red-zone -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-march=x86-64 -mtune=generic -ffunction-sections -fdata-sections \
	-nostdinc -isystem $(MUSL)/include -isystem $(CLANG_INC) -MMD -MP
# An app reaches the kernel only through the public headers in include/.
$(B)/a/apps/%.c.o: apps/%.c Makefile | $(LIBC)
	@mkdir -p $(dir $@)
	@echo '  APPCC   $<'
	@$(ACC) $(ACFLAGS) -Iinclude -c $< -o $@

.PHONY: soak all apps run test bench setup unit hostsim clean format tools reference
all: $(B)/$(APP).elf $(B)/$(APP).efi
apps: $(foreach a,$(APPS),$(B)/$(a).elf $(B)/$(a).efi)

# api/ implements include/anyvm/ and includes it; the rest of the kernel
# does not see the app's headers.
$(B)/k/api/%.c.o: KCFLAGS += -Iinclude
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
# The C library comes last: the kernel's definitions (the allocator,
# sys/musl_arch.c) take precedence over its archive members; libgcc has the
# compiler's helpers (128-bit division for printf's floating point). The
# link map, build/NAME.map, says which object each function came from
# (tests/image/test_images.py checks kernel code apart from the app's).
$(B)/%.debug.elf: $(CORE_OBJS) $$(call APP_POLL_OBJS,%) $$(call APP_DEVICE_OBJS,%) \
		$$(call APP_OBJS,%) $(B)/k/appname/%.o arch/x86_64/kernel.ld arch/x86_64/image_sections.ld \
		$(LIBC) $(FILES_LIB)
	@test -n "$(call APP_SRCS,$*)" || { echo "no such app: apps/$*" >&2; exit 1; }
	@echo '  LD      $@'
	@$(KCC) $(KLDFLAGS) -Wl,-Map=$(B)/$*.map -o $@ $(CORE_OBJS) $(call APP_POLL_OBJS,$*) \
		$(call APP_DEVICE_OBJS,$*) $(call APP_OBJS,$*) $(B)/k/appname/$*.o \
		-Wl,--start-group $(LIBC) $(FILES_LIB) -lgcc -Wl,--end-group
# The app's configuration (init/app_config.h): its name, argv[0] of its
# main(); no default arguments; the kernel's default stack.
$(B)/k/appname/%.o: Makefile
	@mkdir -p $(dir $@)
	@printf '#include "init/app_config.h"\nconst char anyvm_app_name[] = "%s";\n%s\n%s\n' '$*' \
		'const char *const anyvm_app_default_args[] = {0};' \
		'const unsigned long anyvm_app_stack_bytes = 0;' > $(B)/k/appname/$*.c
	@$(KCC) $(filter-out -MMD -MP,$(KCFLAGS)) -c $(B)/k/appname/$*.c -o $@
# The uncompressed image, stripped: build/NAME.elf itself with ZIMAGE=no.
$(B)/zimage/%.elf: $(B)/%.debug.elf
	@mkdir -p $(dir $@)
	@objcopy --strip-all --remove-section=.comment $< $@

# ---- the shipped image build/NAME.elf: self-decompressing (docs/architecture.md,
# "The compressed image"): boot/zimage/'s stub and the kernel as one LZ4
# block, which the stub decodes in place to the kernel's load address before
# it enters the kernel the way the loader entered it. `make ZIMAGE=no` ships
# the uncompressed image instead (for debugging the boot). ----
ZIMAGE ?= yes
ZIMAGE_ASFLAGS := -D__ASSEMBLY__ -I. -Wa,--fatal-warnings
# The decoder in 32-bit code: boot/zimage/lz4_block32.S assembles this into
# the ELF64 link, optimised for speed (the PVM emulator pays per instruction);
# no library calls.
ZIMAGE_CFLAGS32 := -m32 -std=gnu11 -O2 -fomit-frame-pointer -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -march=x86-64 -mgeneral-regs-only -nostdinc -isystem $(GCC_INC) -I.
$(B)/zimage/lz4_block32.s: boot/zimage/lz4_block.c boot/zimage/lz4_block.h Makefile
	@mkdir -p $(dir $@)
	@echo '  CC32    $<'
	@$(KCC) $(ZIMAGE_CFLAGS32) -S $< -o $@
$(B)/zimage/lz4_block32.o: boot/zimage/lz4_block32.S $(B)/zimage/lz4_block32.s
	@$(KCC) $(ZIMAGE_ASFLAGS) -DLZ4_BLOCK_32='"$(B)/zimage/lz4_block32.s"' -c $< -o $@
$(B)/zimage/%.o: boot/zimage/%.S arch/x86_64/entry_macros.inc Makefile
	@mkdir -p $(dir $@)
	@echo '  AS      $<'
	@$(KCC) $(ZIMAGE_ASFLAGS) -c $< -o $@
ZIMAGE_STUB_OBJS := $(B)/zimage/head.o $(B)/zimage/tail.o $(B)/zimage/lz4_block32.o \
	$(B)/k/arch/x86_64/early_fail.S.o
# The payload, the linker's symbols and the .anyvm_info bytes, from the
# uncompressed image (tools/zimage.py checks the block decodes to it).
$(B)/zimage/%.lz4 $(B)/zimage/%.defsym $(B)/zimage/%.info: $(B)/zimage/%.elf tools/zimage.py \
		tools/anyvm_lib/image.py
	@echo '  LZ4     $@'
	@$(PYTHON) tools/zimage.py $< $(B)/zimage/$*.lz4 $(B)/zimage/$*.defsym $(B)/zimage/$*.info
$(B)/zimage/%.payload.o: boot/zimage/payload.S $(B)/zimage/%.lz4 $(B)/zimage/%.info
	@$(KCC) $(ZIMAGE_ASFLAGS) -DZIMAGE_PAYLOAD='"$(B)/zimage/$*.lz4"' \
		-DZIMAGE_INFO='"$(B)/zimage/$*.info"' -c $< -o $@
$(B)/zimage/%.stub.elf: $(ZIMAGE_STUB_OBJS) $(B)/zimage/%.payload.o $(B)/zimage/%.defsym \
		arch/x86_64/zimage.ld
	@echo '  LD      $@'
	@ld -nostdlib -static -n -z noexecstack --build-id=none \
		--no-warn-rwx-segments -T arch/x86_64/zimage.ld $$(cat $(B)/zimage/$*.defsym) \
		-o $@ $(ZIMAGE_STUB_OBJS) $(B)/zimage/$*.payload.o
# The choice is recorded in a file that changes only with it, so that
# switching ZIMAGE remakes the images.
ZIMAGE_MODE := $(B)/zimage/mode
$(shell mkdir -p $(B)/zimage && { test "$$(cat $(ZIMAGE_MODE) 2>/dev/null)" = "$(ZIMAGE)" || \
	echo "$(ZIMAGE)" > $(ZIMAGE_MODE); })
ifeq ($(ZIMAGE),no)
$(B)/%.elf: $(B)/zimage/%.elf $(ZIMAGE_MODE)
	@cp $< $@
else
$(B)/%.elf: $(B)/zimage/%.stub.elf $(ZIMAGE_MODE)
	@objcopy --strip-all $< $@
endif

# ---- the PE32+ EFI application build/NAME.efi (docs/uefi.md): the objects
# of build/NAME.elf and the EFI entry (boot/efi/, in no ELF), linked by
# arch/x86_64/efi.ld at the same address; the link's flat binary, padded to
# a page, and the base relocation table tools/efi_relocs.py makes from the
# link's relocations, are the .efi file ----
EFI_OBJS := $(call dir_objs,boot/efi drivers/fbcon) $(B)/k/gen/fbcon_font.c.o
# The framebuffer console's glyphs, from a Debian console font
# (console-setup-linux) by a tool of ours; nothing of the font is committed.
FBCON_FONT := /usr/share/consolefonts/Lat15-VGA16.psf.gz
$(B)/gen/fbcon_font.c: tools/psf_to_c.py
	@mkdir -p $(dir $@)
	@test -f $(FBCON_FONT) || { echo "no $(FBCON_FONT): run make setup (console-setup-linux)" >&2; exit 1; }
	@echo '  FONT    $@'
	@$(PYTHON) tools/psf_to_c.py $(FBCON_FONT) $@
$(B)/k/gen/fbcon_font.c.o: $(B)/gen/fbcon_font.c drivers/fbcon/font.h
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(KCC) $(KCFLAGS) -c $< -o $@
# $(call efi_link,APP,ADDRESS,OUT): the link at ADDRESS; 1 MiB for the
# .efi, another address for the relocation table's test
# (tests/image/test_efi_relocs.py)
efi_link = $(KCC) $(filter-out -T arch/x86_64/kernel.ld,$(KLDFLAGS)) -T arch/x86_64/efi.ld \
	-Wl,--defsym=__image_link_base=$(2) -Wl,--emit-relocs -Wl,-Map=$(3:.elf=.map) -o $(3) \
	$(CORE_OBJS) $(EFI_OBJS) $(call APP_POLL_OBJS,$(1)) $(call APP_DEVICE_OBJS,$(1)) \
	$(call APP_OBJS,$(1)) $(B)/k/appname/$(1).o \
	-Wl,--start-group $(LIBC) $(FILES_LIB) -lgcc -Wl,--end-group
EFI_LINK_DEPS = $(CORE_OBJS) $(EFI_OBJS) $$(call APP_POLL_OBJS,%) $$(call APP_DEVICE_OBJS,%) \
	$$(call APP_OBJS,%) $(B)/k/appname/%.o arch/x86_64/efi.ld arch/x86_64/image_sections.ld \
	$(LIBC) $(FILES_LIB)
$(B)/efi/%.elf: $(EFI_LINK_DEPS)
	@mkdir -p $(dir $@)
	@echo '  LD      $@'
	@$(call efi_link,$*,0x100000,$@)
$(B)/efi-at-1g/%.elf: $(EFI_LINK_DEPS)
	@mkdir -p $(dir $@)
	@echo '  LD      $@'
	@$(call efi_link,$*,0x40000000,$@)
$(B)/%.efi: $(B)/efi/%.elf tools/efi_relocs.py
	@echo '  EFI     $@'
	@objcopy -O binary $< $@.flat && truncate -s %4096 $@.flat && \
		$(PYTHON) tools/efi_relocs.py $< $@.flat $@.tmp && rm $@.flat && mv $@.tmp $@

# ---- an app outside the tree: `tools/anyvm build DIR` (tools/anyvm_lib/app.py)
# checks DIR and its anyvm.toml, writes the configuration source EXT_CONFIG,
# and asks for $(B)/ext/EXT_APP/EXT_APP.elf with EXT_DIR (a path without
# blanks) holding the C files; EXT_DEVICES=no leaves out the device layers,
# EXT_BLOCK=no only their block drivers, EXT_NETWORK=yes adds the network
# layer; the waiting calls (sys/poll/) are always linked ----
ifdef EXT_APP
EXT_B := $(B)/ext/$(EXT_APP)
EXT_SRCS := $(wildcard $(EXT_DIR)/*.c)
EXT_OBJS := $(patsubst $(EXT_DIR)/%.c,$(EXT_B)/obj/%.c.o,$(EXT_SRCS))
$(EXT_B)/obj/%.c.o: $(EXT_DIR)/%.c Makefile | $(LIBC)
	@mkdir -p $(dir $@)
	@echo '  APPCC   $<'
	@$(ACC) $(ACFLAGS) -Iinclude -c $< -o $@
$(EXT_B)/config.o: $(EXT_CONFIG) Makefile
	@mkdir -p $(dir $@)
	@$(KCC) $(filter-out -MMD -MP,$(KCFLAGS)) -c $(EXT_CONFIG) -o $@
EXT_LAYERS := $(POLL_OBJS) $(if $(filter no,$(EXT_DEVICES)),,$(DEVICE_OBJS) \
	$(if $(filter no,$(EXT_BLOCK)),,$(BLOCK_OBJS))) \
	$(if $(filter yes,$(EXT_NETWORK)),$(NET_OBJS))
$(EXT_B)/$(EXT_APP).debug.elf: $(CORE_OBJS) $(EXT_LAYERS) \
		$(EXT_OBJS) $(EXT_B)/config.o arch/x86_64/kernel.ld $(LIBC) $(FILES_LIB)
	@echo '  LD      $@'
	@$(KCC) $(KLDFLAGS) -Wl,-Map=$(EXT_B)/$(EXT_APP).map -o $@ $(CORE_OBJS) \
		$(EXT_LAYERS) $(EXT_OBJS) $(EXT_B)/config.o \
		-Wl,--start-group $(LIBC) $(FILES_LIB) -lgcc -Wl,--end-group
endif

# Objects are kept once built (none is an intermediate make may delete).
.SECONDARY:

# ---- host programs: hostsim and the unit tests ----
HCC := gcc
HCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -Iinclude -MMD -MP
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
	hostsim/firecracker/ram.c hostsim/firecracker/initrd.c \
	$(filter-out hostsim/hyperv/machine.c hostsim/hyperv/partition_kvm.c \
		hostsim/hyperv/vmbus_machine.c hostsim/hyperv/nic_machine.c \
		hostsim/hyperv/storvsc_machine.c,$(wildcard hostsim/hyperv/*.c)) \
	$(wildcard hostsim/vmbus/*.c)
hostsim: $(B)/hostsim
$(B)/hostsim: $(HOSTSIM_SRCS:%.c=$(B)/h/%.o)
	$(HCC) -o $@ $^
$(B)/h/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $<'
	@$(HCC) $(HCFLAGS) -c $< -o $@

# ---- build/anyvm: the native `anyvm` (tools/launcher/main.c says what it
# does; docs/cli.md, "The native launcher and the plan cache"), which runs
# the plans tools/anyvm writes; scripts/install-cli.sh links it onto PATH ----
LAUNCHER_SRCS := $(wildcard tools/launcher/*.c)
all: $(B)/anyvm
tools: $(B)/anyvm
$(B)/anyvm: $(LAUNCHER_SRCS:%.c=$(B)/h/%.o)
	@echo '  HOSTLD  $@'
	@$(HCC) -o $@ $^

# ---- httpd (apps/httpd) as a host program on glibc, for its tests (tests/http):
# the app's sources unchanged, optimised, and again with AddressSanitizer ----
HTTPD_SRCS := $(wildcard apps/httpd/*.c)
HTTPD_HOST_FLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror
.PHONY: host-httpd
host-httpd: $(B)/host/httpd $(B)/host/httpd-asan $(B)/host/httpd-fault.so
$(B)/host/httpd: $(HTTPD_SRCS) $(wildcard apps/httpd/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $@'
	@$(HCC) $(HTTPD_HOST_FLAGS) -o $@ $(HTTPD_SRCS)
$(B)/host/httpd-asan: $(HTTPD_SRCS) $(wildcard apps/httpd/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $@'
	@$(HCC) $(HTTPD_HOST_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o $@ $(HTTPD_SRCS)
# An LD_PRELOAD shim that makes the host lack IPv6 or dual-stack sockets.
$(B)/host/httpd-fault.so: tests/http/fault_shim.c Makefile
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $@'
	@$(HCC) $(HTTPD_HOST_FLAGS) -shared -fPIC -o $@ $< -ldl

# Pure-logic sources, compiled for the host unchanged (docs/architecture.md): the kernel's,
# and hostsim's device back ends, so tests can drive both sides of a protocol.
PURE_SRCS := boot/zimage/lz4_block.c core/cmdline.c core/memmap.c core/page_alloc.c core/heap.c \
	core/acpi.c core/acpi_madt.c core/acpi_fadt.c core/acpi_mcfg.c core/aml_decode.c core/aml_devices.c core/acpi_devices.c \
	core/acpi_spcr.c \
	core/event.c core/timer.c core/irq.c core/device.c core/civil_time.c core/param.c core/platform.c tests/unit/host_platform.c tests/unit/host_irq.c \
	boot/bootinfo.c boot/multiboot.c boot/pvh.c boot/linux64.c boot/framebuffer.c klib/format.c klib/number.c \
	boot/efi/efi_cmdline.c boot/efi/efi_memmap.c boot/efi/efi_tables.c boot/efi/efi_initrd_path.c \
	hv/hv_decide.c hv/vmware_backdoor.c hv/hyperv_tsc.c hv/hyperv/hypercall_abi.c hv/hyperv/synic_msg.c \
	bus/vmbus/vmbus_msg.c bus/vmbus/vmbus_version.c bus/vmbus/vmbus_ring.c \
	bus/vmbus/vmbus_gpa_pkt.c drivers/storvsc/vstor.c \
	drivers/hyperv/ic_msg.c drivers/hyperv/ic_kvp.c arch/x86_64/power_policy.c arch/x86_64/pic_policy.c \
	arch/x86_64/mptable.c \
	drivers/netvsc/nvsp.c drivers/netvsc/rndis.c \
	bus/pci/pci_addr.c bus/pci/pci_bar_decode.c bus/pci/pci_cap_walk.c bus/pci/pci_match.c \
	bus/pci/pci_irq_logic.c bus/pci/pci_format.c \
	fs/cpio_newc.c fs/tree.c \
	apps/httpd/request.c apps/httpd/target.c apps/httpd/mime.c apps/httpd/response.c \
	apps/httpd/builtin.c \
	core/smbios.c net/azure/goalstate.c net/azure/http_reply.c \
	net/inet_csum.c net/stack/addr_parse.c net/stack/tx_offload.c apps/devinfo/ping_responder.c drivers/virtio/net_hdr.c dev/netdev.c dev/blkdev.c \
	apps/devinfo/pattern.c drivers/virtio/virtqueue.c bus/virtio_mmio/virtio_mmio_cmdline.c \
	bus/virtio_mmio/virtio_mmio_aml.c bus/virtio_mmio/virtio_mmio_transport.c \
	drivers/virtio/virtio.c drivers/virtio/virtio_pci_caps.c drivers/virtio/virtio_pci_legacy.c \
	drivers/virtio/net_config.c drivers/virtio/blk_config.c dev/random.c \
	$(wildcard dev/scsi/*.c) drivers/pvscsi/pvscsi_queue.c \
	drivers/e1000/rx_ring.c drivers/e1000/tx_ring.c drivers/e1000/mac_addr.c \
	drivers/vmxnet3/vmxnet3_ring.c drivers/vmxnet3/vmxnet3_shared.c drivers/vmxnet3/vmxnet3_cmd.c \
	drivers/vmxnet3/vmxnet3_identity.c \
	drivers/vmxnet3/vmxnet3_net.c \
	$(filter-out sys/musl_arch.c,$(wildcard sys/*.c)) $(wildcard sys/poll/*.c) tests/unit/host_sys.c \
	$(wildcard api/*.c) $(HOSTSIM_PURE_SRCS) \
	tools/launcher/serial_filter.c tools/launcher/outcome.c tools/launcher/plan.c
PURE_SRCS := $(wildcard $(PURE_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
unit: $(UNIT_BINS)
$(B)/unit/%: tests/unit/%.c $(PURE_SRCS:%.c=$(B)/pure/%.o)
	@mkdir -p $(dir $@) $(B)/unitdep
	@echo '  HOSTCC  $@'
	@$(HCC) $(HCFLAGS) -MF $(B)/unitdep/$*.d -fsanitize=address,undefined -o $@ \
		$(filter %.c %.o,$^) -lcmocka
# test_vmbus_ring_pair: the guest's ring code and hostsim's, each behind a
# file of its own (their headers share names).
$(B)/unit/test_vmbus_ring_pair: tests/unit/ring_pair_guest.c tests/unit/ring_pair_host.c
# test_sys_musl_arch links musl's replaced functions (host_musl_ names there).
$(B)/unit/test_sys_musl_arch: $(B)/pure/sys/musl_arch.o
# test_sys_files drives the file layer, which the other tests go without
# (sys/path.c's answers then: an image whose app names no file).
FILES_PURE_OBJS := $(patsubst %.c,$(B)/pure/%.o,$(wildcard sys/files/*.c))
$(B)/unit/test_sys_files: $(FILES_PURE_OBJS)
# test_efi_main runs the EFI entry's C part against a fake firmware.
$(B)/unit/test_efi_main: $(B)/pure/boot/efi/efi_main.o $(B)/pure/boot/efi/efi_initrd.o
# test_fbcon draws with the generated font (the Makefile's FBCON_FONT).
$(B)/unit/test_fbcon: $(B)/pure/drivers/fbcon/fbcon.o $(B)/pure/gen/fbcon_font.o
$(B)/pure/gen/fbcon_font.o: $(B)/gen/fbcon_font.c
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $<'
	@$(HCC) $(HCFLAGS) -fsanitize=address,undefined -DANYVM_HOST_TEST -c $< -o $@
# test_pvscsi_disk and test_pvscsi_scan drive the pvscsi disks and the scan
# over the rings; the tests stand in for the adapter's register side
# (drivers/pvscsi/pvscsi.c).
$(B)/unit/test_pvscsi_disk: $(B)/pure/drivers/pvscsi/pvscsi_disk.o
$(B)/unit/test_pvscsi_scan: $(B)/pure/drivers/pvscsi/pvscsi_scan.o \
	$(B)/pure/drivers/pvscsi/pvscsi_cmd.o $(B)/pure/drivers/pvscsi/pvscsi_disk.o \
	$(B)/pure/drivers/pvscsi/pvscsi_hotplug.o
# test_vmbus_cosim runs the kernel's VMBus and the integration services
# against a host model (its own SynIC, hypercalls and DMA stand-ins): only
# it links the vmbus bus.
$(B)/unit/test_vmbus_cosim: $(B)/pure/bus/vmbus/vmbus_conn.o $(B)/pure/bus/vmbus/vmbus_channel.o \
	$(B)/pure/bus/vmbus/vmbus_bus.o $(B)/pure/drivers/hyperv/ic.o $(B)/pure/drivers/hyperv/ic_services.o
# test_netvsc_cosim runs the kernel's VMBus and netvsc driver against
# hostsim's VMBus host and network VSP (their headers cannot share a file:
# the host half is netvsc_cosim_host.c).
$(B)/unit/test_netvsc_cosim: $(B)/pure/bus/vmbus/vmbus_conn.o $(B)/pure/bus/vmbus/vmbus_channel.o \
	$(B)/pure/bus/vmbus/vmbus_bus.o $(B)/pure/drivers/netvsc/netvsc.o \
	$(B)/pure/drivers/netvsc/netvsc_data.o $(B)/pure/tests/unit/netvsc_cosim_host.o
# test_storvsc_cosim runs the kernel's VMBus and storvsc driver against
# hostsim's VMBus host and storvsc back end (through a glue of its own:
# the two sides' headers cannot meet in one file).
$(B)/unit/test_storvsc_cosim: $(B)/pure/bus/vmbus/vmbus_conn.o $(B)/pure/bus/vmbus/vmbus_channel.o \
	$(B)/pure/bus/vmbus/vmbus_bus.o $(B)/pure/bus/vmbus/vmbus_gpa.o \
	$(B)/pure/drivers/storvsc/storvsc.o $(B)/pure/drivers/storvsc/storvsc_scan.o \
	$(B)/pure/drivers/storvsc/storvsc_disk.o $(B)/pure/tests/unit/storvsc_cosim_host.o
# test_hostsim_kvm runs a tiny guest on /dev/kvm with hostsim's CPU back end.
$(B)/unit/test_hostsim_kvm: $(B)/pure/hostsim/cpu/cpu_kvm.o $(B)/pure/hostsim/cpu/cpu_kvm_run.o \
	$(B)/pure/hostsim/firecracker/boot_linux.o $(B)/pure/hostsim/firecracker/boot_gdt.o
# test_hostsim_hyperv_kvm: the same, with the Hyper-V partition wired to KVM.
$(B)/unit/test_hostsim_hyperv_kvm: $(B)/pure/hostsim/cpu/cpu_kvm.o \
	$(B)/pure/hostsim/cpu/cpu_kvm_run.o $(B)/pure/hostsim/firecracker/boot_linux.o \
	$(B)/pure/hostsim/firecracker/boot_gdt.o $(B)/pure/hostsim/hyperv/partition_kvm.o
$(B)/unit/test_hostsim_hyperv_vmbus_kvm: $(B)/pure/hostsim/cpu/cpu_kvm.o \
	$(B)/pure/hostsim/cpu/cpu_kvm_run.o $(B)/pure/hostsim/firecracker/boot_linux.o \
	$(B)/pure/hostsim/firecracker/boot_gdt.o $(B)/pure/hostsim/hyperv/partition_kvm.o \
	$(B)/pure/hostsim/hyperv/vmbus_machine.o
$(B)/pure/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $<'
	@$(HCC) $(HCFLAGS) -fsanitize=address,undefined -DANYVM_HOST_TEST -c $< -o $@

# The socket layer's host tests (tests/unit/test_sock_*.c) drive net/socket
# over lwIP's loopback interface: lwIP, the stack's timers and loopback
# delivery, and the port, compiled for the host like the pure sources.
LWIP_HOST_OBJS := $(LWIP_FILES:%=$(B)/pure/lwip/%.o)
SOCK_HOST_SRCS := net/lwip/port.c net/stack/timers.c net/stack/loopback.c net/stack/drain.c \
	$(wildcard net/socket/*.c) \
	tests/unit/host_sock.c
SOCK_HOST_OBJS := $(SOCK_HOST_SRCS:%.c=$(B)/pure/%.o) $(LWIP_HOST_OBJS)
$(B)/pure/lwip/%.o: $(LWIP_SRC)/%.c net/lwip/include/lwipopts.h net/lwip/include/arch/cc.h Makefile
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  lwip/$*.c'
	@$(HCC) $(filter-out -Werror -Wextra -MMD -MP,$(HCFLAGS)) -fsanitize=address,undefined \
		-DANYVM_HOST_TEST $(LWIP_INC) -c $< -o $@
$(B)/pure/net/%.o: HCFLAGS += $(LWIP_INC)
$(B)/pure/tests/unit/host_sock.o: HCFLAGS += $(LWIP_INC)
SOCK_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_sock_*.c))
# test_sock_wire_http drives Azure's WireServer exchange over the loopback.
$(B)/unit/test_sock_wire_http: $(B)/pure/net/azure/wire_http.o
$(SOCK_TESTS): $(SOCK_HOST_OBJS)
$(SOCK_TESTS): HCFLAGS += $(LWIP_INC) -DANYVM_HOST_TEST

# ---- libFuzzer harnesses (tests/fuzz/fuzz_NAME.c), one per parser of untrusted input ----
# `make fuzz` runs each for FUZZ_SECONDS; `make test` runs each briefly (tests/fuzz/test_fuzz.py).
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I. -DANYVM_HOST_TEST
FUZZ_SECONDS ?= 60
fuzz_srcs_virtio_mmio_cmdline := bus/virtio_mmio/virtio_mmio_cmdline.c core/cmdline.c
fuzz_srcs_aml_scan := bus/virtio_mmio/virtio_mmio_aml.c bus/virtio_mmio/virtio_mmio_cmdline.c \
	core/aml_decode.c core/aml_devices.c core/acpi_devices.c core/acpi.c core/acpi_madt.c \
	core/acpi_fadt.c core/acpi_mcfg.c
fuzz_srcs_virtq_used := drivers/virtio/virtqueue.c
# the SCSI layer's parsers, without scsi_blk.c and scsi_probe.c (which log)
SCSI_PARSERS := $(filter-out dev/scsi/scsi_blk.c dev/scsi/scsi_probe.c,$(wildcard dev/scsi/*.c))
fuzz_srcs_scsi := $(SCSI_PARSERS)
fuzz_srcs_pvscsi_cmp := drivers/pvscsi/pvscsi_queue.c $(SCSI_PARSERS)
fuzz_srcs_e1000_rx := drivers/e1000/rx_ring.c drivers/e1000/tx_ring.c net/inet_csum.c
fuzz_srcs_vmxnet3_rings := drivers/vmxnet3/vmxnet3_ring.c
fuzz_srcs_cmdline := core/cmdline.c
# the native anyvm's run plans (tools/launcher/plan.h), read from the user's cache
fuzz_srcs_run_plan := tools/launcher/plan.c
fuzz_srcs_acpi := core/acpi.c core/acpi_madt.c core/acpi_fadt.c core/acpi_mcfg.c core/aml_decode.c
fuzz_srcs_bootinfo := boot/bootinfo.c boot/multiboot.c boot/pvh.c boot/linux64.c boot/framebuffer.c
fuzz_srcs_memmap := core/memmap.c
fuzz_srcs_efi := boot/efi/efi_cmdline.c boot/efi/efi_memmap.c boot/efi/efi_tables.c boot/bootinfo.c
fuzz_srcs_initrd := fs/cpio_newc.c fs/tree.c
fuzz_srcs_lz4_block := boot/zimage/lz4_block.c
fuzz_srcs_hv_decide := hv/hv_decide.c hv/vmware_backdoor.c
fuzz_srcs_vmbus_msg := bus/vmbus/vmbus_msg.c hv/hyperv/synic_msg.c
fuzz_srcs_vmbus_ring := bus/vmbus/vmbus_ring.c
fuzz_srcs_hyperv_ic := drivers/hyperv/ic_msg.c drivers/hyperv/ic_kvp.c
fuzz_srcs_netvsc_rx := drivers/netvsc/nvsp.c drivers/netvsc/rndis.c
fuzz_srcs_storvsc_vstor := drivers/storvsc/vstor.c
fuzz_srcs_exit_policy := arch/x86_64/power_policy.c arch/x86_64/mptable.c
fuzz_srcs_net_rx := apps/devinfo/ping_responder.c net/inet_csum.c drivers/virtio/net_hdr.c
fuzz_srcs_httpd_request := apps/httpd/request.c apps/httpd/target.c
fuzz_srcs_azure_goalstate := net/azure/goalstate.c net/azure/http_reply.c
fuzz_srcs_virtio_config := drivers/virtio/virtio.c core/event.c core/timer.c core/device.c tests/unit/host_platform.c
fuzz_srcs_virtio_pci_caps := drivers/virtio/virtio_pci_caps.c bus/pci/pci_cap_walk.c
fuzz_srcs_virtio_dev_config := drivers/virtio/virtio.c drivers/virtio/net_config.c \
	drivers/virtio/blk_config.c core/event.c core/timer.c core/device.c tests/unit/host_platform.c
fuzz_srcs_virtio_transport := drivers/virtio/virtio.c drivers/virtio/virtio_pci_legacy.c \
	bus/virtio_mmio/virtio_mmio_transport.c drivers/virtio/virtqueue.c core/event.c core/timer.c core/device.c tests/unit/host_platform.c
fuzz_srcs_pci_scan := bus/pci/pci_scan.c bus/pci/pci_dev.c bus/pci/pci_bar.c \
	bus/pci/pci_bar_decode.c bus/pci/pci_cap_walk.c bus/pci/pci_format.c bus/pci/pci_irq_logic.c \
	core/event.c core/timer.c tests/unit/host_platform.c
fuzz_srcs_syscall := $(filter-out sys/musl_arch.c,$(wildcard sys/*.c)) $(wildcard sys/poll/*.c) \
	$(wildcard sys/files/*.c) fs/cpio_newc.c fs/tree.c core/page_alloc.c \
	core/event.c core/timer.c tests/unit/host_platform.c tests/unit/host_sys.c
# hostsim's parsers of what a guest or a user controls.
HOSTSIM_VIRTIO_SRCS := hostsim/virtio/mmio.c hostsim/virtio/virtq.c hostsim/guest_mem.c \
	hostsim/log.c
fuzz_srcs_hostsim_virtio_blk := hostsim/virtio/blk.c $(HOSTSIM_VIRTIO_SRCS)
fuzz_srcs_hostsim_virtio_net := hostsim/virtio/net.c $(HOSTSIM_VIRTIO_SRCS)
fuzz_srcs_hostsim_elf := hostsim/boot/elf_load.c hostsim/guest_mem.c
fuzz_srcs_hostsim_legacy := hostsim/devices/serial16550.c hostsim/devices/i8042.c \
	hostsim/cpu/iobus.c hostsim/log.c
fuzz_srcs_hostsim_hyperv := hostsim/hyperv/partition.c hostsim/hyperv/synthetic_msrs.c \
	hostsim/hyperv/hypercall.c hostsim/hyperv/synic.c hostsim/guest_mem.c
fuzz_srcs_hostsim_vmbus := hostsim/vmbus/server.c hostsim/vmbus/server_gpadl.c \
	hostsim/vmbus/server_channel.c hostsim/vmbus/gpadl.c hostsim/vmbus/ring.c \
	hostsim/guest_mem.c hostsim/registry.c
fuzz_srcs_hostsim_netvsp := hostsim/vmbus/netvsp.c hostsim/vmbus/netvsp_rndis.c hostsim/vmbus/gpa_direct.c \
	$(fuzz_srcs_hostsim_vmbus)
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzzers
fuzzers: $(FUZZERS:%=$(B)/fuzz/fuzz_%)
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_srcs_$$*)
	@mkdir -p $(dir $@)
	@echo '  FUZZCC  $@'
	@$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -MF $@.d -o $@ $(sort $(filter %.c,$^) klib/format.c)
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
# An app's app.mk may add options for `make run` (NAME_RUN: httpd forwards a port).
# ARGS reaches the app as words split on blanks and nothing else: it goes
# through the environment (never into the recipe's text, where a shell would
# act on ; $ ` or quotes in it) and globbing is off. The hostsim targets
# (firecracker*) build hostsim first, the UEFI targets (q35-uefi*) the .efi. make's own status is 2 whenever the
# app's is not 0; tools/anyvm run exits with the app's.
run: export ANYVM_ARGS := $(value ARGS)
run: setup
	@$(MAKE) --no-print-directory $(B)/$(APP).elf $(B)/anyvm $(if $(filter firecracker% hyperv%,$(TARGET)),hostsim) \
		$(if $(filter %uefi %uefi-%,$(TARGET)),$(B)/$(APP).efi)
	@set -f; tools/anyvm run --target $(TARGET) $(if $(ACCEL),--accel $(ACCEL)) $($(APP)_RUN) \
		$(B)/$(APP).elf $${ANYVM_ARGS:+-- $$ANYVM_ARGS}
# Tests run on Debian's python (python3-pytest and its plugins install there;
# a python3 earlier on PATH may lack them). K='EXPR' selects tests as pytest's
# -k does, TEST_JOBS the workers (0: none, in one process), PYTEST_ARGS adds
# options (README.md, "Tests").
PYTHON := /usr/bin/python3
TEST_JOBS ?= 2
test: setup
	@$(MAKE) --no-print-directory apps hostsim unit fuzzers host-httpd $(B)/empty.elf \
		$(B)/efi-at-1g/httpd.elf $(B)/anyvm
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest tests -n $(TEST_JOBS) --dist loadgroup \
		$(if $(K),-k "$(K)") $(PYTEST_ARGS)
# A real Linux 6.1 booted on hostsim's Firecracker model (tests/reference/):
# builds build/reference/vmlinux from Debian's linux-source-6.1 (about 4
# minutes on 2 cores), then boots it in both modes and judges its log.
reference: setup
	@$(MAKE) --no-print-directory hostsim
	tests/reference/build_linux.sh
	tests/reference/build_linux.sh hyperv
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) tests/reference/boot.py
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) tests/reference/boot_hyperv.py
bench: setup
	@$(MAKE) --no-print-directory apps hostsim $(B)/empty.elf $(B)/anyvm $(B)/bench/vmbus_ring_rate \
		$(B)/unit/test_netvsc_cosim
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) bench/bench.py $(BENCH_ARGS)

# The VMBus ring round-trip rate: the guest's ring code against hostsim's,
# in one process (bench/vmbus_ring_rate.c), without sanitizers.
$(B)/bench/vmbus_ring_rate: bench/vmbus_ring_rate.c tests/unit/ring_pair_guest.c \
		tests/unit/ring_pair_host.c bus/vmbus/vmbus_ring.c hostsim/vmbus/ring.c \
		hostsim/guest_mem.c Makefile
	@mkdir -p $(dir $@)
	@echo '  HOSTCC  $@'
	@$(HCC) $(filter-out -MMD -MP,$(HCFLAGS)) -o $@ $(filter %.c,$^)

# httpd under load and connection churn for SOAK_MINUTES (default 30), outside
# CI: bench/soak.py says what it watches.
soak: setup
	@$(MAKE) --no-print-directory $(B)/httpd.elf
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) bench/soak.py

# An empty payload for the boot-time baseline: exits at its first instructions.
$(B)/empty.elf: bench/empty.S bench/empty.ld
	@mkdir -p $(B)
	$(KCC) -c -o $(B)/empty.o bench/empty.S
	ld -nostdlib -static -T bench/empty.ld -o $@ $(B)/empty.o

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
clean:
	rm -rf $(B)/k $(B)/a $(B)/h $(B)/pure $(B)/unit $(B)/*.elf $(B)/efi $(B)/gen $(B)/*.efi $(B)/zimage

# (Not the generated appname sources': their objects' names would match
# $(B)/k/appname/%.o again when make tries to remake an included .d file;
# not build/reference*, Linux trees with their own .d files.)
-include $(shell find $(B) \( -path '$(B)/reference*' -o -path '$(B)/k/appname' -o -path '$(B)/src' \
	-o -path '$(B)/musl' \) -prune \
	-o -name '*.d' -print 2>/dev/null)
