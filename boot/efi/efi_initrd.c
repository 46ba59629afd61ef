/* The initrd under UEFI, read while boot services still run, into pages
 * below 4 GiB that stay the kernel's (EfiLoaderData; the kernel's memory
 * map keeps the initrd's range reserved, core/memmap.c):
 *
 *  1. from whoever offers it through LoadFile2 on the vendor media device
 *     path LINUX_EFI_INITRD_MEDIA_GUID, the interface Linux's EFI stub
 *     defined (Linux drivers/firmware/efi/libstub/efi-stub-helper.c,
 *     efi_load_initrd_dev_path) and OVMF serves for QEMU's -kernel
 *     -initrd (OvmfPkg QemuKernelLoaderFsDxe);
 *  2. else from the file `initrd=PATH` names on the volume the image was
 *     loaded from (EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, UEFI 2.10 section
 *     13.4): what `tools/anyvm pack efi --initrd` writes.
 *
 * Either failing is said on the firmware's console and the kernel starts
 * without an initrd; the app then finds no files, which it reports. */
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_initrd.h"
#include "boot/efi/efi_parse.h"
#include "boot/efi/efi_spec.h"
#include "core/log.h"

#define WHO "uefi"
#define INITRD_MAX (512ull << 20) /* larger is refused: it would crowd out the app */
#define BELOW_4G 0xFFFFFFFFull
#define PATH_MAX_CHARS 256

struct vendor_media_path {
    uint8_t type, subtype, len[2];
    struct efi_guid guid;
    uint8_t end_type, end_subtype, end_len[2];
} __attribute__((packed));

static int take_pages(struct efi_boot_services *bs, uint64_t size, uint64_t *base)
{
    *base = BELOW_4G;
    efi_status s = bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA,
                                      (size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE, base);
    if (s != EFI_SUCCESS) {
        kprintf(WHO ": no memory below 4 GiB for an initrd of %llu bytes (status %#llx)\n",
                (unsigned long long)size, (unsigned long long)s);
        return -1;
    }
    return 0;
}

/* 1: 1 loaded, 0 nobody offers one, -1 it failed. */
static int from_load_file2(struct efi_boot_services *bs, struct bootinfo *bi)
{
    static const struct efi_guid lf2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;
    struct vendor_media_path path = {
        .type = EFI_DP_TYPE_MEDIA,
        .subtype = EFI_DP_SUBTYPE_VENDOR_MEDIA,
        .len = {20, 0},
        .guid = LINUX_EFI_INITRD_MEDIA_GUID,
        .end_type = EFI_DP_TYPE_END,
        .end_subtype = EFI_DP_SUBTYPE_END_ENTIRE,
        .end_len = {4, 0},
    };
    void *dp = &path;
    efi_handle h = NULL;
    struct efi_load_file2 *lf = NULL;
    if (bs->locate_device_path(&lf2_guid, &dp, &h) != EFI_SUCCESS || h == NULL ||
        bs->handle_protocol(h, &lf2_guid, (void **)&lf) != EFI_SUCCESS || lf == NULL)
        return 0;
    uint64_t size = 0;
    efi_status s = lf->load_file(lf, dp, 0, &size, NULL);
    if (s != EFI_BUFFER_TOO_SMALL || size == 0 || size > INITRD_MAX) {
        kprintf(WHO ": the firmware's initrd (LoadFile2) gave status %#llx and %llu bytes; "
                    "none taken\n",
                (unsigned long long)s, (unsigned long long)size);
        return -1;
    }
    uint64_t base;
    if (take_pages(bs, size, &base) != 0)
        return -1;
    uint64_t got = size;
    s = lf->load_file(lf, dp, 0, &got, (void *)(uintptr_t)base);
    if (s != EFI_SUCCESS || got != size) {
        kprintf(WHO ": reading the firmware's initrd gave status %#llx, %llu of %llu bytes; "
                    "none taken\n",
                (unsigned long long)s, (unsigned long long)got, (unsigned long long)size);
        bs->free_pages(base, (size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
        return -1;
    }
    bi->initrd_base = base;
    bi->initrd_size = size;
    kprintf(WHO ": initrd of %llu bytes from the firmware (LoadFile2)\n", (unsigned long long)size);
    if (efi_drop_loader_initrd_word(bi->cmdline))
        kprintf(WHO ": the loader's \"initrd=initrd\" dropped from the end of the command "
                    "line\n");
    return 1;
}

/* 2: the named file; -1 when it cannot be read. */
static int from_file(struct efi_boot_services *bs, efi_handle image, const efi_char16 *name,
                     struct bootinfo *bi)
{
    static const struct efi_guid li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID,
                                 sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    struct efi_loaded_image *li = NULL;
    struct efi_simple_file_system *fs = NULL;
    struct efi_file *root = NULL, *f = NULL;
    const char *what = "the loaded image's volume";
    efi_status s = bs->handle_protocol(image, &li_guid, (void **)&li);
    if (s == EFI_SUCCESS && li != NULL)
        s = bs->handle_protocol(li->device_handle, &sfs_guid, (void **)&fs);
    if (s == EFI_SUCCESS && fs != NULL) {
        what = "the volume's root";
        s = fs->open_volume(fs, &root);
    }
    if (s == EFI_SUCCESS && root != NULL) {
        what = "the initrd= file";
        s = root->open(root, &f, name, EFI_FILE_MODE_READ, 0);
    }
    uint64_t size = 0;
    if (s == EFI_SUCCESS && f != NULL) {
        what = "the initrd= file's size";
        s = f->set_position(f, UINT64_MAX); /* section 13.5: the end of the file */
        if (s == EFI_SUCCESS)
            s = f->get_position(f, &size);
        if (s == EFI_SUCCESS)
            s = f->set_position(f, 0);
    }
    if (s != EFI_SUCCESS || f == NULL || size == 0 || size > INITRD_MAX) {
        kprintf(WHO ": cannot read %s (status %#llx, %llu bytes); no initrd\n", what,
                (unsigned long long)s, (unsigned long long)size);
        if (f != NULL)
            f->close(f);
        if (root != NULL)
            root->close(root);
        return -1;
    }
    uint64_t base;
    int rc = -1;
    if (take_pages(bs, size, &base) == 0) {
        uint64_t got = size;
        s = f->read(f, &got, (void *)(uintptr_t)base);
        if (s == EFI_SUCCESS && got == size) {
            bi->initrd_base = base;
            bi->initrd_size = size;
            kprintf(WHO ": initrd of %llu bytes from the initrd= file\n", (unsigned long long)size);
            rc = 1;
        } else {
            kprintf(WHO ": reading the initrd= file gave status %#llx, %llu of %llu bytes; no "
                        "initrd\n",
                    (unsigned long long)s, (unsigned long long)got, (unsigned long long)size);
            bs->free_pages(base, (size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
        }
    }
    f->close(f);
    root->close(root);
    return rc;
}

void efi_read_initrd(struct efi_boot_services *bs, efi_handle image, struct bootinfo *bi)
{
    if (from_load_file2(bs, bi) != 0)
        return;
    efi_char16 name[PATH_MAX_CHARS];
    char err[160];
    int r = efi_initrd_path(bi->cmdline, name, PATH_MAX_CHARS, err, sizeof err);
    if (r < 0)
        kprintf("%s; no initrd\n", err);
    else if (r > 0)
        from_file(bs, image, name, bi);
}
