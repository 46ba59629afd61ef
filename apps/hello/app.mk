# hello drives no device: its image links no bus or driver (see Makefile).
hello_DEVICES := no
# hello waits on no descriptor: its image leaves out poll, select and epoll
hello_POLL := no
