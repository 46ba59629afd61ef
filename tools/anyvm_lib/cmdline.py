"""The kernel command line: `key=value ...`, then ` -- ` and the app's
arguments. An argument with a blank or an empty one is wrapped in double
quotes, which the kernel's parser removes; the command line has no escape
character, so a double quote inside an argument cannot be carried."""


class CmdlineError(ValueError):
    pass


def quote_arg(arg):
    if '"' in arg:
        raise CmdlineError(f"argument {arg!r} contains a double quote, "
                           "which the kernel command line cannot carry")
    if arg == "" or any(c.isspace() for c in arg):
        return f'"{arg}"'
    return arg


def compose(kernel_cmdline, app_args):
    """Kernel parameters, and ` -- args` when the app has arguments."""
    parts = [kernel_cmdline.strip()] if kernel_cmdline and kernel_cmdline.strip() else []
    if app_args:
        parts.append("--")
        parts.extend(quote_arg(a) for a in app_args)
    return " ".join(parts)
