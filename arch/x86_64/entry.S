/* anyvm entry points. One image, three ways in (docs/architecture.md, "One funnel"):
 *   multiboot_entry  multiboot v1 (QEMU -kernel, GRUB): 32-bit protected mode,
 *                    paging off, EAX = 0x2BADB002, EBX = multiboot info.
 *   pvh_entry        XEN_ELFNOTE_PHYS32_ENTRY (Firecracker >= 1.12, QEMU's PVH
 *                    loader, cloud-hypervisor): 32-bit protected mode, paging
 *                    off, EBX = hvm_start_info. QEMU also sets EAX = 0x2BADB002
 *                    here, so the magic at [EBX] decides (checked in C).
 *   linux64_entry    the ELF entry point, Linux 64-bit boot protocol (older
 *                    Firecracker): long mode, identity map of the first GiB,
 *                    RSI = boot_params (zero page).
 * The .efi has a fourth, boot/efi/efi_entry.S, which joins at long_mode_tables.
 * Each first checks that RAM reaches the end of .bss (else early_fail.S),
 * records which way it came, reads the TSC, zeroes .bss (Firecracker does
 * not zero it), builds the same identity map of the first 4 GiB with 2 MiB
 * pages and jumps to arch_boot() in 64-bit mode. */

#include "arch/x86_64/entry_macros.inc"

#define MB_MAGIC 0x1BADB002
/* Flags: bit 0 page-align modules, bit 1 memory info, bit 16 the header's
 * address fields are valid (a.out kludge; multiboot spec 3.1.1). */
#define MB_FLAGS 0x00010003

#define BOOT_MULTIBOOT 1
#define BOOT_PVH 2
#define BOOT_LINUX64 3

#define PD_ENTRIES 2048          /* 4 GiB of 2 MiB pages */
#define PD_FIRST_UNCACHED 1536   /* 3 GiB and up: the MMIO hole, uncached */
#define PTE_LARGE 0x83           /* present | writable | page size */
#define PTE_PCD_PWT 0x18

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header       /* header_addr */
    .long __image_start          /* load_addr */
    .long __data_end             /* load_end_addr */
    .long __bss_end              /* bss_end_addr */
    .long multiboot_entry        /* entry_addr */

    /* The PVH entry's ELF note (entry_macros.inc). */
    pvh_note pvh_entry

    .data
    .balign 8
    .globl boot_entry_tsc, boot_protocol, boot_info_addr, boot_magic, boot_gdt
boot_entry_tsc: .quad 0
boot_info_addr: .quad 0
boot_protocol:  .long 0
boot_magic:     .long 0
boot_gdt:
    .quad 0                      /* null */
    .quad 0x00AF9A000000FFFF     /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00CF92000000FFFF     /* 0x10: data */
    .quad 0, 0                   /* 0x18: 64-bit TSS, filled in by gdt.c */
boot_gdt_end:
    .globl boot_gdt_ptr
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .section .bss.pagetables, "aw", @nobits
    .balign 4096
    .globl boot_pml4, boot_pdpt, boot_pd
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096 * 4
    .balign 16
boot_stack: .skip 16384
    .globl boot_stack_top
boot_stack_top:

    .section .text.entry, "ax"
    .code32
    .globl multiboot_entry, pvh_entry
multiboot_entry:
    cli
    cld
    movl %eax, %edi
    movl %ebx, %esi
    movl $BOOT_MULTIBOOT, %ebp
    jmp entry32
pvh_entry:
    cli
    cld
    movl %eax, %edi
    movl %ebx, %esi
    movl $BOOT_PVH, %ebp
entry32:
    /* RAM must reach the end of .bss before the page tables, the stack or
     * any variable there is used: write a pattern to its last word and read
     * it back (beyond RAM writes vanish). Otherwise early_fail.S. */
    ram_probe __bss_end-4, %eax, early_fail32

    rdtsc
    movl %eax, boot_entry_tsc
    movl %edx, boot_entry_tsc + 4
    movl %ebp, boot_protocol
    movl %esi, boot_info_addr
    movl %edi, boot_magic

    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    /* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
    movl $boot_pdpt + 3, boot_pml4
    movl $boot_pd + 3, boot_pdpt
    movl $boot_pd + 4096 + 3, boot_pdpt + 8
    movl $boot_pd + 8192 + 3, boot_pdpt + 16
    movl $boot_pd + 12288 + 3, boot_pdpt + 24
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $PTE_LARGE, %eax
    cmpl $PD_FIRST_UNCACHED, %ecx
    jb 2f
    orl $PTE_PCD_PWT, %eax
2:  movl %eax, boot_pd(, %ecx, 8)
    incl %ecx
    cmpl $PD_ENTRIES, %ecx
    jb 1b

    movl %cr4, %eax
    orl $0x20, %eax              /* CR4.PAE */
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx       /* IA32_EFER */
    rdmsr
    orl $0x100, %eax             /* LME */
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax        /* PG | WP | PE */
    movl %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $entry64_from32

    .code64
entry64_from32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    jmp entry64

    .globl linux64_entry
linux64_entry:
    cli
    cld
    movq %rsi, %r12
    leaq __bss_end - 4(%rip), %rcx /* as in entry32 */
    ram_probe (%rcx), %eax, 5f
    jmp 6f
    /* Too little RAM: on to early_fail32 in compatibility mode, with a GDT
     * of its own (the loader's may have no 32-bit code segment). */
5:  movl %r12d, %esi
    movl $BOOT_LINUX64, %ebp
    xorl %edi, %edi
    lgdt early_gdt_ptr(%rip)
    ljmpl *early_fail_far(%rip)    /* no stack needed */
6:  rdtsc
    movl %eax, boot_entry_tsc(%rip)
    movl %edx, boot_entry_tsc + 4(%rip)
    movl $BOOT_LINUX64, boot_protocol(%rip)
    movq %r12, boot_info_addr(%rip)

    leaq __bss_start(%rip), %rdi
    leaq __bss_end(%rip), %rcx
    subq %rdi, %rcx
    shrq $3, %rcx
    xorl %eax, %eax
    rep stosq

    /* From here on shared with the EFI entry (boot/efi/efi_entry.S): in
     * long mode on the loader's page tables and GDT, boot_protocol and
     * boot_info_addr stored. Its .bss was zeroed by the PE loader and holds
     * what the kernel code it ran under boot services left (the console's
     * early buffer), so it joins after the zeroing. */
    .globl long_mode_tables
long_mode_tables:

    movl $boot_pdpt + 3, boot_pml4(%rip)
    movl $boot_pd + 3, boot_pdpt(%rip)
    movl $boot_pd + 4096 + 3, boot_pdpt + 8(%rip)
    movl $boot_pd + 8192 + 3, boot_pdpt + 16(%rip)
    movl $boot_pd + 12288 + 3, boot_pdpt + 24(%rip)
    xorl %ecx, %ecx
    leaq boot_pd(%rip), %rdi
1:  movl %ecx, %eax
    shlq $21, %rax
    orq $PTE_LARGE, %rax
    cmpl $PD_FIRST_UNCACHED, %ecx
    jb 2f
    orq $PTE_PCD_PWT, %rax
2:  movq %rax, (%rdi, %rcx, 8)
    incl %ecx
    cmpl $PD_ENTRIES, %ecx
    jb 1b

    leaq boot_pml4(%rip), %rax
    movq %rax, %cr3
    lgdt boot_gdt_ptr(%rip)
    pushq $0x08
    leaq 3f(%rip), %rax
    pushq %rax
    lretq
3:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs

entry64:
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    call arch_boot
4:  cli
    hlt
    jmp 4b
