/* The initrd's file name on the command line: `initrd=PATH` among the
 * kernel parameters (before ` -- `), the convention of Linux's EFI stub
 * (Documentation/admin-guide/efi-stub.rst: "initrd=\path\to\file", the
 * path on the volume the image was loaded from). Pure logic. */
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"

#define WHO "uefi"
#define KEY "initrd="

int efi_initrd_path(const char *cmdline, efi_char16 *out, unsigned outlen, char *err,
                    unsigned errlen)
{
    const char *p = cmdline;
    out[0] = 0;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p != '\0' && *p != ' ')
            p++;
        unsigned len = (unsigned)(p - word);
        if (len == 2 && word[0] == '-' && word[1] == '-')
            return 0; /* the app's arguments follow */
        if (len < sizeof KEY - 1 || __builtin_memcmp(word, KEY, sizeof KEY - 1) != 0)
            continue;
        const char *v = word + sizeof KEY - 1;
        unsigned n = (unsigned)(p - v);
        if (n == 0 || n + 2 > outlen) {
            bootinfo_error(err, errlen, WHO, "initrd= path of ", n,
                           n ? " bytes is longer than a file name the entry takes" : " bytes");
            return -1;
        }
        unsigned o = 0;
        if (v[0] != '\\' && v[0] != '/')
            out[o++] = '\\'; /* from the volume's root */
        for (unsigned i = 0; i < n; i++) {
            uint8_t c = (uint8_t)v[i];
            if (c < 0x21 || c > 0x7E || c == '"') {
                bootinfo_error(err, errlen, WHO, "initrd= path has the byte ", c,
                               " where only printable ASCII is taken");
                out[0] = 0;
                return -1;
            }
            out[o++] = c == '/' ? '\\' : c;
        }
        out[o] = 0;
        return 1;
    }
    return 0;
}

/* OVMF's loader for QEMU's -kernel appends " initrd=initrd" to the load
 * options whenever it was given an -initrd (OvmfPkg
 * X86QemuLoadImageLib.c), for kernels that read the file by that name;
 * after ` -- ` it would become an argument the user never gave. */
#define OVMF_WORD " initrd=initrd"
int efi_drop_loader_initrd_word(char *cmdline)
{
    unsigned n = 0, w = sizeof OVMF_WORD - 1;
    while (cmdline[n] != '\0')
        n++;
    if (n < w || __builtin_memcmp(cmdline + n - w, OVMF_WORD, w) != 0)
        return 0;
    cmdline[n - w] = '\0';
    return 1;
}
