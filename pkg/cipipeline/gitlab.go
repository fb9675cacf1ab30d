package cipipeline

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Images are the container images ci gitlab's jobs run in. They are named
// by tag, the way GitLab's own templates do: add @sha256:… to pin them
// (docs/ci.md), as the GitHub workflows pin actions by commit.
var Images = struct {
	Go, Docker, DockerDaemon string
}{
	Go:           "golang:" + GoVersion,
	Docker:       "docker:28",
	DockerDaemon: "docker:28-dind",
}

// gitlabSubject is a GitLab CI keyless signing identity: the project's URL,
// then after "//" the pipeline's top-level configuration file (the OIDC
// token's ci_config_ref_uri), at a ref. Group paths nest.
var gitlabSubject = regexp.MustCompile(`^(https://[A-Za-z0-9.-]+(?::[0-9]+)?)/((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+)//([A-Za-z0-9_./-]+\.ya?ml)@refs/heads/([A-Za-z0-9_./-]+)$`)

// GitLab CI's part files, included from the top-level configuration file.
const (
	GitLabCheck   = ".gitlab/ci/platform.yml"
	GitLabRelease = ".gitlab/ci/release.yml"
	GitLabPromote = ".gitlab/ci/promote.yml"
)

// GitLab returns the pipeline files for p, keyed by path from the
// repository root: the top-level configuration file (.gitlab-ci.yml, or the
// one the signing identity names) including one part file per concern.
func GitLab(p *spec.Platform, o Options) (map[string][]byte, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	top := gitlabTop{config: ".gitlab-ci.yml"}
	sig := signerOf(p)
	if iv := p.Spec.Security.ImageVerification; sig.keyless() {
		// The cluster admits what this identity signed: the release jobs
		// must run in its project, from its configuration file, on its
		// branch.
		m := gitlabSubject.FindStringSubmatch(iv.Subject)
		if m == nil {
			return nil, &Error{"spec.security.imageVerification.subject", fmt.Sprintf("%q is not a GitLab pipeline identity; write https://HOST/GROUP/PROJECT//.gitlab-ci.yml@refs/heads/BRANCH (the project, then after // the pipeline's configuration file)", iv.Subject)}
		}
		if iv.Issuer != m[1] {
			return nil, &Error{"spec.security.imageVerification.issuer", fmt.Sprintf("is %q; a GitLab pipeline's tokens are issued by its instance, %s (ci github signs as a GitHub workflow)", iv.Issuer, m[1])}
		}
		top.project, top.config, top.branch = m[2], m[3], m[4]
		if path.Clean(top.config) != top.config || strings.HasPrefix(top.config, "../") || slices.Contains([]string{GitLabCheck, GitLabRelease, GitLabPromote}, top.config) {
			return nil, &Error{"spec.security.imageVerification.subject", fmt.Sprintf("names configuration file %s; name the top-level file the project runs (.gitlab-ci.yml, or its CI/CD configuration file setting), not one ci gitlab includes", top.config)}
		}
	}
	files := map[string][]byte{GitLabCheck: gitlabCheck(o)}
	if len(p.Spec.Services) > 0 {
		files[GitLabRelease] = gitlabRelease(p, o, top, sig)
	}
	if len(p.Spec.Promotion) > 1 {
		files[GitLabPromote] = gitlabPromote(p)
	}
	files[top.config] = gitlabTopFile(p, top, files)
	return files, nil
}

// gitlabTop is where the pipeline that signs runs: the project and branch
// the identity names ("" without one) and its configuration file.
type gitlabTop struct {
	project, config, branch string
}

