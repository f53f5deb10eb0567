#!/usr/bin/env python3
"""Checks that ccengine's modules include only what their layering allows.

    tools/check_layering.py [--root DIR]

Exit 0 and a one-line summary when the tree follows the table below; exit 1
and one `file:line: ...` message per violation otherwise. Standard library
only; no build needed (CI runs it as the ctest entry `layering_check`).
"""

# --- the table ----------------------------------------------------------------
#
# MODULE_DEPS is THE source of truth for the layering: module -> the modules it
# may use (include and link). The link lists in src/<module>/CMakeLists.txt
# (ccengine_add_module ... DEPS / PRIVATE_DEPS ccengine_<m>) must stay within
# it, and this script fails when they do not. To let a module use another:
# change the row here AND the CMake link list, in the same commit, and say why
# in the commit message. Rows for modules that do not exist yet are fine (they
# state the plan); every folder under src/ (but common/) must have a row.
#
# Not in the table, because they are not modules:
#   src/common/            private header-only helpers; any module's sources
#                          may include them ("common/status_macros.h"), public
#                          headers never; they include no module.
#   adapters/<name>/       optional targets; they may use modules, modules
#                          never include their headers (ccengine/<name>/...).
#   bindings/, examples/, bench/, tests/   may use any module (not checked).
#   include/ccengine/ccengine.h (umbrella), ccengine/version.h (generated).
MODULE_DEPS = {
    "core": [],
    "erlang": [],
    "sim": ["core", "erlang", "metrics", "config", "compliance"],
    "telephony": ["core"],
    "text": [],
    "tickets": ["core", "text"],
    "knowledge": ["core", "text"],
    "journal": ["core"],
    "metrics": ["core", "compliance"],
    "compliance": ["core"],
    # Coming soon.
    "config": ["core", "tickets", "compliance"],
}

# ccengine/<file> headers that are not in a module folder. Any module may
# include the generated version header; the umbrella pulls in every module, so
# no module may include it.
TOP_LEVEL_HEADERS = {"ccengine/version.h"}
UMBRELLA_HEADER = "ccengine/ccengine.h"

# The private helpers under src/ that every module's sources may include.
COMMON = "common"

# Third-party libraries linked privately: their headers must never appear in a
# public header under include/.
PRIVATE_THIRD_PARTY = ["fmt", "isa-l"]

SOURCE_EXTENSIONS = (".h", ".hh", ".hpp", ".inc", ".ipp", ".cc", ".cpp", ".cxx")

# ------------------------------------------------------------------------------

import argparse
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TARGET_RE = re.compile(r"^ccengine(?:_|::)([A-Za-z0-9_]+)$")


