/* rbee plugin ABI version. See sdk/README.md for the compatibility rules.
 *
 * The major changes only when an existing struct, function or meaning changes; a plugin whose
 * major differs from the host's is refused with a message naming both. The minor grows when
 * something is added: a field at the end of a struct, a new extension id. The base tables of
 * 2.0 (rbee_host, rbee_source_api, rbee_graph_api) are frozen: new operations arrive as
 * extensions, so a plugin checks only the extensions it uses. */
#ifndef RBEE_VERSION_H
#define RBEE_VERSION_H

#define RBEE_ABI_MAJOR 2
#define RBEE_ABI_MINOR 2

/* 1 when version (major, minor) is at least (want_major, want_minor). */
#define RBEE_ABI_AT_LEAST(major, minor, want_major, want_minor) \
  ((major) > (want_major) || ((major) == (want_major) && (minor) >= (want_minor)))

#endif
