/* The failure path for an image that does not fit in RAM, taken by the entry
 * code (entry.S) before it touches .bss: with too little memory the tail of
 * the image - page tables, boot stack, every variable - is not there, so
 * nothing here uses a stack or writes memory. It lives in .text.entry, next
 * to the entry points, which the loader has certainly written if they run.
 *
 * It prints the panic and the status line on COM1 (polled, the UART as the
 * firmware left it), writes status 127 to the exit port if the command line
 * names one, and stops: interrupts off, halt for good. The command line is
 * found through the protocol's pointer and searched with the rule of
 * exit_port_scan (arch/x86_64/power_policy.c): the last word
 * "anyvm.exit_port=VALUE" before a "--" word, VALUE decimal or 0x-hex in
 * 1-0xffff with at most 6 digits. No reset and no ACPI: there is no memory to parse ACPI with, and
 * a reset would boot the image again (QEMU without -no-reboot). Firecracker
 * never gets here: its memory comes in whole MiB and it refuses an image
 * that does not fit.
 *
 * Runs in 32-bit protected mode (multiboot, PVH entries: paging off) or in
 * compatibility mode (Linux 64-bit entry: the loader's identity map, which
 * the boot protocol guarantees for the image, the zero page and the command
 * line). In: EBP = the entry path (1 multiboot, 2 PVH, 3 Linux), ESI = the
 * loader's pointer, EDI = EAX at entry. */

#define COM1 0x3F8
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20
#define POLL_LIMIT 100000
#define MB_LOADER_MAGIC 0x2BADB002
#define PVH_MAGIC 0x336EC578
#define CMDLINE_MAX 2048
#define EARLY_MAPPED 0x40000000 /* the least the loaders here identity-map */
#define PANIC_STATUS 127
#define EXIT_PORT_MAX_DIGITS 6 /* as arch/x86_64/power_policy.h */

/* The byte in the 8-bit register \byte (not AL) to COM1, once the
 * transmitter is empty or after POLL_LIMIT polls. Clobbers EAX, EDX, ESI. */
.macro COM1_PUTC byte
    movl $POLL_LIMIT, %esi
    movw $(COM1 + UART_LSR), %dx
.Lpoll\@:
    inb %dx, %al
    testb $LSR_THR_EMPTY, %al
    jnz .Lsend\@
    decl %esi
    jnz .Lpoll\@
.Lsend\@:
    movw $COM1, %dx
    movb \byte, %al
    outb %al, %dx
.endm

/* To \target when AL is a blank: the word separators of exit_port_scan
 * (space, tab, newline). */
.macro JUMP_IF_BLANK target
    cmpb $' ', %al
    je \target
    cmpb $'\t', %al
    je \target
    cmpb $'\n', %al
    je \target
.endm

/* To \target when the cursor \cur has reached EDI (the end of the command
 * line) or a NUL or blank byte; else that byte in EAX. */
.macro JUMP_IF_WORD_END cur, target
    cmpl %edi, \cur
    jae \target
    movzbl (\cur), %eax
    testb %al, %al
    jz \target
    JUMP_IF_BLANK \target
.endm

    .section .text.entry, "ax"
    .code32

/* putc: the byte in CL to COM1; returns to EDI. Clobbers EAX, EDX, ESI. */
early_putc:
    COM1_PUTC %cl
    jmp *%edi

    .globl early_fail32
early_fail32:
    cli
    cld
    /* 1. The command line's address into EBX (0: none). */
    xorl %ebx, %ebx
    cmpl $(EARLY_MAPPED - 0x1000), %esi
    jae .Lcmdline_done
    cmpl $1, %ebp
    jne 1f
    cmpl $MB_LOADER_MAGIC, %edi
    jne .Lcmdline_done
    testl $4, (%esi)               /* flags bit 2: cmdline valid */
    jz .Lcmdline_done
    movl 16(%esi), %ebx
    jmp .Lcmdline_done
1:  cmpl $2, %ebp
    jne 2f
    cmpl $PVH_MAGIC, (%esi)
    jne .Lcmdline_done
    cmpl $0, 28(%esi)              /* cmdline_paddr above 4 GiB */
    jne .Lcmdline_done
    movl 24(%esi), %ebx
    jmp .Lcmdline_done
2:  cmpl $3, %ebp
    jne .Lcmdline_done
    cmpl $0, 0xC8(%esi)            /* ext_cmd_line_ptr */
    jne .Lcmdline_done
    movl 0x228(%esi), %ebx         /* cmd_line_ptr */
.Lcmdline_done:
    cmpl $(EARLY_MAPPED - CMDLINE_MAX), %ebx
    jb 3f
    xorl %ebx, %ebx
3:
    /* 2. Scan it: ESI = cursor, EDI = end, EBP = the port (0: none). */
    xorl %ebp, %ebp
    testl %ebx, %ebx
    jz .Lscan_done
    movl %ebx, %esi
    leal CMDLINE_MAX(%ebx), %edi
.Lword:
    cmpl %edi, %esi
    jae .Lscan_done
    movb (%esi), %al
    testb %al, %al
    jz .Lscan_done
    JUMP_IF_BLANK 4f
    jmp .Lword_start
4:  incl %esi
    jmp .Lword
