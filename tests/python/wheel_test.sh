#!/usr/bin/env bash
# The wheel, as a Python user gets it: builds it with `python3 -m build
# --wheel --no-isolation` (pyproject.toml + setup.py), installs it into a
# fresh venv with `pip install --no-index --no-deps`, and uses it from a
# directory outside the repository. ctest entry `python_wheel` (label unit).
#
#   tests/python/wheel_test.sh [CMAKE_BUILD_DIR]
#
# CMAKE_BUILD_DIR (default build/release) is handed to setup.py as
# CCENGINE_CMAKE_BUILD_DIR, so the wheel reuses that configured tree and only
# `_ccengine` is (re)built, incrementally. $CCENGINE_PYTHON (default
# /usr/bin/python3) builds the wheel and makes the venv, with
# --system-site-packages so Debian's numpy is seen. Everything else goes to a
# temporary folder, removed at the end. Any failed step fails the test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="$(cd "${1:-${ROOT}/build/release}" && pwd)"
PYTHON="${CCENGINE_PYTHON:-/usr/bin/python3}"
VERSION="$(head -n 1 "${ROOT}/VERSION")"

fail() { echo "wheel_test: FAILED: $*" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/ccengine-wheel-test.XXXXXX")"
trap 'rm -rf "${TMP}"' EXIT
# No shortcut from the caller's environment may decide what gets imported.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP
export PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
  PIP_NO_INPUT=1 MPLBACKEND=Agg

echo "-- 1. build the wheel (CCENGINE_CMAKE_BUILD_DIR=${BUILD_DIR})"
( cd "${ROOT}" && CCENGINE_CMAKE_BUILD_DIR="${BUILD_DIR}" \
    "${PYTHON}" -m build --wheel --no-isolation --outdir "${TMP}/dist" . ) \
  >"${TMP}/build.log" 2>&1 || { tail -n 40 "${TMP}/build.log" >&2; fail "python3 -m build"; }
shopt -s nullglob
wheels=("${TMP}"/dist/ccengine-"${VERSION}"-cp*-linux_*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || fail "expected one ccengine-${VERSION}-cp*-linux_*.whl, found: $(ls "${TMP}/dist")"
WHEEL="${wheels[0]}"
echo "   $(basename "${WHEEL}") ($(stat -c %s "${WHEEL}") bytes)"
"${PYTHON}" - "${WHEEL}" <<'PY' || fail "wheel contents"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["ccengine/__init__.py", "ccengine/plot.py", "ccengine/_ccengine.pyi", "ccengine/py.typed"]
missing = [n for n in need if n not in names]
if not any(n.startswith("ccengine/_ccengine.") and n.endswith(".so") for n in names):
    missing.append("ccengine/_ccengine*.so")
if missing:
    sys.exit("missing from the wheel: %s" % missing)
print("   contents: %d files, module + %s" % (len(names), ", ".join(need)))
PY

echo "-- 2. fresh venv (--system-site-packages) + pip install --no-index --no-deps"
"${PYTHON}" -m venv --system-site-packages "${TMP}/venv" || fail "venv"
VPY="${TMP}/venv/bin/python"
"${VPY}" -m pip install --no-index --no-deps --no-cache-dir -q "${WHEEL}" || fail "pip install"

echo "-- 3. import and use it from ${TMP} (python -I)"
cd "${TMP}"
"${VPY}" -I - "${VERSION}" <<'PY' || fail "import / use"
import importlib.metadata, math, os, sys, sysconfig

import ccengine
import ccengine._ccengine as ext

want = sys.argv[1]
site = os.path.realpath(sysconfig.get_paths()["platlib"])
for mod in (ccengine, ext):
    where = os.path.realpath(mod.__file__)
    if not where.startswith(site + os.sep):
        sys.exit("%s imported from %s, not from the venv's %s" % (mod.__name__, where, site))
if ccengine.__version__ != want:
    sys.exit("ccengine.__version__ %r != VERSION %r" % (ccengine.__version__, want))
meta = importlib.metadata.metadata("ccengine")
if meta["Version"] != want:
    sys.exit("installed metadata version %r != VERSION %r" % (meta["Version"], want))
requires = meta.get_all("Requires-Dist") or []
if not any(r.split(";")[0].strip() == "numpy" for r in requires):
    sys.exit("numpy not among Requires-Dist %r" % requires)

# C(A=2, n=3) = 3B / (3 - 2(1 - B)) with B = 4/19
b = 4 / 19
if not math.isclose(ccengine.erlang_c(2.0, 3), 3 * b / (3 - 2 * (1 - b)), rel_tol=1e-12):
    sys.exit("erlang_c(2, 3) = %r" % ccengine.erlang_c(2.0, 3))
n = ccengine.agents_for_service_level(100 / 1800, 180, 0.8, 20)
if n != 14:
    sys.exit("agents_for_service_level(100/1800, 180, 0.8, 20) = %r, expected 14" % n)

result = ccengine.simulate({
    "seed": 7, "horizon_s": 3600, "warmup_s": 0, "interval_s": 1800, "replications": 1,
    "skills": ["general"],
    "queues": [{"name": "general", "skills": {"general": 1}, "sl_seconds": 20}],
    "agents": [{"count": 14, "skills": {"general": 5}}],
    "arrivals": [{"queue": "general", "rate_per_s": 0.2,
                  "handle_time": {"dist": "exponential", "mean": 60},
                  "patience": {"dist": "exponential", "mean": 120}}]})
q = result["summary"]["queues"]["general"]
if not (q["offered"] > 500 and q["answered"] > 0):
    sys.exit("simulate: implausible summary %r" % q)
print("   ccengine %s from %s" % (ccengine.__version__, os.path.dirname(ccengine.__file__)))
print("   erlang_c(2, 3) = %.6f, agents_for_service_level = %d, simulate: offered %d answered %d SL %.3f"
      % (ccengine.erlang_c(2.0, 3), n, q["offered"], q["answered"], q["service_level"]))
PY
echo "wheel_test: OK"
