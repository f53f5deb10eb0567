#!/usr/bin/env python3
"""Checks that the repository's markdown links resolve inside the repository.

For every markdown file (the tracked `*.md` files of a git checkout, or every
`*.md` under --root when it is not one), each inline link or image
`[text](target)` and each reference definition `[label]: target` whose target
is not an absolute URL (http, https, mailto) must name a file or folder inside
the root, relative to the markdown file (a leading `/` is relative to the
root). In a git checkout the target must also be tracked, so a link cannot
point at a build output. A `#anchor` into a markdown file must match one of
its headings, slugged as GitHub does (lowercase; punctuation other than `-`
and `_` removed; spaces become `-`; CJK characters kept; repeats get `-1`,
`-2`, ...) or an explicit `id`/`name` attribute.

It also fails on any text file that mentions the parent folder's `shared`
directory: the repository must stand alone.

Links inside fenced code blocks, inline code and HTML comments are ignored.
Outside a git checkout, `.git` folders and CMake build trees (folders holding a
CMakeCache.txt) are skipped.

Usage: tools/check_links.py [--root DIR]
Prints each problem as `file:line: target (reason)` and exits 1, or prints a
one-line summary and exits 0. Standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import urllib.parse

# Built from parts so that this file does not report itself.
OUTSIDE_MARK = ".." + "/shared"

EXTERNAL = re.compile(r"^(?:https?|mailto):", re.IGNORECASE)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
HTML_ANCHOR = re.compile(r"""<[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# A code span: a run of backticks, then text (not across a blank line) up to
# the same run.
CODE_SPAN = re.compile(r"(`+)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
# [text](target "title"): text may hold one level of brackets; target may be
# <wrapped> or hold one level of balanced parentheses.
INLINE_LINK = re.compile(
    r"""!?\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"""
    r"""\(\s*(<[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"""
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)""",
    re.S,
)
REF_DEF = re.compile(r"""^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>\n]*>|\S+)""", re.M)


def blank(match):
    """Replaces matched text with spaces, keeping newlines (and offsets)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def strip_code(text, spans=True):
    """Blanks fenced code blocks, HTML comments and (if `spans`) code spans."""
    out = []
    fence = None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            out.append(" " * len(line))
        elif fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and line.strip() == m.group(1):
                fence = None
            out.append(" " * len(line))
        else:
            out.append(line)
    text = "\n".join(out)
    text = COMMENT.sub(blank, text)
    return CODE_SPAN.sub(blank, text) if spans else text


def heading_text(raw):
    """The rendered text of a heading's markdown source, roughly."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # links -> their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "")
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)([*_])(.+?)\1(?!\w)", r"\2", text)
    return text.strip()


def slug(text):
    """GitHub's anchor for a heading's text."""
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)  # \w keeps letters, digits, _ and CJK
    return text.replace(" ", "-")


def anchors_of(path, cache):
    """Every anchor a markdown file offers: its headings' slugs and HTML ids."""
    if path in cache:
        return cache[path]
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    anchors = set()
    counts = {}

    def add(raw):
        base = slug(heading_text(raw))
        n = counts.get(base, 0)
        counts[base] = n + 1
        anchors.add(base if n == 0 else f"{base}-{n}")

    # Code spans stay: their text is part of the heading's slug.
    lines = strip_code(text, spans=False).split("\n")
    for i, line in enumerate(lines):
        m = ATX.match(line)
        if m:
            add(m.group(2) or "")
            continue
        m = SETEXT.match(line)
        if m and i > 0:
            prev = lines[i - 1]
            if prev.strip() and not re.match(r"^\s*([#>|*+-]|\d+[.)])", prev):
                add(prev.strip())
    for m in HTML_ANCHOR.finditer(text):
        anchors.add(m.group(1))
    cache[path] = anchors
    return anchors


def git_top(directory):
    try:
        out = subprocess.run(
            ["git", "-C", directory, "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def git_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"],
                         capture_output=True, text=True, check=True)
    return sorted(p for p in out.stdout.split("\0") if p)


