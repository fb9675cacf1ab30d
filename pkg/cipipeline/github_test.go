package cipipeline

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/spec"
)

func load(t *testing.T, example string) *spec.Platform {
	t.Helper()
	d, err := spec.LoadAndValidate(filepath.Join("..", "..", "examples", example, "platform.yaml"))
	require.NoError(t, err)
	return d.Platform
}

// TestGitHubGolden pins the workflows of examples/shop.
func TestGitHubGolden(t *testing.T) {
	files, err := GitHub(load(t, "shop"), Options{})
	require.NoError(t, err)
	require.Len(t, files, 3)
	for name, b := range files {
		golden.Assert(t, filepath.Join("..", "..", "testdata", "cipipeline", "shop", name), b)
	}
}

var uses = regexp.MustCompile(`(?m)^\s*-?\s*uses:\s*(\S+)(.*)$`)

// TestEveryActionPinned: every uses: names a commit, and says which release
// it is; the signing identity and the release file agree with the spec.
func TestEveryActionPinned(t *testing.T) {
	for _, ex := range []string{"shop", "microservices", "nginx", "stores", "minimal"} {
		p := load(t, ex)
		files, err := GitHub(p, Options{FailOn: "critical"})
		require.NoError(t, err, ex)
		for name, b := range files {
			for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
				assert.Regexp(t, `^[a-z0-9-]+/[a-z0-9-]+(/[a-z0-9-]+)?@[0-9a-f]{40}$`, m[1], "%s %s", ex, name)
				assert.Regexp(t, `^ # v\d+\.\d+\.\d+$`, m[2], "%s %s", ex, name)
			}
			assert.Empty(t, expressionsInRun(string(b)), "%s %s: values reach shell through env: only", ex, name)
		}
		if iv := p.Spec.Security.ImageVerification; iv != nil && iv.Subject != "" {
			file := githubSubject.FindStringSubmatch(iv.Subject)[3]
			require.Contains(t, files, file, ex)
			assert.Contains(t, string(files[file]), "SUBJECT: "+iv.Subject, ex)
			assert.Contains(t, string(files[file]), "grype sbom:sbom.spdx.json --fail-on critical", ex)
		}
		_, hasPromote := files["promote.yml"]
		assert.Equal(t, len(p.Spec.Promotion) > 1, hasPromote, ex)
	}
}

func TestGitHubRefused(t *testing.T) {
	for _, tt := range []struct {
		name      string
		iv        spec.ImageVerification
		path, msg string
		opts      Options
	}{
		{"issuer", spec.ImageVerification{Issuer: "https://accounts.google.com", Subject: "ci@acme.iam.gserviceaccount.com"}, "spec.security.imageVerification.issuer", "whose issuer is https://token.actions.githubusercontent.com", Options{}},
		{"subject", spec.ImageVerification{Issuer: GitHubIssuer, Subject: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1"}, "spec.security.imageVerification.subject", "is not a GitHub workflow identity", Options{}},
		{"own file", spec.ImageVerification{Issuer: GitHubIssuer, Subject: "https://github.com/acme/shop/.github/workflows/platform.yml@refs/heads/main"}, "spec.security.imageVerification.subject", "names workflow platform.yml", Options{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, "shop")
			p.Spec.Security.ImageVerification = &tt.iv
			_, err := GitHub(p, tt.opts)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.path, e.Path)
			assert.Contains(t, e.Msg, tt.msg)
		})
	}
	_, err := GitHub(load(t, "shop"), Options{FailOn: "severe"})
	assert.ErrorContains(t, err, `fail-on "severe": use one of negligible, low, medium, high, critical`)
}

// expressionsInRun returns the lines of run: scripts that hold a ${{ }}
// expression: the runner pastes its value into the script, so a crafted
// branch name or input would run as shell.
func expressionsInRun(w string) []string {
	var bad []string
	block := -1 // indentation of the run: | key, while inside its script
	for _, l := range strings.Split(w, "\n") {
		ind := len(l) - len(strings.TrimLeft(l, " "))
		trimmed := strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(l, " "), "- "), " ")
		if block >= 0 && ind <= block && strings.TrimSpace(l) != "" {
			block = -1
		}
		switch {
		case block >= 0 && strings.Contains(l, "${{"):
			bad = append(bad, l)
		case strings.HasPrefix(trimmed, "run: |"):
			block = ind
		case strings.HasPrefix(trimmed, "run:") && strings.Contains(l, "${{"):
			bad = append(bad, l)
		}
	}
	return bad
}

func TestExpressionsInRun(t *testing.T) {
	assert.Equal(t, []string{"        run: echo ${{ inputs.to }}", "          echo ${{ github.head_ref }}"}, expressionsInRun(`    steps:
      - env:
          TO: ${{ inputs.to }}
        run: echo ${{ inputs.to }}
      - run: |
          echo "$TO"
          echo ${{ github.head_ref }}
      - uses: x/y@z
        with: {a: "${{ github.token }}"}
`))
}

// TestGitHubKeyed: a spec that declares only a public key gets a release
// signed with its private half, and no OIDC token it does not need.
func TestGitHubKeyed(t *testing.T) {
	p := load(t, "shop")
	p.Spec.Security.ImageVerification = &spec.ImageVerification{PublicKey: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"}
	files, err := GitHub(p, Options{})
	require.NoError(t, err)
	release := string(files["release.yml"])
	assert.NotContains(t, release, "id-token: write")
	assert.Contains(t, release, "COSIGN_PRIVATE_KEY: ${{ secrets.COSIGN_PRIVATE_KEY }}")
	assert.Contains(t, release, "cosign sign --yes --key env://COSIGN_PRIVATE_KEY \"$REF\"")
	assert.Contains(t, release, "          COSIGN_PUBLIC_KEY: |\n            -----BEGIN PUBLIC KEY-----\n            MFkw")
	assert.Contains(t, release, "run: cosign verify --key env://COSIGN_PUBLIC_KEY \"$REF\" > /dev/null")
	assert.Empty(t, expressionsInRun(release))
}
