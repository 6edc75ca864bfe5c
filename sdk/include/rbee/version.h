/* rbee plugin ABI version.
 *
 * The major changes only when an existing struct, function or meaning changes; a plugin whose
 * major differs from the host's is refused. The minor grows when something is appended (a field
 * at the end of a struct, a function at the end of a table, a new extension id); a plugin built
 * against any minor of the same major keeps loading. */
#ifndef RBEE_VERSION_H
#define RBEE_VERSION_H

#define RBEE_ABI_MAJOR 1
#define RBEE_ABI_MINOR 1

#endif
