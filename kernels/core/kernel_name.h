/* How a kernel template names what it defines, from its stem WG_K_STEM
 * (the kernel's name, kernel.h): static functions wg_<stem>_<part>, and
 * through kernel_def.h the descriptor wg_kernel_<stem> named "<stem>". */
#ifndef WG_KERNEL_NAME_H
#define WG_KERNEL_NAME_H
#define WG_K_CAT_(a, b) a##b
#define WG_K_CAT(a, b) WG_K_CAT_(a, b)
#define WG_K_STR_(s) #s
#define WG_K_STR(s) WG_K_STR_(s)
#define WG_K_FN(part) WG_K_CAT(WG_K_CAT(wg_, WG_K_STEM), _##part)
#endif
