/* The console as a terminal. Writes go to every console (console_write);
 * there is no console input yet, so reads see end of file at once. It
 * answers the terminal requests a C library makes to decide how to buffer
 * (musl 1.2.3 asks TIOCGWINSZ of stdout and line-buffers it when that succeeds,
 * src/stdio/__stdout_write.c) and what isatty and tcgetattr need: 80x24 and
 * the settings Linux gives a fresh terminal (drivers/tty/tty_io.c,
 * tty_std_termios; the control characters of
 * include/linux/termios_internal.h, INIT_C_CC). Settings and size the
 * application sets are kept and reported back; nothing interprets them. */
#include "sys/console_file.h"

#include "core/console.h"
#include "sys/uaccess.h"

/* Linux's /dev/console: character device 5:1 (Documentation/admin-guide/devices.txt). */
#define CONSOLE_MAJOR 5
#define CONSOLE_MINOR 1

/* include/uapi/asm-generic/termbits.h, termbits-common.h */
#define T_ICRNL 0x100
#define T_IXON 0x400
#define T_OPOST 0x1
#define T_ONLCR 0x4
#define T_B38400 0xf
#define T_CS8 0x30
#define T_CREAD 0x80
#define T_HUPCL 0x400
#define T_ISIG 0x1
#define T_ICANON 0x2
#define T_ECHO 0x8
#define T_ECHOE 0x10
#define T_ECHOK 0x20
#define T_ECHOCTL 0x200
#define T_ECHOKE 0x800
#define T_IEXTEN 0x8000
#define CTRL(c) ((c)-0x40)

static const struct linux_termios default_termios = {
    .c_iflag = T_ICRNL | T_IXON,
    .c_oflag = T_OPOST | T_ONLCR,
    .c_cflag = T_B38400 | T_CS8 | T_CREAD | T_HUPCL,
    .c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_ECHOCTL | T_ECHOKE | T_IEXTEN,
    /* VINTR VQUIT VERASE VKILL VEOF VTIME VMIN VSWTC VSTART VSTOP VSUSP VEOL
     * VREPRINT VDISCARD VWERASE VLNEXT VEOL2 */
    .c_cc = {CTRL('C'), CTRL('\\'), 0x7f, CTRL('U'), CTRL('D'), 0, 1, 0, CTRL('Q'), CTRL('S'),
             CTRL('Z'), 0, CTRL('R'), CTRL('O'), CTRL('W'), CTRL('V'), 0},
};
static const struct linux_winsize default_winsize = {.ws_row = 24, .ws_col = 80};

/* What the application set; the defaults until it does (sys_console_reset). */
static struct linux_termios termios;
static struct linux_winsize winsize;
static bool set_termios, set_winsize;

static long console_read(struct sys_file *f, void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return 0;
}

static long console_file_write(struct sys_file *f, const void *buf, size_t n)
{
    (void)f;
    if (n != 0)
        console_write(buf, n);
    return (long)n;
}

static long console_ioctl(struct sys_file *f, unsigned int cmd, long arg)
{
    (void)f;
    switch (cmd) {
    case LINUX_TCGETS:
        return user_write(arg, set_termios ? &termios : &default_termios, sizeof termios)
                   ? 0
                   : -LINUX_EFAULT;
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: {
        struct linux_termios t;
        if (!user_read(&t, arg, sizeof t))
            return -LINUX_EFAULT;
        termios = t;
        set_termios = true;
        return 0;
    }
    case LINUX_TIOCGWINSZ:
        return user_write(arg, set_winsize ? &winsize : &default_winsize, sizeof winsize)
                   ? 0
                   : -LINUX_EFAULT;
    case LINUX_TIOCSWINSZ: {
        struct linux_winsize w;
        if (!user_read(&w, arg, sizeof w))
            return -LINUX_EFAULT;
        winsize = w;
        set_winsize = true;
        return 0;
    }
    case LINUX_FIONREAD: {
        int32_t none = 0; /* nothing ever waits to be read */
        return user_write(arg, &none, sizeof none) ? 0 : -LINUX_EFAULT;
    }
    default:
        return -LINUX_ENOTTY;
    }
}

static void console_fstat(struct sys_file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = LINUX_S_IFCHR | 0620;
    st->st_rdev = linux_makedev(CONSOLE_MAJOR, CONSOLE_MINOR);
    st->st_blksize = 1024;
}

/* Reads never wait (end of file) and writes never wait. */
static unsigned console_poll(struct sys_file *f)
{
    (void)f;
    return LINUX_POLLIN | LINUX_POLLOUT;
}

static const struct sys_file_ops console_ops = {
    .kind = "console",
    .mode = LINUX_S_IFCHR,
    .read = console_read,
    .write = console_file_write,
    .ioctl = console_ioctl,
    .fstat = console_fstat,
    .poll = console_poll,
};

struct sys_file sys_console_file = {.ops = &console_ops, .refs = 3, .flags = LINUX_O_RDWR};

void sys_console_reset(void)
{
    sys_console_file.refs = 0;
    sys_console_file.flags = LINUX_O_RDWR;
    set_termios = set_winsize = false;
}
