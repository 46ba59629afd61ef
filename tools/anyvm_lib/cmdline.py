"""The kernel command line: `key=value ...`, then ` -- ` and the app's
arguments. An argument with a blank or an empty one is wrapped in double
quotes, which the kernel's parser removes; the command line has no escape
character, so a double quote inside an argument cannot be carried."""


# What the kernel takes (core/cmdline.h, boot/bootinfo.h): it refuses a line
# beyond these rather than cut it, so the tools check before booting.
MAX_BYTES = 2047      # without the terminating NUL
MAX_PARAMS = 64       # key=value words before ` -- `
MAX_ARGS = 32         # the app's arguments after it


class CmdlineError(ValueError):
    pass


def split_words(line):
    """The words of a command line as the kernel splits them: at blanks,
    double quotes grouping (and removed). An unterminated quote ends the
    last word: the kernel refuses such a line with its own message, and
    these counts only decide whether a line is too big."""
    words, cur, quoted, inword = [], [], False, False
    for c in line:
        if c == '"':
            quoted, inword = not quoted, True
        elif c.isspace() and not quoted:
            if inword:
                words.append("".join(cur))
            cur, inword = [], False
        else:
            cur.append(c)
            inword = True
    if inword:
        words.append("".join(cur))
    return words


def check_limits(line, prefix_bytes=0):
    """Raises CmdlineError when the kernel would refuse line: more than
    MAX_BYTES bytes (with prefix_bytes the loader writes in front of it:
    QEMU's multiboot loader puts the -kernel path and a blank there), more
    than MAX_PARAMS parameters or more than MAX_ARGS arguments."""
    size = len(line.encode()) + prefix_bytes
    if size > MAX_BYTES:
        extra = f" ({prefix_bytes} of them the kernel's path, which QEMU's multiboot loader " \
                "puts first)" if prefix_bytes else ""
        raise CmdlineError(f"the kernel command line would be {size} bytes{extra}; "
                           f"the kernel takes at most {MAX_BYTES}")
    words = split_words(line)
    params = words.index("--") if "--" in words else len(words)
    nargs = len(words) - params - 1 if "--" in words else 0
    if params > MAX_PARAMS:
        raise CmdlineError(f"{params} kernel parameters; the kernel takes at most {MAX_PARAMS}")
    if nargs > MAX_ARGS:
        raise CmdlineError(f"{nargs} arguments for the app; the kernel takes at most {MAX_ARGS}")


def check_text(text, what):
    """Raises CmdlineError when text holds bytes that are not UTF-8 (Python
    gives them to us as lone surrogates, PEP 383): the command line is
    UTF-8 text for the kernel and for GRUB's grub.cfg."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        raise CmdlineError(f"{what} {raw!r}: not UTF-8 text, the only kind the kernel command "
                           "line carries") from None


def quote_arg(arg):
    check_text(arg, "argument")
    if '"' in arg:
        raise CmdlineError(f"argument {arg!r} contains a double quote, "
                           "which the kernel command line cannot carry")
    if arg == "" or any(c.isspace() for c in arg):
        return f'"{arg}"'
    return arg


def compose(kernel_cmdline, app_args):
    """Kernel parameters, and ` -- args` when the app has arguments."""
    if kernel_cmdline:
        check_text(kernel_cmdline, "the kernel parameters")
    parts = [kernel_cmdline.strip()] if kernel_cmdline and kernel_cmdline.strip() else []
    if app_args:
        parts.append("--")
        parts.extend(quote_arg(a) for a in app_args)
    return " ".join(parts)
