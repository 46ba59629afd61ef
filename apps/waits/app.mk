# waits drives no device: its image links no bus or driver (see Makefile).
waits_DEVICES := no
