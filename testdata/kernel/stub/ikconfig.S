/* SPDX-License-Identifier: MIT */
/* kernel/configs.c: the gzip'd .config between two markers, in .rodata. */
	.section ".rodata.ikconfig", "a"
	.globl	kernel_config_data
	.ascii	"IKCFG_ST"
kernel_config_data:
	.incbin	CONFIG_GZ
	.globl	kernel_config_data_end
kernel_config_data_end:
	.ascii	"IKCFG_ED"
