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

#endif
