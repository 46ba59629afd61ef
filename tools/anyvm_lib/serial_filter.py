"""What `anyvm run` shows of the guest's serial line. The firmware before
the kernel (SeaBIOS, GRUB) writes terminal control sequences for a screen:
ESC c (reset), ESC [?7l (line wrap off), ESC [2J (clear), colours. Passed to
the user's terminal they turn wrapping off and change colours after the VM
has ended. So until the kernel's first line (`anyvm <version>`) every escape
sequence is dropped; from there on the guest's output passes unchanged, an
app's own colours included. Line ends become plain LF everywhere (the
serial console writes CR LF, as terminals on a serial line expect).

Escape sequences as ECMA-48 (5th edition) defines them: CSI (ESC [) with
parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F and a final byte
0x40-0x7E; OSC (ESC ]) up to BEL or ST (ESC \\); otherwise ESC, intermediate
bytes 0x20-0x2F, and one final byte 0x30-0x7E (ESC c, ESC 7, ESC ( B)."""

ESC, BEL, CR, LF = 0x1B, 0x07, 0x0D, 0x0A
BANNER = b"anyvm "


class SerialFilter:
    """A binary stream to write the serial bytes to, in chunks as they come
    (a sequence may be cut between two chunks)."""

    def __init__(self, sink):
        self.sink = sink
        self.kernel = False      # the kernel's banner has been seen
        self.line = bytearray()  # the current line's text so far, while not self.kernel
        self.state = "text"      # text, esc, csi, osc, osc_esc, esc_final
        self.cr = False          # a CR is held back: LF after it makes one LF

    def _put_text(self, byte, out):
        if self.cr:
            self.cr = False
            if byte != LF:
                out.append(CR)
        if byte == CR:
            self.cr = True
            return
        out.append(byte)
        if not self.kernel:
            if byte == LF:
                self.line.clear()
            else:
                self.line.append(byte)
                if self.line == BANNER:
                    self.kernel = True

    def write(self, data):
        out = bytearray()
        for byte in data:
            s = self.state
            if s == "text":
                if byte == ESC and not self.kernel:
                    self.state = "esc"
                else:
                    self._put_text(byte, out)
            elif s == "esc":
                if byte == ord("["):
                    self.state = "csi"
                elif byte == ord("]"):
                    self.state = "osc"
                elif 0x20 <= byte <= 0x2F:
                    self.state = "esc_final"
                else:
                    self.state = "text"          # ESC and its final byte: dropped
            elif s == "esc_final":
                if not 0x20 <= byte <= 0x2F:
                    self.state = "text"
            elif s == "csi":
                if 0x40 <= byte <= 0x7E:
                    self.state = "text"
                elif not 0x20 <= byte <= 0x3F:   # not a CSI byte: the sequence was broken
                    self.state = "text"
                    self._put_text(byte, out)
            elif s == "osc":
                if byte == BEL:
                    self.state = "text"
                elif byte == ESC:
                    self.state = "osc_esc"
            elif s == "osc_esc":
                self.state = "text" if byte == ord("\\") else "osc"
        if out:
            self.sink.write(bytes(out))
        return len(data)

    def flush(self):
        self.sink.flush()

    def close(self):
        """Whatever was held back: a last CR."""
        if self.cr:
            self.cr = False
            self.sink.write(b"\r")
        self.sink.flush()
