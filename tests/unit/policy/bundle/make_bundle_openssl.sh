#!/usr/bin/env bash
# Builds a Bulwark trust root and a signed policy bundle using only the openssl CLI and
# coreutils — no Bulwark code — so the verifier can be checked against an independent signer.
#
#   make_bundle_openssl.sh OUT_DIR
#
# Writes into OUT_DIR: root.json (trust root v1: root role = root1, threshold 1; policy role =
# pol1, pol2 (Ed25519) and pol3 (ECDSA P-256), threshold 3) and bundle.json (policy v1 for
# org "interop-org", stream "baseline", linux, issued 2026-06-10, expires 2026-07-10, signed by
# pol1, pol2 and pol3), plus the keys and intermediate files.
set -euo pipefail

out=${1:?usage: make_bundle_openssl.sh OUT_DIR}
mkdir -p "$out"
cd "$out"

root_type='application/vnd.bulwark.trustroot.v1+json'
policy_type='application/vnd.bulwark.policy.v1+json'

# Keys: Ed25519 for root1, pol1, pol2; P-256 (named curve) for pol3.
for k in root1 pol1 pol2; do
  openssl genpkey -algorithm ed25519 -out "$k.key.pem"
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve -out pol3.key.pem
for k in root1 pol1 pol2 pol3; do
  openssl pkey -in "$k.key.pem" -pubout -outform DER -out "$k.spki.der"
done

keyid() { openssl dgst -sha256 -r "$1.spki.der" | cut -d' ' -f1; }
spki_b64() { openssl base64 -A -in "$1.spki.der"; }
file_b64() { openssl base64 -A -in "$1"; }

# pae TYPE PAYLOAD_FILE OUT_FILE: "DSSEv1 <len type> <type> <len body> <body>" (byte lengths).
pae() {
  local len
  len=$(wc -c <"$2")
  printf 'DSSEv1 %d %s %d ' "${#1}" "$1" "$((len))" >"$3"
  cat "$2" >>"$3"
}

# sign KEY PAE_FILE SIG_FILE: Ed25519 signs the message itself (-rawin); ECDSA signs
# SHA-256(message) and outputs DER.
sign() {
  case "$1" in
    pol3) openssl dgst -sha256 -sign "$1.key.pem" -out "$3" "$2" ;;
    *) openssl pkeyutl -sign -rawin -inkey "$1.key.pem" -in "$2" -out "$3" ;;
  esac
}

# envelope TYPE PAYLOAD_FILE OUT_FILE SIGNER...: writes the DSSE JSON envelope.
envelope() {
  local type=$1 payload=$2 dest=$3
  shift 3
  pae "$type" "$payload" "$dest.pae"
  local sigs="" sep=""
  for k in "$@"; do
    sign "$k" "$dest.pae" "$dest.$k.sig"
    sigs="$sigs$sep{\"keyid\": \"$(keyid "$k")\", \"sig\": \"$(file_b64 "$dest.$k.sig")\"}"
    sep=", "
  done
  printf '{"payloadType": "%s", "payload": "%s", "signatures": [%s]}\n' \
    "$type" "$(file_b64 "$payload")" "$sigs" >"$dest"
}

cat >root.payload.json <<EOF
{
  "_type": "bulwark/trustroot/v1",
  "spec_version": "1.0",
  "org_id": "interop-org",
  "version": 1,
  "expires": "2030-01-01T00:00:00Z",
  "policy_epoch": 1,
  "keys": {
    "$(keyid root1)": {"keytype": "ed25519", "public_key": "$(spki_b64 root1)"},
    "$(keyid pol1)": {"keytype": "ed25519", "public_key": "$(spki_b64 pol1)"},
    "$(keyid pol2)": {"keytype": "ed25519", "public_key": "$(spki_b64 pol2)"},
    "$(keyid pol3)": {"keytype": "ecdsa-p256", "public_key": "$(spki_b64 pol3)"}
  },
  "roles": {
    "root": {"keyids": ["$(keyid root1)"], "threshold": 1},
    "policy": {"keyids": ["$(keyid pol1)", "$(keyid pol2)", "$(keyid pol3)"], "threshold": 3}
  }
}
EOF

cat >bundle.payload.json <<'EOF'
{
  "_type": "bulwark/policy/v1",
  "spec_version": "1.0",
  "org_id": "interop-org",
  "policy_id": "baseline",
  "epoch": 1,
  "version": 1,
  "issued_at": "2026-06-10T00:00:00Z",
  "expires": "2026-07-10T00:00:00Z",
  "applies_to": {"platforms": ["linux"], "groups": ["*"]},
  "checks": [
    {
      "id": "endpoint.firewall-on",
      "title": "Host firewall is enabled",
      "severity": "high",
      "condition": {"===": [{"var": "endpoint_protection.firewall.enabled"}, true]},
      "remediation": {"summary": "Turn the firewall on.", "steps": ["sudo ufw enable"]}
    }
  ]
}
EOF

envelope "$root_type" root.payload.json root.json root1
envelope "$policy_type" bundle.payload.json bundle.json pol1 pol2 pol3
