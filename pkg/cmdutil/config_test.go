package cmdutil

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

func TestCheckConfig(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []string // every message, in order; none: the file is valid
	}{
		{name: "empty", data: ""},
		{name: "comments only", data: "# nothing yet\n"},
		{name: "null document", data: "~\n"},
		{name: "every key", data: `file: platform.yaml
output: deploy
env: dev
lint:
  disable: [missing-cpu-limit]
  enable: []
  severity: {image-not-pinned: error, run-as-non-root: warn}
  exclude:
    - rules: [host-network]
      paths: ["deploy/*.yaml"]
      kinds: [DaemonSet]
      namespaces: [kube-system]
      names: [cni]
      reason: CNI agents need the host network
      expires: 2027-06-30
    - reason: quoted date
      names: [legacy]
      expires: "2027-06-30"
  params:
    allowedRegistries: [ghcr.io/acme]
    minReplicas: 1
    requiredLabels: [app.kubernetes.io/name]
    kubeVersion: "1.33"
`},
		{name: "kubeVersion outside the range", data: "lint:\n  params:\n    kubeVersion: v1.40\n",
			want: []string{`c.yaml:3:18: lint.params.kubeVersion: kube version "v1.40": lint knows Kubernetes 1.27 through 1.37`}},
		{name: "null values are unset", data: "file:\nenv: ~\nlint:\n  params:\n"},
		{name: "aliases", data: "file: &f platform.yaml\nlint:\n  requiredLabels: &l [a]\n  params: {requiredLabels: *l}\n",
			want: []string{`c.yaml:3:3: lint: unknown key "requiredLabels" (known: disable, enable, severity, exclude, params, custom)`}},
		{name: "misspelled key", data: "file: platform.yaml\noutput: deploy\nfiel: x.yaml\n",
			want: []string{`c.yaml:3:1: unknown key "fiel" (known: file, output, env, lint)`}},
		{name: "key case matters", data: "File: x.yaml\n",
			want: []string{`c.yaml:1:1: unknown key "File" (known: file, output, env, lint)`}},
		{name: "dotted key", data: "lint.disable: [x]\n",
			want: []string{`c.yaml:1:1: unknown key "lint.disable" (known: file, output, env, lint)`}},
		{name: "unknown param", data: "lint:\n  params:\n    unknownParam: 1\n",
			want: []string{`c.yaml:3:5: lint.params: unknown key "unknownParam" (known: allowedRegistries, minReplicas, requiredLabels, requiredAnnotations, kubeVersion)`}},
		{name: "unknown exclusion key", data: "lint:\n  exclude:\n  - {reason: r, rule: [x]}\n",
			want: []string{
				"c.yaml:3:5: lint.exclude[0]: no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)",
				`c.yaml:3:17: lint.exclude[0]: unknown key "rule" (known: rules, paths, kinds, namespaces, names, reason, expires)`,
			}},
		{name: "exclusion without a selector", data: "lint:\n  exclude:\n  - {reason: x}\n  - {reason: x, rules: [], kinds: ~}\n  - {reason: x, expires: 2027-06-30}\n  - {reason: x, namespaces: [kube-system]}\n  - {reason: x, paths: [\"*\"]}\n",
			want: []string{
				"c.yaml:3:5: lint.exclude[0]: no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)",
				"c.yaml:4:5: lint.exclude[1]: no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)",
				"c.yaml:5:5: lint.exclude[2]: no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)",
			}},
		{name: "negative minReplicas", data: "file: platform.yaml\n\nlint:\n  params:\n    minReplicas: -5\n",
			want: []string{"c.yaml:5:18: lint.params.minReplicas: must be at least 1"}},
		{name: "zero minReplicas", data: "lint: {params: {minReplicas: 0}}\n",
			want: []string{"c.yaml:1:30: lint.params.minReplicas: must be at least 1"}},
		{name: "minReplicas a string", data: "lint:\n  params:\n    minReplicas: abc\n",
			want: []string{"c.yaml:3:18: lint.params.minReplicas: expected an integer, got a string"}},
		{name: "minReplicas quoted", data: "lint:\n  params:\n    minReplicas: \"3\"\n",
			want: []string{"c.yaml:3:18: lint.params.minReplicas: expected an integer, got a string"}},
		{name: "minReplicas too large", data: "lint:\n  params:\n    minReplicas: 99999999999999999999\n",
			want: []string{"c.yaml:3:18: lint.params.minReplicas: expected an integer, got a number"}},
		{name: "file a list", data: "file: [1]\n",
			want: []string{"c.yaml:1:7: file: expected a string, got a list"}},
		{name: "file a number", data: "output: 2024\n",
			want: []string{`c.yaml:1:9: output: expected a string, got an integer (quote it: "2024")`}},
		{name: "empty file name", data: "file: \"\"\n",
			want: []string{"c.yaml:1:7: file: must not be empty (leave the key out for the default)"}},
		{name: "lint not a mapping", data: "lint: [x]\n",
			want: []string{"c.yaml:1:7: lint: expected a mapping, got a list"}},
		{name: "disable a string", data: "lint:\n  disable: host-network\n",
			want: []string{"c.yaml:2:12: lint.disable: expected a list of strings, got a string"}},
		{name: "rule IDs", data: "lint:\n  disable: [missing-cpu-limt, ~]\n  enable: [nope]\n",
			want: []string{
				`c.yaml:2:13: lint.disable[0]: unknown rule "missing-cpu-limt"; did you mean "missing-cpu-limit"? (see platformctl rules)`,
				"c.yaml:2:31: lint.disable[1]: expected a string, got null",
				`c.yaml:3:12: lint.enable[0]: unknown rule "nope" (see platformctl rules)`,
			}},
		{name: "severity", data: "lint:\n  severity:\n    image-not-pinned: fatal\n    nope: error\n    run-as-non-root: 1\n",
			want: []string{
				`c.yaml:3:23: lint.severity.image-not-pinned: unknown severity "fatal" (info, warning, error)`,
				`c.yaml:4:5: lint.severity.nope: unknown rule "nope" (see platformctl rules)`,
				`c.yaml:5:22: lint.severity.run-as-non-root: expected a string, got an integer (quote it: "1")`,
			}},
		{name: "exclusions", data: "lint:\n  exclude:\n  - rules: [host-network]\n    paths: [\"[\"]\n    expires: 2027-13-01\n  - x\n  - reason: \"\"\n",
			want: []string{
				"c.yaml:3:5: lint.exclude[0]: reason is required",
				`c.yaml:4:13: lint.exclude[0].paths[0]: bad glob "[": syntax error in pattern`,
				`c.yaml:5:14: lint.exclude[0].expires: "2027-13-01" is not a date (YYYY-MM-DD)`,
				"c.yaml:6:5: lint.exclude[1]: expected a mapping, got a string",
				"c.yaml:7:5: lint.exclude[2]: no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)",
				"c.yaml:7:13: lint.exclude[2].reason: must not be empty (leave the key out for the default)",
			}},
		{name: "custom rules", data: `lint:
  disable: [team-label]
  severity: {replicas-floor: error, team-lable: info}
  custom:
  - id: team-label
    kinds: [Deployment]
    expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every Deployment names its team
  - id: replicas-floor
    kinds: [deployment]
    expression: object.spec.replicas >=
    message: at least two replicas
  - id: host-network
    kinds: [Pod]
    expression: 'object.spec.hostNetwork = true'
    message: x
    fieldPath: "spec["
  - id: multi
    kinds: [Pod]
    expression: |
      has(object.spec) &&
        object.spec.containers.all(c, c.image.endsWith(1))
    message: x
  - id: Bad_ID
    kinds: [Pod]
    expression: request.userInfo.username != ''
    variables:
    - {name: 1x, expression: "object.kind"}
    - {name: q, expression: "quantity('1')"}
    message: x
  - id: team-label
    kinds: [Service]
    expression: "true"
    message: y
  - id: no-message
    kinds: []
    expression: "'text'"
`,
			want: []string{
				`c.yaml:3:37: lint.severity.team-lable: unknown rule "team-lable"; did you mean "team-label"? (see platformctl rules)`,
				`c.yaml:10:13: lint.custom[1].kinds[0]: "deployment" is not an object kind (Deployment, CronJob, Service …: as the object's kind: field writes it)`,
				"c.yaml:11:40: lint.custom[1].expression: CEL: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
				`c.yaml:13:9: lint.custom[2].id: "host-network" is a built-in rule; a custom rule needs its own ID`,
				"c.yaml:15:42: lint.custom[2].expression: CEL: Syntax error: token recognition error at: '= '",
				`c.yaml:17:16: lint.custom[2].fieldPath: "spec[" is not a field path (spec.template.spec.containers[0], metadata.labels["team"])`,
				"c.yaml:22:55: lint.custom[3].expression: CEL: found no matching overload for 'endsWith' applied to 'dyn.(int)'",
				`c.yaml:24:9: lint.custom[4].id: "Bad_ID" is not a rule ID: lower-case words joined by hyphens, at most 63 characters (require-team-label)`,
				"c.yaml:26:17: lint.custom[4].expression: CEL: undeclared reference to 'request' (in container '') (lint rules see `object` only: a manifest has no request, old object, params or namespace)",
				`c.yaml:28:14: lint.custom[4].variables[0].name: "1x" is not a variable name (letters, digits and _, not starting with a digit)`,
				"c.yaml:29:38: lint.custom[4].variables[1].expression: CEL: undeclared reference to 'quantity' (in container '') (quantity is in Kubernetes' own CEL library, which platformctl does not evaluate; standard CEL and the strings, sets, lists and optional extensions are available)",
				`c.yaml:31:9: lint.custom[5].id: "team-label" is already defined at line 5`,
				"c.yaml:35:5: lint.custom[6]: message is required",
				"c.yaml:36:12: lint.custom[6].kinds: must not be empty",
				"c.yaml:37:18: lint.custom[6].expression: CEL: the expression gives string; a validation must give a bool (true: the object passes)",
			}},
		{name: "date where a string is wanted", data: "env: 2027-06-30\n",
			want: []string{`c.yaml:1:6: env: expected a string, got a date (quote it: "2027-06-30")`}},
		{name: "duplicate key", data: "file: a.yaml\nfile: b.yaml\n",
			want: []string{"c.yaml:2:1: file: duplicate key (first defined at line 1)"}},
		{name: "merge key", data: "base: &b {file: a.yaml}\n<<: *b\n",
			want: []string{
				`c.yaml:1:1: unknown key "base" (known: file, output, env, lint)`,
				"c.yaml:2:1: keys must be plain names (no merge keys or complex keys)",
			}},
		{name: "top level a list", data: "- file\n",
			want: []string{"c.yaml:1:1: expected a mapping of settings (file, output, env, lint), got a list"}},
		{name: "second document", data: "file: a.yaml\n---\nfile: b.yaml\n",
			want: []string{"c.yaml:2:1: a second YAML document; the config is one mapping"}},
		{name: "syntax error", data: "file: platform.yaml\nlint:\n  disable: [a\n",
			want: []string{"c.yaml:3:1: invalid YAML: did not find expected ',' or ']'"}},
		{name: "bad indentation", data: "lint:\n  disable: []\n enable: []\n",
			want: []string{"c.yaml:3:1: invalid YAML: did not find expected key"}},
		{name: "control character", data: "file: a\x07.yaml\n",
			want: []string{"c.yaml:1:8: invalid YAML: control character U+0007 is not allowed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range CheckConfig("c.yaml", []byte(tc.data)) {
				got = append(got, e.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestDecodeConfigValues: the decode that checks the file is also the one
// that fills the FileConfig lint is handed; unset keys stay zero (lint
// then applies its defaults) and an explicit empty list stays empty.
func TestDecodeConfigValues(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       FileConfig
	}{
		{name: "empty", data: ""},
		{name: "nulls are unset", data: "file:\nlint:\n  params: {minReplicas: ~, requiredLabels: ~}\n"},
		{name: "top level", data: "file: platform.yaml\noutput: deploy\nenv: dev\n",
			want: FileConfig{File: "platform.yaml", Output: "deploy", Env: "dev"}},
		{name: "every lint key", data: `lint:
  disable: [missing-cpu-limit]
  enable: []
  severity: {image-not-pinned: error}
  exclude:
    - {rules: [host-network], paths: ["deploy/*.yaml"], kinds: [DaemonSet], namespaces: [kube-system], names: [cni], reason: CNI, expires: 2027-06-30}
    - {names: [legacy], reason: quoted, expires: "2027-06-30"}
  params: {allowedRegistries: [ghcr.io/acme], minReplicas: 3, requiredLabels: []}
`, want: FileConfig{Lint: lint.Config{
			Disable:  []string{"missing-cpu-limit"},
			Enable:   []string{},
			Severity: map[string]string{"image-not-pinned": "error"},
			Exclude: []lint.Exclusion{
				{Rules: []string{"host-network"}, Paths: []string{"deploy/*.yaml"}, Kinds: []string{"DaemonSet"},
					Namespaces: []string{"kube-system"}, Names: []string{"cni"}, Reason: "CNI", Expires: "2027-06-30"},
				{Names: []string{"legacy"}, Reason: "quoted", Expires: "2027-06-30"},
			},
			Params: lint.Params{AllowedRegistries: []string{"ghcr.io/acme"}, MinReplicas: 3, RequiredLabels: []string{}},
		}}},
		{name: "aliases are followed", data: "lint:\n  disable: &d [host-pid]\n  enable: *d\n",
			want: FileConfig{Lint: lint.Config{Disable: []string{"host-pid"}, Enable: []string{"host-pid"}}}},
		{name: "a problem: nothing is returned", data: "file: a.yaml\nlint: {params: {minReplicas: 0}}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := DecodeConfig("c.yaml", []byte(tc.data))
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestConfigTags: every check term on FileConfig is one the decoder knows,
// so a misspelled tag cannot silently check nothing.
func TestConfigTags(t *testing.T) {
	known := map[string]bool{"key": true, "min": true, "required": true, "selector": true, "cel": true, "nonempty": true}
	for _, vc := range valueChecks {
		known[vc.term] = true
	}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			p := join(path, lint.ConfigKey(f))
			require.NotEmpty(t, lint.ConfigKey(f), "%s.%s has no mapstructure tag", path, f.Name)
			for term := range lint.ConfigChecks(f) {
				assert.True(t, known[term], "%s: unknown check term %q", p, term)
			}
			switch ft := f.Type; {
			case ft.Kind() == reflect.Struct:
				walk(ft, p)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), p)
			}
		}
	}
	walk(reflect.TypeFor[FileConfig](), "")
	assert.Equal(t, []string{"rules", "paths", "kinds", "namespaces", "names"}, lint.ExclusionSelectors)
}

// writeConfig writes data to name in a new working directory.
func writeConfig(t *testing.T, name, data string) {
	t.Helper()
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(name, []byte(data), 0o644))
}

func loadConfig(t *testing.T, path string) (*Factory, int, string) {
	t.Helper()
	var errOut bytes.Buffer
	f := NewFactory(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errOut})
	err := f.LoadConfig(path)
	if err != nil {
		PrintError(&errOut, err)
	}
	return f, ExitCode(err), errOut.String()
}

func TestLoadConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T)
		config string // --config
		code   int
		stderr string
	}{
		{name: "no config file", setup: func(t *testing.T) { t.Chdir(t.TempDir()) }},
		{name: "misspelled key", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "file: platform.yaml\noutput: deploy\nfiel: x.yaml\n") },
			code: 2, stderr: ".platformctl.yaml:3:1: unknown key \"fiel\" (known: file, output, env, lint)\n"},
		{name: "unknown param", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "lint:\n  params:\n    unknownParam: 1\n") },
			code: 2, stderr: ".platformctl.yaml:3:5: lint.params: unknown key \"unknownParam\" (known: allowedRegistries, minReplicas, requiredLabels, requiredAnnotations, kubeVersion)\n"},
		{name: "negative minReplicas", setup: func(t *testing.T) {
			writeConfig(t, ConfigFile, "file: platform.yaml\n\nlint:\n  params:\n    minReplicas: -5\n")
		},
			code: 2, stderr: ".platformctl.yaml:5:18: lint.params.minReplicas: must be at least 1\n"},
		{name: "file a list", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "file: [1]\n") },
			code: 2, stderr: ".platformctl.yaml:1:7: file: expected a string, got a list\n"},
		{name: "parse error", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "file: [platform.yaml\n") },
			code: 2, stderr: ".platformctl.yaml:2:1: invalid YAML: did not find expected ',' or ']'\n"},
		{name: "bad type", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "lint:\n  params:\n    minReplicas: two\n") },
			code: 2, stderr: ".platformctl.yaml:3:18: lint.params.minReplicas: expected an integer, got a string\n"},
		{name: "every problem", setup: func(t *testing.T) { writeConfig(t, ConfigFile, "fiel: x\nlint: {params: {minReplicas: -5}}\n") },
			code: 2, stderr: ".platformctl.yaml:1:1: unknown key \"fiel\" (known: file, output, env, lint)\n" +
				".platformctl.yaml:2:30: lint.params.minReplicas: must be at least 1\n"},
		{name: "a directory in the way", setup: func(t *testing.T) {
			t.Chdir(t.TempDir())
			require.NoError(t, os.Mkdir(ConfigFile, 0o755))
		}, code: 2, stderr: "error: config .platformctl.yaml: is a directory; the CLI config is a YAML file\n"},
		{name: "a dangling symbolic link", setup: func(t *testing.T) {
			t.Chdir(t.TempDir())
			require.NoError(t, os.Symlink("nowhere.yaml", ConfigFile))
		}, code: 2, stderr: "error: config: stat .platformctl.yaml: no such file or directory\n"},
		{name: "the .yml spelling", setup: func(t *testing.T) { writeConfig(t, ConfigFileAlt, "fiel: x\n") },
			code: 2, stderr: ".platformctl.yml:1:1: unknown key \"fiel\" (known: file, output, env, lint)\n"},
		{name: "--config is checked too", setup: func(t *testing.T) { writeConfig(t, "ci.yaml", "lint:\n  params:\n    minReplicas: 0\n") },
			config: "ci.yaml", code: 2, stderr: "ci.yaml:3:18: lint.params.minReplicas: must be at least 1\n"},
		{name: "--config a directory", setup: func(t *testing.T) { t.Chdir(t.TempDir()) },
			config: ".", code: 2, stderr: "error: config .: is a directory; the CLI config is a YAML file\n"},
		{name: "--config missing", setup: func(t *testing.T) { t.Chdir(t.TempDir()) },
			config: "missing.yaml", code: 2, stderr: "error: config: stat missing.yaml: no such file or directory\n"},
		{name: "--config a device", setup: func(t *testing.T) { t.Chdir(t.TempDir()) },
			config: os.DevNull, code: 2, stderr: "error: config " + os.DevNull + ": not a regular file\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup(t)
			_, code, stderr := loadConfig(t, tc.config)
			assert.Equal(t, tc.code, code, stderr)
			assert.Equal(t, tc.stderr, stderr)
		})
	}
}

// Values from the file take their place in the precedence flag > env >
// file > default.
func TestLoadConfigPrecedence(t *testing.T) {
	writeConfig(t, ConfigFile, "file: from-file.yaml\noutput: from-file\n")
	f, code, stderr := loadConfig(t, "")
	require.Equal(t, 0, code, stderr)
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.String("file", "platform.yaml", "")
	fs.String("output", "deploy", "")
	fs.String("env", "", "")
	assert.Equal(t, "from-file.yaml", f.Setting(fs, "file", "file"))
	assert.Equal(t, "", f.Setting(fs, "env", "env"), "default")
	t.Setenv("PLATFORMCTL_OUTPUT", "from-env")
	assert.Equal(t, "from-env", f.Setting(fs, "output", "output"))
	require.NoError(t, fs.Set("output", "from-flag"))
	assert.Equal(t, "from-flag", f.Setting(fs, "output", "output"))
}