def fmt_list(names):
    return ", ".join(sorted(names)) if names else "(nothing)"


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []
        self.files = 0
        self.includes = 0
        self.adapters = set(self.subdirs("adapters"))
        self.src_dirs = set(self.subdirs("src"))
        # module -> {used module -> (file, line) of the first use from a
        # public header}, and the same for any use (public or private).
        self.used_public = {}
        self.used_any = {}

    # --- helpers -------------------------------------------------------------

    def subdirs(self, rel):
        path = os.path.join(self.root, rel)
        if not os.path.isdir(path):
            return []
        return sorted(d for d in os.listdir(path)
                      if os.path.isdir(os.path.join(path, d)))

    def rel(self, path):
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    def walk(self, rel_dir):
        top = os.path.join(self.root, rel_dir)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXTENSIONS):
                    yield os.path.join(dirpath, name)

    def includes_of(self, path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if m:
                    yield number, m.group(1), m.group(2).strip()

    # --- the table itself ----------------------------------------------------

    def check_table(self):
        where = "tools/check_layering.py: MODULE_DEPS"
        for module, deps in MODULE_DEPS.items():
            for dep in deps:
                if dep not in MODULE_DEPS:
                    self.error(where, f"{module} may use {dep}, which has no row")
                if dep == module:
                    self.error(where, f"{module} lists itself")
            if module in self.adapters or module == COMMON:
                self.error(where, f"{module} is also an adapter or src/{COMMON}")
        # No cycles: a layering is a DAG.
        state = {}

        def visit(m, path):
            if state.get(m) == "done":
                return
            if state.get(m) == "open":
                cycle = path[path.index(m):] + [m]
                self.error(where, "cycle: " + " -> ".join(cycle))
                return
            state[m] = "open"
            for d in MODULE_DEPS.get(m, []):
                visit(d, path + [m])
            state[m] = "done"

        for m in MODULE_DEPS:
            visit(m, [])

    # --- (d) every module folder has a row and a CMakeLists.txt ---------------

    def check_folders(self):
        for d in sorted(self.src_dirs - {COMMON}):
            if d not in MODULE_DEPS:
                self.error(f"src/{d}", f"module {d} has no row in MODULE_DEPS "
                           "(tools/check_layering.py)")
            if not os.path.isfile(os.path.join(self.root, "src", d, "CMakeLists.txt")):
                self.error(f"src/{d}", f"module {d} has no CMakeLists.txt")
        for d in self.subdirs("include/ccengine"):
            if d not in MODULE_DEPS:
                self.error(f"include/ccengine/{d}", f"{d} is not a module in "
                           "MODULE_DEPS (tools/check_layering.py); adapter "
                           "headers live under adapters/<name>/include/")
            elif d not in self.src_dirs:
                self.error(f"include/ccengine/{d}", f"module {d} has public "
                           f"headers but no src/{d}/")
        # The top-level build must add every module (skipped when the root has
        # no CMakeLists.txt, e.g. a partial copy).
        top = os.path.join(self.root, "CMakeLists.txt")
        if os.path.isfile(top):
            with open(top, encoding="utf-8") as f:
                text = strip_cmake_comments(f.read())
            added = set(re.findall(r"add_subdirectory\s*\(\s*\"?src/([A-Za-z0-9_]+)", text))
            for d in sorted(self.src_dirs - {COMMON} - added):
                self.error("CMakeLists.txt", f"no add_subdirectory(src/{d})")

    # --- (a), (b): includes ----------------------------------------------------

    def classify(self, target):
        """-> (kind, name) for an include path.

        kinds: module (ccengine/<m>/...), adapter (ccengine/<a>/...),
        top (ccengine/version.h), umbrella, unknown_ccengine, private
        (<m>/... or common/... under src/), third (fmt/...), other.
        """
        parts = target.split("/")
        if parts[0] == "ccengine":
            if target == UMBRELLA_HEADER:
                return "umbrella", None
            if target in TOP_LEVEL_HEADERS:
                return "top", None
            if len(parts) >= 3 and parts[1] in MODULE_DEPS:
                return "module", parts[1]
            if len(parts) >= 3 and parts[1] in self.adapters:
                return "adapter", parts[1]
            return "unknown_ccengine", parts[1] if len(parts) >= 3 else None
        if len(parts) >= 2 and (parts[0] in MODULE_DEPS or parts[0] in self.src_dirs):
            return "private", parts[0]
        if len(parts) >= 2 and parts[0] in PRIVATE_THIRD_PARTY:
            return "third", parts[0]
        return "other", None

    def check_file(self, path, module, public):
        """module: the module the file belongs to, COMMON, or None for the
        top-level headers (umbrella, version)."""
        rel = self.rel(path)
        self.files += 1
        owner = module if module not in (None, COMMON) else None
        allowed = set(MODULE_DEPS.get(owner, [])) if owner else set()
        who = module if module else os.path.basename(rel)
        if module == COMMON:
            who = f"src/{COMMON}"
        may = (f"{who} may use: {fmt_list(allowed)}" if module is not None
               else "")
        for line, _, target in self.includes_of(path):
            self.includes += 1
            where = f"{rel}:{line}"
            kind, name = self.classify(target)
            if kind == "adapter":
                self.error(where, f'{who} includes "{target}" (adapter {name}); '
                           "modules never include adapter headers (adapters "
                           "depend on modules, not the reverse)")
            elif kind == "unknown_ccengine":
                self.error(where, f'{who} includes "{target}", which is neither a '
                           "module in MODULE_DEPS nor a top-level header")
            elif kind == "umbrella":
                if module is not None:
                    self.error(where, f'{who} includes "{target}" (the umbrella: '
                               f"every module); {may}")
            elif kind == "third":
                if public:
                    self.error(where, f'{who} public header includes "{target}"; {name} '
                               "is a private dependency (only sources under src/ "
                               "may include it)")
            elif kind == "private":
                if public:
                    self.error(where, f'{who} public header includes "{target}" (src/'
                               f"{name}/, private); headers under include/ never "
                               "include src/ headers")
                elif name == COMMON or name == owner:
                    pass  # src/common, or the module's own private headers
                elif owner and name in allowed:
                    self.note_use(owner, name, rel, line, public)
                else:
                    self.error(where, f'{who} includes "{target}" (private header '
                               f"of module {name}); {may}")
            elif kind == "module":
                if module is None:
                    continue  # the umbrella may include every module
                if name == owner:
                    continue
                if owner and name in allowed:
                    self.note_use(owner, name, rel, line, public)
                    continue
                self.error(where, f'{who} includes "{target}" (module {name}); {may}')

    def note_use(self, owner, dep, rel, line, public):
        self.used_any.setdefault(owner, {}).setdefault(dep, f"{rel}:{line}")
        if public:
            self.used_public.setdefault(owner, {}).setdefault(dep, f"{rel}:{line}")

    def check_includes(self):
        include_top = os.path.join(self.root, "include", "ccengine")
        if os.path.isdir(include_top):
            for name in sorted(os.listdir(include_top)):
                path = os.path.join(include_top, name)
                if os.path.isfile(path) and name.endswith(SOURCE_EXTENSIONS):
                    self.check_file(path, None, public=True)
        for d in self.subdirs("include/ccengine"):
            for path in self.walk(f"include/ccengine/{d}"):
                self.check_file(path, d, public=True)
        for d in sorted(self.src_dirs):
            for path in self.walk(f"src/{d}"):
                self.check_file(path, d, public=False)

    # --- (c): the CMake link lists ---------------------------------------------

    def check_cmake(self):
        for module in sorted(self.src_dirs - {COMMON}):
            rel = f"src/{module}/CMakeLists.txt"
            path = os.path.join(self.root, rel)
            if not os.path.isfile(path):
                continue  # reported by check_folders
            self.files += 1
            call = parse_add_module(path)
            if call is None:
                self.error(rel, "no ccengine_add_module(...) call")
                continue
            name, line, args = call
            where = f"{rel}:{line}"
            if name != module:
                self.error(where, f"ccengine_add_module({name} ...) in src/{module}/")
            allowed = set(MODULE_DEPS.get(module, []))
            linked = {"DEPS": {}, "PRIVATE_DEPS": {}}
            for section in ("DEPS", "PRIVATE_DEPS"):
                for tok, tok_line in args.get(section, []):
                    twhere = f"{rel}:{tok_line}"
                    if tok.split("::")[0] in PRIVATE_THIRD_PARTY and section == "DEPS":
                        self.error(twhere, f"{module} links {tok} PUBLIC (DEPS); it is "
                                   "a private dependency: PRIVATE_DEPS")
                    m = TARGET_RE.match(tok)
                    if not m:
                        continue
                    dep = m.group(1)
                    linked[section][dep] = tok_line
                    if dep not in allowed:
                        self.error(twhere, f"{module} links {tok} ({section}) "
                                   f"(module {dep}); {module} may use: "
                                   f"{fmt_list(allowed)}")
            any_linked = set(linked["DEPS"]) | set(linked["PRIVATE_DEPS"])
            for dep, first in sorted(self.used_any.get(module, {}).items()):
                if dep not in any_linked:
                    self.error(where, f"{module} uses module {dep} ({first}) but "
                               f"does not link ccengine_{dep}: add it to DEPS "
                               "(public headers include it) or PRIVATE_DEPS")
            for dep, first in sorted(self.used_public.get(module, {}).items()):
                if dep in linked["PRIVATE_DEPS"] and dep not in linked["DEPS"]:
                    self.error(where, f"{module}'s public headers include module "
                               f"{dep} ({first}) but ccengine_{dep} is in "
                               "PRIVATE_DEPS: move it to DEPS")

    def run(self):
        self.check_table()
        self.check_folders()
        self.check_includes()
        self.check_cmake()
        return self.errors


def strip_cmake_comments(text):
    # Line comments only (this code base uses no bracket comments); keep the
    # newlines so line numbers survive. A '#' inside a quoted argument is rare
    # enough in these files to ignore.
    return re.sub(r"#[^\n]*", "", text)


def parse_add_module(path):
    """-> (name, line, {section: [(token, line)]}) for the first
    ccengine_add_module(...) call, or None."""
    with open(path, encoding="utf-8") as f:
        text = strip_cmake_comments(f.read())
    m = re.search(r"\bccengine_add_module\s*\(", text)
    if not m:
        return None
    start_line = text.count("\n", 0, m.start()) + 1
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    body_start = m.end()
    tokens = []
    for tm in re.finditer(r'"[^"]*"|[^\s()"]+', text[body_start:i - 1]):
        line = text.count("\n", 0, body_start + tm.start()) + 1
        tokens.append((tm.group(0).strip('"'), line))
    if not tokens:
        return None
    name = tokens[0][0]
    sections, current = {}, None
    for tok, line in tokens[1:]:
        if tok in ("SOURCES", "DEPS", "PRIVATE_DEPS"):
            current = tok
            sections.setdefault(tok, [])
        elif current:
            sections[current].append((tok, line))
    return name, start_line, sections


def main(argv=None):
    default_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=default_root,
                        help="repository top (default: %(default)s)")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"check_layering: {root} has no src/ folder", file=sys.stderr)
        return 2
    checker = Checker(root)
    errors = checker.run()
    for e in errors:
        print(e)
    if errors:
        print(f"check_layering: {len(errors)} violation(s) "
              f"({checker.files} files, {checker.includes} includes checked)",
              file=sys.stderr)
        return 1
    print(f"check_layering: ok: {checker.files} files, {checker.includes} includes "
          f"checked, {len(checker.src_dirs - {COMMON})} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
