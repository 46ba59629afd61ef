"""The disk pattern devinfo checks and writes (apps/devinfo/pattern.c):
byte j of 512-byte unit i under tag T is, for j < 16, the text
"ANYVM-T %07u\\n" % (i % 10**7), and beyond it (i*7 + j + ord(T)) & 0xff."""

UNIT = 512


def unit(i, tag):
    head = b"ANYVM-%s %07d\n" % (tag.encode(), i % 10**7)
    t = ord(tag)
    return head + bytes(((i * 7 + j + t) & 0xFF) for j in range(16, UNIT))


def units(first, count, tag):
    """Units first .. first+count-1 of the pattern."""
    return b"".join(unit(first + k, tag) for k in range(count))


def first_difference(data, first, tag):
    """(unit, byte) of the first difference of data (starting at unit
    `first`) from the pattern, or None."""
    for k in range(len(data) // UNIT):
        want = unit(first + k, tag)
        got = data[k * UNIT:(k + 1) * UNIT]
        if got != want:
            j = next(j for j in range(UNIT) if got[j] != want[j])
            return first + k, j
    if len(data) % UNIT:
        return first + len(data) // UNIT, 0
    return None
