# The portable C kernels: every architecture, no flags.
ISA_FOLDERS += portable
ISA_SRC_portable := $(wildcard kernels/portable/*.c)
