/* Where the firmware starts the .efi, and how the EFI entry enters the
 * kernel.
 *
 * efi_pe_entry (AddressOfEntryPoint): UEFI 2.10 section 2.3.4 — long mode,
 * the firmware's identity map, RCX = ImageHandle, RDX = SystemTable,
 * Microsoft x64 calling convention (RBX, RBP, RDI, RSI, R12-R15 preserved).
 *
 * The firmware may load the image anywhere. The kernel is linked at 1 MiB
 * with the small code model (arch/x86_64/efi.ld, -mcmodel=small): its
 * absolute addresses are 64-bit words and 32-bit immediates, and the .efi
 * carries a base relocation for each (tools/efi_relocs.py), which the
 * firmware applies when the image is not at its ImageBase (Microsoft
 * PE/COFF specification 11, section 6.6). The 32-bit ones hold only
 * addresses below 2 GiB (R_X86_64_32S is sign-extended), so when the
 * firmware chose memory that reaches above 2 GiB this code, which uses no
 * absolute address, copies the image to pages below 2 GiB (AllocatePages,
 * AllocateMaxAddress, EfiLoaderCode: executable under the firmware's
 * memory protection), applies the relocations again for the difference
 * (the firmware's 32-bit fixups wrapped modulo 2^32, so adding the
 * difference modulo 2^32 gives the right value) and calls efi_main in the
 * copy. If no such memory is free, or the table is damaged, it prints why
 * and returns EFI_LOAD_ERROR: the firmware may try its next boot option.
 *
 * efi_enter_kernel(bi): after ExitBootServices, joins the other entries'
 * 64-bit set-up (entry.S long_mode_tables: page tables, GDT, stack,
 * arch_boot) with bi as the boot information. .bss is not zeroed again:
 * the PE loader zero-filled it (PE/COFF 4, VirtualSize beyond
 * SizeOfRawData) and the kernel code efi_main ran keeps state there. */

#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249 /* "IBI SYST" */
#define ST_CON_OUT 64                /* EFI_SYSTEM_TABLE.ConOut */
#define ST_BOOT_SERVICES 96          /* EFI_SYSTEM_TABLE.BootServices */
#define BS_ALLOCATE_PAGES 40
#define BS_FREE_PAGES 48
#define OUTPUT_STRING 8              /* EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL.OutputString */
#define ALLOCATE_MAX_ADDRESS 1
#define EFI_LOADER_CODE 1
#define EFI_LOAD_ERROR 0x8000000000000001
#define EFI_INVALID_PARAMETER 0x8000000000000002
#define BOOT_UEFI 4                  /* enum boot_protocol (boot/bootinfo.h) */
#define REACH 0x80000000             /* R_X86_64_32S addresses lie below it */
/* PE/COFF: e_lfanew at 0x3c; after the 4-byte signature and the 20-byte
 * COFF header, the PE32+ optional header: SizeOfImage at 56, the data
 * directories at 112, the base relocation table the sixth. */
#define PE_SIZE_OF_IMAGE (24 + 56)
#define PE_RELOC_DIR (24 + 112 + 5 * 8)
#define REL_ABSOLUTE 0
#define REL_HIGHLOW 3
#define REL_DIR64 10

/* A UCS-2 line of ASCII text, with CR LF and the terminating NUL. */
.macro ucs2_line text
    .irpc c, "\text"
    .ascii "\c"
    .byte 0
    .endr
    .short 13, 10, 0
.endm

    .section .text.efi_entry, "ax"
    .code64
    .globl efi_pe_entry
efi_pe_entry:
    pushq %rbp
    movq %rsp, %rbp
    pushq %rbx
    pushq %rsi
    pushq %rdi
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $40, %rsp               /* 32 bytes of shadow space, 8 for Memory */
    movq %rcx, %r12              /* ImageHandle */
    movq %rdx, %r13              /* SystemTable */
    rdtsc                        /* stored in the loaded image, copied with it */
    movl %eax, boot_entry_tsc(%rip)
    movl %edx, boot_entry_tsc + 4(%rip)
    xorl %r15d, %r15d            /* pages taken for a copy */

    movabsq $EFI_INVALID_PARAMETER, %rax
    testq %r13, %r13
    jz 9f
    movabsq $EFI_SYSTEM_TABLE_SIGNATURE, %rcx
    cmpq %rcx, (%r13)
    jne 9f
    cmpq $0, ST_BOOT_SERVICES(%r13)
    je 9f

    leaq __image_start(%rip), %rbx /* where the firmware put the image */
    movq %rbx, efi_loaded_base(%rip) /* for efi_main's log; copied with the image */
    movl $__pe_image_size, %eax  /* a size: no relocation */
    addq %rbx, %rax
    movl $REACH, %ecx
    cmpq %rcx, %rax              /* __image_end, too, must be below 2 GiB */
    jae 1f
    leaq efi_main(%rip), %rax
    jmp 2f

