/* An ELF file header and program header table in the .efi's memory, for
 * the app's C library: init/app_start.c hands the program headers to musl
 * (AT_PHDR, through __ehdr_start), which finds the thread-local image in
 * the PT_TLS entry. The ELF images have their real headers at 1 MiB
 * (kernel.ld); the .efi has its PE header there, so arch/x86_64/efi.ld
 * points __ehdr_start here and fills the entry from the layout. Layouts:
 * System V ABI, "ELF Header" and "Program Header". */

#define PT_TLS 7
#define PF_R 4

    .section .rodata.efi_elf_header, "a"
    .balign 8
    .globl efi_elf_header
efi_elf_header:
    .byte 0x7f, 'E', 'L', 'F'
    .byte 2, 1, 1, 0                    /* 64-bit, little-endian, version 1, System V */
    .quad 0
    .short 2                            /* e_type: executable */
    .short 62                           /* e_machine: x86-64 */
    .long 1                             /* e_version */
    .quad efi_pe_entry                  /* e_entry */
    .quad program_headers - efi_elf_header /* e_phoff */
    .quad 0                             /* e_shoff: no section headers */
    .long 0                             /* e_flags */
    .short 64                           /* e_ehsize */
    .short 56                           /* e_phentsize */
    .short (program_headers_end - program_headers) / 56 /* e_phnum */
    .short 0, 0, 0                      /* no section headers */
program_headers:
    .long PT_TLS, PF_R
    .quad 0                             /* p_offset: not a file */
    .quad __efi_tls_start, __efi_tls_start /* p_vaddr, p_paddr */
    .quad __efi_tls_filesz, __efi_tls_memsz
    .quad __efi_tls_align
program_headers_end:
