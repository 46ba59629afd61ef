/* The parts of the UEFI interface the EFI entry uses, as the UEFI
 * Specification 2.10 lays them out: the tables (section 4), the boot
 * services it calls (section 7), the loaded-image and graphics-output
 * protocols (sections 9.1 and 12.9) and the memory descriptor (section
 * 7.2, GetMemoryMap). Offsets are pinned with static assertions so that a
 * wrong member order cannot go unnoticed. Every firmware function uses the
 * Microsoft x64 calling convention (section 2.3.4.2), hence EFIAPI. */
#ifndef BOOT_EFI_EFI_SPEC_H
#define BOOT_EFI_EFI_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t efi_char16;

/* Appendix D: error codes have the top bit set. */
#define EFI_SUCCESS 0
#define EFI_ERROR_BIT (1ull << 63)
#define EFI_LOAD_ERROR (EFI_ERROR_BIT | 1)
#define EFI_INVALID_PARAMETER (EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED (EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL (EFI_ERROR_BIT | 5)
#define EFI_NOT_FOUND (EFI_ERROR_BIT | 14)

/* Section 13.2, EFI_LOAD_FILE2_PROTOCOL: LoadFile with BootPolicy FALSE. */
struct efi_load_file2 {
    efi_status(EFIAPI *load_file)(struct efi_load_file2 *self, void *file_path, uint8_t boot_policy,
                                  uint64_t *buffer_size, void *buffer);
};

/* Section 13.4 and 13.5: EFI_SIMPLE_FILE_SYSTEM_PROTOCOL (OpenVolume) and
 * EFI_FILE_PROTOCOL, its members in order up to the last one used. */
struct efi_file {
    uint64_t revision;
    efi_status(EFIAPI *open)(struct efi_file *self, struct efi_file **new_handle,
                             const efi_char16 *name, uint64_t mode, uint64_t attributes);
    efi_status(EFIAPI *close)(struct efi_file *self);
    void *delete_file;
    efi_status(EFIAPI *read)(struct efi_file *self, uint64_t *size, void *buffer);
    void *write;
    efi_status(EFIAPI *get_position)(struct efi_file *self, uint64_t *position);
    efi_status(EFIAPI *set_position)(struct efi_file *self, uint64_t position);
};
#define EFI_FILE_MODE_READ 1ull
struct efi_simple_file_system {
    uint64_t revision;
    efi_status(EFIAPI *open_volume)(struct efi_simple_file_system *self, struct efi_file **root);
};

struct efi_guid {
    uint32_t data1;
    uint16_t data2, data3;
    uint8_t data4[8];
};

/* Section 4.2 */
struct efi_table_header {
    uint64_t signature;
    uint32_t revision;
    uint32_t header_size;
    uint32_t crc32;
    uint32_t reserved;
};

/* Section 12.4, EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL (only OutputString is used). */
struct efi_simple_text_output {
    void *reset;
    efi_status(EFIAPI *output_string)(struct efi_simple_text_output *self,
                                      const efi_char16 *string);
};

/* Section 7.2: EFI_MEMORY_DESCRIPTOR. The firmware's descriptors may be
 * larger than this (DescriptorSize); never index an array of them with
 * sizeof. */
struct efi_memory_descriptor {
    uint32_t type;
    uint32_t pad;
    uint64_t physical_start;
    uint64_t virtual_start;
    uint64_t number_of_pages;
    uint64_t attribute;
};
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "EFI_MEMORY_DESCRIPTOR");

/* Section 7.2, EFI_MEMORY_TYPE */
enum efi_memory_type {
    EFI_RESERVED_MEMORY = 0,
    EFI_LOADER_CODE = 1,
    EFI_LOADER_DATA = 2,
    EFI_BOOT_SERVICES_CODE = 3,
    EFI_BOOT_SERVICES_DATA = 4,
    EFI_RUNTIME_SERVICES_CODE = 5,
    EFI_RUNTIME_SERVICES_DATA = 6,
    EFI_CONVENTIONAL_MEMORY = 7,
    EFI_UNUSABLE_MEMORY = 8,
    EFI_ACPI_RECLAIM_MEMORY = 9,
    EFI_ACPI_MEMORY_NVS = 10,
    EFI_MEMORY_MAPPED_IO = 11,
    EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
    EFI_PAL_CODE = 13,
    EFI_PERSISTENT_MEMORY = 14,
    EFI_UNACCEPTED_MEMORY = 15,
};

#define EFI_PAGE_SIZE 4096ull

/* Section 7, EFI_BOOT_SERVICES: the members before the last one used, in
 * order; those not called are plain pointers. */
struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl, *restore_tpl;
    efi_status(EFIAPI *allocate_pages)(int type, int memory_type, uint64_t pages, uint64_t *memory);
    efi_status(EFIAPI *free_pages)(uint64_t memory, uint64_t pages);
    efi_status(EFIAPI *get_memory_map)(uint64_t *map_size, void *map, uint64_t *map_key,
                                       uint64_t *descriptor_size, uint32_t *descriptor_version);
    efi_status(EFIAPI *allocate_pool)(int pool_type, uint64_t size, void **buffer);
    efi_status(EFIAPI *free_pool)(void *buffer);
    void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
    void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
    efi_status(EFIAPI *handle_protocol)(efi_handle handle, const struct efi_guid *protocol,
                                        void **interface);
    void *reserved, *register_protocol_notify, *locate_handle;
    efi_status(EFIAPI *locate_device_path)(const struct efi_guid *protocol, void **device_path,
                                           efi_handle *device);
    void *install_configuration_table;
    void *load_image, *start_image, *exit, *unload_image;
    efi_status(EFIAPI *exit_boot_services)(efi_handle image, uint64_t map_key);
    void *get_next_monotonic_count;
    efi_status(EFIAPI *stall)(uint64_t microseconds);
    void *set_watchdog_timer;
    void *connect_controller, *disconnect_controller;
    void *open_protocol, *close_protocol, *open_protocol_information;
    void *protocols_per_handle;
    efi_status(EFIAPI *locate_handle_buffer)(int search_type, const struct efi_guid *protocol,
                                             void *search_key, uint64_t *no_handles,
                                             efi_handle **buffer);
    efi_status(EFIAPI *locate_protocol)(const struct efi_guid *protocol, void *registration,
                                        void **interface);
};
_Static_assert(offsetof(struct efi_boot_services, allocate_pages) == 40, "AllocatePages");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 56, "GetMemoryMap");
_Static_assert(offsetof(struct efi_boot_services, handle_protocol) == 152, "HandleProtocol");
_Static_assert(offsetof(struct efi_boot_services, locate_device_path) == 184, "LocateDevicePath");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 232, "ExitBootServices");
_Static_assert(offsetof(struct efi_boot_services, stall) == 248, "Stall");
_Static_assert(offsetof(struct efi_boot_services, locate_handle_buffer) == 312,
               "LocateHandleBuffer");
_Static_assert(offsetof(struct efi_boot_services, locate_protocol) == 320, "LocateProtocol");
_Static_assert(offsetof(struct efi_boot_services, free_pool) == 72, "FreePool");

#define EFI_LOCATE_BY_PROTOCOL 2 /* section 7.3, EFI_LOCATE_SEARCH_TYPE */

#define EFI_ALLOCATE_MAX_ADDRESS 1 /* section 7.2, EFI_ALLOCATE_TYPE */
#define EFI_ALLOCATE_ADDRESS 2

/* Section 4.6 */
struct efi_configuration_table {
    struct efi_guid vendor_guid;
    void *vendor_table;
};
_Static_assert(sizeof(struct efi_configuration_table) == 24, "EFI_CONFIGURATION_TABLE");

/* Section 4.3 */
#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ull /* "IBI SYST" */
struct efi_system_table {
    struct efi_table_header hdr;
    efi_char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    struct efi_simple_text_output *con_out;
    efi_handle standard_error_handle;
    struct efi_simple_text_output *std_err;
    void *runtime_services;
    struct efi_boot_services *boot_services;
    uint64_t number_of_table_entries;
    struct efi_configuration_table *configuration_table;
};
_Static_assert(offsetof(struct efi_system_table, con_out) == 64, "ConOut");
_Static_assert(offsetof(struct efi_system_table, boot_services) == 96, "BootServices");
_Static_assert(sizeof(struct efi_system_table) == 120, "EFI_SYSTEM_TABLE");

/* Section 9.1, EFI_LOADED_IMAGE_PROTOCOL */
struct efi_loaded_image {
    uint32_t revision;
    efi_handle parent_handle;
    struct efi_system_table *system_table;
    efi_handle device_handle;
    void *file_path;
    void *reserved;
    uint32_t load_options_size; /* bytes */
    void *load_options;
    void *image_base;
    uint64_t image_size;
    uint32_t image_code_type, image_data_type;
    void *unload;
};
_Static_assert(offsetof(struct efi_loaded_image, load_options_size) == 48, "LoadOptionsSize");
_Static_assert(offsetof(struct efi_loaded_image, load_options) == 56, "LoadOptions");

/* Section 12.9, EFI_GRAPHICS_OUTPUT_PROTOCOL and its mode */
enum efi_graphics_pixel_format {
    EFI_PIXEL_RGB_RESERVED_8BIT = 0, /* byte 0 red, 1 green, 2 blue */
    EFI_PIXEL_BGR_RESERVED_8BIT = 1, /* byte 0 blue, 1 green, 2 red */
    EFI_PIXEL_BIT_MASK = 2,
    EFI_PIXEL_BLT_ONLY = 3, /* no framebuffer to draw on */
};
struct efi_graphics_output_mode_information {
    uint32_t version;
    uint32_t horizontal_resolution;
    uint32_t vertical_resolution;
    uint32_t pixel_format;
    uint32_t red_mask, green_mask, blue_mask, reserved_mask;
    uint32_t pixels_per_scan_line;
};
_Static_assert(sizeof(struct efi_graphics_output_mode_information) == 36, "mode information");
struct efi_graphics_output_mode {
    uint32_t max_mode;
    uint32_t mode;
    struct efi_graphics_output_mode_information *info;
    uint64_t size_of_info;
    uint64_t frame_buffer_base;
    uint64_t frame_buffer_size;
};
struct efi_graphics_output {
    void *query_mode, *set_mode, *blt;
    struct efi_graphics_output_mode *mode;
};

/* GUIDs: section 9.1.1 (loaded image), 12.9.1 (graphics output), 4.6.1
 * (ACPI 2.0 and 1.0 tables, SMBIOS and SMBIOS 3 entry points). */
#define EFI_LOADED_IMAGE_PROTOCOL_GUID                                                             \
    {                                                                                              \
        0x5b1b31a1, 0x9562, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
#define EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID                                                          \
    {                                                                                              \
        0x9042a9de, 0x23dc, 0x4a38,                                                                \
        {                                                                                          \
            0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a                                         \
        }                                                                                          \
    }
#define EFI_ACPI_20_TABLE_GUID                                                                     \
    {                                                                                              \
        0x8868e871, 0xe4f1, 0x11d3,                                                                \
        {                                                                                          \
            0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81                                         \
        }                                                                                          \
    }
#define EFI_ACPI_10_TABLE_GUID                                                                     \
    {                                                                                              \
        0xeb9d2d30, 0x2d88, 0x11d3,                                                                \
        {                                                                                          \
            0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d                                         \
        }                                                                                          \
    }
#define EFI_SMBIOS_TABLE_GUID                                                                      \
    {                                                                                              \
        0xeb9d2d31, 0x2d88, 0x11d3,                                                                \
        {                                                                                          \
            0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d                                         \
        }                                                                                          \
    }
/* Section 12.6 (serial I/O protocol) and 10.2 (device path protocol). */
#define EFI_SERIAL_IO_PROTOCOL_GUID                                                                \
    {                                                                                              \
        0xbb25cf6f, 0xf1d4, 0x11d2,                                                                \
        {                                                                                          \
            0x9a, 0x0c, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0xfd                                         \
        }                                                                                          \
    }
#define EFI_DEVICE_PATH_PROTOCOL_GUID                                                              \
    {                                                                                              \
        0x09576e91, 0x6d3f, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
/* Section 10.3: a device path is a list of nodes (type, sub-type, 16-bit
 * length) ended by type 0x7f; an ACPI node (type 2, sub-type 1, 12 bytes)
 * holds the device's _HID and _UID, the HID in EISA form
 * (EISA_PNP_ID(n) = n << 16 | 0x41d0, "PNP" compressed). */
#define EFI_DP_TYPE_ACPI 2
#define EFI_DP_SUBTYPE_ACPI 1
#define EFI_DP_TYPE_END 0x7f
#define EFI_EISA_PNP_ID(n) ((uint32_t)(n) << 16 | 0x41d0)
/* Section 13.2 (load file 2), 13.4 (simple file system), and the vendor
 * media device path under which Linux's EFI stub and the loaders that
 * serve it (OVMF's for QEMU -kernel -initrd, GRUB, systemd-boot) offer the
 * initrd through LoadFile2: LINUX_EFI_INITRD_MEDIA_GUID, Linux
 * include/linux/efi.h. */
#define EFI_LOAD_FILE2_PROTOCOL_GUID                                                               \
    {                                                                                              \
        0x4006c0c1, 0xfcb3, 0x403e,                                                                \
        {                                                                                          \
            0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d                                         \
        }                                                                                          \
    }
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID                                                       \
    {                                                                                              \
        0x964e5b22, 0x6459, 0x11d2,                                                                \
        {                                                                                          \
            0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b                                         \
        }                                                                                          \
    }
#define LINUX_EFI_INITRD_MEDIA_GUID                                                                \
    {                                                                                              \
        0x5568e427, 0x68fc, 0x4f3d,                                                                \
        {                                                                                          \
            0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68                                         \
        }                                                                                          \
    }
#define EFI_DP_TYPE_MEDIA 4
#define EFI_DP_SUBTYPE_VENDOR_MEDIA 3
#define EFI_DP_SUBTYPE_END_ENTIRE 0xff
#define EFI_SMBIOS3_TABLE_GUID                                                                     \
    {                                                                                              \
        0xf2fd1544, 0x9794, 0x4a2c,                                                                \
        {                                                                                          \
            0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94                                         \
        }                                                                                          \
    }

#endif