def walk_files(root):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Skip git metadata and CMake build trees (a build folder inside the
        # source tree holds generated and third-party files).
        dirnames[:] = sorted(
            d for d in dirnames
            if d != ".git" and not os.path.exists(os.path.join(dirpath, d, "CMakeCache.txt")))
        for name in sorted(filenames):
            found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return [p.replace(os.sep, "/") for p in found]


def is_text(path):
    try:
        with open(path, "rb") as f:
            return b"\0" not in f.read(8192)
    except OSError:
        return False


class Checker:
    def __init__(self, root, files, tracked):
        self.root = os.path.realpath(root)
        self.files = files
        # In a git checkout: the tracked files and every folder above one.
        self.tracked = None
        if tracked:
            self.tracked = set(files)
            for p in files:
                parts = p.split("/")
                for i in range(1, len(parts)):
                    self.tracked.add("/".join(parts[:i]))
        self.anchor_cache = {}
        self.problems = []
        self.links = 0

    def report(self, rel, line, target, reason):
        self.problems.append(f"{rel}:{line}: {target} ({reason})")

    def check_target(self, rel, line, target):
        if not target or EXTERNAL.match(target):
            return
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
            self.report(rel, line, target, "unsupported URL scheme")
            return
        self.links += 1
        path_part, _, anchor = target.partition("#")
        path_part = urllib.parse.unquote(path_part.split("?", 1)[0])
        anchor = urllib.parse.unquote(anchor)
        here = os.path.join(self.root, os.path.dirname(rel))
        if path_part:
            base = self.root if path_part.startswith("/") else here
            full = os.path.realpath(os.path.join(base, path_part.lstrip("/")))
        else:
            full = os.path.realpath(os.path.join(self.root, rel))
        if full != self.root and not full.startswith(self.root + os.sep):
            self.report(rel, line, target, "outside the repository")
            return
        inside = os.path.relpath(full, self.root).replace(os.sep, "/")
        if not os.path.exists(full):
            self.report(rel, line, target, "no such file or folder")
            return
        if self.tracked is not None and inside != "." and inside not in self.tracked:
            self.report(rel, line, target, "not tracked by git")
            return
        if anchor and full.endswith(".md") and os.path.isfile(full):
            if anchor not in anchors_of(full, self.anchor_cache):
                self.report(rel, line, target, f"no heading #{anchor} in {inside}")

    def check_markdown(self, rel):
        with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as f:
            text = strip_code(f.read())

        def line_of(offset):
            return text.count("\n", 0, offset) + 1

        for m in INLINE_LINK.finditer(text):
            target = m.group(2).strip()
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            self.check_target(rel, line_of(m.start()), target)
        for m in REF_DEF.finditer(text):
            target = m.group(2)
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            self.check_target(rel, line_of(m.start()), target)

    def check_outside_mentions(self, rel):
        full = os.path.join(self.root, rel)
        if not os.path.isfile(full) or not is_text(full):
            return
        with open(full, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if OUTSIDE_MARK in line:
                    self.report(rel, number, OUTSIDE_MARK,
                                "mentions a folder outside the repository")

    def run(self):
        markdown = [p for p in self.files if p.endswith(".md")]
        for rel in markdown:
            self.check_markdown(rel)
        for rel in self.files:
            self.check_outside_mentions(rel)
        return markdown


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="folder to check (default: the git top level)")
    args = parser.parse_args(argv)

    if args.root:
        root = os.path.realpath(args.root)
    else:
        root = git_top(os.getcwd()) or git_top(os.path.dirname(os.path.abspath(__file__)))
        if root is None:
            print("check_links: not in a git checkout; pass --root", file=sys.stderr)
            return 2
    if not os.path.isdir(root):
        print(f"check_links: {root} is not a folder", file=sys.stderr)
        return 2

    top = git_top(root)
    in_git = top is not None and os.path.realpath(top) == root
    files = git_files(root) if in_git else walk_files(root)

    checker = Checker(root, files, tracked=in_git)
    markdown = checker.run()
    for problem in checker.problems:
        print(problem)
    if checker.problems:
        print(f"check_links: {len(checker.problems)} problem(s) in {len(markdown)} "
              f"markdown files", file=sys.stderr)
        return 1
    print(f"check_links: {checker.links} links in {len(markdown)} markdown files resolve; "
          f"no file mentions {OUTSIDE_MARK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
