#!/usr/bin/env python3
"""Proves that tools/check_links.py reports exactly the bad links.

Builds small trees in a temporary folder (a plain folder, and a git checkout
when git is installed), runs the checker on them with --root and compares the
problems it prints with the ones planted. Standard library only.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "..", "..", "tools", "check_links.py")
OUTSIDE_MARK = ".." + "/shared"  # built from parts, like the checker's


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))


def run_checker(root):
    proc = subprocess.run([sys.executable, CHECKER, "--root", root],
                          capture_output=True, text=True)
    problems = [line for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, problems


class CheckLinksTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="check_links_test_")
        self.root = os.path.join(self.tmp, "repo")
        os.makedirs(self.root)
        # A real file just outside the root: a link to it must still fail.
        write(self.tmp, "outside.md", "# Outside\n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def plant_tree(self):
        write(self.root, "README.md", """
            # Project

            See [the guide](docs/guide.md), [its setup](docs/guide.md#set-up-the-engine)
            and [the tools](tools/).
            """)
        write(self.root, "docs/guide.md", """
            # Guide

            ## Set up the engine

            ## 坐席 and 技能组 (agents, skill groups)

            ## Second round (main at `c09880b` → `3156e32`)

            Good: [top](#guide), [cjk](#坐席-and-技能组-agents-skill-groups),
            [code heading](#second-round-main-at-c09880b--3156e32),
            [readme](../README.md), ![image](img/chart.png).

            Broken: [missing](missing.md).
            Escapes: [outside](../../outside.md).
            Bad anchor: [nope](../README.md#no-such-heading).
            Bad local anchor: [here](#set-up-the-engines).

            Ignored: `[code](not_checked.md)` and

            ```
            [in a fence](also_not_checked.md)
            ```

            [ref]: missing_ref.md
            [web]: https://example.com/x.md
            """)
        write(self.root, "docs/img/chart.png", "not really a picture\n")
        write(self.root, "tools/run.sh", f"# reads {OUTSIDE_MARK}/notes\n")

    EXPECTED = [
        "docs/guide.md:13: missing.md (no such file or folder)",
        "docs/guide.md:14: ../../outside.md (outside the repository)",
        "docs/guide.md:15: ../README.md#no-such-heading "
        "(no heading #no-such-heading in README.md)",
        "docs/guide.md:16: #set-up-the-engines "
        "(no heading #set-up-the-engines in docs/guide.md)",
        "docs/guide.md:24: missing_ref.md (no such file or folder)",
        f"tools/run.sh:1: {OUTSIDE_MARK} (mentions a folder outside the repository)",
    ]

    def test_reports_exactly_the_bad_links(self):
        self.plant_tree()
        rc, problems = run_checker(self.root)
        self.assertEqual(rc, 1)
        self.assertEqual(sorted(problems), sorted(self.EXPECTED))

    def test_clean_tree_passes(self):
        write(self.root, "README.md", "# A\n\n[self](README.md#a) [docs](docs)\n")
        write(self.root, "docs/b.md", "# B\n\n[up](../README.md)\n")
        rc, problems = run_checker(self.root)
        self.assertEqual(rc, 0, problems)
        self.assertEqual(len(problems), 1)  # the summary line
        self.assertIn("2 markdown files", problems[0])

    @unittest.skipIf(shutil.which("git") is None, "git is not installed")
    def test_git_checkout_needs_tracked_targets(self):
        write(self.root, "README.md", "# A\n\n[tracked](a.txt) [untracked](b.txt)\n")
        write(self.root, "a.txt", "a\n")
        write(self.root, "b.txt", "b\n")
        # An untracked markdown file is not checked in a git checkout.
        write(self.root, "scratch.md", "[broken](nowhere.md)\n")
        subprocess.run(["git", "init", "-q", self.root], check=True)
        subprocess.run(["git", "-C", self.root, "add", "README.md", "a.txt"], check=True)
        rc, problems = run_checker(self.root)
        self.assertEqual(rc, 1)
        self.assertEqual(problems, ["README.md:3: b.txt (not tracked by git)"])


if __name__ == "__main__":
    unittest.main()
