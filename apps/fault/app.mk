# fault drives no device: its image links no bus or driver (see Makefile).
fault_DEVICES := no
