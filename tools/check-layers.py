#!/usr/bin/env python3
"""Fails when a library in core/, tools/synth or host/ includes one it may not: an arrow going up the layers.

    check-layers.py [SOURCE_DIR]              check the tree (default: this script's repository)
    check-layers.py --self-test [SOURCE_DIR]  prove the check fails on inserted upward includes

Every #include of core/, tools/synth and host/ is mapped from its file's library to the included library
("formats/gguf.hpp" is formats, "rbee/plugin.h" is the plugin SDK) and checked against LAYERS.
The link lists of core/, tools/ and host/CMakeLists.txt must equal LAYERS too, so that a
library's include root (which holds only itself) lets it see exactly what LAYERS allows.
Python 3 standard library only.
"""
import re
import shutil
import sys
import tempfile
from pathlib import Path

# The layering, top to bottom: each library with the libraries it includes and links. Those must
# sit in lower layers: never a sibling, never above. "sdk" is the plugin ABI (sdk/include/rbee/*.h),
# beside tokenizer so that only graph and the layers above it see it. "shaders" is the generated
# SPIR-V (shaders/), outside the layers.
LAYERS = [
    {"host": {"engine", "synth", "tokenizer", "chat"}},  # the host talks to the engine, not its internals
    {"synth": {"quant", "util", "sdk"}},  # tools/synth: benchmark GGUF files, names from the SDK's table
    {"engine": {"plugin_host", "graph", "tokenizer", "sampling", "formats", "quant", "vulkan", "sdk"}},
    {"plugin_host": {"formats", "sdk"}},
    {"graph": {"formats", "quant", "vulkan", "util", "sdk"}},
    {"tokenizer": {"formats", "util"}, "sdk": set(),
     "chat": {"formats", "util"}},  # chat: templates (Jinja engine, where a model keeps them), output parsing
    {"formats": {"util"}, "vulkan": {"shaders"}, "sampling": set(), "quant": {"util"}},
    {"util": set()},
]
OUTSIDE_LAYERS = {"shaders"}
INCLUDE_ROOT_OF = {"rbee": "sdk", "shaders": "shaders"}  # first path component -> library

