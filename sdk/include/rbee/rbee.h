/* Everything a plugin needs: include this one header. */
#ifndef RBEE_RBEE_H
#define RBEE_RBEE_H
#include "rbee/version.h"
#include "rbee/status.h"
#include "rbee/source.h"
#include "rbee/graph.h"
#include "rbee/plugin.h"
#endif
