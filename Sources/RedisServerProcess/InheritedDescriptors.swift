import CPosixSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adds to `fileActions` the closing, in the child, of every descriptor above standard error.
///
/// `posix_spawn` passes the child each descriptor of this process that lacks close-on-exec,
/// among them those another thread is preparing at that moment for a child of its own.
/// Foundation's `Process` learns that its child exited when a socket given to that child
/// closes: a long-lived server that inherited that socket hides the exit until the server
/// itself stops (a test then waits for a command that has long finished).
package func closeDescriptorsAboveStandardError(in fileActions: inout posix_spawn_file_actions_t) {
    reb_posix_spawn_file_actions_addclosefrom(&fileActions, STDERR_FILENO + 1)
}
