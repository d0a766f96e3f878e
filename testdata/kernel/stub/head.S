/* SPDX-License-Identifier: MIT */
/*
 * The 64-byte arm64 Image header, as arch/arm64/kernel/head.S writes it
 * (Documentation/arch/arm64/booting.rst). IMAGE_FLAGS comes from the build:
 * bit 0 endianness, bits 1-2 page size (1 = 4K, 2 = 16K, 3 = 64K).
 */
	.section ".head.text", "ax"
	.globl	_text
_text:
	.long	0x14000010		/* code0: b +64, past the header */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_kernel_size		/* image_size, from the linker script */
	.quad	IMAGE_FLAGS		/* flags */
	.quad	0, 0, 0			/* res2..res4 */
#ifdef NO_MAGIC
	.ascii	"none"			/* header damaged: page size must come from elsewhere */
#else
	.ascii	"ARM\x64"		/* magic */
#endif
	.long	0			/* res5 */
