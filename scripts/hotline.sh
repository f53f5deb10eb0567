#!/usr/bin/env bash
# The main job: a simulated day of a 12345-style citizen hotline through the
# real engine, with a report (examples/hotline_day.py).
#
#   ./scripts/hotline.sh [--out DIR] [--seed N] [--scale X]
#
# Installs the missing Debian packages, builds the release preset's library
# and Python module, makes `import ccengine` work for /usr/bin/python3 from any
# directory (scripts/install_python.sh), then runs the day. Extra arguments go
# to the example; the report folder is named at the end of its output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

./scripts/setup.sh
cmake --preset release
# Only what the job needs: the library, the Python module and the C++ examples.
cmake --build --preset release -j "$(nproc)" --target ccengine_python hotline_burst embed
./scripts/install_python.sh release
exec /usr/bin/python3 examples/hotline_day.py "$@"
