# devinfo still calls the kernel's device classes directly: it sees the
# kernel's headers until the public API (include/anyvm/) covers disks,
# network devices and the inventory (see Makefile, APP_INCLUDES).
devinfo_KERNEL_HEADERS := yes
