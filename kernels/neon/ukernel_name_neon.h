/* Names derived from WG_NK_STEM for the NEON templates: the kernel symbol
 * wg_kernel_<stem>, its name string "<stem>", and static helpers
 * wg_<stem>_<part>. */
#ifndef WG_UKERNEL_NAME_NEON_H
#define WG_UKERNEL_NAME_NEON_H
#define WG_NK_CAT3_(a, b, c) a##b##c
#define WG_NK_CAT3(a, b, c) WG_NK_CAT3_(a, b, c)
#define WG_NK_STR_(s) #s
#define WG_NK_STR(s) WG_NK_STR_(s)
#define WG_NK_FN(part) WG_NK_CAT3(wg_, WG_NK_STEM, _##part)
#define WG_NK_SYM WG_NK_CAT3(wg_kernel_, WG_NK_STEM, )
#endif
