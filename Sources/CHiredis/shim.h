#ifndef REB_CHIREDIS_SHIM_H
#define REB_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>

/// Blocks SIGPIPE on the calling thread, so a write to a closed socket returns EPIPE
/// instead of killing the process; the process-wide handler is left alone.
static inline int reb_block_sigpipe_on_this_thread(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

#if defined(__linux__)
/// glibc's pthread_setname_np, a GNU extension that Swift's Glibc module hides.
int pthread_setname_np(pthread_t thread, const char *name);

/// Names the calling thread (at most 15 bytes), as `top -H`, `perf` and `/proc` show it;
/// returns 0 or an error number.
static inline int reb_name_this_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
#endif

#endif
