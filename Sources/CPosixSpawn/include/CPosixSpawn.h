#ifndef C_POSIX_SPAWN_H
#define C_POSIX_SPAWN_H

#include <spawn.h>

/// Adds to `actions` the closing of every descriptor from `lowest` up in the child
/// (glibc's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module hides
/// because it is a GNU extension); returns 0 or an error number.
int reb_posix_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

#endif
