#!/usr/bin/env python3
"""Proves tools/check_layering.py catches what it is meant to catch.

    tests/layering/planted_test.py [--root DIR]

Copies the parts of the tree the checker reads (include/, src/, adapters/,
the top CMakeLists.txt) into a temporary folder, checks that the clean copy
passes, then plants one violation at a time in a fresh copy and asserts that
the checker exits 1 with a message naming the planted file and line.
Standard library only; the ctest entry `layering_check_catches_violations`.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

COPIED = ["include", "src", "adapters", "CMakeLists.txt"]


def copy_tree(root, dest):
    for name in COPIED:
        src = os.path.join(root, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name))
        elif os.path.isfile(src):
            shutil.copy2(src, os.path.join(dest, name))


def insert_after(path, anchor, new_line):
    """Inserts new_line after the first line that starts with anchor (after
    stripping); returns the 1-based number of the inserted line."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.strip().startswith(anchor):
            lines.insert(i + 1, new_line)
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            return i + 2
    raise AssertionError(f"{path}: no line starting with {anchor!r}")


def remove_line(path, text):
    """Removes the first line equal to text (stripped); returns its number."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.strip() == text:
            del lines[i]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            return i + 1
    raise AssertionError(f"{path}: no line {text!r}")


def call_line(path, text):
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if text in line:
                return i
    raise AssertionError(f"{path}: no {text!r}")


# Each case: (name, plant(tmp) -> (file, line), words the message must hold).
def plant_core_includes_sim(tmp):
    f = "src/core/engine.cc"
    return f, insert_after(os.path.join(tmp, f), '#include "ccengine/core/engine.h"',
                           '#include "ccengine/sim/sim.h"')


def plant_adapter_header(tmp):
    f = "src/telephony/telephony.cc"
    return f, insert_after(os.path.join(tmp, f), "#include",
                           '#include "ccengine/kamailio/evapi.h"')


def plant_sim_includes_telephony(tmp):
    f = "src/sim/sim.cc"
    return f, insert_after(os.path.join(tmp, f), '#include "ccengine/sim/sim.h"',
                           '#include "ccengine/telephony/telephony.h"')


def plant_public_header_includes_common(tmp):
    f = "include/ccengine/core/types.h"
    return f, insert_after(os.path.join(tmp, f), "#include",
                           '#include "common/status_macros.h"')


def plant_core_links_sim(tmp):
    f = "src/core/CMakeLists.txt"
    return f, insert_after(os.path.join(tmp, f), "DEPS", "    ccengine_sim")


# Beyond the five the issue names: the other rules, each once.
def plant_public_header_includes_fmt(tmp):
    f = "include/ccengine/erlang/erlang.h"
    return f, insert_after(os.path.join(tmp, f), "#include", '#include "fmt/format.h"')


def plant_sim_does_not_link_core(tmp):
    f = "src/sim/CMakeLists.txt"
    remove_line(os.path.join(tmp, f), "ccengine_core")
    return f, call_line(os.path.join(tmp, f), "ccengine_add_module(")


def plant_private_header_of_other_module(tmp):
    f = "src/telephony/telephony.cc"
    return f, insert_after(os.path.join(tmp, f), "#include",
                           '#include "sim/sim_internal.h"')


def plant_common_includes_module(tmp):
    f = "src/common/status_macros.h"
    return f, insert_after(os.path.join(tmp, f), "#include",
                           '#include "ccengine/core/types.h"')


CASES = [
    ("core includes sim", plant_core_includes_sim, ['"ccengine/sim/sim.h"', "module sim",
                                                    "core may use: (nothing)"]),
    ("module includes an adapter header", plant_adapter_header,
     ['"ccengine/kamailio/evapi.h"', "adapter kamailio"]),
    ("sim includes a module it does not link", plant_sim_includes_telephony,
     ['"ccengine/telephony/telephony.h"', "module telephony",
      "sim may use: compliance, config, core"]),
    ("public header includes common/", plant_public_header_includes_common,
     ['"common/status_macros.h"', "public header"]),
    ("core's DEPS names ccengine_sim", plant_core_links_sim,
     ["core links ccengine_sim", "core may use: (nothing)"]),
    ("public header includes fmt", plant_public_header_includes_fmt,
     ['"fmt/format.h"', "private dependency"]),
    ("sim uses core without linking it", plant_sim_does_not_link_core,
     ["sim uses module core", "does not link ccengine_core"]),
    ("telephony includes sim's private header", plant_private_header_of_other_module,
     ['"sim/sim_internal.h"', "module sim", "telephony may use: core"]),
    ("src/common includes a module", plant_common_includes_module,
     ['"ccengine/core/types.h"', "src/common may use: (nothing)"]),
]


def run_checker(python, checker, root):
    return subprocess.run([python, checker, "--root", root], capture_output=True,
                          text=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    checker = os.path.join(root, "tools", "check_layering.py")
    python = sys.executable
    failures = []

    with tempfile.TemporaryDirectory(prefix="ccengine-layering-") as tmp:
        clean = os.path.join(tmp, "clean")
        os.mkdir(clean)
        copy_tree(root, clean)
        r = run_checker(python, checker, clean)
        if r.returncode != 0:
            failures.append(f"clean copy: exit {r.returncode}, expected 0\n"
                            f"{r.stdout}{r.stderr}")
        else:
            print(f"ok   clean copy passes: {r.stdout.strip()}")

        for i, (name, plant, words) in enumerate(CASES):
            work = os.path.join(tmp, f"case{i}")
            os.mkdir(work)
            copy_tree(root, work)
            rel, line = plant(work)
            r = run_checker(python, checker, work)
            where = f"{rel}:{line}:"
            hits = [l for l in r.stdout.splitlines() if l.startswith(where)]
            problems = []
            if r.returncode != 1:
                problems.append(f"exit {r.returncode}, expected 1")
            if not hits:
                problems.append(f"no message starting with {where!r}")
            elif not any(all(w in h for w in words) for h in hits):
                problems.append(f"the message at {where} lacks one of {words}")
            if problems:
                failures.append(f"{name}: " + "; ".join(problems) +
                                f"\n--- checker output:\n{r.stdout}{r.stderr}")
            else:
                print(f"ok   {name}: {hits[0]}")

    if failures:
        for f in failures:
            print(f"FAIL {f}", file=sys.stderr)
        print(f"planted_test: {len(failures)} of {len(CASES) + 1} failed",
              file=sys.stderr)
        return 1
    print(f"planted_test: all {len(CASES) + 1} cases behave")
    return 0


if __name__ == "__main__":
    sys.exit(main())
