#!/usr/bin/env bash
# Builds and runs one of the libFuzzer targets.
#
#   tools/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...]
#   tools/fuzz.sh TARGET -runs=N [LIBFUZZER_ARGS...]
#
# TARGET (module): tokenizer, synonyms (text); expression, routing_file (config);
# knowledge_query (knowledge: the query builder and snippets); journal_segment,
# journal_command (journal: the segment reader, the command codec);
# engine_state (core: Engine::LoadState, the snapshot reader);
# sim_replication (sim: the reader of a replication's bytes); pii
# (compliance: the personal-data detectors and masking); text_array
# (postgres: the adapter's text[] parser, adapters/postgres/text_array.cc
# alone, no libpq); routing_yaml (yaml: adapters/yaml's reader of YAML into
# the document tree, with libyaml); evapi (kamailio: the netstring decoder,
# the evapi messages and the X-CC-Facts header, adapters/kamailio/evapi.cc
# with nlohmann-json); audit_line (audit: the audit log's line and head
# reader, adapters/audit/record.cc alone). The source is tests/<module>/fuzz/<target>_fuzz.cc,
# compiled directly with the module's sources (include/, src/<module>/*.cc;
# for knowledge only those the target reaches, and text's) and Abseil and fmt
# from Debian through pkg-config, and tests/text/fuzz/fuzz_check.h, with
#   clang++-14 -std=c++20 -O1 -g1 -fsanitize=fuzzer,address,undefined
# into build/fuzz/<target>_fuzz. Objects are kept per source under
# build/fuzz/obj/<compiler and flags>/ and shared between targets; one is
# recompiled when a file it was compiled from (its -MMD dependency file says
# which) or this script is newer, or such a file is gone. It runs
# over the committed seed corpus tests/<module>/fuzz/corpus/<target>/ (read
# only); new inputs go to build/fuzz/corpus/<target>/, crashes to
# build/fuzz/artifacts/. Exit status: 0 when nothing was found; non-zero for a
# build failure, a crash, a sanitizer report or a violated invariant (the
# ctest entries text_fuzz_smoke, config_fuzz_smoke, knowledge_fuzz_smoke and
# journal_fuzz_smoke rely on it).
#
# CLANGXX overrides the compiler (default clang++-14; Debian: clang-14 and
# libclang-rt-14-dev, installed by scripts/setup.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

if [[ $# -lt 2 ]]; then
  sed -n '2,/^# CLANGXX overrides/p' "${BASH_SOURCE[0]}" | sed '$d' |
    sed 's/^# \{0,1\}//' >&2
  exit 2
fi
TARGET="$1"
BUDGET="$2"
shift 2
# DEPENDS: the modules whose sources the target's module needs besides its own;
# ONLY: when set, the module's own sources used (names without .cc).
# EXTRA_SOURCES: single files of other modules the target needs.
DEPENDS=()
ONLY=()
EXTRA_LIBS=()
EXTRA_PKGS=()
EXTRA_SOURCES=()
MAX_LEN=4096
case "${TARGET}" in
  tokenizer | synonyms) MODULE=text ;;
  expression)
    MODULE=config
    # The expression language alone, without the routing file (and core).
    ONLY=(compiler decision_code expression lexer)
    ;;
  routing_file)
    MODULE=config
    # The access section's policy is the compliance module's.
    DEPENDS=(core compliance)
    # The example hotline file is some 4 KB.
    MAX_LEN=16384
    EXTRA_PKGS=(absl_civil_time absl_time_zone absl_hash absl_raw_hash_set
      absl_synchronization)
    ;;
  knowledge_query)
    MODULE=knowledge
    # Only the sources the target reaches: not the assistant, which would
    # bring all of core into the build.
    ONLY=(article query snippet store)
    DEPENDS=(text)
    ;;
  text_array) MODULE=postgres ;;
  audit_line) MODULE=audit ;;
  routing_yaml)
    MODULE=yaml
    # adapters/yaml's reader (libyaml) and the document tree it builds.
    EXTRA_LIBS=(-lyaml)
    MAX_LEN=16384
    ;;
  pii)
    MODULE=compliance
    # The detectors alone, not the access control (which needs core).
    ONLY=(pii)
    ;;
  evapi)
    MODULE=kamailio
    # evapi.cc's client needs threads; its parsers are what is fuzzed.
    EXTRA_LIBS=(-pthread)
    ;;
  journal_segment)
    MODULE=journal
    # The segment reader alone; its checksum is ISA-L's.
    ONLY=(segment)
    EXTRA_LIBS=(-lisal)
    ;;
  journal_command)
    MODULE=journal
    # The command codec alone (core's headers, and of its sources only the
    # commands' names).
    ONLY=(command_codec)
    EXTRA_SOURCES=(src/core/commands.cc)
    ;;
  sim_replication)
    MODULE=sim
    # The replication codec alone (core's headers, none of its sources), and
    # the interval rows' checks it makes.
    ONLY=(sim_replication)
    EXTRA_SOURCES=(src/metrics/interval_checks.cc)
    ;;
  engine_state)
    MODULE=core
    # A state holds its random generators' text (some 6 KB each).
    MAX_LEN=32768
    EXTRA_PKGS=(absl_civil_time absl_time_zone absl_hash absl_raw_hash_set
      absl_synchronization)
    ;;
  *)
    echo "fuzz.sh: no target ${TARGET} (tokenizer, synonyms, expression," \
      "routing_file, knowledge_query, text_array, journal_segment, journal_command," \
      "engine_state, sim_replication, pii, routing_yaml, evapi, audit_line)" >&2
    exit 2
    ;;
