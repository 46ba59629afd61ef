/* The EFI entry's C part: what it asks the firmware, while boot services
 * still run (UEFI 2.10), and how it leaves them. efi_entry.S has moved the
 * image where its addresses reach and relocated it (or the firmware did),
 * so this is ordinary kernel code. It fills efi_bootinfo and enters the kernel through the same
 * 64-bit set-up as the other entries (efi_enter_kernel); arch_boot then
 * takes efi_bootinfo in through bootinfo_from_uefi (efi_bootinfo.c).
 *
 * Until ExitBootServices succeeds, a failure is printed on the firmware's
 * console and the firmware gets an error back (it may try its next boot
 * option). Warnings go through kprintf, which keeps them until the kernel
 * has a console. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "boot/bootinfo.h"
#include "boot/efi/efi_initrd.h"
#include "boot/efi/efi_parse.h"
#include "boot/efi/efi_spec.h"
#include "core/acpi.h"
#include "core/acpi_spcr.h"
#include "core/log.h"
#include "core/platform.h"
#include "klib/format.h"

#define WHO "uefi"
#define CONFIG_TABLE_MAX 1024 /* entries; far more than any firmware installs */
#define MEMMAP_SLACK 16       /* descriptors: allocating the buffer adds some */
#define EXIT_TRIES 4          /* the spec implies one retry suffices (section 7.4) */

efi_status efi_main(efi_handle image, struct efi_system_table *st);
/* efi_entry.S */
void efi_enter_kernel(struct bootinfo *bi) __attribute__((noreturn));
void efi_interrupts_off(void);

/* In .data: the kernel's set-up zeroes .bss after this was filled. */
struct bootinfo efi_bootinfo __attribute__((section(".data.efi_bootinfo")));
/* The command line `tools/anyvm pack efi` writes into the image's .cmdline
 * section (pe_header.S): UTF-8, NUL-terminated; zero when none. */
extern const char efi_builtin_cmdline[BOOTINFO_CMDLINE_MAX];

/* Why the memory map could not be used: the kernel panics with it
 * (bootinfo_from_uefi), there being no way back to the firmware then. */
char efi_memmap_error[160] __attribute__((section(".data.efi_memmap_error")));

extern const uint64_t efi_loaded_base; /* efi_entry.S: where the firmware loaded the image */
extern char __image_start[];
extern char __image_link_base[]; /* arch/x86_64/efi.ld: absolute, never relocated */

static struct efi_system_table *systab;

/* Prints one line on the firmware's console (ConOut, UCS-2). */
static void efi_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void efi_say(const char *fmt, ...)
{
    char text[256];
    efi_char16 wide[260];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    unsigned n = 0;
    for (const char *p = "anyvm: "; *p; p++)
        wide[n++] = (efi_char16)*p;
    for (const char *p = text; *p && n < 256; p++)
        wide[n++] = (efi_char16)(uint8_t)*p;
    wide[n++] = '\r';
    wide[n++] = '\n';
    wide[n] = 0;
    if (systab->con_out != NULL)
        systab->con_out->output_string(systab->con_out, wide);
}

/* The command line: the load options when there are any (QEMU -kernel
 * -append, the UEFI shell, a boot entry's optional data), else the one
 * written into the image. */
static int read_cmdline(efi_handle image, struct bootinfo *bi)
{
    static const struct efi_guid loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    struct efi_loaded_image *li = NULL;
    efi_status s = systab->boot_services->handle_protocol(image, &loaded_image_guid, (void **)&li);
    char err[160] = "";
    if (s != EFI_SUCCESS || li == NULL) {
        kprintf(WHO ": no loaded-image protocol (status %#llx): no load options\n",
                (unsigned long long)s);
    } else if (li->load_options_size != 0 && li->load_options != NULL) {
        int form = efi_cmdline_to_utf8(li->load_options, li->load_options_size, bi->cmdline,
                                       sizeof bi->cmdline, err, sizeof err);
        if (form < 0) {
            /* The app must not run with other arguments than it was given. */
            efi_say("%s; not starting", err);
            return -1;
        }
        if (form == EFI_CMDLINE_WIDENED_UTF8)
            kprintf(WHO ": load options read as UTF-8 bytes widened to UCS-2 "
                        "(OVMF's loader for QEMU -kernel)\n");
        if (bi->cmdline[0] != '\0')
            return 0;
    }
    unsigned len = 0;
    while (len < BOOTINFO_CMDLINE_MAX && efi_builtin_cmdline[len] != '\0')
        len++;
    if (len == BOOTINFO_CMDLINE_MAX) {
        efi_say("the image's built-in command line is not terminated; not starting");
        return -1;
    }
    __builtin_memcpy(bi->cmdline, efi_builtin_cmdline, len + 1);
    return 0;
}

