package cipipeline

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// signer is how a release pipeline signs, read from
// spec.security.imageVerification: the one place the cluster's admission
// policy reads the signer from too, so what the pipeline signs is what the
// cluster admits.
type signer struct {
	// issuer and subject: keyless, as this identity.
	issuer, subject string
	// publicKey: the PEM key the signature verifies with.
	publicKey string
}

func signerOf(p *spec.Platform) signer {
	iv := p.Spec.Security.ImageVerification
	if iv == nil {
		return signer{}
	}
	return signer{issuer: iv.Issuer, subject: iv.Subject, publicKey: iv.PublicKey}
}

// keyless says the spec names a keyless identity: the pipeline must sign as
// it (the admission policy accepts either signer when both are declared, and
// keyless needs no secret).
func (s signer) keyless() bool { return s.issuer != "" || s.subject != "" }

// keyed says the spec declares only a key: the pipeline signs with its
// private half, a CI secret (COSIGN_PRIVATE_KEY, COSIGN_PASSWORD).
func (s signer) keyed() bool { return !s.keyless() && s.publicKey != "" }

// verifies says there is something to verify the signature against before
// the image goes to the deploy repository.
func (s signer) verifies() bool { return s.keyless() || s.keyed() }

// env writes the variables cosign verify reads, at indent, as YAML
// key: value lines (the key as a literal block).
func (s signer) env(t *text, indent string) {
	if s.keyed() {
		t.line("%sCOSIGN_PUBLIC_KEY: |", indent)
		for _, l := range strings.Split(strings.TrimSpace(s.publicKey), "\n") {
			t.line("%s  %s", indent, strings.TrimSpace(l))
		}
		return
	}
	t.line("%sISSUER: %s", indent, s.issuer)
	t.line("%sSUBJECT: %s", indent, s.subject)
}

// verifyFlags are cosign verify's flags for the variables env writes.
func (s signer) verifyFlags() string {
	if s.keyed() {
		return "--key env://COSIGN_PUBLIC_KEY"
	}
	return `--certificate-oidc-issuer "$ISSUER" --certificate-identity "$SUBJECT"`
}
