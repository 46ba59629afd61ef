/* The compressed kernel: the LZ4 block tools/zimage.py wrote, named by the
 * Makefile (ZIMAGE_PAYLOAD; ZIMAGE_INFO below: paths in quotes). */
    .section .zimage.payload, "a"
    .globl zimage_payload, zimage_payload_end
zimage_payload:
    .incbin ZIMAGE_PAYLOAD
zimage_payload_end:

/* The kernel's .anyvm_info bytes (empty when it has none), for the tools. */
    .section .anyvm_info, "", @progbits
    .incbin ZIMAGE_INFO
