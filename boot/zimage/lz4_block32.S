/* boot/zimage/lz4_block.c for the stub, which runs it in 32-bit protected or
 * compatibility mode: the compiler's 32-bit assembly of it (gcc -m32 -S,
 * named by the Makefile as LZ4_BLOCK_32), assembled as 32-bit code into the
 * 64-bit object the image's ELF64 link needs. */
    .code32
    .include LZ4_BLOCK_32
    .code64
