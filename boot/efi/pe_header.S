/* The first page of the .efi and two small sections of its own. One file is
 * at once
 *   - a PE32+ image (Microsoft PE/COFF specification 11: the MZ header with
 *     the PE header's offset at 0x3c, COFF header, PE32+ optional header,
 *     section table), subsystem 10, EFI application (UEFI 2.10 section
 *     2.1.1); and
 *   - a Linux bzImage as far as QEMU's -kernel looks (Linux
 *     Documentation/arch/x86/boot.rst, "The real-mode kernel header" at
 *     0x1f1, "HdrS" at 0x202): QEMU then hands the file to OVMF, which loads
 *     it as a PE (qemu hw/i386/x86.c x86_load_linux splits the file at
 *     (setup_sects + 1) * 512 bytes; OVMF's QemuKernelLoaderFsDxe joins the
 *     parts again). Without the header QEMU takes the file for an ancient
 *     zImage and refuses files shorter than 2.5 KiB or any -initrd.
 * The PE structures end before 0x1f1 and the setup header after it: QEMU
 * writes into 0x210-0x22b (loader type, heap end, command line and initrd
 * pointers) of its copy, which the PE loader never reads.
 *
 * The link (arch/x86_64/efi.ld) puts this page at 1 MiB, the image base,
 * and `objcopy -O binary` of it is the file: file offset = RVA, so file and
 * section alignment are both a page. The sizes come from efi.ld. */

    .section .pe_header, "a"
dos_header:
    .ascii "MZ"
    .org dos_header + 0x3c
    .long pe_signature - dos_header     /* e_lfanew */

    .org dos_header + 0x40
pe_signature:
    .ascii "PE\0\0"
    /* COFF file header (PE/COFF 3.3) */
    .short 0x8664                       /* Machine: x64 */
    .short (section_table_end - section_table) / 40 /* NumberOfSections */
    .long 0                             /* TimeDateStamp: reproducible builds */
    .long 0, 0                          /* no COFF symbol table */
    .short section_table - optional_header /* SizeOfOptionalHeader */
    /* EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE | DEBUG_STRIPPED; not
     * RELOCS_STRIPPED: the firmware may load the image anywhere and apply
     * its base relocations (efi_entry.S). */
    .short 0x0002 | 0x0020 | 0x0200

optional_header:                        /* PE/COFF 3.4 */
    .short 0x020b                       /* PE32+ */
    .byte 0, 0                          /* linker version */
    .long __pe_text_size                /* SizeOfCode */
    .long __pe_data_raw                 /* SizeOfInitializedData */
    .long 0                             /* SizeOfUninitializedData: in .data */
    .long __pe_entry_rva                /* AddressOfEntryPoint */
    .long __pe_text_rva                 /* BaseOfCode */
    .quad __image_link_base             /* ImageBase: 1 MiB */
    .long 4096                          /* SectionAlignment */
    .long 4096                          /* FileAlignment */
    .short 0, 0, 0, 0, 0, 0             /* OS, image and subsystem versions */
    .long 0                             /* Win32VersionValue */
    .long __pe_image_size               /* SizeOfImage */
    .long 4096                          /* SizeOfHeaders */
    .long 0                             /* CheckSum: not checked for EFI images */
    .short 10                           /* Subsystem: EFI application */
    .short 0                            /* DllCharacteristics */
    .quad 0, 0, 0, 0                    /* stack and heap reserve/commit: unused */
    .long 0                             /* LoaderFlags */
    .long 16                            /* NumberOfRvaAndSizes (sbsign adds the certificate table) */
    .quad 0, 0, 0, 0, 0                 /* export, import, resource, exception, certificate */
    .long 0, 0                          /* base relocation table: tools/efi_relocs.py */
    .quad 0, 0, 0, 0, 0, 0, 0, 0, 0, 0  /* debug ... reserved */

section_table:                          /* PE/COFF 4: name, VirtualSize, VirtualAddress, */
                                        /* SizeOfRawData, PointerToRawData, 3 unused, Characteristics */
    .ascii ".cmdline"                   /* the built-in command line: read-only data */
    .long 4096, __pe_cmdline_rva, 4096, __pe_cmdline_rva, 0, 0, 0
    .long 0x40000040                    /* INITIALIZED_DATA | MEM_READ */
    .ascii ".text\0\0\0"                /* code and the ELF notes */
    .long __pe_text_size, __pe_text_rva, __pe_text_size, __pe_text_rva, 0, 0, 0
    .long 0x60000020                    /* CNT_CODE | MEM_EXECUTE | MEM_READ */
    .ascii ".data\0\0\0"                /* read-only and writable data, then .bss (zero-filled) */
    .long __pe_data_vsize, __pe_data_rva, __pe_data_raw, __pe_data_rva, 0, 0, 0
    .long 0xC0000040                    /* INITIALIZED_DATA | MEM_READ | MEM_WRITE */
    /* The base relocation table: after .bss in the image, after .data in
     * the file; tools/efi_relocs.py appends it and fills in this entry,
     * the data directory's, SizeOfImage and SizeOfInitializedData. Kept
     * in memory after loading (not MEM_DISCARDABLE): efi_entry.S reads it
     * when it moves the image. */
    .ascii ".reloc\0\0"
    .long 0, 0, 0, 0, 0, 0, 0
    .long 0x40000040                    /* INITIALIZED_DATA | MEM_READ */
section_table_end:

    /* Linux setup header, boot protocol 2.06 (boot.rst): enough for QEMU's
     * loader; no real-mode code follows and none is ever run. */
    .org dos_header + 0x1f1
    .byte 1                             /* setup_sects: QEMU splits after 1 KiB */
    .short 0                            /* root_flags */
    .long __pe_syssize                  /* syssize: 16-byte units after the setup */
    .short 0                            /* ram_size */
    .short 0xffff                       /* vid_mode: normal */
    .short 0                            /* root_dev */
    .short 0xaa55                       /* boot_flag */
    .byte 0xeb, 0x00                    /* jump */
    .ascii "HdrS"                       /* header */
    .short 0x0206                       /* version */
    .long 0                             /* realmode_swtch */
    .short 0, 0                         /* start_sys_seg, kernel_version */
    .byte 0                             /* type_of_loader: QEMU writes it */
    .byte 0x01                          /* loadflags: LOADED_HIGH */
    .short 0                            /* setup_move_size */
    .long __image_link_base             /* code32_start */
    .long 0, 0                          /* ramdisk_image, ramdisk_size */
    .long 0                             /* bootsect_kludge */
    .short 0                            /* heap_end_ptr */
    .byte 0, 0                          /* ext_loader_ver, ext_loader_type */
    .long 0                             /* cmd_line_ptr */
    .long 0x7fffffff                    /* initrd_addr_max */
    .long 0x1000                        /* kernel_alignment */
    .byte 0, 0                          /* relocatable_kernel, min_alignment */
    .short 0                            /* xloadflags */
    .long 2047                          /* cmdline_size: what the kernel takes */

    /* The command line `tools/anyvm pack efi` writes in (UTF-8, NUL-ended),
     * used when the firmware passes no load options (boot/efi/efi_main.c). */
    .section .pe_cmdline, "a"
    .globl efi_builtin_cmdline
efi_builtin_cmdline:
    .skip 4096
