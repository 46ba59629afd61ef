/* The Hyper-V machine's disks: see storvsc_machine.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostsim/hyperv/storvsc_machine.h"
#include "hostsim/log.h"

int hvm_storvsc_check(unsigned ndisks, unsigned luns_per_controller)
{
    if (ndisks > HVM_STORVSC_CONTROLLERS * luns_per_controller) {
        hs_log("--disk: %u disks, but %d controllers of %u LUNs (--scsi-luns) hold %u", ndisks,
               HVM_STORVSC_CONTROLLERS, luns_per_controller,
               HVM_STORVSC_CONTROLLERS * luns_per_controller);
        return -1;
    }
    return 0;
}

int hvm_storvsc_attach(struct hvm_storvsc *s, struct hvm_vmbus *b, const struct hostsim_options *o,
                       unsigned luns_per_controller, int misbehave)
{
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < o->ndisks; i++) {
        const struct hostsim_disk *d = &o->disk[i];
        int fd = open(d->path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            hs_log("--disk %s: %s", d->path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        s->fd[s->nfd++] = fd;
        if (st.st_size < SCSI_DISK_BLOCK || st.st_size % SCSI_DISK_BLOCK != 0) {
            hs_log("--disk %s: %lld bytes; a disk is a whole number of 512-byte blocks", d->path,
                   (long long)st.st_size);
            return -1;
        }
        unsigned c = i / luns_per_controller;
        if (c == s->nctl) {
            storvsc_host_init(&s->ctl[c], c);
            s->nctl++;
        }
        const char *base = strrchr(d->path, '/');
        base = base != NULL ? base + 1 : d->path;
        if (storvsc_host_add_disk(&s->ctl[c], fd, d->read_only, (uint64_t)st.st_size, base) != 0)
            return -1;
        hs_debug("storvsc: controller %u LUN %u: %s, %lld bytes%s", c, s->ctl[c].nluns - 1, d->path,
                 (long long)st.st_size, d->read_only ? ", read-only" : "");
    }
    if (s->nctl > 0)
        s->ctl[0].misbehave = (enum storvsc_host_misbehave)misbehave;
    for (unsigned c = 0; c < s->nctl; c++)
        if (hvm_vmbus_add_storvsc(b, &s->ctl[c]) != 0)
            return -1;
    return 0;
}

void hvm_storvsc_stop(struct hvm_storvsc *s)
{
    for (unsigned c = 0; c < s->nctl; c++)
        hs_debug("storvsc: controller %u: %llu SRBs, %llu bytes read, %llu written, %llu flushes",
                 c, (unsigned long long)s->ctl[c].srbs, (unsigned long long)s->ctl[c].bytes_read,
                 (unsigned long long)s->ctl[c].bytes_written,
                 (unsigned long long)s->ctl[c].flushes);
    for (unsigned i = 0; i < s->nfd; i++)
        close(s->fd[i]);
    s->nfd = 0;
}
