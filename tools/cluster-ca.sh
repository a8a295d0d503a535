#!/usr/bin/env bash
# Makes a development certificate authority and node certificates for the event bus's mutual TLS
# (cluster.tls.*): only a process holding a certificate this CA signed can open a bus connection to a node,
# and a node sends to no process that cannot show one.
#
# Usage: tools/cluster-ca.sh <dir> [node names...]   (default names: node)
# Writes <dir>/ca.pem (give it to every node: cluster.tls.caPath), <dir>/ca-key.pem (keep it off the nodes),
# and for each name <dir>/<name>.pem + <dir>/<name>-key.pem (cluster.tls.certPath / keyPath). An existing CA
# in <dir> is reused, so more nodes can be certified later. For Kubernetes:
#   kubectl -n azora create secret generic azora-cluster-tls \
#     --from-file=ca.pem=<dir>/ca.pem --from-file=node.pem=<dir>/node.pem --from-file=node-key.pem=<dir>/node-key.pem
# Production should use its own CA (cert-manager, a vault); this is for development and tests.
set -euo pipefail
DIR=${1:?usage: tools/cluster-ca.sh <dir> [node names...]}
shift
NAMES=("${@:-node}")
DAYS=${DAYS:-825}
mkdir -p "$DIR"
umask 077

if [[ ! -f "$DIR/ca.pem" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/ca-key.pem"
  openssl req -x509 -new -key "$DIR/ca-key.pem" -sha256 -days "$DAYS" -subj "/O=Azora/CN=Azora cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$DIR/ca.pem" 2>/dev/null
fi

for name in "${NAMES[@]}"; do
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bad node name: $name" >&2; exit 2; }
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/$name-key.pem"
  openssl req -new -key "$DIR/$name-key.pem" -subj "/O=Azora/CN=$name" -out "$DIR/$name.csr"
  # Each certificate is both a server's (it accepts bus connections) and a client's (it opens them).
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$name" \
    > "$DIR/$name.ext"
  openssl x509 -req -in "$DIR/$name.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca-key.pem" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$DIR/$name.ext" -out "$DIR/$name.pem" 2>/dev/null
  rm -f "$DIR/$name.csr" "$DIR/$name.ext"
done
chmod 644 "$DIR"/*.pem
chmod 600 "$DIR"/*-key.pem
echo "CA: $DIR/ca.pem; nodes: ${NAMES[*]}" >&2
