// Package cipipeline writes the CI pipeline of the reference architecture
// for a platform spec: the services' release workflow (build, test, SBOM,
// vulnerability scan, keyless signature, push by digest, a pull request on
// the deploy repository) and the deploy repository's workflows (render
// --check, lint with SARIF, the diff as a comment, promotion gated by an
// approval and the error budget).
//
// The workflows are written as text, not marshalled, so they read like
// hand-written ones (keys in the order people write them, comments that say
// why). Every value that comes from the spec is a name the spec validated
// (DNS labels, image references) and reaches shell only through env:, never
// inline in run:.
package cipipeline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Action is a third-party action, pinned by commit: a tag can be moved to
// other code, a commit cannot. Version is the release the commit is.
type Action struct {
	Repo, Commit, Version string
}

func (a Action) uses() string { return a.Repo + "@" + a.Commit + " # " + a.Version }

// Actions are the only actions the workflows use. Updating one is changing
// its row (and reading the release's diff).
var Actions = struct {
	Checkout, SetupGo, UploadSARIF, CosignInstaller Action
}{
	Checkout:        Action{"actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"},
	SetupGo:         Action{"actions/setup-go", "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", "v5.5.0"},
	UploadSARIF:     Action{"github/codeql-action/upload-sarif", "181d5eefc20863364f96762470ba6f862bdef56b", "v3.29.2"},
	CosignInstaller: Action{"sigstore/cosign-installer", "d58896d6a1865668819e1d91763c7751a165e159", "v3.9.2"},
}

// Tools are installed with go install at a fixed version: the Go checksum
// database verifies what is downloaded, so no installer script is trusted.
var Tools = struct {
	Syft, Grype, Cosign string
}{
	Syft:   "github.com/anchore/syft/cmd/syft@v1.57.2",
	Grype:  "github.com/anchore/grype/cmd/grype@v0.121.3",
	Cosign: "github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5", // ci gitlab; GitHub uses its installer action
}

// GoVersion is the Go the workflows set up (to install the tools and
// platformctl).
const GoVersion = "1.26"

// Options are what the spec does not say.
type Options struct {
	// Version of platformctl the workflows install ("" or "dev": latest).
	Version string
	// FailOn is the lowest vulnerability severity that fails a build
	// (grype --fail-on: negligible, low, medium, high, critical).
	FailOn string
}

// Severities grype's --fail-on accepts.
var Severities = []string{"negligible", "low", "medium", "high", "critical"}

// normalize fills in the defaults and checks what the flags say.
func (o *Options) normalize() error {
	if o.FailOn == "" {
		o.FailOn = "high"
	}
	if !slices.Contains(Severities, o.FailOn) {
		return fmt.Errorf("fail-on %q: use one of %s", o.FailOn, strings.Join(Severities, ", "))
	}
	if o.Version == "" || o.Version == "dev" {
		o.Version = "latest"
	}
	return nil
}

// githubSubject is a GitHub Actions keyless signing identity: the workflow
// file that signs, at a ref.
var githubSubject = regexp.MustCompile(`^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/\.github/workflows/([A-Za-z0-9_.-]+\.ya?ml)@refs/heads/([A-Za-z0-9_./-]+)$`)

