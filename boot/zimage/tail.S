/* The self-decompressing image's last part, after the payload and out of
 * the way of the output (tools/zimage.py places the payload so that the
 * output, growing from the kernel's load address, never reaches an input
 * byte not yet read, and this part lies beyond both): decodes the kernel
 * to its load address with boot/zimage/lz4_block.c, then enters it the way
 * the loader entered this image, with the same registers.
 *
 * In: EDI = EAX at entry, ESI = the loader's pointer, EBP = the entry path
 * (1 multiboot, 2 PVH: 32-bit protected mode, paging off; 3 Linux 64-bit:
 * compatibility mode on the loader's identity map, the full RSI in
 * zimage_boot_params). */

#define BOOT_LINUX64 3
#define COM1 0x3F8
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define POLL_LIMIT 100000
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18
#define STACK_BYTES 1024

    .section .text.zimage, "ax"
    .code32
/* From head.S's Linux entry: the data segments from zimage_gdt. */
zimage_compat:
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    .globl zimage_decode32
zimage_decode32:
    movl $zimage_stack_top, %esp
    /* lz4_block_decode(zk_load, zk_size, payload, payload size, &out):
     * cdecl, so EDI, ESI and EBP survive the call. */
    subl $4, %esp
    movl %esp, %eax
    pushl %eax
    pushl $zimage_payload_size
    pushl $zimage_payload
    pushl $zk_size
    pushl $zk_load
    call lz4_block_decode
    addl $20, %esp
    testl %eax, %eax
    jnz zimage_fail
    movl $5, %eax                   /* decoded fewer bytes than the kernel has */
    cmpl $zk_size, (%esp)
    jne zimage_fail

    cmpl $BOOT_LINUX64, %ebp
    je 1f
    movl %edi, %eax
    movl %esi, %ebx
    cmpl $1, %ebp
    je zk_multiboot_entry
    jmp zk_pvh_entry
1:  ljmp $SEL_CODE64, $2f
    .code64
2:  movq zimage_boot_params(%rip), %rsi
    movl $zk_linux64_entry, %eax
    jmp *%rax

    .code32
/* EAX = the decoder's status (boot/zimage/lz4_block.h; 5: too short): the
 * message on COM1, polled, and a halt for good. */
zimage_fail:
    movl %eax, %ebp
    movl $zimage_msg_1, %ebx
    movl $3f, %edi
    jmp zimage_puts
3:  movl %ebp, %eax
    addb $'0', %al
    movb %al, zimage_msg_2
    movl $zimage_msg_2, %ebx
    movl $4f, %edi
    jmp zimage_puts
4:  cli
    hlt
    jmp 4b

/* The string at EBX to COM1; returns to EDI. Clobbers EAX, ECX, EDX. */
zimage_puts:
    movb (%ebx), %ah
    testb %ah, %ah
    jz 7f
    movl $POLL_LIMIT, %ecx
    movw $(COM1 + UART_LSR), %dx
5:  inb %dx, %al
    testb $LSR_THR_EMPTY, %al
    jnz 6f
    decl %ecx
    jnz 5b
6:  movw $COM1, %dx
    movb %ah, %al
    outb %al, %dx
    incl %ebx
    jmp zimage_puts
7:  jmp *%edi

    .section .data.zimage, "aw"
    .balign 8
    .globl zimage_boot_params, zimage_gdt_ptr, zimage_compat_far
zimage_boot_params:
    .quad 0
zimage_gdt:
    .quad 0
    .quad 0x00CF9B000000FFFF        /* 0x08: 32-bit code, accessed (never written) */
    .quad 0x00CF93000000FFFF        /* 0x10: data, accessed */
    .quad 0x00AF9B000000FFFF        /* 0x18: 64-bit code, accessed */
zimage_gdt_end:
zimage_gdt_ptr:
    .word zimage_gdt_end - zimage_gdt - 1
    .quad zimage_gdt
zimage_compat_far:                  /* m16:32 far pointer for ljmpl */
    .long zimage_compat
    .word SEL_CODE32
zimage_msg_1:
    .asciz "\nanyvm: panic: the compressed kernel in this image does not decode (LZ4 status "
zimage_msg_2:                       /* its first byte: the status digit */
    .asciz "?)\nanyvm: exit status 127\n"
    .section .bss.zimage, "aw", @nobits
    .balign 16
    .skip STACK_BYTES
zimage_stack_top:
