/* boot/efi/efi_main.c against a fake firmware: a system table whose boot
 * services (Microsoft x64 convention, as the real ones) hand out a memory
 * map, load options and a graphics mode, and whose ExitBootServices can
 * turn the map key stale. Checked: the retry UEFI 2.10 section 7.4 asks
 * for (the map read again into the same buffer, nothing allocated after
 * the first ExitBootServices), a bounded number of tries, refusals of bad
 * load options before boot services are left, the built-in command line,
 * the framebuffer, and the initrd: from LoadFile2 on Linux's initrd media
 * path (with the "initrd=initrd" OVMF appends dropped), else the initrd=
 * file on the image's volume, and a lying or missing source leaving none. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_spec.h"
#include "unit.h"

efi_status efi_main(efi_handle image, struct efi_system_table *st);
extern struct bootinfo efi_bootinfo;

/* What efi_main links against in the .efi (efi_entry.S, pe_header.S). */
char __image_start[16];
char __image_link_base[16];         /* != __image_start, as when the firmware relocated the image */
const uint64_t efi_loaded_base = 0; /* != __image_start: the "moved" note */
char efi_builtin_cmdline[BOOTINFO_CMDLINE_MAX];
static jmp_buf entered;
static struct bootinfo *entered_with;
static int interrupts_off;
void efi_interrupts_off(void)
{
    interrupts_off = 1;
}
void efi_enter_kernel(struct bootinfo *bi)
{
    entered_with = bi;
    longjmp(entered, 1);
}

/* The fake firmware's state. */
#define DESC 48
#define NDESC 6
static uint64_t key;
static int stale_exits; /* ExitBootServices calls that find the key stale */
static int exits, maps_after_exit, allocs_after_exit, allocs;
static void *map_buffer, *buffer_after_exit;
static uintptr_t map_address;
static uint16_t options[64];
static uint32_t options_size;
static int with_gop;
static char con_out_text[512];

static EFIAPI efi_status get_memory_map(uint64_t *size, void *map, uint64_t *map_key,
                                        uint64_t *desc_size, uint32_t *version)
{
    *desc_size = DESC;
    *version = 1;
    if (*size < NDESC * DESC || map == NULL) {
        *size = NDESC * DESC;
        return EFI_BUFFER_TOO_SMALL;
    }
    if (exits > 0) {
        maps_after_exit++;
        buffer_after_exit = map;
    }
    static const struct {
        uint32_t type;
        uint64_t base, pages;
    } d[NDESC] = {
        {EFI_BOOT_SERVICES_CODE, 0, 0xA0},          {EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700},
        {EFI_ACPI_MEMORY_NVS, 0x800000, 8},         {EFI_LOADER_DATA, 0x808000, 0x7000},
        {EFI_RUNTIME_SERVICES_DATA, 0x7808000, 16}, {EFI_MEMORY_MAPPED_IO, 0xFFC00000, 0x400},
    };
    memset(map, 0, NDESC * DESC);
    for (int i = 0; i < NDESC; i++) {
        uint8_t *p = (uint8_t *)map + i * DESC;
        memcpy(p, &d[i].type, 4);
        memcpy(p + 8, &d[i].base, 8);
        memcpy(p + 24, &d[i].pages, 8);
    }
    *size = NDESC * DESC;
    *map_key = key;
    return EFI_SUCCESS;
}

static EFIAPI efi_status allocate_pool(int type, uint64_t size, void **buffer)
{
    (void)type;
    allocs++;
    if (exits > 0)
        allocs_after_exit++;
    *buffer = map_buffer = calloc(1, size);
    return EFI_SUCCESS;
}

static EFIAPI efi_status free_pool(void *buffer)
{
    free(buffer);
    return EFI_SUCCESS;
}

static EFIAPI efi_status exit_boot_services(efi_handle image, uint64_t map_key)
{
    (void)image;
    exits++;
    if (stale_exits > 0) {
        stale_exits--;
        key++; /* something allocated meanwhile: the map changed */
        return EFI_INVALID_PARAMETER;
    }
    return map_key == key ? EFI_SUCCESS : EFI_INVALID_PARAMETER;
}