func gitlabTopFile(p *spec.Platform, top gitlabTop, parts map[string][]byte) []byte {
	var t text
	t.line("# The delivery loop of %s on GitLab CI/CD: the services' release and the deploy", p.Metadata.Name)
	t.line("# repository's checks and promotion, one file per concern under .gitlab/ci/.")
	t.line("# Written by platformctl ci gitlab from the spec; edit the spec and write it again.")
	if top.project != "" {
		t.line("# This file, in %s, on %s, is the signing identity spec.security.imageVerification", top.project, top.branch)
		t.line("# names: the cluster admits only images its release jobs signed.")
	}
	t.line("workflow:")
	t.line("  rules:")
	t.line("    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"")
	t.line("    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS")
	t.line("      when: never   # the merge request's pipeline runs instead: one pipeline per push")
	t.line("    - if: $CI_COMMIT_BRANCH")
	t.line("stages: [check, release, promote]")
	t.line("include:")
	for _, f := range []string{GitLabCheck, GitLabRelease, GitLabPromote} {
		if _, ok := parts[f]; ok {
			t.line("  - local: %s", f)
		}
	}
	return t.bytes()
}

// gitlabTools is the hidden job the deploy repository's jobs extend (the
// check file always exists, so promote's jobs find it there): Go's image, jq
// for the API calls, and platformctl at the pipeline's version.
func gitlabTools(t *text, o Options) {
	t.line(".platformctl:")
	t.line("  image: %s", Images.Go)
	t.line("  before_script:")
	t.line("    - apt-get update -qq && apt-get install -qqy --no-install-recommends jq > /dev/null")
	t.line("    - go install github.com/platformctl/platformctl/cmd/platformctl@%s", o.Version)
}

// diffMarker starts the merge request note the diff job keeps up to date,
// so a push edits it instead of adding another.
const diffMarker = "<!-- platformctl diff -->"

// gitlabCheck checks the deploy repository on every merge request and push.
func gitlabCheck(o Options) []byte {
	var t text
	t.line("# Deploy repository: the rendered tree is current, the manifests lint clean (findings in")
	t.line("# the merge request's Code Quality widget and test report), and each merge request shows")
	t.line("# what the cluster will see in a note.")
	t.line("# Written by platformctl ci gitlab.")
	gitlabTools(&t, o)
	t.line("platform:check:")
	t.line("  extends: .platformctl")
	t.line("  stage: check")
	t.line("  script:")
	t.line("    - platformctl render --check")
	t.line("    - status=0")
	t.line("    - platformctl lint -o gitlab > gl-code-quality-report.json || status=$?")
	t.line("    - platformctl lint -o junit > lint.junit.xml || true")
	t.line("    - exit \"$status\"")
	t.line("  artifacts:")
	t.line("    when: always")
	t.line("    reports:")
	t.line("      codequality: gl-code-quality-report.json")
	t.line("      junit: lint.junit.xml")
	t.line("platform:diff:")
	t.line("  extends: .platformctl")
	t.line("  stage: check")
	t.line("  rules:")
	t.line("    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"")
	t.line("  variables:")
	t.line("    GIT_DEPTH: \"0\"   # the target branch's history, for --against")
	t.line("    MARKER: %q", diffMarker)
	t.line("  script:")
	t.line("    - git fetch -q origin \"+refs/heads/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME:refs/remotes/origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\"")
	t.line("    - status=0")
	t.line("    - platformctl diff --against \"origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\" -o markdown > diff.md || status=$?")
	t.line("    - if [ \"$status\" -gt 1 ]; then exit \"$status\"; fi")
	t.line("    - |")
	t.line("      if [ -z \"$DEPLOY_TOKEN\" ]; then")
	t.line("        echo \"DEPLOY_TOKEN is not set: the diff is in the job's artifacts, not in a note\"")
	t.line("        exit 0")
	t.line("      fi")
	t.line("      notes=\"$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes\"")
	t.line("      body=$(printf '%%s\\n\\n' \"$MARKER\" | cat - diff.md | jq -Rs '{body: .}')")
	t.line("      note=$(curl -fsS --header \"PRIVATE-TOKEN: $DEPLOY_TOKEN\" \"$notes?per_page=100&sort=desc\" |")
	t.line("        jq -r --arg m \"$MARKER\" '[.[] | select(.body | startswith($m))][0].id // empty')")
	t.line("      if [ -n \"$note\" ]; then method=PUT; url=\"$notes/$note\"; else method=POST; url=\"$notes\"; fi")
	t.line("      curl -fsS -X \"$method\" --header \"PRIVATE-TOKEN: $DEPLOY_TOKEN\" --header \"Content-Type: application/json\" \\")
	t.line("        --data \"$body\" \"$url\" > /dev/null")
	t.line("  artifacts:")
	t.line("    when: always")
	t.line("    expose_as: semantic diff")
	t.line("    paths: [diff.md]")
	return t.bytes()
}

// gitlabRelease builds every service's image on each push to the signing
// branch, one job per service.
func gitlabRelease(p *spec.Platform, o Options, top gitlabTop, sig signer) []byte {
	var t text
	t.line("# Release: build, test, SBOM, scan, sign and push every service's image, by digest,")
	t.line("# then open a merge request on the deploy project that runs platformctl set image.")
	t.line("# Written by platformctl ci gitlab from the spec of %s; edit the spec and write it again.", p.Metadata.Name)
	if sig.keyed() {
		t.line("# Images are signed with the key whose public half spec.security.imageVerification holds")
		t.line("# (CI/CD variables COSIGN_PRIVATE_KEY, COSIGN_PASSWORD): the cluster admits only those.")
	}
	t.line("release:image:")
	t.line("  stage: release")
	t.line("  image: %s", Images.Docker)
	t.line("  services:")
	t.line("    - %s", Images.DockerDaemon)
	t.line("  rules:")
	if top.project != "" {
		t.line("    - if: $CI_PROJECT_PATH == %q && $CI_COMMIT_BRANCH == %q", top.project, top.branch)
	} else {
		t.line("    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
	}
	if !sig.keyed() {
		t.line("  id_tokens:")
		t.line("    SIGSTORE_ID_TOKEN:   # cosign signs with this OIDC token: no long-lived key")
		t.line("      aud: sigstore")
	}
	first := ""
	if len(p.Spec.Promotion) > 0 {
		first = p.Spec.Promotion[0]
	}
	t.line("  variables:")
	t.line("    DOCKER_TLS_CERTDIR: /certs")
	t.line("    GOTOOLCHAIN: auto   # the Go each tool's module asks for, checked against the checksum database")
	t.line("    FAIL_ON: %s", o.FailOn)
	t.line("    FIRST_STAGE: %q   # the environment set image writes (\"\": the image every environment runs)", first)
	if sig.verifies() {
		sig.env(&t, "    ")
	}
	t.line("  parallel:")
	t.line("    matrix:")
	for _, s := range p.Spec.Services {
		ref := imageref.Parse(s.Image)
		t.line("      - {SERVICE: %s, IMAGE: %s, REGISTRY: %s, CONTEXT: ./%s}", s.Name, ref.Resolved(), ref.Registry, s.Name)
	}
	t.line("  before_script:")
	t.line("    - apk add --no-cache go git jq")
	t.line("    - export PATH=\"$PATH:$(go env GOPATH)/bin\"")
	t.line("    - go install %s", Tools.Syft)
	t.line("    - go install %s", Tools.Grype)
	t.line("    - go install %s", Tools.Cosign)
	t.line("    - go install github.com/platformctl/platformctl/cmd/platformctl@%s", o.Version)
	t.line("  script:")
	t.line("    # The Dockerfile's test stage, when it has one, runs the tests in the build's environment.")
	t.line("    - if grep -qiE '^FROM .* AS test$' \"$CONTEXT/Dockerfile\"; then docker buildx build --target test \"$CONTEXT\"; fi")
	t.line("    - printf '%%s' \"${REGISTRY_PASSWORD:-$CI_REGISTRY_PASSWORD}\" | docker login \"$REGISTRY\" -u \"${REGISTRY_USER:-$CI_REGISTRY_USER}\" --password-stdin")
	t.line("    - docker buildx create --use   # a docker-container builder: provenance attestations and --metadata-file")
	t.line("    - docker buildx build --push --provenance=mode=max -t \"$IMAGE:$CI_COMMIT_SHA\" --metadata-file build.json \"$CONTEXT\"")
	t.line("    - REF=\"$IMAGE@$(jq -r '.\"containerimage.digest\"' build.json)\"")
	t.line("    - syft \"$REF\" -o spdx-json=sbom.spdx.json")
	t.line("    - grype sbom:sbom.spdx.json --fail-on \"$FAIL_ON\"")
	key := ""
	if sig.keyed() {
		key = "--key env://COSIGN_PRIVATE_KEY "
	}
	t.line("    - cosign sign --yes %s\"$REF\"", key)
	t.line("    - cosign attest --yes %s--type spdxjson --predicate sbom.spdx.json \"$REF\"", key)
	if sig.verifies() {
		t.line("    - cosign verify %s \"$REF\" > /dev/null   # as the cluster will", sig.verifyFlags())
	}
	t.line("    - |")
	t.line("      git clone -q --depth 1 \"https://platformctl:${DEPLOY_TOKEN}@${CI_SERVER_FQDN}/${DEPLOY_PROJECT}.git\" deploy")
	t.line("      cd deploy")
	t.line("      branch=\"platformctl/$SERVICE-$CI_COMMIT_SHA\"")
	t.line("      git switch -c \"$branch\"")
	t.line("      platformctl set image \"$SERVICE\" --from-metadata ../build.json ${FIRST_STAGE:+--env \"$FIRST_STAGE\"}")
	t.line("      platformctl render")
	t.line("      git add -A   # render may add files (a migration Job named after its image)")
	t.line("      git -c user.name=platformctl -c user.email=platformctl@noreply.invalid commit -qm \"$SERVICE: $CI_COMMIT_SHA\"")
	t.line("      git push -q -o merge_request.create -o merge_request.remove_source_branch \\")
	t.line("        -o \"merge_request.title=$SERVICE: $CI_COMMIT_SHA\" origin \"$branch\"")
	t.line("  artifacts:")
	t.line("    paths: [build.json, sbom.spdx.json]")
	return t.bytes()
}

// gitlabPromote promotes one stage on demand: a manual job per target stage,
// in the GitLab environment of its name, so the environment's protection
// (required approvals for production) is the approval; a production-tier
// target also waits until no error-budget burn alert fires.
func gitlabPromote(p *spec.Platform) []byte {
	stages := p.Spec.Promotion
	var t text
	t.line("# Promotion, one stage of spec.promotion at a time (%s):", strings.Join(stages, " → "))
	t.line("# a manual job per target, in the GitLab environment named after it; protect production")
	t.line("# with required approvals and the job waits for them. It opens a merge request on this")
	t.line("# project; a production-tier target first asks its Prometheus (PROMETHEUS_URL, a variable")
	t.line("# scoped to that environment) whether an error-budget burn alert fires.")
	t.line("# Written by platformctl ci gitlab. (.platformctl, the tools, is in %s.)", GitLabCheck)
	t.line(".promote:")
	t.line("  extends: .platformctl")
	t.line("  stage: promote")
	t.line("  resource_group: promote   # one promotion at a time")
	t.line("  rules:")
	t.line("    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
	t.line("      when: manual")
	t.line("  script:")
	t.line("    - |")
	t.line("      if [ -n \"$BURN_ALERTS\" ]; then")
	t.line("        firing=$(curl -fsS --get \"$PROMETHEUS_URL/api/v1/query\" --data-urlencode \"query=$BURN_ALERTS\" | jq '.data.result | length')")
	t.line("        if [ \"$firing\" != 0 ]; then")
	t.line("          echo \"$firing error-budget burn alert(s) firing in $TO; promote when the budget recovers\"")
	t.line("          exit 1")
	t.line("        fi")
	t.line("      fi")
	t.line("    - |")
	t.line("      branch=\"platformctl/promote-$FROM-$TO-$CI_PIPELINE_ID\"")
	t.line("      git switch -c \"$branch\"")
	t.line("      platformctl promote \"$FROM\" \"$TO\" -o markdown > promotion.md")
	t.line("      platformctl render")
	t.line("      git add -A")
	t.line("      if git diff --cached --quiet; then echo \"$TO already runs what $FROM runs\"; exit 0; fi")
	t.line("      git -c user.name=platformctl -c user.email=platformctl@noreply.invalid commit -qm \"promote $FROM → $TO\"")
	t.line("      git push -q \"https://platformctl:${DEPLOY_TOKEN}@${CI_SERVER_FQDN}/${CI_PROJECT_PATH}.git\" \"$branch\"")
	t.line("      jq -n --arg s \"$branch\" --arg t \"$CI_DEFAULT_BRANCH\" --arg title \"promote $FROM → $TO\" --rawfile d promotion.md \\")
	t.line("        '{source_branch: $s, target_branch: $t, title: $title, description: $d, remove_source_branch: true}' |")
	t.line("        curl -fsS -X POST --header \"PRIVATE-TOKEN: $DEPLOY_TOKEN\" --header \"Content-Type: application/json\" \\")
	t.line("          --data @- \"$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests\" > /dev/null")
	for i, to := range stages[1:] {
		e := p.Environment(to)
		t.line("promote:%s:", to)
		t.line("  extends: .promote")
		t.line("  environment:")
		t.line("    name: %s", to)
		if e != nil {
			t.line("    deployment_tier: %s", e.Tier)
		}
		t.line("  variables:")
		t.line("    FROM: %s", stages[i])
		t.line("    TO: %s", to)
		if e != nil && e.Tier == spec.TierProduction {
			t.line("    BURN_ALERTS: 'ALERTS{alertstate=\"firing\",alertname=~\"%s\"}'   # refused while one fires ($PROMETHEUS_URL)", strings.Join(monitoring.BurnAlertNames(), "|"))
		}
	}
	return t.bytes()
}
