/* The empty payload for the boot-time baseline (bench/bench.py): a kernel
 * that ends the VM at its first instructions, so a host wall-time figure of
 * this image is what QEMU (or hostsim) costs before anyvm does anything.
 *
 * Two entries, one 32-bit code path:
 *  - a multiboot v1 header (multiboot spec 0.6.96 section 3.1) with the
 *    a.out kludge (flag bit 16): QEMU refuses an ELF64 multiboot image
 *    unless the header gives the load addresses itself;
 *  - a PVH ELF note (Xen's elfnote.h, XEN_ELFNOTE_PHYS32_ENTRY = 18) naming
 *    the same entry, for QEMU's PVH loader and hostsim/Firecracker.
 * Both enter in 32-bit protected mode with paging off.
 *
 * Built as a 64-bit object by `gcc -c` (see the Makefile); the code is
 * assembled with .code32. */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010000 /* bit 16: header carries the load addresses */

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header  /* header_addr */
    .long __load_start      /* load_addr */
    .long __load_end        /* load_end_addr */
    .long __bss_end         /* bss_end_addr */
    .long empty_entry       /* entry_addr */

    /* Elf64 note: namesz, descsz, type, "Xen\0", the entry as a quad (QEMU
     * reads a pointer-sized value for ELF64, Firecracker reads the low u32). */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 8
    .long 18
    .asciz "Xen"
    .balign 4
    .quad empty_entry

    .text
    .code32
    .globl empty_entry
empty_entry:
    cli
    xorl %eax, %eax
    outb %al, $0xf4         /* isa-debug-exit: QEMU exits with status 2*0+1 */
1:  hlt
    jmp 1b
