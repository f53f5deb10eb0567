#!/usr/bin/env bash
# The main job: a simulated day of a 12345-style citizen hotline through the
# real engine, with a report (examples/hotline_day.py).
#
#   ./scripts/hotline.sh [--out DIR] [--seed N] [--scale X]
#
# Installs the missing Debian packages, builds the release preset's library
# and Python module, builds the `ccengine` wheel from that build tree
# (python3 -m build --wheel --no-isolation, into build/dist), installs it into
# the venv build/venv (made with --system-site-packages, so Debian's numpy,
# pandas and matplotlib are seen; nothing is downloaded), then runs the day
# with that venv's python. Extra arguments go to the example; the report
# folder is named at the end of its output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

PYTHON=/usr/bin/python3
VENV="${ROOT}/build/venv"
DIST="${ROOT}/build/dist"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

./scripts/setup.sh
cmake --preset release
# Only what the job needs: the library, the Python module and the C++ examples.
cmake --build --preset release -j "$(nproc)" --target ccengine_python hotline_burst embed

# The wheel, from the build tree just built (only `_ccengine` is checked).
rm -f "${DIST}"/ccengine-*.whl
CCENGINE_CMAKE_BUILD_DIR="${ROOT}/build/release" \
  "${PYTHON}" -m build --wheel --no-isolation --outdir "${DIST}" .
wheels=("${DIST}"/ccengine-*.whl)
WHEEL="${wheels[0]}"

if [[ ! -x "${VENV}/bin/python" ]] || ! "${VENV}/bin/python" -c 'import sys' 2>/dev/null; then
  rm -rf "${VENV}"
  "${PYTHON}" -m venv --system-site-packages "${VENV}"
fi
"${VENV}/bin/python" -m pip uninstall -y -q ccengine 2>/dev/null || true
# With its extras, so pip checks that numpy, pandas and matplotlib are there
# (from Debian); --no-index: nothing is ever fetched.
"${VENV}/bin/python" -m pip install --no-index --no-cache-dir -q "${WHEEL}[all]"
( cd / && env -u PYTHONPATH "${VENV}/bin/python" -c \
    'import ccengine; print("hotline.sh: ccengine", ccengine.__version__, "from", ccengine.__file__)' )

exec env -u PYTHONPATH "${VENV}/bin/python" examples/hotline_day.py "$@"
