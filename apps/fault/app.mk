# fault drives no device: its image links no bus or driver (see Makefile).
fault_DEVICES := no
# fault waits on no descriptor: its image leaves out poll, select and epoll
fault_POLL := no
