/* The initrd under UEFI (efi_initrd.c). */
#ifndef BOOT_EFI_EFI_INITRD_H
#define BOOT_EFI_EFI_INITRD_H

#include "boot/bootinfo.h"
#include "boot/efi/efi_spec.h"

/* Reads the initrd into bi (initrd_base, initrd_size) while boot services
 * run: from LoadFile2 on Linux's initrd media path, else the initrd= file
 * on the image's volume. Failures are logged; bi then has none. */
void efi_read_initrd(struct efi_boot_services *bs, efi_handle image, struct bootinfo *bi);

#endif
