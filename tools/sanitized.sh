#!/usr/bin/env bash
# Runs a sanitized program (or ctest over sanitized suites):
#
#   tools/sanitized.sh COMMAND [ARG...]
#
# The sanitizer runtimes (GCC 12's and clang 14's) cannot map their shadow
# memory when the kernel randomizes mmap with more than 28 bits
# (vm.mmap_rnd_bits=32 on recent kernels: "ThreadSanitizer: unexpected memory
# mapping"). COMMAND then runs with address randomization off, if the sandbox
# allows it (setarch -R); otherwise as it is.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: tools/sanitized.sh COMMAND [ARG...]" >&2
  exit 2
fi
rnd_bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
if [[ "${rnd_bits}" -gt 28 ]] && command -v setarch >/dev/null 2>&1 \
    && setarch "$(uname -m)" -R true 2>/dev/null; then
  exec setarch "$(uname -m)" -R "$@"
fi
exec "$@"
