/* The serial filter's state machine (serial_filter.h says what it keeps and
 * drops, and why). */
#include "tools/launcher/serial_filter.h"

#include <string.h>

enum { ESC = 0x1b, BEL = 0x07, CR = 0x0d, LF = 0x0a };

void serial_filter_init(struct serial_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->state = SF_TEXT;
}

/* One byte of text: a CR is held until the next byte says whether it ends
 * a CR LF pair; before the banner, the line is matched against it. */
static size_t put_text(struct serial_filter *f, unsigned char byte, unsigned char *out)
{
    size_t n = 0;
    if (f->cr) {
        f->cr = false;
        if (byte != LF)
            out[n++] = CR;
    }
    if (byte == CR) {
        f->cr = true;
        return n;
    }
    out[n++] = byte;
    if (!f->kernel) {
        if (byte == LF) {
            f->line = 0;
            f->mismatch = false;
        } else if (!f->mismatch) {
            if (f->line < SERIAL_FILTER_BANNER_LEN &&
                (unsigned char)SERIAL_FILTER_BANNER[f->line] == byte) {
                f->line++;
                if (f->line == SERIAL_FILTER_BANNER_LEN)
                    f->kernel = true;
            } else {
                f->mismatch = true;
            }
        }
    }
    return n;
}

size_t serial_filter_feed(struct serial_filter *f, const unsigned char *in, size_t n,
                          unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = in[i];
        switch (f->state) {
        case SF_TEXT:
            if (b == ESC && !f->kernel)
                f->state = SF_ESC;
            else
                o += put_text(f, b, out + o);
            break;
        case SF_ESC:
            if (b == '[')
                f->state = SF_CSI;
            else if (b == ']')
                f->state = SF_OSC;
            else if (b >= 0x20 && b <= 0x2f)
                f->state = SF_ESC_FINAL;
            else
                f->state = SF_TEXT; /* ESC and its final byte: dropped */
            break;
        case SF_ESC_FINAL:
            if (!(b >= 0x20 && b <= 0x2f))
                f->state = SF_TEXT;
            break;
        case SF_CSI:
            if (b >= 0x40 && b <= 0x7e) {
                f->state = SF_TEXT;
            } else if (!(b >= 0x20 && b <= 0x3f)) {
                /* not a CSI byte: the sequence was broken, the byte is text */
                f->state = SF_TEXT;
                o += put_text(f, b, out + o);
            }
            break;
        case SF_OSC:
            if (b == BEL)
                f->state = SF_TEXT;
            else if (b == ESC)
                f->state = SF_OSC_ESC;
            break;
        case SF_OSC_ESC:
            f->state = b == '\\' ? SF_TEXT : SF_OSC;
            break;
        }
    }
    return o;
}

size_t serial_filter_finish(struct serial_filter *f, unsigned char *out)
{
    if (!f->cr)
        return 0;
    f->cr = false;
    out[0] = CR;
    return 1;
}
