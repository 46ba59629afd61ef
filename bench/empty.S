/* The empty payload for the boot-time baseline (bench/bench.py): a kernel
 * that ends the VM at its first instructions, so a host wall-time figure of
 * this image is what QEMU (or hostsim) costs before anyvm does anything.
 * Before it ends the VM it prints the TSC it found at its first instruction
 * on COM1, `anyvm-empty: tsc 0x<16 hex digits>`: under QEMU's -icount
 * shift=0 the TSC counts the guest's instructions since reset, so this is
 * what the firmware and the loader ran before the payload (about a hundred
 * instructions and 20 port writes of its own follow).
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

#define COM1 0x3f8

    .section .rodata
tsc_text:
    .asciz "anyvm-empty: tsc 0x"

    .text
    .code32
    .globl empty_entry
empty_entry:
    cli
    rdtsc
    movl %eax, %edi         /* ebp:edi = the TSC at entry */
    movl %edx, %ebp
    movw $COM1, %dx         /* no stack here: no calls, registers only */
    movl $tsc_text, %esi
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    outb %al, %dx
    incl %esi
    jmp 1b
2:  movl $16, %ecx          /* 16 hex digits, the top one first */
3:  movl %ebp, %eax
    shrl $28, %eax
    shldl $4, %edi, %ebp
    shll $4, %edi
    cmpb $10, %al
    jb 4f
    addb $('a' - '0' - 10), %al
4:  addb $'0', %al
    outb %al, %dx
    loop 3b
    movb $'\n', %al
    outb %al, %dx
    xorl %eax, %eax
    outb %al, $0xf4         /* isa-debug-exit: QEMU exits with status 2*0+1 */
5:  hlt
    jmp 5b
