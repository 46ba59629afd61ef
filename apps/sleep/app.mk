# sleep drives no device: its image links no bus or driver (see Makefile).
sleep_DEVICES := no
# sleep waits on no descriptor: its image leaves out poll, select and epoll
sleep_POLL := no
