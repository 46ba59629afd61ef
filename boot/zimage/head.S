/* The self-decompressing image's first part (docs/architecture.md, "The
 * compressed image"): the headers the loaders read and the three entries,
 * which take the same ways in as the kernel's (arch/x86_64/entry.S) and
 * hand the loader's registers to the decoder (tail.S) after the payload.
 *
 * This part lies where the kernel decompresses to, so nothing here is used
 * once tail.S runs: it is overwritten. Before that it checks that RAM
 * reaches __bss_end, which arch/x86_64/zimage.ld sets to the end of the
 * kernel's .bss or of this image, whichever is higher; the tail and the
 * kernel's .bss are not there otherwise, so it reports like the kernel does
 * (arch/x86_64/early_fail.S, linked here too) and stops.
 *
 * The symbols zk_* come from tools/zimage.py, read from the uncompressed
 * kernel's own headers: its multiboot entry, PVH entry and ELF entry. */

#include "arch/x86_64/entry_macros.inc"

#define MB_MAGIC 0x1BADB002
/* As the kernel's: page-align modules, memory info, a.out kludge (bit 16:
 * the address fields are valid; multiboot spec 0.6.96, 3.1.1). */
#define MB_FLAGS 0x00010003

#define BOOT_MULTIBOOT 1
#define BOOT_PVH 2
#define BOOT_LINUX64 3

    /* Multiboot loads the file at 1 MiB (load_addr), so that the range it
     * keeps free of its own data (modules, information) starts where the
     * kernel is decoded to: from 1 MiB to __bss_end. The ELF loaders load
     * it at __zimage_start, where it is linked; zimage_multiboot_entry
     * moves it there first. The zimage_mb_* addresses, those of the file
     * at 1 MiB, are arch/x86_64/zimage.ld's. */
    .section .zimage.multiboot, "a"
    .balign 4
    .globl zimage_multiboot_header
zimage_multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long zimage_mb_header_addr   /* header_addr */
    .long 0x100000                /* load_addr */
    .long zimage_mb_load_end      /* load_end_addr */
    .long __bss_end               /* bss_end_addr: the loader's data go above */
    .long zimage_mb_entry         /* entry_addr */

    /* Runs where multiboot put it, zimage_mb_shift bytes below its link
     * address: jumps within it are relative (they move with it), the ones
     * out of it go through a register. In: EAX = magic, EBX = information.
     * Probes RAM (a pattern written to the last word the image needs and
     * read back), moves the file to its link address, last word first
     * (the two ranges overlap; the linker script checks this code lies
     * below where the move writes), then goes on there as the other
     * entries do, or to early_fail32 when RAM is short. */
    .section .zimage.multiboot_entry, "ax"
    .code32
    .globl zimage_multiboot_entry, zimage_multiboot_entry_end
zimage_multiboot_entry:
    cli
    cld
    ram_probe __bss_end-4, %edx, 1f
1:  sete %dl
    movzbl %dl, %ebp                  /* 1: RAM enough */
    movl $zimage_mb_dwords, %ecx
    movl $zimage_mb_src_last, %esi
    movl $zimage_mb_dst_last, %edi
    cmpl %esi, %edi
    je 2f
    std
    rep movsl
    cld
2:  movl %eax, %edi
    movl %ebx, %esi
    movl $early_fail32, %ecx
    testl %ebp, %ebp
    movl $BOOT_MULTIBOOT, %ebp
    jz 3f
    movl $zimage_decode32, %ecx
3:  jmp *%ecx
zimage_multiboot_entry_end:

    /* The PVH entry's ELF note (arch/x86_64/entry_macros.inc). */
    pvh_note zimage_pvh_entry

    .section .text.entry, "ax"
    .code32
    .globl zimage_pvh_entry
/* In: as at the kernel's entry. Out to zimage_decode32: EDI = EAX at
 * entry, ESI = EBX at entry (the loader's pointer), EBP = the entry path. */
zimage_pvh_entry:
    cli
    cld
    movl %eax, %edi
    movl %ebx, %esi
    movl $BOOT_PVH, %ebp
    /* Write a pattern to the last word RAM must hold and read it back
     * (beyond RAM writes vanish), twice with opposite bits. */
    ram_probe __bss_end-4, %eax, early_fail32
    jmp zimage_decode32

    .code64
    .globl zimage_linux64_entry
/* The ELF entry, Linux 64-bit boot protocol: long mode on the loader's
 * identity map, RSI = boot_params. The decoder is 32-bit code, so this
 * goes on in compatibility mode (tail.S) on the same page tables. */
zimage_linux64_entry:
    cli
    cld
    movq %rsi, %r12
    leaq __bss_end - 4(%rip), %rcx
    ram_probe (%rcx), %eax, 2f
    jmp 3f
2:  /* As the kernel's linux64_entry: early_fail32 in compatibility mode. */
    movl %r12d, %esi
    movl $BOOT_LINUX64, %ebp
    xorl %edi, %edi
    lgdt early_gdt_ptr(%rip)
    ljmpl *early_fail_far(%rip)
3:  movq %r12, zimage_boot_params(%rip)
    movl %r12d, %esi
    movl $BOOT_LINUX64, %ebp
    xorl %edi, %edi
    lgdt zimage_gdt_ptr(%rip)
    ljmpl *zimage_compat_far(%rip)
