#!/usr/bin/env bash
# Installs ccengine's build and test dependencies on Debian 12 (bookworm).
#
# Idempotent: packages already installed are left alone, and `apt-get` runs only
# when something is missing. Works as root (CI, containers) or as a user with
# sudo. Safe to run with no stdin.
set -euo pipefail

PACKAGES=(
  build-essential
  cmake
  pkg-config
  clang-format
  clang-tidy
  # tools/fuzz.sh and the ctest entries text_fuzz_smoke and config_fuzz_smoke: libFuzzer with ASan/UBSan
  clang-14
  libclang-rt-14-dev
  libabsl-dev
  libfmt-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  pybind11-dev
  python3-dev
  python3-pytest
  python3-numpy
  python3-pandas
  python3-matplotlib
  python3-simpy
  python3-dask
  python3-distributed
  # the wheel (pyproject.toml: python3 -m build --wheel --no-isolation) and the
  # venv scripts/hotline.sh installs it into
  python3-build
  python3-setuptools
  python3-wheel
  python3-pip
  python3-venv
  # adapters/kamailio and its e2e test (tests/kamailio/e2e_test.sh)
  nlohmann-json3-dev
  kamailio
  kamailio-extra-modules
  kamailio-json-modules
  sip-tester
  # adapters/sqlite: the embedded ticket store (and the knowledge store's FTS5)
  libsqlite3-dev
  sqlite3
  # adapters/postgres: the PostgreSQL ticket store (libpq); its test starts a
  # private server from the postgresql-15 binaries
  libpq-dev
  postgresql-15
  # the journal module: CRC-32C for its records (ISA-L)
  libisal-dev
  # adapters/yaml: the routing file in YAML (libyaml)
  libyaml-dev
  # adapters/http: /metrics (cpp-httplib); its e2e test has a real Prometheus
  # scrape the endpoint and checks the exposition with promtool
  libcpp-httplib-dev
  prometheus
  curl
  # its wallboard test drives Debian's Chromium (playwright-core from npm,
  # below); CJK fonts for the Chinese labels
  chromium
  fonts-noto-cjk
  # adapters/audit: SHA-256 and Ed25519 for the audit trail (OpenSSL libcrypto)
  libssl-dev
  # the metrics module: calendar intervals in the center's time zone
  # (absl::LoadTimeZone reads /usr/share/zoneinfo)
  tzdata
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)"
  if [[ "${status}" != "install ok installed" ]]; then
    missing+=("${pkg}")
  fi
done

# playwright-core (the wallboard test's driver for Debian's Chromium; not the
# full playwright, which would download a browser) into build/npm, with the
# machine's Node.js and npm. Pinned: the test is written against it.
PLAYWRIGHT_CORE_VERSION=1.65.2
install_npm_packages() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="${root}/build/npm"
  if [[ -f "${dir}/node_modules/playwright-core/package.json" ]] &&
     grep -q "\"version\": \"${PLAYWRIGHT_CORE_VERSION}\"" \
       "${dir}/node_modules/playwright-core/package.json"; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: npm not found; the wallboard test needs Node.js 20 and npm" >&2
    return 0
  fi
  mkdir -p "${dir}"
  echo "setup.sh: npm install playwright-core@${PLAYWRIGHT_CORE_VERSION} into ${dir}"
  npm install --prefix "${dir}" --no-audit --no-fund --no-save \
    "playwright-core@${PLAYWRIGHT_CORE_VERSION}" </dev/null
}

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
  install_npm_packages
  exit 0
fi

echo "setup.sh: installing ${missing[*]}"
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup.sh: not root and sudo not found; install as root: ${missing[*]}" >&2
    exit 1
  fi
fi

APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${APT[@]}" update -q </dev/null
"${APT[@]}" install -y -q --no-install-recommends "${missing[@]}" </dev/null
install_npm_packages
echo "setup.sh: done"
