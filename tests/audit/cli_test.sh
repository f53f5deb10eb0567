#!/usr/bin/env bash
# ccengine-audit end to end: keygen (the keys read by the openssl command as
# well), append, verify, show; a changed byte and a cut found with the line;
# usage errors. Usage: cli_test.sh PATH/TO/ccengine-audit
set -euo pipefail
AUDIT="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT
cd "${WORK}"

fail() { echo "FAIL: $*" >&2; exit 1; }

"${AUDIT}" keygen private.pem public.pem >/dev/null
[[ "$(stat -c %a private.pem)" == 600 ]] || fail "the private key is not 0600"
# Interoperable PEM: OpenSSL derives the same public key from the private one.
openssl pkey -in private.pem -pubout -out derived.pem
cmp -s derived.pem public.pem || fail "openssl derives another public key"

"${AUDIT}" append audit.log --key private.pem --actor wang.li --role supervisor \
  --action agent.force_state --subject agent:1007 --before busy --after away \
  --reason "stuck call" >seq1
"${AUDIT}" append audit.log --key private.pem --actor root --role administrator \
  --action routing.publish --subject routing.json --after "version 8" >/dev/null
"${AUDIT}" append audit.log --key private.pem --actor li.na --role agent \
  --action session.login --reason "callback 13812345678" >/dev/null
[[ "$(cat seq1)" == 2 ]] || fail "the first entry's sequence number is $(cat seq1), not 2"

out="$("${AUDIT}" verify audit.log --public-key public.pem)"
[[ "${out}" == *"intact: 3 entries"* ]] || fail "verify said: ${out}"

shown="$("${AUDIT}" show audit.log --public-key public.pem 2>/dev/null)"
[[ "$(wc -l <<<"${shown}")" == 3 ]] || fail "show printed: ${shown}"
grep -q $'\twang.li\tsupervisor\tagent.force_state\tagent:1007\tbusy\taway\tstuck call$' \
  <<<"${shown}" || fail "show printed: ${shown}"
grep -q "callback 138\*\*\*\*5678" <<<"${shown}" || fail "the mobile number was not masked"

# One byte changed on line 4 (the second entry): found there, exit 1.
cp audit.log good.log
line4_start=$(head -n 3 audit.log | wc -c)
printf 'X' | dd of=audit.log bs=1 seek=$((line4_start + 40)) conv=notrunc status=none
set +e
out="$("${AUDIT}" verify audit.log --public-key public.pem)"
rc=$?
set -e
[[ ${rc} == 1 ]] || fail "verify of a changed log exited ${rc}"
[[ "${out}" == "audit.log:4: "* ]] || fail "verify said: ${out}"

# Cut after line 5: the head names a later checkpoint.
head -n 5 good.log >audit.log
set +e
out="$("${AUDIT}" verify audit.log --public-key public.pem)"
rc=$?
set -e
[[ ${rc} == 1 && "${out}" == *"cut short"* ]] || fail "verify of a cut log: ${rc} ${out}"
# Appending to it is refused.
set +e
err="$("${AUDIT}" append audit.log --key private.pem --actor a --role b --action c 2>&1)"
rc=$?
set -e
[[ ${rc} == 2 && "${err}" == *"refusing to append"* ]] || fail "append to a cut log: ${rc} ${err}"

# Usage errors exit 2.
set +e
"${AUDIT}" verify good.log >/dev/null 2>&1; [[ $? == 2 ]] || fail "verify without a key"
"${AUDIT}" frobnicate >/dev/null 2>&1; [[ $? == 2 ]] || fail "an unknown command"
"${AUDIT}" append good.log --key private.pem --actor a --role b --action c --colour red \
  >/dev/null 2>&1; [[ $? == 2 ]] || fail "an unknown flag"
"${AUDIT}" verify good.log --public-key private.pem >/dev/null 2>&1
[[ $? == 2 ]] || fail "a private key given as the public one"
set -e
echo "audit_cli_test: ok"
