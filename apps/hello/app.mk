# hello drives no device: its image links no bus or driver (see Makefile).
hello_DEVICES := no