// GitHubIssuer is the OIDC issuer of GitHub Actions' tokens.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Error is a problem of the spec for the pipeline, at a spec path.
type Error struct {
	Path, Msg string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// WorkflowDir is where GitHub reads workflows, relative to the repository root.
const WorkflowDir = ".github/workflows"

// GitHub returns the workflow files for p, keyed by file name in
// WorkflowDir.
func GitHub(p *spec.Platform, o Options) (map[string][]byte, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	release, branch := "release.yml", "main"
	sig := signerOf(p)
	if iv := p.Spec.Security.ImageVerification; sig.keyless() {
		// The cluster admits what this identity signed; the release
		// workflow must be that identity, so its file and branch come from
		// the subject.
		m := githubSubject.FindStringSubmatch(iv.Subject)
		switch {
		case iv.Issuer != GitHubIssuer:
			return nil, &Error{"spec.security.imageVerification.issuer", fmt.Sprintf("is %q; ci github signs with GitHub Actions' identity, whose issuer is %s (ci gitlab signs as a GitLab pipeline)", iv.Issuer, GitHubIssuer)}
		case m == nil:
			return nil, &Error{"spec.security.imageVerification.subject", fmt.Sprintf("%q is not a GitHub workflow identity; write https://github.com/OWNER/REPO/.github/workflows/FILE.yml@refs/heads/BRANCH, the workflow that signs", iv.Subject)}
		}
		release, branch = m[3], m[4]
		if release == "platform.yml" || release == "promote.yml" {
			return nil, &Error{"spec.security.imageVerification.subject", fmt.Sprintf("names workflow %s, which ci github writes for the deploy repository; sign from another file", release)}
		}
	}
	files := map[string][]byte{"platform.yml": platformWorkflow(o)}
	if len(p.Spec.Services) > 0 { // a matrix without entries is an invalid workflow
		files[release] = releaseWorkflow(p, o, branch, sig)
	}
	if len(p.Spec.Promotion) > 1 {
		files["promote.yml"] = promoteWorkflow(p, o)
	}
	return files, nil
}

// text is a workflow being written.
type text struct{ strings.Builder }

func (t *text) line(format string, a ...any) { fmt.Fprintf(t, format+"\n", a...) }

func (t *text) bytes() []byte { return []byte(t.String()) }

func installPlatformctl(t *text, o Options) {
	t.line("      - uses: %s", Actions.SetupGo.uses())
	t.line("        with: {go-version: %q}", GoVersion)
	t.line("      - run: go install github.com/platformctl/platformctl/cmd/platformctl@%s", o.Version)
}

// releaseWorkflow builds every service's image on each push to branch.
func releaseWorkflow(p *spec.Platform, o Options, branch string, sig signer) []byte {
	var t text
	t.line("# Release: build, test, SBOM, scan, sign and push every service's image, by digest,")
	t.line("# then open a pull request on the deploy repository that runs platformctl set image.")
	t.line("# Written by platformctl ci github from the spec of %s; edit the spec and write it again.", p.Metadata.Name)
	switch {
	case sig.keyless():
		t.line("# This file and branch are the signing identity spec.security.imageVerification names:")
		t.line("# the cluster admits only images this workflow signed.")
	case sig.keyed():
		t.line("# Images are signed with the key whose public half spec.security.imageVerification holds")
		t.line("# (secrets.COSIGN_PRIVATE_KEY, secrets.COSIGN_PASSWORD): the cluster admits only those.")
	}
	t.line("name: release")
	t.line("on:")
	t.line("  push:")
	t.line("    branches: [%s]", branch)
	t.line("  workflow_dispatch:")
	t.line("permissions:")
	t.line("  contents: read")
	t.line("jobs:")
	t.line("  image:")
	t.line("    runs-on: ubuntu-latest")
	t.line("    permissions:")
	t.line("      contents: read")
	t.line("      packages: write   # push to ghcr.io with the job's token")
	if !sig.keyed() {
		t.line("      id-token: write   # the OIDC token cosign signs with: no long-lived key")
	}
	t.line("    strategy:")
	t.line("      fail-fast: false")
	t.line("      matrix:")
	t.line("        include:")
	for _, s := range p.Spec.Services {
		ref := imageref.Parse(s.Image)
		t.line("          - {service: %s, image: %s, registry: %s, context: ./%s}", s.Name, ref.Resolved(), ref.Registry, s.Name)
	}
	t.line("    env:")
	t.line("      SERVICE: ${{ matrix.service }}")
	t.line("      IMAGE: ${{ matrix.image }}")
	t.line("      REGISTRY: ${{ matrix.registry }}")
	t.line("      CONTEXT: ${{ matrix.context }}")
	t.line("    steps:")
	t.line("      - uses: %s", Actions.Checkout.uses())
	t.line("        with: {persist-credentials: false}")
	t.line("      - uses: %s", Actions.SetupGo.uses())
	t.line("        with: {go-version: %q}", GoVersion)
	t.line("      - name: Test")
	t.line("        # The Dockerfile's test stage, when it has one, runs the tests in the build's environment.")
	t.line("        run: |")
	t.line("          if grep -qiE '^FROM .* AS test$' \"$CONTEXT/Dockerfile\"; then")
	t.line("            docker buildx build --target test \"$CONTEXT\"")
	t.line("          fi")
	t.line("      - name: Log in to the registry")
	t.line("        env:")
	t.line("          TOKEN: ${{ secrets.REGISTRY_TOKEN || github.token }}")
	t.line("          USERNAME: ${{ vars.REGISTRY_USERNAME || github.actor }}")
	t.line("        run: printf '%%s' \"$TOKEN\" | docker login \"$REGISTRY\" -u \"$USERNAME\" --password-stdin")
	t.line("      - name: A docker-container builder (provenance attestations and --metadata-file need it)")
	t.line("        run: docker buildx create --use")
	t.line("      - name: Build and push, tagged with the commit")
	t.line("        run: docker buildx build --push --provenance=mode=max -t \"$IMAGE:$GITHUB_SHA\" --metadata-file build.json \"$CONTEXT\"")
	t.line("      - name: Digest")
	t.line("        id: digest")
	t.line("        run: echo \"ref=$IMAGE@$(jq -r '.\"containerimage.digest\"' build.json)\" >> \"$GITHUB_OUTPUT\"")
	t.line("      - name: SBOM and vulnerability scan (fails at %s or above)", o.FailOn)
	t.line("        env:")
	t.line("          REF: ${{ steps.digest.outputs.ref }}")
	t.line("        run: |")
	t.line("          go install %s", Tools.Syft)
	t.line("          go install %s", Tools.Grype)
	t.line("          syft \"$REF\" -o spdx-json=sbom.spdx.json")
	t.line("          grype sbom:sbom.spdx.json --fail-on %s", o.FailOn)
	t.line("      - uses: %s", Actions.CosignInstaller.uses())
	if sig.keyed() {
		t.line("      - name: Sign with the platform's key and attest the SBOM")
		t.line("        env:")
		t.line("          REF: ${{ steps.digest.outputs.ref }}")
		t.line("          COSIGN_PRIVATE_KEY: ${{ secrets.COSIGN_PRIVATE_KEY }}")
		t.line("          COSIGN_PASSWORD: ${{ secrets.COSIGN_PASSWORD }}")
		t.line("        run: |")
		t.line("          cosign sign --yes --key env://COSIGN_PRIVATE_KEY \"$REF\"")
		t.line("          cosign attest --yes --key env://COSIGN_PRIVATE_KEY --type spdxjson --predicate sbom.spdx.json \"$REF\"")
	} else {
		t.line("      - name: Sign keyless and attest the SBOM")
		t.line("        env:")
		t.line("          REF: ${{ steps.digest.outputs.ref }}")
		t.line("        run: |")
		t.line("          cosign sign --yes \"$REF\"")
		t.line("          cosign attest --yes --type spdxjson --predicate sbom.spdx.json \"$REF\"")
	}
	if sig.verifies() {
		t.line("      - name: Verify as the cluster will (spec.security.imageVerification)")
		t.line("        env:")
		t.line("          REF: ${{ steps.digest.outputs.ref }}")
		sig.env(&t, "          ")
		t.line("        run: cosign verify %s \"$REF\" > /dev/null", sig.verifyFlags())
	}
	first := ""
	if len(p.Spec.Promotion) > 0 {
		first = p.Spec.Promotion[0]
	}
	t.line("      - run: go install github.com/platformctl/platformctl/cmd/platformctl@%s", o.Version)
	if first != "" {
		t.line("      - name: Pull request on the deploy repository (the image goes to %s, the first stage of spec.promotion)", first)
	} else {
		t.line("      - name: Pull request on the deploy repository (the image every environment runs)")
	}
	t.line("        env:")
	t.line("          GH_TOKEN: ${{ secrets.DEPLOY_TOKEN }}   # contents and pull-requests: write on the deploy repository")
	t.line("          DEPLOY_REPOSITORY: ${{ vars.DEPLOY_REPOSITORY }}")
	t.line("          FIRST_STAGE: %q", first)
	t.line("        run: |")
	t.line("          gh repo clone \"$DEPLOY_REPOSITORY\" deploy -- --depth 1")
	t.line("          cd deploy")
	t.line("          branch=\"platformctl/$SERVICE-$GITHUB_SHA\"")
	t.line("          git switch -c \"$branch\"")
	t.line("          platformctl set image \"$SERVICE\" --from-metadata ../build.json ${FIRST_STAGE:+--env \"$FIRST_STAGE\"}")
	t.line("          platformctl render")
	t.line("          git add -A   # render may add files (a migration Job named after its image)")
	t.line("          git -c user.name=platformctl -c user.email=platformctl@users.noreply.github.com commit -qm \"$SERVICE: $GITHUB_SHA\"")
	t.line("          git push -q origin \"$branch\"")
	t.line("          gh pr create --fill --head \"$branch\"")
	return t.bytes()
}

// platformWorkflow checks the deploy repository on every pull request.
func platformWorkflow(o Options) []byte {
	var t text
	t.line("# Deploy repository: the rendered tree is current, the manifests lint clean (findings in")
	t.line("# code scanning), and each pull request shows what the cluster will see.")
	t.line("# Written by platformctl ci github.")
	t.line("name: platform")
	t.line("on:")
	t.line("  pull_request:")
	t.line("  push:")
	t.line("    branches: [main]")
	t.line("permissions:")
	t.line("  contents: read")
	t.line("jobs:")
	t.line("  check:")
	t.line("    runs-on: ubuntu-latest")
	t.line("    permissions:")
	t.line("      contents: read")
	t.line("      security-events: write   # upload SARIF to code scanning")
	t.line("    steps:")
	t.line("      - uses: %s", Actions.Checkout.uses())
	t.line("        with: {persist-credentials: false}")
	installPlatformctl(&t, o)
	t.line("      - name: Rendered tree is current")
	t.line("        run: platformctl render --check")
	t.line("      - name: Lint (annotations on the pull request)")
	t.line("        run: platformctl lint -o github")
	t.line("      - name: Lint (SARIF for code scanning)")
	t.line("        if: always()")
	t.line("        run: platformctl lint -o sarif > lint.sarif || true")
	t.line("      - uses: %s", Actions.UploadSARIF.uses())
	t.line("        if: always()")
	t.line("        with: {sarif_file: lint.sarif, category: platformctl}")
	t.line("  diff:")
	t.line("    if: github.event_name == 'pull_request'")
	t.line("    runs-on: ubuntu-latest")
	t.line("    permissions:")
	t.line("      contents: read")
	t.line("      pull-requests: write   # post the comment")
	t.line("    steps:")
	t.line("      - uses: %s", Actions.Checkout.uses())
	t.line("        with: {fetch-depth: 0, persist-credentials: false}   # the base branch's history, for --against")
	installPlatformctl(&t, o)
	t.line("      - name: Semantic diff against the base branch")
	t.line("        env:")
	t.line("          BASE: ${{ github.base_ref }}")
	t.line("        run: |")
	t.line("          status=0")
	t.line("          platformctl diff --against \"origin/$BASE\" -o markdown > diff.md || status=$?")
	t.line("          if [ \"$status\" -gt 1 ]; then exit \"$status\"; fi")
	t.line("      - name: Comment on the pull request")
	t.line("        env:")
	t.line("          GH_TOKEN: ${{ github.token }}")
	t.line("          PR: ${{ github.event.pull_request.number }}")
	t.line("        run: gh pr comment \"$PR\" --body-file diff.md --edit-last || gh pr comment \"$PR\" --body-file diff.md")
	return t.bytes()
}

// promoteWorkflow promotes one stage on demand. Each target stage runs in
// the GitHub environment of its name, so its protection rules (required
// reviewers for production) are the approval; a production-tier target
// also waits until no error-budget burn alert fires.
func promoteWorkflow(p *spec.Platform, o Options) []byte {
	stages := p.Spec.Promotion
	var guarded []string
	for _, s := range stages[1:] {
		if e := p.Environment(s); e != nil && e.Tier == spec.TierProduction {
			guarded = append(guarded, "inputs.to == '"+s+"'")
		}
	}
	var t text
	t.line("# Promotion, one stage of spec.promotion at a time (%s).", strings.Join(stages, " → "))
	t.line("# The job runs in the GitHub environment named after the target: give production")
	t.line("# required reviewers there, and the job waits for their approval.")
	t.line("# Written by platformctl ci github.")
	t.line("name: promote")
	t.line("on:")
	t.line("  workflow_dispatch:")
	t.line("    inputs:")
	t.line("      to:")
	t.line("        description: the stage to promote into (its images come from the stage before it)")
	t.line("        type: choice")
	t.line("        options: [%s]", strings.Join(stages[1:], ", "))
	t.line("permissions:")
	t.line("  contents: read")
	t.line("jobs:")
	t.line("  promote:")
	t.line("    runs-on: ubuntu-latest")
	t.line("    environment: ${{ inputs.to }}")
	t.line("    permissions:")
	t.line("      contents: write        # push the promotion branch")
	t.line("      pull-requests: write   # open its pull request")
	t.line("    env:")
	t.line("      TO: ${{ inputs.to }}")
	t.line("    steps:")
	t.line("      - uses: %s", Actions.Checkout.uses())
	installPlatformctl(&t, o)
	if len(guarded) > 0 {
		t.line("      - name: Refuse while an error budget burns (the target cluster's Prometheus)")
		t.line("        if: %s", strings.Join(guarded, " || "))
		t.line("        env:")
		t.line("          PROMETHEUS_URL: ${{ vars.PROMETHEUS_URL }}")
		t.line("          QUERY: ALERTS{alertstate=\"firing\",alertname=~\"%s\"}", strings.Join(monitoring.BurnAlertNames(), "|"))
		t.line("        run: |")
		t.line("          firing=$(curl -fsS --get \"$PROMETHEUS_URL/api/v1/query\" --data-urlencode \"query=$QUERY\" | jq '.data.result | length')")
		t.line("          if [ \"$firing\" != 0 ]; then")
		t.line("            echo \"::error::$firing error-budget burn alert(s) firing in $TO; promote when the budget recovers\"")
		t.line("            exit 1")
		t.line("          fi")
	}
	t.line("      - name: Promote")
	t.line("        env:")
	t.line("          GH_TOKEN: ${{ github.token }}")
	t.line("          STAGES: %s", strings.Join(stages, " "))
	t.line("        run: |")
	t.line("          from=")
	t.line("          for s in $STAGES; do [ \"$s\" = \"$TO\" ] && break; from=$s; done")
	t.line("          branch=\"platformctl/promote-$from-$TO-$GITHUB_RUN_ID\"")
	t.line("          git switch -c \"$branch\"")
	t.line("          platformctl promote \"$from\" \"$TO\" -o markdown > promotion.md")
	t.line("          platformctl render")
	t.line("          git add -A")
	t.line("          if git diff --cached --quiet; then echo \"$TO already runs what $from runs\"; exit 0; fi")
	t.line("          git -c user.name=platformctl -c user.email=platformctl@users.noreply.github.com commit -qm \"promote $from → $TO\"")
	t.line("          git push -q origin \"$branch\"")
	t.line("          gh pr create --title \"promote $from → $TO\" --body-file promotion.md --head \"$branch\"")
	return t.bytes()
}