/* The initrd's sources: LoadFile2 on the initrd media path (lf2_size
 * bytes, or a size query that lies with lf2_lie), and a file system on the
 * image's device holding one file (file_size bytes) named file_name. */
#define LF2_HANDLE ((efi_handle)0x5678)
#define VOLUME_HANDLE ((efi_handle)0x9abc)
static uint64_t lf2_size, file_size;
static int lf2_lie;
static const char *file_name;
static char opened_name[128];
static uint8_t pages[1 << 16];
static uint64_t asked_max, freed;
static int files_open;

static uint8_t initrd_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + 3);
}

static EFIAPI efi_status allocate_pages(int type, int mem_type, uint64_t n, uint64_t *memory)
{
    if (type != EFI_ALLOCATE_MAX_ADDRESS || mem_type != EFI_LOADER_DATA ||
        n * EFI_PAGE_SIZE > sizeof pages)
        return EFI_INVALID_PARAMETER;
    asked_max = *memory;
    *memory = (uintptr_t)pages;
    return EFI_SUCCESS;
}

static EFIAPI efi_status free_pages(uint64_t memory, uint64_t n)
{
    (void)memory;
    freed += n;
    return EFI_SUCCESS;
}

static EFIAPI efi_status locate_device_path(const struct efi_guid *g, void **dp, efi_handle *dev)
{
    static const struct efi_guid lf2 = EFI_LOAD_FILE2_PROTOCOL_GUID,
                                 media = LINUX_EFI_INITRD_MEDIA_GUID;
    const uint8_t *node = *dp;
    if (lf2_size == 0 || memcmp(g, &lf2, sizeof lf2) != 0 || node[0] != EFI_DP_TYPE_MEDIA ||
        node[1] != EFI_DP_SUBTYPE_VENDOR_MEDIA || node[2] != 20 ||
        memcmp(node + 4, &media, sizeof media) != 0 || node[20] != EFI_DP_TYPE_END)
        return EFI_NOT_FOUND;
    *dp = (void *)(node + 20); /* what remains: the end node */
    *dev = LF2_HANDLE;
    return EFI_SUCCESS;
}

static EFIAPI efi_status load_file(struct efi_load_file2 *self, void *path, uint8_t boot_policy,
                                   uint64_t *size, void *buf)
{
    (void)self;
    if (((uint8_t *)path)[0] != EFI_DP_TYPE_END || boot_policy != 0)
        return EFI_INVALID_PARAMETER;
    if (buf == NULL || *size < lf2_size) {
        *size = lf2_lie ? (uint64_t)1 << 40 : lf2_size;
        return EFI_BUFFER_TOO_SMALL;
    }
    for (uint64_t i = 0; i < lf2_size; i++)
        ((uint8_t *)buf)[i] = initrd_byte(i);
    *size = lf2_size;
    return EFI_SUCCESS;
}
static struct efi_load_file2 lf2 = {.load_file = load_file};

