# sleep drives no device: its image links no bus or driver (see Makefile).
sleep_DEVICES := no
