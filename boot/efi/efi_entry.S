/* Where the firmware starts the .efi, and how the EFI entry enters the
 * kernel.
 *
 * efi_pe_entry (AddressOfEntryPoint): UEFI 2.10 section 2.3.4 — long mode,
 * the firmware's identity map, RCX = ImageHandle, RDX = SystemTable,
 * Microsoft x64 calling convention (RBX, RBP, RDI, RSI, R12-R15 preserved).
 * The firmware may have loaded the image anywhere; the kernel is linked
 * to run at 1 MiB (arch/x86_64/kernel.ld: absolute addresses in code and
 * data, the identity map). So when the image is elsewhere this code,
 * position-independent, allocates the pages at 1 MiB (AllocatePages,
 * AllocateAddress, EfiLoaderCode: executable under the firmware's memory
 * protection) and copies the loaded image there, bss included (the loader
 * zeroed it), then calls efi_main at its link address. If that memory is
 * not free it prints why and returns EFI_LOAD_ERROR. EDK2 loads an image
 * at its ImageBase when that is free, so usually nothing is copied.
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
#define ALLOCATE_ADDRESS 2
#define EFI_LOADER_CODE 1
#define EFI_LOAD_ERROR 0x8000000000000001
#define EFI_INVALID_PARAMETER 0x8000000000000002
#define BOOT_UEFI 4                  /* enum boot_protocol (boot/bootinfo.h) */

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
    xorl %r15d, %r15d            /* pages taken at the link address */

    movabsq $EFI_INVALID_PARAMETER, %rax
    testq %r13, %r13
    jz 9f
    movabsq $EFI_SYSTEM_TABLE_SIGNATURE, %rcx
    cmpq %rcx, (%r13)
    jne 9f
    cmpq $0, ST_BOOT_SERVICES(%r13)
    je 9f

    leaq __image_start(%rip), %rsi /* where the firmware put the image */
    movq %rsi, efi_loaded_base(%rip) /* for efi_main's log; copied with the image */
    movl $__image_start, %edi      /* where it is linked */
    cmpq %rdi, %rsi
    je 2f
    movq %rdi, 32(%rsp)
    movl $ALLOCATE_ADDRESS, %ecx
    movl $EFI_LOADER_CODE, %edx
    movl $__pe_image_pages, %r8d
    leaq 32(%rsp), %r9
    movq ST_BOOT_SERVICES(%r13), %rax
    call *BS_ALLOCATE_PAGES(%rax)
    testq %rax, %rax
    jnz 8f
    movl $__pe_image_pages, %r15d
    leaq __image_start(%rip), %rsi
    movl $__image_start, %edi
    movl $__pe_image_size, %ecx
    rep movsb

2:  movq %r12, %rdi
    movq %r13, %rsi
    movabsq $efi_main, %rax      /* at its link address, in the copy */
    call *%rax
    /* efi_main returns only when the kernel cannot start. */
    testq %r15, %r15
    jz 9f
    movq %rax, %rbx
    movl $__image_start, %ecx
    movq %r15, %rdx
    movq ST_BOOT_SERVICES(%r13), %rax
    call *BS_FREE_PAGES(%rax)
    movq %rbx, %rax
    jmp 9f

8:  movq ST_CON_OUT(%r13), %rcx
    testq %rcx, %rcx
    jz 7f
    leaq no_room(%rip), %rdx
    call *OUTPUT_STRING(%rcx)
7:  movabsq $EFI_LOAD_ERROR, %rax
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
    ucs2_line "anyvm: the kernel runs at 1 MiB (its link address) and the firmware has that memory in use; cannot start."