.Lword_start:
    /* A "--" word: the app's arguments follow. */
    cmpb $'-', %al
    jne 5f
    leal 2(%esi), %edx
    cmpl %edi, %edx
    jae 5f
    cmpb $'-', 1(%esi)
    jne 5f
    movb 2(%esi), %al
    testb %al, %al
    jz .Lscan_done
    JUMP_IF_BLANK .Lscan_done
5:  /* "anyvm.exit_port=" ? */
    movl $early_key, %ebx
    movl %esi, %edx
6:  movb (%ebx), %al
    testb %al, %al
    jz .Lvalue
    cmpl %edi, %edx
    jae .Lscan_done
    cmpb (%edx), %al
    jne .Lskip_word
    incl %ebx
    incl %edx
    jmp 6b
.Lvalue:
    /* EDX = the value; ECX = number, EBX = digits. */
    xorl %ecx, %ecx
    xorl %ebx, %ebx
    leal 2(%edx), %eax
    cmpl %edi, %eax
    jae .Ldecimal
    cmpb $'0', (%edx)
    jne .Ldecimal
    movb 1(%edx), %al
    orb $0x20, %al
    cmpb $'x', %al
    jne .Ldecimal
    addl $2, %edx
.Lhex:
    JUMP_IF_WORD_END %edx, .Lvalue_end
    subl $'0', %eax
    cmpl $9, %eax
    jbe 7f
    orl $0x20, %eax                /* 'A'-'F' - '0' -> 'a'-'f' - '0' */
    subl $('a' - '0'), %eax
    cmpl $5, %eax
    ja .Lbad_value
    addl $10, %eax
7:  shll $4, %ecx
    addl %eax, %ecx
    cmpl $0xFFFF, %ecx
    ja .Lbad_value
    incl %ebx
    incl %edx
    jmp .Lhex
.Ldecimal:
    JUMP_IF_WORD_END %edx, .Lvalue_end
    subl $'0', %eax
    cmpl $9, %eax
    ja .Lbad_value
    leal (%ecx, %ecx, 4), %ecx     /* ECX * 10 + digit */
    addl %ecx, %ecx
    addl %eax, %ecx
    cmpl $0xFFFF, %ecx
    ja .Lbad_value
    incl %ebx
    incl %edx
    jmp .Ldecimal
.Lvalue_end:
    testl %ebx, %ebx
    jz .Lbad_value
    cmpl $EXIT_PORT_MAX_DIGITS, %ebx
    ja .Lbad_value
    testl %ecx, %ecx
    jz .Lbad_value
    movl %ecx, %ebp                /* the last occurrence counts */
    movl %edx, %esi
    jmp .Lword
.Lbad_value:
    xorl %ebp, %ebp
    movl %edx, %esi
.Lskip_word:
    cmpl %edi, %esi
    jae .Lscan_done
    movb (%esi), %al
    testb %al, %al
    jz .Lscan_done
    JUMP_IF_BLANK .Lword
    incl %esi
    jmp .Lskip_word
.Lscan_done:

    /* 3. The message, with the address RAM has to reach. EBP is kept. */
    movl $early_msg_1, %ebx
    movl $8f, %edi
    jmp .Lputs
8:  movl $__bss_end, %ebx
    movb $8, %ch
9:  roll $4, %ebx
    movb %bl, %cl
    andb $15, %cl
    addb $'0', %cl
    cmpb $'9', %cl
    jbe 10f
    addb $('a' - '0' - 10), %cl
10: movl $11f, %edi
    jmp early_putc
11: decb %ch
    jnz 9b
    movl $early_msg_2, %ebx
    movl $12f, %edi
    jmp .Lputs
12:
    /* 4. The status to the exit port, if named; then stop. */
    testl %ebp, %ebp
    jz 13f
    movl %ebp, %edx
    movb $PANIC_STATUS, %al
    outb %al, %dx
13: cli
    hlt
    jmp 13b

/* The string at EBX to COM1; returns to EDI. Clobbers EAX, EBX, EDX, ESI;
 * keeps ECX and EBP. */
.Lputs:
    movb (%ebx), %ah
    testb %ah, %ah
    jz 14f
    COM1_PUTC %ah
    incl %ebx
    jmp .Lputs
14: jmp *%edi

/* For the Linux 64-bit entry: reload the data segments from early_gdt,
 * then the same path. */
    .globl early_fail_compat
early_fail_compat:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    jmp early_fail32

    /* Data from here to early_fail_data_end, in the entry code's section
     * so that it lies as low as the code (RAM may end just above it); the
     * tests that disassemble the image skip it by these two symbols. */
    .balign 8
    .globl early_gdt, early_gdt_ptr, early_fail_data_end
early_gdt:
    .quad 0
    .quad 0x00CF9B000000FFFF       /* 0x08: 32-bit code, accessed (never written) */
    .quad 0x00CF93000000FFFF       /* 0x10: data, accessed */
early_gdt_end:
early_gdt_ptr:
    .word early_gdt_end - early_gdt - 1
    .quad early_gdt

    .globl early_fail_far
early_fail_far:                    /* m16:32 far pointer for ljmpl */
    .long early_fail_compat
    .word 0x08

early_key:
    .asciz "anyvm.exit_port="
early_msg_1:
    .asciz "\nanyvm: panic: not enough memory: the image needs RAM up to 0x"
early_msg_2:
    .asciz " (the end of its .bss; `make bench` prints the memory floor)\nanyvm: exit status 127\n"
early_fail_data_end:
