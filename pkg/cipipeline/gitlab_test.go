package cipipeline

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/spec"
)

// gitlabIdentity is the keyless identity of a GitLab pipeline, in place of
// the examples' GitHub one.
func gitlabIdentity(p *spec.Platform, subject string) {
	p.Spec.Security.ImageVerification = &spec.ImageVerification{Issuer: "https://gitlab.com", Subject: subject}
}

// TestGitLabGolden pins the pipeline of examples/shop signed from GitLab.
func TestGitLabGolden(t *testing.T) {
	p := load(t, "shop")
	gitlabIdentity(p, "https://gitlab.com/acme/shop//.gitlab-ci.yml@refs/heads/main")
	files, err := GitLab(p, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{".gitlab-ci.yml", GitLabCheck, GitLabPromote, GitLabRelease}, slices.Sorted(maps.Keys(files)))
	for name, b := range files {
		golden.Assert(t, filepath.Join("..", "..", "testdata", "cipipeline", "shop-gitlab", name), b)
	}
}

// gitlabVariants are the pipelines TestGitLabSchema checks: every example,
// signed keyless from a custom configuration file in a nested group, with
// a key only, and without a signer.
func gitlabVariants(t *testing.T) map[string]map[string][]byte {
	out := map[string]map[string][]byte{}
	for _, ex := range []string{"shop", "microservices", "nginx", "stores", "minimal"} {
		for _, v := range []string{"keyless", "key", "none"} {
			p := load(t, ex)
			switch v {
			case "keyless":
				gitlabIdentity(p, "https://gitlab.com/acme/platform/"+ex+"//ci/release.gitlab-ci.yml@refs/heads/trunk")
			case "key":
				p.Spec.Security.ImageVerification = &spec.ImageVerification{PublicKey: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"}
			case "none":
				p.Spec.Security.ImageVerification = nil
			}
			files, err := GitLab(p, Options{FailOn: "critical"})
			require.NoError(t, err, "%s %s", ex, v)
			out[ex+"/"+v] = files
		}
	}
	return out
}

// TestGitLabSchema: every file validates against GitLab's published CI
// schema, and the files make one pipeline: every include exists, every job's
// stage is declared, every extends names a job, and every script parses
// as shell.
func TestGitLabSchema(t *testing.T) {
	sch := gitlabSchema(t)
	sh, shErr := exec.LookPath("sh")
	for name, files := range gitlabVariants(t) {
		t.Run(name, func(t *testing.T) {
			jobs := map[string]map[string]any{}
			var top map[string]any
			for file, b := range files {
				var doc map[string]any
				require.NoError(t, yaml.Unmarshal(b, &doc), file)
				js, err := json.Marshal(doc)
				require.NoError(t, err)
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
				require.NoError(t, err)
				assert.NoError(t, sch.Validate(inst), "%s:\n%s", file, b)
				if _, ok := doc["include"]; ok {
					top = doc
					continue
				}
				for k, v := range doc {
					job, ok := v.(map[string]any)
					require.True(t, ok, "%s: %s is a job", file, k)
					_, twice := jobs[k]
					require.False(t, twice, "%s: job %s defined twice", file, k)
					jobs[k] = job
				}
			}
			require.NotNil(t, top, "a top-level file includes the parts")
			var included []string
			for _, inc := range top["include"].([]any) {
				included = append(included, inc.(map[string]any)["local"].(string))
			}
			assert.ElementsMatch(t, included, slices.DeleteFunc(slices.Sorted(maps.Keys(files)), func(f string) bool { return !strings.HasPrefix(f, ".gitlab/ci/") }))
			stages := top["stages"].([]any)
			for name, job := range jobs {
				if ext, ok := job["extends"]; ok {
					assert.Contains(t, jobs, ext, "%s extends", name)
				}
				if strings.HasPrefix(name, ".") {
					continue
				}
				assert.Contains(t, stages, stageOf(jobs, job), "%s's stage", name)
				if shErr != nil {
					continue
				}
				script := strings.Join(append(lines(jobs, job, "before_script"), lines(jobs, job, "script")...), "\n")
				require.NotEmpty(t, script, name)
				out, err := exec.Command(sh, "-n", "-c", script).CombinedOutput()
				assert.NoError(t, err, "%s: %s\n%s", name, out, script)
			}
		})
	}
}

// stageOf and lines resolve a key through extends, as GitLab merges them.
func stageOf(jobs map[string]map[string]any, job map[string]any) any {
	for job != nil {
		if s, ok := job["stage"]; ok {
			return s
		}
		ext, _ := job["extends"].(string)
		job = jobs[ext]
	}
	return nil
}

func lines(jobs map[string]map[string]any, job map[string]any, key string) []string {
	for job != nil {
		if v, ok := job[key].([]any); ok {
			var out []string
			for _, l := range v {
				out = append(out, l.(string))
			}
			return out
		}
		ext, _ := job["extends"].(string)
		job = jobs[ext]
	}
	return nil
}

func gitlabSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "cipipeline", "gitlab-ci.schema.json"))
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("gitlab-ci.schema.json", doc))
	sch, err := c.Compile("gitlab-ci.schema.json")
	require.NoError(t, err)
	// Not vacuous: a job without a script, and an unknown keyword, fail.
	for _, bad := range []string{`{"build": {"script": ["true"], "when": "sometimes"}}`, `{"build": {"script": ["true"], "runs-on": "x"}}`, `{"build": {"script": ["true"], "artifacts": {"reports": {"codequality": 1}}}}`} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		require.NoError(t, err)
		require.Error(t, sch.Validate(inst), bad)
	}
	return sch
}

func TestGitLabSigner(t *testing.T) {
	files := gitlabVariants(t)
	keyless := string(files["shop/keyless"][GitLabRelease])
	assert.Contains(t, keyless, `- if: $CI_PROJECT_PATH == "acme/platform/shop" && $CI_COMMIT_BRANCH == "trunk"`)
	assert.Contains(t, keyless, "aud: sigstore")
	assert.Contains(t, keyless, "SUBJECT: https://gitlab.com/acme/platform/shop//ci/release.gitlab-ci.yml@refs/heads/trunk")
	assert.Contains(t, keyless, "FAIL_ON: critical")
	assert.Contains(t, files["shop/keyless"], "ci/release.gitlab-ci.yml", "the top-level file is the one the identity names")

	key := string(files["shop/key"][GitLabRelease])
	assert.NotContains(t, key, "id_tokens")
	assert.Contains(t, key, "cosign sign --yes --key env://COSIGN_PRIVATE_KEY \"$REF\"")
	assert.Contains(t, key, "cosign verify --key env://COSIGN_PUBLIC_KEY \"$REF\"")
	assert.Contains(t, key, "    COSIGN_PUBLIC_KEY: |\n      -----BEGIN PUBLIC KEY-----\n")

	none := string(files["shop/none"][GitLabRelease])
	assert.Contains(t, none, "- if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
	assert.NotContains(t, none, "cosign verify")

	// A production-tier target refuses while a burn alert fires; others do not.
	promote := string(files["shop/none"][GitLabPromote])
	before, prod, ok := strings.Cut(promote, "promote:production:")
	require.True(t, ok, "a job promotes into production")
	assert.Contains(t, prod, "BURN_ALERTS: 'ALERTS{")
	assert.NotContains(t, before, "BURN_ALERTS: '")
	_, hasPromote := files["minimal/none"][GitLabPromote]
	assert.Equal(t, len(load(t, "minimal").Spec.Promotion) > 1, hasPromote)
}

func TestGitLabRefused(t *testing.T) {
	for _, tt := range []struct {
		name, issuer, subject string
		path, msg             string
	}{
		{"github identity", GitHubIssuer, "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main", "spec.security.imageVerification.subject", "is not a GitLab pipeline identity"},
		{"tag ref", "https://gitlab.com", "https://gitlab.com/acme/shop//.gitlab-ci.yml@refs/tags/v1", "spec.security.imageVerification.subject", "is not a GitLab pipeline identity"},
		{"issuer of another instance", "https://gitlab.example.com", "https://gitlab.com/acme/shop//.gitlab-ci.yml@refs/heads/main", "spec.security.imageVerification.issuer", "issued by its instance, https://gitlab.com"},
		{"a part file", "https://gitlab.com", "https://gitlab.com/acme/shop//.gitlab/ci/release.yml@refs/heads/main", "spec.security.imageVerification.subject", "not one ci gitlab includes"},
		{"outside the repository", "https://gitlab.com", "https://gitlab.com/acme/shop//../ci.yml@refs/heads/main", "spec.security.imageVerification.subject", "names configuration file ../ci.yml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, "shop")
			p.Spec.Security.ImageVerification = &spec.ImageVerification{Issuer: tt.issuer, Subject: tt.subject}
			_, err := GitLab(p, Options{})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.path, e.Path)
			assert.Contains(t, e.Msg, tt.msg)
		})
	}
	_, err := GitLab(load(t, "shop"), Options{FailOn: "severe"})
	assert.ErrorContains(t, err, `fail-on "severe": use one of`)
}

// gitlabSnippet is a fenced YAML block of the docs whose first line names
// a GitLab CI file.
var gitlabSnippet = regexp.MustCompile("(?ms)^```yaml\n(# \\.gitlab[-/][^\n]+\n.*?)^```")

// TestGitLabSnippets: what docs/*.md tell users to paste into
// .gitlab-ci.yml validates against GitLab's schema too.
func TestGitLabSnippets(t *testing.T) {
	sch := gitlabSchema(t)
	docs, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	found := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, m := range gitlabSnippet.FindAllSubmatch(b, -1) {
			found++
			var v any
			require.NoError(t, yaml.Unmarshal(m[1], &v), doc)
			js, err := json.Marshal(v)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			require.NoError(t, err)
			assert.NoError(t, sch.Validate(inst), "%s:\n%s", doc, m[1])
		}
	}
	assert.GreaterOrEqual(t, found, 1, "docs/ci.md shows a GitLab job")
}