static uint64_t file_pos;
static EFIAPI efi_status file_close(struct efi_file *self)
{
    (void)self;
    files_open--;
    return EFI_SUCCESS;
}
static EFIAPI efi_status file_read(struct efi_file *self, uint64_t *size, void *buf)
{
    (void)self;
    uint64_t n = file_size - file_pos < *size ? file_size - file_pos : *size;
    for (uint64_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = initrd_byte(file_pos + i);
    file_pos += n;
    *size = n;
    return EFI_SUCCESS;
}
static EFIAPI efi_status file_set_position(struct efi_file *self, uint64_t pos)
{
    (void)self;
    file_pos = pos == UINT64_MAX ? file_size : pos;
    return EFI_SUCCESS;
}
static EFIAPI efi_status file_get_position(struct efi_file *self, uint64_t *pos)
{
    (void)self;
    *pos = file_pos;
    return EFI_SUCCESS;
}
static struct efi_file the_file, root_dir;
static EFIAPI efi_status dir_open(struct efi_file *self, struct efi_file **out,
                                  const efi_char16 *name, uint64_t mode, uint64_t attrs)
{
    (void)self;
    unsigned n = 0;
    for (; name[n] && n + 1 < sizeof opened_name; n++)
        opened_name[n] = (char)name[n];
    opened_name[n] = '\0';
    if (mode != EFI_FILE_MODE_READ || attrs != 0 || file_name == NULL ||
        strcmp(opened_name, file_name) != 0)
        return EFI_NOT_FOUND;
    file_pos = 0;
    files_open++;
    *out = &the_file;
    return EFI_SUCCESS;
}
static EFIAPI efi_status open_volume(struct efi_simple_file_system *self, struct efi_file **root)
{
    (void)self;
    files_open++;
    *root = &root_dir;
    return EFI_SUCCESS;
}
static struct efi_simple_file_system volume = {.open_volume = open_volume};

static struct efi_loaded_image loaded_image;
static EFIAPI efi_status handle_protocol(efi_handle h, const struct efi_guid *g, void **out)
{
    static const struct efi_guid li = EFI_LOADED_IMAGE_PROTOCOL_GUID,
                                 lf2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID,
                                 sfs = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    if (h == LF2_HANDLE && memcmp(g, &lf2_guid, sizeof lf2_guid) == 0) {
        *out = &lf2;
        return EFI_SUCCESS;
    }
    if (h == VOLUME_HANDLE && memcmp(g, &sfs, sizeof sfs) == 0 && file_size != 0) {
        *out = &volume;
        return EFI_SUCCESS;
    }
    if (memcmp(g, &li, sizeof li) != 0)
        return EFI_UNSUPPORTED;
    loaded_image.load_options = options_size ? options : NULL;
    loaded_image.load_options_size = options_size;
    loaded_image.device_handle = VOLUME_HANDLE;
    *out = &loaded_image;
    return EFI_SUCCESS;
}

static struct efi_graphics_output_mode_information gop_info = {.horizontal_resolution = 800,
                                                               .vertical_resolution = 600,
                                                               .pixel_format =
                                                                   EFI_PIXEL_BGR_RESERVED_8BIT,
                                                               .pixels_per_scan_line = 800};
static struct efi_graphics_output_mode gop_mode = {.info = &gop_info,
                                                   .size_of_info = sizeof gop_info,
                                                   .frame_buffer_base = 0xC0000000,
                                                   .frame_buffer_size = 800 * 600 * 4};
static struct efi_graphics_output gop = {.mode = &gop_mode};
static EFIAPI efi_status locate_protocol(const struct efi_guid *g, void *reg, void **out)
{
    (void)g;
    (void)reg;
    if (!with_gop)
        return EFI_NOT_FOUND;
    *out = &gop;
    return EFI_SUCCESS;
}

static EFIAPI efi_status locate_handle_buffer(int type, const struct efi_guid *g, void *k,
                                              uint64_t *n, efi_handle **buf)
{
    (void)type, (void)g, (void)k, (void)n, (void)buf;
    return EFI_NOT_FOUND; /* no serial port */
}

static EFIAPI efi_status stall(uint64_t us)
{
    (void)us;
    return EFI_SUCCESS;
}

static EFIAPI efi_status output_string(struct efi_simple_text_output *self, const efi_char16 *s)
{
    (void)self;
    size_t n = strlen(con_out_text);
    for (; *s && n + 1 < sizeof con_out_text; s++)
        con_out_text[n++] = (char)*s;
    con_out_text[n] = '\0';
    return EFI_SUCCESS;
}

static struct efi_boot_services bs;
static struct efi_simple_text_output con_out = {.output_string = output_string};
static struct efi_system_table st;

static efi_status run(void)
{
    memset(&bs, 0, sizeof bs);
    bs.get_memory_map = get_memory_map;
    bs.allocate_pool = allocate_pool;
    bs.free_pool = free_pool;
    bs.exit_boot_services = exit_boot_services;
    bs.handle_protocol = handle_protocol;
    bs.locate_protocol = locate_protocol;
    bs.locate_handle_buffer = locate_handle_buffer;
    bs.stall = stall;
    bs.allocate_pages = allocate_pages;
    bs.free_pages = free_pages;
    bs.locate_device_path = locate_device_path;
    the_file = (struct efi_file){.close = file_close,
                                 .read = file_read,
                                 .get_position = file_get_position,
                                 .set_position = file_set_position};
    root_dir = (struct efi_file){.open = dir_open, .close = file_close};
    memset(&st, 0, sizeof st);
    st.hdr.signature = EFI_SYSTEM_TABLE_SIGNATURE;
    st.hdr.header_size = sizeof st;
    st.boot_services = &bs;
    st.con_out = &con_out;
    entered_with = NULL;
    map_buffer = NULL;
    volatile efi_status status = EFI_SUCCESS; /* when efi_enter_kernel was called */
    if (!setjmp(entered))
        status = efi_main((efi_handle)0x1234, &st);
    /* The map buffer is the firmware's memory, the kernel's RAM after the
     * exit: only its address matters to the checks. */
    map_address = (uintptr_t)map_buffer;
    free(map_buffer);
    return status;
}

static void fresh(void)
{
    key = 7;
    stale_exits = exits = maps_after_exit = allocs_after_exit = allocs = 0;
    buffer_after_exit = NULL;
    options_size = 0;
    with_gop = 0;
    interrupts_off = 0;
    con_out_text[0] = '\0';
    memset(efi_builtin_cmdline, 0, sizeof efi_builtin_cmdline);
    lf2_size = file_size = 0;
    lf2_lie = 0;
    file_name = NULL;
    opened_name[0] = '\0';
    asked_max = freed = 0;
    files_open = 0;
    memset(pages, 0, sizeof pages);
}

static int initrd_is(uint64_t size)
{
    if (efi_bootinfo.initrd_base != (uintptr_t)pages || efi_bootinfo.initrd_size != size)
        return 0;
    for (uint64_t i = 0; i < size; i++)
        if (pages[i] != initrd_byte(i))
            return 0;
    return 1;
}

static void set_options(const char *ascii)
{
    size_t n = strlen(ascii);
    for (size_t i = 0; i <= n; i++)
        options[i] = (uint8_t)ascii[i];
    options_size = (uint32_t)(2 * (n + 1));
}

TEST(stale_map_key_is_retried_into_the_same_buffer)
{
    fresh();
    stale_exits = 1;
    set_options("-- one two");
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK(entered_with == &efi_bootinfo);
    CHECK_EQ(exits, 2);
    CHECK_EQ(maps_after_exit, 1);
    CHECK((uintptr_t)buffer_after_exit == map_address); /* the same buffer */
    CHECK_EQ(allocs_after_exit, 0);                     /* nothing allocated after the first exit */
    CHECK(interrupts_off);
    CHECK_EQ(efi_bootinfo.protocol, BOOT_UEFI);
    CHECK_STR(efi_bootinfo.cmdline, "-- one two");
    CHECK_EQ(efi_bootinfo.memmap_count, 6u); /* converted, none adjacent of one type */
    CHECK_EQ(efi_bootinfo.memmap[0].length, 0xA0000u);
    CHECK_EQ(efi_bootinfo.memmap[2].base, 0x800000u);
    CHECK_EQ(efi_bootinfo.memmap[2].type, (uint32_t)MEMMAP_ACPI_NVS);
    CHECK(efi_bootinfo.tsc_hz > 0); /* measured over the (instant) fake Stall */
}

TEST(gives_up_after_bounded_tries)
{
    fresh();
    stale_exits = 100;
    CHECK_EQ(run(), EFI_LOAD_ERROR);
    CHECK(entered_with == NULL);
    CHECK_EQ(exits, 4);
    CHECK_EQ(allocs_after_exit, 0);
}

TEST(bad_load_options_stop_before_leaving_boot_services)
{
    fresh();
    set_options("abc");
    options_size = 3; /* odd */
    CHECK_EQ(run(), EFI_INVALID_PARAMETER);
    CHECK_EQ(exits, 0);
    CHECK(strstr(con_out_text, "anyvm: uefi: load options of odd size 0x3") != NULL);
    CHECK(strstr(con_out_text, "not starting") != NULL);
}

TEST(builtin_cmdline_without_load_options)
{
    fresh();
    strcpy(efi_builtin_cmdline, "anyvm.exit_port=0xf4 -- packed");
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_STR(efi_bootinfo.cmdline, "anyvm.exit_port=0xf4 -- packed");
    memset(efi_builtin_cmdline, 'x', sizeof efi_builtin_cmdline); /* unterminated */
    fresh();
    memset(efi_builtin_cmdline, 'x', sizeof efi_builtin_cmdline);
    CHECK_EQ(run(), EFI_INVALID_PARAMETER);
    CHECK(strstr(con_out_text, "built-in command line is not terminated") != NULL);
}

TEST(graphics_mode_becomes_the_framebuffer)
{
    fresh();
    with_gop = 1;
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_EQ(efi_bootinfo.framebuffer.kind, FRAMEBUFFER_RGB);
    CHECK_EQ(efi_bootinfo.framebuffer.width, 800u);
    CHECK_EQ(efi_bootinfo.framebuffer.pitch, 3200u);
    fresh();
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_EQ(efi_bootinfo.framebuffer.kind, FRAMEBUFFER_NONE);
}

TEST(initrd_from_load_file2_and_the_loaders_word_dropped)
{
    fresh();
    lf2_size = 5000;
    file_size = 100; /* a file too: LoadFile2 comes first */
    file_name = "\\EFI\\BOOT\\initrd.cpio";
    set_options("console=ttyS0 -- a b initrd=initrd");
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK(initrd_is(5000));
    CHECK_EQ(asked_max, 0xFFFFFFFFu); /* below 4 GiB */
    CHECK_STR(efi_bootinfo.cmdline, "console=ttyS0 -- a b");
    CHECK_STR(opened_name, "");
}

TEST(initrd_from_the_named_file)
{
    fresh();
    file_size = 3000;
    file_name = "\\EFI\\BOOT\\initrd.cpio";
    set_options("initrd=/EFI/BOOT/initrd.cpio console=ttyS0 -- x initrd=initrd");
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_STR(opened_name, "\\EFI\\BOOT\\initrd.cpio");
    CHECK(initrd_is(3000));
    CHECK_EQ(files_open, 0); /* file and directory closed */
    /* the word is dropped only when LoadFile2 served the initrd */
    CHECK_STR(efi_bootinfo.cmdline,
              "initrd=/EFI/BOOT/initrd.cpio console=ttyS0 -- x initrd=initrd");
}

TEST(missing_or_lying_sources_leave_no_initrd)
{
    fresh();
    file_size = 10;
    file_name = "\\other";
    set_options("initrd=\\EFI\\BOOT\\initrd.cpio -- x");
    CHECK_EQ(run(), EFI_SUCCESS); /* the kernel starts without one */
    CHECK_EQ(efi_bootinfo.initrd_size, 0u);
    CHECK_EQ(files_open, 0);
    fresh();
    lf2_size = 100;
    lf2_lie = 1; /* a terabyte */
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_EQ(efi_bootinfo.initrd_size, 0u);
    fresh();
    set_options("initrd=caf\xc3\xa9 -- x"); /* not ASCII */
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_EQ(efi_bootinfo.initrd_size, 0u);
    fresh();
    set_options("-- initrd=/EFI/BOOT/initrd.cpio"); /* an argument of the app's */
    file_size = 10;
    file_name = "\\EFI\\BOOT\\initrd.cpio";
    CHECK_EQ(run(), EFI_SUCCESS);
    CHECK_EQ(efi_bootinfo.initrd_size, 0u);
    CHECK_STR(opened_name, "");
}

UNIT_MAIN()