esac
SOURCE="tests/${MODULE}/fuzz/${TARGET}_fuzz.cc"
SEEDS="tests/${MODULE}/fuzz/corpus/${TARGET}"
if [[ ! -f "${SOURCE}" ]]; then
  echo "fuzz.sh: no target ${TARGET} (${SOURCE} not found)" >&2
  exit 2
fi
if [[ "${BUDGET}" =~ ^[0-9]+$ ]]; then
  BUDGET_ARGS=("-max_total_time=${BUDGET}")
elif [[ "${BUDGET}" =~ ^-runs=[0-9]+$ ]]; then
  BUDGET_ARGS=("${BUDGET}")
else
  echo "fuzz.sh: the second argument is SECONDS or -runs=N, got ${BUDGET}" >&2
  exit 2
fi

CLANGXX="${CLANGXX:-clang++-14}"
if ! command -v "${CLANGXX}" >/dev/null 2>&1; then
  echo "fuzz.sh: ${CLANGXX} not found (scripts/setup.sh installs clang-14)" >&2
  exit 2
fi

OUT="build/fuzz"
BIN="${OUT}/${TARGET}_fuzz"
mkdir -p "${OUT}/corpus/${TARGET}" "${OUT}/artifacts"

if [[ "${MODULE}" == postgres ]]; then
  SOURCES=(adapters/postgres/text_array.cc)
  EXTRA_INCLUDES=(-Iadapters/postgres)
elif [[ "${MODULE}" == audit ]]; then
  # The line format alone (no libcrypto).
  SOURCES=(adapters/audit/record.cc)
  EXTRA_INCLUDES=(-Iadapters/audit -Iadapters/audit/include)
elif [[ "${MODULE}" == kamailio ]]; then
  SOURCES=(adapters/kamailio/evapi.cc)
  EXTRA_INCLUDES=(-Iadapters/kamailio/include)
elif [[ "${MODULE}" == yaml ]]; then
  SOURCES=(adapters/yaml/yaml_document.cc src/config/json.cc src/config/lexer.cc)
  EXTRA_INCLUDES=(-Iadapters/yaml/include)