static void read_config_table(struct bootinfo *bi)
{
    static const struct efi_guid acpi20 = EFI_ACPI_20_TABLE_GUID, acpi10 = EFI_ACPI_10_TABLE_GUID,
                                 smbios = EFI_SMBIOS_TABLE_GUID, smbios3 = EFI_SMBIOS3_TABLE_GUID;
    uint64_t n = systab->number_of_table_entries;
    if (systab->configuration_table == NULL || n > CONFIG_TABLE_MAX) {
        kprintf(WHO ": configuration table of %llu entries ignored\n", (unsigned long long)n);
        return;
    }
    const struct efi_configuration_table *t = systab->configuration_table;
    bi->rsdp = efi_config_find(t, n, &acpi20);
    if (bi->rsdp == 0)
        bi->rsdp = efi_config_find(t, n, &acpi10);
    bi->smbios = efi_config_find(t, n, &smbios3);
    if (bi->smbios == 0)
        bi->smbios = efi_config_find(t, n, &smbios);
}

/* The serial console: the 16550 the ACPI SPCR table names, else COM1 when
 * the firmware drives a serial port that is the ISA device PNP0501 with
 * _UID 0, the COM1 of OVMF's and QEMU's descriptions (I/O 0x3f8). The
 * kernel still checks that the port answers before it writes there
 * (efi_console.c). */
#define COM1_PORT 0x3F8
#define DEVICE_PATH_MAX 4096
static int read_spcr(struct bootinfo *bi)
{
    static struct acpi_info acpi; /* large; the kernel parses ACPI again later */
    uint32_t len = 0;
    const char *why = "";
    if (bi->rsdp == 0 || acpi_parse(platform_phys(), bi->rsdp, &acpi) != 0)
        return -1;
    uint64_t addr = acpi_find_table(platform_phys(), &acpi, "SPCR", 0, &len);
    const uint8_t *t = addr ? phys_ptr(platform_phys(), addr, len) : NULL;
    if (t == NULL)
        return -1;
    if (acpi_spcr_port(t, len, &bi->serial_port, &why) != 0) {
        kprintf(WHO ": ACPI SPCR console not used: %s\n", why);
        return -1;
    }
    return 0;
}

static void read_serial(struct bootinfo *bi)
{
    if (read_spcr(bi) == 0)
        return;
    static const struct efi_guid serial_io = EFI_SERIAL_IO_PROTOCOL_GUID,
                                 device_path = EFI_DEVICE_PATH_PROTOCOL_GUID;
    struct efi_boot_services *bs = systab->boot_services;
    efi_handle *handles = NULL;
    uint64_t n = 0;
    if (bs->locate_handle_buffer(EFI_LOCATE_BY_PROTOCOL, &serial_io, NULL, &n, &handles) !=
            EFI_SUCCESS ||
        handles == NULL)
        return; /* no serial port the firmware knows */
    for (uint64_t i = 0; i < n && i < 64; i++) {
        void *dp = NULL;
        uint32_t uid;
        if (bs->handle_protocol(handles[i], &device_path, &dp) == EFI_SUCCESS &&
            efi_device_path_find_acpi(dp, DEVICE_PATH_MAX, EFI_EISA_PNP_ID(0x0501), &uid) == 0 &&
            uid == 0) {
            bi->serial_port = COM1_PORT;
            break;
        }
    }
    bs->free_pool(handles);
}

/* The TSC rate over the firmware's Stall (section 7.5), so that a machine
 * without a TSC leaf need not calibrate with the PIT (Hyper-V Gen2 has
 * none): arch/x86_64/tsc.c takes it before the PIT. Stall waits at least
 * as long as asked, and longer when the firmware or the host is slow, so
 * the shortest of a few runs is taken. */
#define STALL_US 2000
#define STALL_RUNS 5
static void measure_tsc(struct bootinfo *bi)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < STALL_RUNS; i++) {
        uint64_t start = rdtsc_ordered();
        if (systab->boot_services->stall(STALL_US) != EFI_SUCCESS)
            return;
        uint64_t took = rdtsc_ordered() - start;
        if (took < best)
            best = took;
    }
    bi->tsc_hz = best * (1000000 / STALL_US);
}

/* The firmware's vendor as the loader's name, in ASCII ('?' for others). */
static void read_vendor(struct bootinfo *bi)
{
    const efi_char16 *v = systab->firmware_vendor;
    unsigned n = 0;
    for (; v != NULL && n + 1 < sizeof bi->loader_name && v[n] != 0; n++)
        bi->loader_name[n] = v[n] >= 0x20 && v[n] < 0x7F ? (char)v[n] : '?';
    bi->loader_name[n] = '\0';
}

