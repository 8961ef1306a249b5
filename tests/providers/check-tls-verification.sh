#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Nothing in Pieper's sources turns certificate verification off: no
# accept-certificate handler (which can accept a certificate libsoup
# refused), no tls-database of its own (NULL would verify nothing), no
# validation flags, no environment switch. test-tls.c shows that the
# providers refuse a self-signed server; this keeps anyone from adding a
# way around it. Argument: the source tree.
set -eu

src=${1:?usage: $0 SRCDIR}/src
pattern='accept-certificate|accept_certificate|tls-database|tls_database|tls-interaction|ssl-strict|G_TLS_CERTIFICATE_VALIDATE|validation-flags|set_validation_flags|G_TLS_DATABASE|GNUTLS|SSL_CERT'

if grep -rnE "$pattern" "$src"; then
  echo "The lines above may weaken TLS certificate verification" >&2
  exit 1
fi
echo "No code in $src changes TLS certificate verification"
