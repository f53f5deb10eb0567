#!/usr/bin/env bash
# A developer shortcut, not the install path: Python users install the wheel
# (README, "Simulating (Python)"; scripts/hotline.sh does so into build/venv).
#
# Makes `import ccengine` work from any directory for Debian's /usr/bin/python3,
# pointing it at the package built in build/<preset>/python (default: release).
#
#   ./scripts/install_python.sh            # after `cmake --build --preset release`
#   ./scripts/install_python.sh debug      # use build/debug/python instead
#   ./scripts/install_python.sh --remove   # undo
#
# How: a one-line `ccengine.pth` file in the interpreter's first site-packages
# directory (/usr/local/lib/python3.11/dist-packages on Debian 12) names the
# build tree's python/ folder. Nothing is copied, so every rebuild is picked up
# at once, and PYTHONPATH (used by ctest) still takes precedence. Needs write
# access there (root, or sudo); without it the script says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${CCENGINE_PYTHON:-/usr/bin/python3}"
PRESET="${1:-release}"

if [[ ! -x "${PYTHON}" ]]; then
  echo "install_python.sh: ${PYTHON} not found; skipping" >&2
  exit 0
fi
SITE="$("${PYTHON}" -c 'import site; print(site.getsitepackages()[0])')"
PTH="${SITE}/ccengine.pth"

if [[ "${PRESET}" == "--remove" ]]; then
  if [[ -e "${PTH}" ]]; then
    rm -f "${PTH}" && echo "install_python.sh: removed ${PTH}"
  else
    echo "install_python.sh: nothing to remove (${PTH} does not exist)"
  fi
  exit 0
fi

PKG_ROOT="${ROOT}/build/${PRESET}/python"
if ! compgen -G "${PKG_ROOT}/ccengine/_ccengine*.so" >/dev/null; then
  echo "install_python.sh: no built module in ${PKG_ROOT}/ccengine;" \
       "run: cmake --preset ${PRESET} && cmake --build --preset ${PRESET}" >&2
  exit 1
fi

if ! mkdir -p "${SITE}" 2>/dev/null || [[ ! -w "${SITE}" ]]; then
  echo "install_python.sh: ${SITE} is not writable; skipping." \
       "Run as root, or use: PYTHONPATH=${PKG_ROOT} ${PYTHON} -c 'import ccengine'" >&2
  exit 0
fi

printf '%s\n' "${PKG_ROOT}" >"${PTH}.tmp"
mv -f "${PTH}.tmp" "${PTH}"
echo "install_python.sh: wrote ${PTH} -> ${PKG_ROOT}"

# Prove it from a neutral directory, as a newcomer would.
( cd / && env -u PYTHONPATH "${PYTHON}" -c \
    'import ccengine; print("install_python.sh: import ccengine OK:", ccengine.__version__, "from", ccengine.__file__)' )