/* The graphics output mode now; checked against the memory map later. */
static int read_gop(struct framebuffer *fb)
{
    static const struct efi_guid gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    struct efi_graphics_output *gop = NULL;
    if (systab->boot_services->locate_protocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS ||
        gop == NULL)
        return -1; /* no display: nothing to say */
    const struct efi_graphics_output_mode *m = gop->mode;
    const char *why = "no mode";
    if (m == NULL || efi_gop_framebuffer(m->info, m->size_of_info, m->frame_buffer_base,
                                         m->frame_buffer_size, fb, &why) != 0) {
        kprintf(WHO ": graphics output mode not usable: %s\n", why);
        return -1;
    }
    return 0;
}

/* GetMemoryMap and ExitBootServices (section 7.4): when the map changed
 * between the two, ExitBootServices answers EFI_INVALID_PARAMETER and the
 * map must be read again, into the same buffer (after the first call only
 * the memory-allocation services may be used). Returns the map's size, or
 * 0 when boot services could not be left. */
static uint64_t exit_boot_services(efi_handle image, uint8_t **map_out, uint64_t *desc_size)
{
    struct efi_boot_services *bs = systab->boot_services;
    uint64_t size = 0, key = 0;
    uint32_t version = 0;
    efi_status s = bs->get_memory_map(&size, NULL, &key, desc_size, &version);
    if (s != EFI_BUFFER_TOO_SMALL || *desc_size < sizeof(struct efi_memory_descriptor) ||
        *desc_size > 4096 || size > (64u << 20)) {
        efi_say("GetMemoryMap gave status %#llx, %llu bytes of %llu-byte descriptors",
                (unsigned long long)s, (unsigned long long)size, (unsigned long long)*desc_size);
        return 0;
    }
    uint64_t capacity = size + MEMMAP_SLACK * *desc_size;
    void *buf = NULL;
    s = bs->allocate_pool(EFI_LOADER_DATA, capacity, &buf);
    if (s != EFI_SUCCESS || buf == NULL) {
        efi_say("no memory for the memory map (status %#llx)", (unsigned long long)s);
        return 0;
    }
    for (int attempt = 0; attempt < EXIT_TRIES; attempt++) {
        size = capacity;
        s = bs->get_memory_map(&size, buf, &key, desc_size, &version);
        if (s != EFI_SUCCESS)
            break;
        s = bs->exit_boot_services(image, key);
        if (s == EFI_SUCCESS) {
            *map_out = buf;
            return size;
        }
        if (s != EFI_INVALID_PARAMETER)
            break;
    }
    /* Boot services may be half gone: only the error code is left to give. */
    return 0;
}

efi_status efi_main(efi_handle image, struct efi_system_table *st)
{
    systab = st;
    if (st->boot_services == NULL || st->hdr.header_size < sizeof *st)
        return EFI_UNSUPPORTED;
    struct bootinfo *bi = &efi_bootinfo;
    bootinfo_reset(bi, BOOT_UEFI);
    /* tools/anyvm_lib/symbolize.py reads these lines to name the
     * addresses of an exception report. */
    if (efi_loaded_base != (uintptr_t)__image_start)
        kprintf(WHO ": the firmware loaded the image at %#llx, above what its addresses reach; "
                    "moved to %#llx (linked at %#llx)\n",
                (unsigned long long)efi_loaded_base, (unsigned long long)(uintptr_t)__image_start,
                (unsigned long long)(uintptr_t)__image_link_base);
    else if ((uintptr_t)__image_start != (uintptr_t)__image_link_base)
        kprintf(WHO ": the image runs at %#llx (linked at %#llx), relocated\n",
                (unsigned long long)(uintptr_t)__image_start,
                (unsigned long long)(uintptr_t)__image_link_base);
    if (read_cmdline(image, bi) != 0)
        return EFI_INVALID_PARAMETER;
    efi_read_initrd(st->boot_services, image, bi);
    read_config_table(bi);
    read_vendor(bi);
    read_serial(bi);
    measure_tsc(bi);
    struct framebuffer fb;
    int have_fb = read_gop(&fb) == 0;

    uint8_t *map = NULL;
    uint64_t desc_size = 0;
    uint64_t map_size = exit_boot_services(image, &map, &desc_size);
    if (map_size == 0)
        return EFI_LOAD_ERROR;
    efi_interrupts_off(); /* the firmware's interrupt handlers are gone */

    if (efi_memmap_convert(bi, map, map_size, desc_size, efi_memmap_error,
                           sizeof efi_memmap_error) != 0)
        bi->memmap_count = 0;
    if (have_fb)
        bootinfo_set_framebuffer(bi, &fb, WHO);
    efi_enter_kernel(bi);
}
