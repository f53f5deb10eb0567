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
# keygen never writes over a file or through a link.
ln -s elsewhere.pem link.pem
set +e
"${AUDIT}" keygen private.pem other.pub >/dev/null 2>&1; [[ $? == 2 ]] || fail "keygen overwrote a key"
"${AUDIT}" keygen link.pem other.pub >/dev/null 2>&1; [[ $? == 2 ]] || fail "keygen followed a link"
set -e
[[ ! -e elsewhere.pem ]] || fail "keygen wrote through a link"
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

# Lines: 1 header, 2 creation, 3 the first entry, 4 its closing, 5 the
# reopening, 6 the second entry, ... One field of the second entry changed:
# found on line 6, exit 1.
cp audit.log good.log
sed -i '6s/routing.json/routing.jsoN/' audit.log
cmp -s audit.log good.log && fail "the edit did not change the log"
set +e
out="$("${AUDIT}" verify audit.log --public-key public.pem)"
rc=$?
set -e
[[ ${rc} == 1 ]] || fail "verify of a changed log exited ${rc}"
[[ "${out}" == "audit.log:6: the link hash does not match"* ]] || fail "verify said: ${out}"
# show prints nothing of a log that does not verify.
set +e
shown="$("${AUDIT}" show audit.log --public-key public.pem 2>/dev/null)"
set -e
[[ -z "${shown}" ]] || fail "show printed entries of a broken log: ${shown}"

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