ALLOWED = {lib: deps for layer in LAYERS for lib, deps in layer.items()}
LAYER_OF = {lib: depth for depth, layer in enumerate(LAYERS) for lib in layer}
CORE_LIBRARIES = set(ALLOWED) - {"host", "sdk"}
SCANNED = ("core", "tools/synth", "host")
SOURCE_SUFFIXES = {".c", ".cc", ".cpp", ".h", ".hpp", ".inl"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def table_problems():
    """The table itself: every dependency a known library in a lower layer."""
    problems = []
    for lib, deps in ALLOWED.items():
        for dep in sorted(deps):
            if dep in OUTSIDE_LAYERS:
                continue
            if dep not in LAYER_OF:
                problems.append(f"LAYERS: {lib} -> {dep}: {dep} is in no layer")
            elif LAYER_OF[dep] <= LAYER_OF[lib]:
                where = "the same layer" if LAYER_OF[dep] == LAYER_OF[lib] else "a higher layer"
                problems.append(f"LAYERS: {lib} -> {dep}: {dep} sits in {where}")
    return problems


def library_of_file(root, path):
    """(library, problem): core/<lib>/... is lib, host/... is host."""
    rel = path.relative_to(root)
    if rel.parts[0] == "host":
        return "host", None
    if rel.parts[:2] == ("tools", "synth"):
        return "synth", None
    lib = rel.parts[1]
    if lib not in CORE_LIBRARIES:
        return None, f"{rel}: core/{lib} is not in LAYERS (tools/check-layers.py)"
    return lib, None


def library_of_include(root, path, lib, bracket, name):
    """(library or None for an external header, problem)."""
    first, _, rest = name.partition("/")
    if first in INCLUDE_ROOT_OF and (bracket == '"' or first == "rbee"):
        return INCLUDE_ROOT_OF[first], None
    if first in CORE_LIBRARIES and rest and (bracket == '"' or (root / "core" / name).is_file()
                                             or (root / "tools" / name).is_file()):
        return first, None  # <vulkan/vulkan.h> is the system's Vulkan header, not core/vulkan
    if bracket == "<":
        return None, None
    if lib == "host" and (path.parent / name).is_file():
        return "host", None
    if (path.parent / name).is_file():
        return None, f'include "{name}" by its path from core/: "{lib}/{name}"'
    return None, f'include "{name}" names no library of LAYERS'


def include_problems(root):
    problems = []
    files = [p for top in SCANNED for p in sorted((root / top).rglob("*")) if p.suffix in SOURCE_SUFFIXES]
    for path in files:
        lib, problem = library_of_file(root, path)
        if problem:
            problems.append(problem)
            continue
        rel = path.relative_to(root)
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            bracket, name = m.groups()
            target, problem = library_of_include(root, path, lib, bracket, name)
            if problem:
                problems.append(f"{rel}:{number}: {problem}")
            elif target not in (None, lib) and target not in ALLOWED[lib]:
                allowed = ", ".join(sorted(ALLOWED[lib])) or "nothing"
                problems.append(f'{rel}:{number}: forbidden arrow {lib} -> {target} ("{name}"); '
                                f"{lib} may include: {allowed}")
    return problems


def linked(text, call):
    """{first argument: rbee_* libraries named} of each `call(` in CMake text, by first argument."""
    out = {}
    for m in re.finditer(rf"^\s*{call}\(\s*(\w+)([^)]*)\)", text, re.MULTILINE):
        out.setdefault(m.group(1), set()).update(re.findall(r"\brbee_(\w+)", m.group(2)))
    return out


def link_problems(root):
    problems = []
    core, where = {}, {}
    for folder in ("core", "tools"):
        for lib, links in linked((root / folder / "CMakeLists.txt").read_text(), "rbee_layered_library").items():
            core[lib], where[lib] = links, f"{folder}/CMakeLists.txt"
    host = linked((root / "host" / "CMakeLists.txt").read_text(), "target_link_libraries").get("rbee", set())
    for lib in sorted(CORE_LIBRARIES | set(core)):
        if lib not in core:
            problems.append(f"core/ or tools/CMakeLists.txt: no rbee_layered_library({lib} ...)")
        elif lib not in ALLOWED:
            problems.append(f"{where[lib]}: rbee_{lib} is not in LAYERS (tools/check-layers.py)")
        elif core[lib] != ALLOWED[lib]:
            problems.append(link_mismatch(where[lib], lib, core[lib]))
    if host != ALLOWED["host"]:
        problems.append(link_mismatch("host/CMakeLists.txt", "host", host))
    return problems


def link_mismatch(where, lib, links):
    have = ", ".join(sorted(links)) or "nothing"
    want = ", ".join(sorted(ALLOWED[lib])) or "nothing"
    return f"{where}: {lib} links {have}; LAYERS says {want}"


def check(root):
    return table_problems() + include_problems(root) + link_problems(root)


# --self-test: each case changes one file of a copy of the tree; the check must then fail with a
# problem that contains the case's expected text.
def second_line(line):
    def edit(text):
        first, _, rest = text.partition("\n")
        return f"{first}\n{line}\n{rest}"
    return edit


SELF_TEST_CASES = [
    ("util includes engine (up)", "core/util/mapped_file.cpp", second_line('#include "engine/model.hpp"'),
     "core/util/mapped_file.cpp:2: forbidden arrow util -> engine"),
    ("formats includes quant (sibling)", "core/formats/fp8.cpp", second_line('#include "quant/quant.hpp"'),
     "core/formats/fp8.cpp:2: forbidden arrow formats -> quant"),
    ("vulkan includes the plugin ABI", "core/vulkan/error.hpp", second_line('#include "rbee/status.h"'),
     "core/vulkan/error.hpp:2: forbidden arrow vulkan -> sdk"),
    ("tokenizer includes graph in angle brackets", "core/tokenizer/tokenizer.cpp",
     second_line("#include <graph/graph.hpp>"), "core/tokenizer/tokenizer.cpp:2: forbidden arrow tokenizer -> graph"),
    ("host includes vulkan (past the engine)", "host/cmd_devices.cpp", second_line('#include "vulkan/device.hpp"'),
     "host/cmd_devices.cpp:2: forbidden arrow host -> vulkan"),
    ("quant links formats", "core/CMakeLists.txt",
     lambda text: text.replace("rbee_layered_library(quant ", "rbee_layered_library(quant rbee_formats "),
     "core/CMakeLists.txt: quant links formats, util; LAYERS says util"),
]


def self_test(root):
    failures = []
    with tempfile.TemporaryDirectory(prefix="check-layers-") as tmp:
        for name, path, edit, expect in [("unchanged tree", None, None, None)] + SELF_TEST_CASES:
            copy = Path(tmp) / name.replace(" ", "-")
            for top in ("core", "tools", "host"):
                shutil.copytree(root / top, copy / top)
            if path:
                changed = copy / path
                changed.write_text(edit(changed.read_text()))
            problems = check(copy)
            if expect is None:
                if problems:
                    failures.append(f"{name}: expected no problem, got {problems}")
            elif any(expect in p for p in problems):
                print(f"ok: {name}: {next(p for p in problems if expect in p)}")
            else:
                failures.append(f"{name}: expected a problem containing {expect!r}, got {problems}")
    for f in failures:
        print(f"self-test FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    root = Path(args[0] if args else Path(__file__).resolve().parent.parent).resolve()
    if "--self-test" in argv:
        return self_test(root)
    problems = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} layering problem(s); the layers are the table LAYERS in tools/check-layers.py",
              file=sys.stderr)
        return 1
    print("layering ok: every include of core/, tools/synth and host/ goes down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
