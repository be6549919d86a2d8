/* CI only (.ci/smoke-release): the musl builds of oclaw need libstdc++ and libgcc_s, which Alpine builds
   against musl and Debian ships only built against glibc. Debian's glibc builds of the two libraries run
   under musl's loader once these few glibc-only symbols exist, so the musl binaries can be smoke-tested on
   a Debian machine. Each stand-in forwards to musl's equivalent or reports "not available". */
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <locale.h>
char __libc_single_threaded = 0;
struct { unsigned int vendor, type, subtype, features[1]; } __cpu_model;
int __cpu_indicator_init(void) { return 0; }
int _dl_find_object(void *pc, void *result) { (void)pc; (void)result; return -1; }
extern int __cxa_atexit(void (*)(void *), void *, void *);
int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso) { return __cxa_atexit(fn, obj, dso); }
extern size_t strftime_l(char *, size_t, const char *, const struct tm *, locale_t);
size_t __strftime_l(char *s, size_t n, const char *f, const struct tm *t, locale_t l) { return strftime_l(s, n, f, t, l); }
extern int getentropy(void *, size_t);
uint32_t arc4random(void) { uint32_t v = 0; getentropy(&v, sizeof v); return v; }
extern unsigned long getauxval(unsigned long);
unsigned long __getauxval(unsigned long type) { return getauxval(type); }
