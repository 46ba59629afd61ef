/* What `anyvm run` shows of the guest's serial line (docs/cli.md, `anyvm
 * run`, "What run shows"). The firmware before the kernel (SeaBIOS, GRUB) writes
 * terminal control sequences for a screen: ESC c (reset), ESC [?7l (line
 * wrap off), ESC [2J (clear), colours. Passed to the user's terminal they
 * turn wrapping off and change colours after the VM has ended. So until the
 * kernel's first line (`anyvm <version>`) every escape sequence is dropped;
 * from there on the guest's output passes unchanged, an app's own colours
 * included. Line ends become plain LF everywhere (the serial console writes
 * CR LF, as terminals on a serial line expect).
 *
 * Escape sequences as ECMA-48 (5th edition) defines them: CSI (ESC [) with
 * parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F and a final byte
 * 0x40-0x7E; OSC (ESC ]) up to BEL or ST (ESC \); otherwise ESC,
 * intermediate bytes 0x20-0x2F, and one final byte 0x30-0x7E (ESC c, ESC 7,
 * ESC ( B). */
#ifndef LAUNCHER_SERIAL_FILTER_H
#define LAUNCHER_SERIAL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

enum serial_filter_state {
    SF_TEXT,
    SF_ESC,
    SF_ESC_FINAL,
    SF_CSI,
    SF_OSC,
    SF_OSC_ESC,
};

/* The banner is "anyvm " at a line start; the line is kept only that far. */
#define SERIAL_FILTER_BANNER "anyvm "
#define SERIAL_FILTER_BANNER_LEN 6

struct serial_filter {
    enum serial_filter_state state;
    bool kernel;   /* the kernel's banner has been seen */
    bool cr;       /* a CR is held back: LF after it makes one LF */
    size_t line;   /* bytes of the current line that match the banner so far */
    bool mismatch; /* the current line can no longer be the banner */
};

void serial_filter_init(struct serial_filter *f);

/* Filters n bytes (a sequence may be cut between two calls) into out, which
 * has room for n + 1 bytes (a held CR comes out with the next byte);
 * returns the bytes written to out. */
size_t serial_filter_feed(struct serial_filter *f, const unsigned char *in, size_t n,
                          unsigned char *out);

/* Whatever was held back at the end: a last CR (0 or 1 byte into out). */
size_t serial_filter_finish(struct serial_filter *f, unsigned char *out);

#endif