1:  movq $REACH - 4096 - 1, 32(%rsp) /* the highest address the pages may use */
    movl $ALLOCATE_MAX_ADDRESS, %ecx
    movl $EFI_LOADER_CODE, %edx
    movl $__pe_image_pages, %r8d
    leaq 32(%rsp), %r9
    movq ST_BOOT_SERVICES(%r13), %rax
    call *BS_ALLOCATE_PAGES(%rax)
    leaq no_room(%rip), %rdx
    testq %rax, %rax
    jnz 8f
    movl $__pe_image_pages, %r15d
    movq 32(%rsp), %r14          /* the copy */
    movq %rbx, %rsi
    movq %r14, %rdi
    movl $__pe_image_size, %ecx
    rep movsb
    call apply_relocations
    leaq bad_table(%rip), %rdx
    testl %eax, %eax
    jnz 7f
    leaq efi_main(%rip), %rax    /* the same function in the copy */
    subq %rbx, %rax
    addq %r14, %rax

2:  movq %r12, %rdi             /* efi_main is System V: rdi, rsi */
    movq %r13, %rsi
    call *%rax
    /* efi_main returns only when the kernel cannot start. */
    testq %r15, %r15
    jz 9f
6:  movq %rax, %rbx
    movq %r14, %rcx
    movq %r15, %rdx
    movq ST_BOOT_SERVICES(%r13), %rax
    call *BS_FREE_PAGES(%rax)
    movq %rbx, %rax
    jmp 9f

7:  call say                     /* the copy is freed with the error */
    movabsq $EFI_LOAD_ERROR, %rax
    jmp 6b
8:  call say
    movabsq $EFI_LOAD_ERROR, %rax
9:  addq $40, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rdi
    popq %rsi
    popq %rbx
    popq %rbp
    ret

    /* Prints the UCS-2 line at RDX on the firmware's console, if any. */
say:
    subq $40, %rsp               /* shadow space; keeps the stack aligned */
    movq ST_CON_OUT(%r13), %rcx
    testq %rcx, %rcx
    jz 1f
    call *OUTPUT_STRING(%rcx)
1:  addq $40, %rsp
    ret

    /* Adds (R14 - RBX), the copy's distance from the loaded image, to
     * every fixup the loaded image's base relocation table names, in the
     * copy. The table is the image's own, but it is checked anyway: every
     * block inside the table, every fixup inside the copy, no unknown
     * kind. Returns 0 in EAX, or 1 when the table is damaged. */
apply_relocations:
    movl 0x3c(%rbx), %eax
    leaq (%rbx, %rax), %rsi      /* the PE signature */
    movl PE_RELOC_DIR(%rsi), %ecx
    movl PE_RELOC_DIR + 4(%rsi), %edx
    movl PE_SIZE_OF_IMAGE(%rsi), %eax
    leaq (%rcx, %rdx), %r8
    cmpq %rax, %r8
    ja 9f
    leaq (%rbx, %rcx), %rsi      /* the table */
    leaq (%rsi, %rdx), %r8       /* its end */
    movq %r14, %r9
    subq %rbx, %r9               /* the distance */
    movl $__pe_image_size, %r10d /* fixups must lie in the copy */
1:  leaq 8(%rsi), %rax           /* a block: page RVA, size, entries */
    cmpq %r8, %rax
    ja 8f
    movl (%rsi), %ecx
    movl 4(%rsi), %edx
    cmpl $8, %edx
    jb 9f
    testl $1, %edx
    jnz 9f
    leaq (%rsi, %rdx), %r11
    cmpq %r8, %r11
    ja 9f
    addq $8, %rsi
2:  cmpq %r11, %rsi
    jae 1b
    movzwl (%rsi), %eax
    addq $2, %rsi
    movl %eax, %edi
    shrl $12, %edi               /* the kind */
    andl $0xfff, %eax
    addq %rcx, %rax              /* the fixup's RVA */
    cmpl $REL_ABSOLUTE, %edi
    je 2b
    cmpl $REL_HIGHLOW, %edi
    jne 3f
    leaq 4(%rax), %rdi
    cmpq %r10, %rdi
    ja 9f
    addl %r9d, (%r14, %rax)
    jmp 2b
3:  cmpl $REL_DIR64, %edi
    jne 9f
    leaq 8(%rax), %rdi
    cmpq %r10, %rdi
    ja 9f
    addq %r9, (%r14, %rax)
    jmp 2b
8:  xorl %eax, %eax
    ret
9:  movl $1, %eax
    ret

    /* After ExitBootServices: the firmware's interrupt handlers are gone
     * (a function of its own so that host tests can run efi_main). */
    .globl efi_interrupts_off
efi_interrupts_off:
    cli
    ret

    .globl efi_enter_kernel
efi_enter_kernel:
    cli
    movl $BOOT_UEFI, boot_protocol(%rip)
    movq %rdi, boot_info_addr(%rip)
    jmp long_mode_tables

    .data
    .balign 8
    .globl efi_loaded_base
efi_loaded_base: .quad 0

    .section .rodata.efi_entry, "a"
    .balign 2
no_room:
    ucs2_line "anyvm: the firmware loaded the kernel above 2 GiB, which its addresses do not reach, and has no free memory below; cannot start."
bad_table:
    ucs2_line "anyvm: the image's base relocation table is damaged; cannot start."