else
  SOURCES=()
  for m in "${MODULE}" "${DEPENDS[@]}"; do
    if [[ "${m}" == "${MODULE}" && ${#ONLY[@]} -gt 0 ]]; then
      for f in "${ONLY[@]}"; do SOURCES+=(src/"${m}"/"${f}".cc); done
    else
      SOURCES+=(src/"${m}"/*.cc)
    fi
  done
  EXTRA_INCLUDES=()
fi
SOURCES+=("${EXTRA_SOURCES[@]}")
# shellcheck disable=SC2054  # the commas belong to -fsanitize=
CXXFLAGS=(-std=c++20 -O1 -g1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
  -Iinclude -Isrc -Itests/text/fuzz "${EXTRA_INCLUDES[@]}")
# Objects are kept per source under a folder named by the compiler and flags,
# so targets that share sources (core's for engine_state and routing_file)
# compile them once; each object's dependency file (-MMD) says when it is
# stale. A lock per object lets two runs at once (ctest -j) share the work.
flags_key="$( { "${CLANGXX}" --version | head -n 1; printf '%s\n' "${CXXFLAGS[@]}"; } |
  sha1sum | cut -c1-12)"
OBJ_DIR="${OUT}/obj/${flags_key}"
# A source's object: its path with "/" as "__", under OBJ_DIR.
object_of() { printf '%s/%s.o' "${OBJ_DIR}" "${1//\//__}"; }
mkdir -p "${OBJ_DIR}"

# object_fresh OBJ: OBJ and its dependency file exist and nothing it was
# compiled from (nor this script) is newer.
object_fresh() {
  local obj="$1" dep
  [[ -f "${obj}" && -f "${obj}.d" && ! "${BASH_SOURCE[0]}" -nt "${obj}" ]] || return 1
  # shellcheck disable=SC2013  # words: a dependency file lists paths without spaces
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "${obj}.d"); do
    # A dependency gone (a header removed or renamed) makes it stale too.
    if [[ ! -e "${dep}" || "${dep}" -nt "${obj}" ]]; then return 1; fi
  done
  return 0
}

# compile_locked SRC OBJ WAIT: compiles SRC unless another run holds OBJ's lock
# (then returns 2 when WAIT is 0) or OBJ turned out fresh once locked.
compile_locked() {
  local src="$1" obj="$2" wait="$3" fd rc=0
  exec {fd}>"${obj}.lock"
  # Called in a condition (`|| ...`), so `set -e` is off here: every failure
  # is turned into the return status by hand.
  if [[ "${wait}" -eq 1 ]]; then
    if ! flock "${fd}"; then
      exec {fd}>&-
      return 1
    fi
  elif ! flock -n "${fd}"; then
    exec {fd}>&-
    return 2
  fi
  if ! object_fresh "${obj}"; then
    "${CLANGXX}" "${CXXFLAGS[@]}" -MMD -MF "${obj}.d.tmp.$$" -c "${src}" \
      -o "${obj}.tmp.$$" || rc=1
    if [[ ${rc} -eq 0 ]]; then
      # The dependency file first: a run that does not lock may see a new
      # dependency file beside an old object (stale), never the reverse.
      mv "${obj}.d.tmp.$$" "${obj}.d" &&
        mv "${obj}.tmp.$$" "${obj}" || rc=1
    fi
    if [[ ${rc} -ne 0 ]]; then
      rm -f "${obj}.d.tmp.$$" "${obj}.tmp.$$"
    fi
  fi
  exec {fd}>&-
  return ${rc}
}

objects=()
deferred=()
announced=0
for src in "${SOURCE}" "${SOURCES[@]}"; do
  obj="$(object_of "${src}")"
  objects+=("${obj}")
  if object_fresh "${obj}"; then continue; fi
  if [[ ${announced} -eq 0 ]]; then
    echo "fuzz.sh: compiling for ${BIN} with $("${CLANGXX}" --version | head -n 1)"
    announced=1
  fi
  rc=0
  compile_locked "${src}" "${obj}" 0 || rc=$?
  if [[ ${rc} -eq 2 ]]; then
    deferred+=("${src}")
  elif [[ ${rc} -ne 0 ]]; then
    exit 1
  fi
done
# What another run was compiling: wait for it, then compile it if it failed.
for src in "${deferred[@]}"; do
  compile_locked "${src}" "$(object_of "${src}")" 1 || exit 1
done

# The binary is relinked when an object is newer or the list of objects
# changed (a source added to or removed from a module).
relink=0
if [[ ! -x "${BIN}" || "${BASH_SOURCE[0]}" -nt "${BIN}" ]] ||
  [[ "$(cat "${BIN}.objects" 2>/dev/null)" != "$(printf '%s\n' "${objects[@]}")" ]]; then
  relink=1
else
  for obj in "${objects[@]}"; do
    if [[ "${obj}" -nt "${BIN}" ]]; then
      relink=1
      break
    fi
  done
fi
if [[ ${relink} -eq 1 ]]; then
  # shellcheck disable=SC2207  # the flags are meant to split
  libs=($(pkg-config --libs absl_flat_hash_map absl_flat_hash_set absl_status \
    absl_statusor absl_strings absl_time fmt "${EXTRA_PKGS[@]}") "${EXTRA_LIBS[@]}")
  "${CLANGXX}" -fsanitize=fuzzer,address,undefined "${objects[@]}" "${libs[@]}" \
    -o "${BIN}.tmp.$$"
  mv "${BIN}.tmp.$$" "${BIN}"  # atomic: a concurrent run sees old or new
  printf '%s\n' "${objects[@]}" >"${BIN}.objects"
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
echo "fuzz.sh: ${BIN} ${BUDGET_ARGS[*]} over ${SEEDS}"
# tools/sanitized.sh: address randomization off where the runtimes need it.
exec "${ROOT}/tools/sanitized.sh" "${BIN}" "${BUDGET_ARGS[@]}" "-max_len=${MAX_LEN}" -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
  "-artifact_prefix=${OUT}/artifacts/${TARGET}-" "$@" \
  "${OUT}/corpus/${TARGET}" "${SEEDS}"
