/* Everything a plugin needs from the ABI: include this one header. */
#ifndef RBEE_RBEE_H
#define RBEE_RBEE_H
#include "rbee/version.h"
#include "rbee/status.h"
#include "rbee/source.h"
#include "rbee/graph.h"
#include "rbee/plugin.h"
#include "rbee/ext/heads.h"
#include "rbee/ext/moe.h"
#include "rbee/ext/experts.h"
#endif
