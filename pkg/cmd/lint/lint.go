// Package lint implements `platformctl lint`.
package lint

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/baseline"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/crdschema"
	"github.com/platformctl/platformctl/pkg/filetxn"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/helmchart"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/lintinput"
	"github.com/platformctl/platformctl/pkg/memtune"
	"github.com/platformctl/platformctl/pkg/output"
	"github.com/platformctl/platformctl/pkg/version"
)

// Options are lint's inputs.
type Options struct {
	IO          cmdutil.IOStreams
	Args        []string
	File        string
	Envs        []string
	Format      string
	FailOn      string
	ShowIgnored bool
	AllowEmpty  bool
	AllowRemote bool
	Quiet       bool
	NoColor     bool
	Config      lint.Config
	// KubeVersion, from --kube-version, overrides params.kubeVersion.
	KubeVersion string
	// CRDs are folders of CustomResourceDefinitions (--crds) whose schemas
	// the schema rules check custom resources against.
	CRDs []string
	// Values are --values, --set and --set-string, for Helm charts.
	Values helmchart.Values
	// Baseline is a baseline file to read; WriteBaseline one to write.
	Baseline, WriteBaseline string
	Now                     time.Time
	Log                     cmdutil.Logger
}

// NewCmd returns the lint command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "lint [PATH|-]...",
		Short: "Check manifests against security and reliability rules",
		Long: `Lint checks Kubernetes manifests against platformctl's built-in rules and reports
every finding with file:line:col, a stable rule ID and a severity.

With no arguments it renders platform.yaml in memory and lints every
environment's built output; findings point at the spec entry that produced
the object. A directory with a kustomization.yaml is built with Kustomize and
linted as one set, each object mapped back to the file it came from. Other
directories are searched for *.yaml, *.yml and *.json, and Kustomize
directories found inside them are built the same way. "-" reads standard
input. A path or stdin that holds no objects is an error (exit 2), since an
empty pipe is usually a command that failed; --allow-empty accepts it.

A directory with a Chart.yaml, given or found, is a Helm chart, rendered as
helm template renders it (release "` + helmchart.DefaultRelease + `", namespace "` + helmchart.DefaultNamespace + `"): its
values.yaml, then each --values file in order, then --set, then
--set-string. Findings point at the template file, at the template's line
when the finding's line is static text of the template, else at the line
the object starts on there. A template that fails is an input error at its
file:line:col (exit 2); the other inputs are still linted.

Lint never reaches the network: a Kustomize directory (or any base,
component or generator below it) naming a git repository or an http(s) URL
is refused at that entry before anything is built, unless --allow-remote.
A chart's dependencies come only from its charts/ folder (one that is not
there is an input error: run helm dependency build); lookup returns nothing
and no hook runs.
Every file Kustomize reads must be a regular file of at most ` + fmt.Sprint(lint.MaxInputSize>>20) + ` MiB.

Ignore a rule on one object with the annotation
ignore.platformctl.dev/<rule-id>: "<reason>" (on the object or its pod
template). Rules, severities, exclusions and parameters are configured under
lint: in .platformctl.yaml. Exit codes: 0 no finding at or above --fail-on,
1 findings, 2 input or usage error.`,
		Example: `  platformctl lint
  platformctl lint deploy/overlays/production
  platformctl lint k8s/*.yaml other/
  platformctl lint charts/shop --values prod.yaml --set replicas=3
  kustomize build . | platformctl lint -
  platformctl lint -o sarif > lint.sarif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if len(args) > 0 && cmd.Flags().Changed("file") {
				return cmdutil.Fail(errors.New("-f names a spec to lint when no paths are given; it cannot be used with paths (a Helm chart's values files are --values)"))
			}
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Envs = uniq(opts.Envs)
			opts.Config = f.FileConfig.Lint
			if opts.KubeVersion != "" {
				opts.Config.Params.KubeVersion = opts.KubeVersion
			}
			opts.Quiet = f.Global.Quiet
			opts.NoColor = !f.Color(f.IO.Out)
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to render and lint when no paths are given")
	cmd.Flags().StringSliceVarP(&opts.Envs, "env", "e", nil, "with a spec: lint only these environments")
	cmd.Flags().StringVarP(&opts.Format, "output", "o", "text", "output format: "+strings.Join(output.FormatNames(), ", "))
	cmd.Flags().StringVar(&opts.FailOn, "fail-on", "error", "exit 1 when a finding has at least this severity: info, warning, error")
	cmd.Flags().BoolVar(&opts.ShowIgnored, "show-ignored", false, "also list findings ignored by annotation or config, with the reason")
	cmd.Flags().BoolVar(&opts.AllowRemote, "allow-remote", false, "let Kustomize directories load remote bases, resources and files (git and http URLs); by default they are refused before anything is fetched")
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "findings recorded in this file (--write-baseline) are known: reported as such, never failing the run")
	cmd.Flags().StringVar(&opts.WriteBaseline, "write-baseline", "", "record every finding in this file (rule, object, field; not lines) and report them as known")
	cmd.Flags().StringVar(&opts.KubeVersion, "kube-version", "", fmt.Sprintf("Kubernetes release the manifests are applied to, 1.%d through 1.%d (default: params.kubeVersion, else 1.%d): API versions it no longer or does not yet serve are findings", lint.OldestKubeMinor, lint.NewestKubeMinor, lint.NewestKubeMinor))
	cmd.Flags().StringSliceVar(&opts.CRDs, "crds", nil, "folders of CustomResourceDefinition files: custom resources are checked against their schemas (unknown fields, types, required fields, enums), as the bundled add-on CRDs' are")
	cmd.Flags().StringArrayVar(&opts.Values.Files, "values", nil, "Helm charts: a values file merged over the chart's values.yaml (repeatable; later files win)")
	cmd.Flags().StringArrayVar(&opts.Values.Set, "set", nil, "Helm charts: set values as helm --set does, after --values (repeatable: a=1,b.c=x)")
	cmd.Flags().StringArrayVar(&opts.Values.SetString, "set-string", nil, "Helm charts: like --set, the values always strings (repeatable)")
	cmd.Flags().BoolVar(&opts.AllowEmpty, "allow-empty", false, "accept a path or stdin that holds no objects (by default that is exit 2: an empty pipe is usually a failed command)")
	// The flags exist: registered above.
	_ = cmd.RegisterFlagCompletionFunc("env", f.CompleteEnvironments)
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	_ = cmd.MarkFlagFilename("values", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues(output.FormatNames()...))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cmdutil.CompleteValues("error", "warning", "info"))
	return cmd
}

// Run lints and renders the report.
func Run(opts *Options) error {
	format, err := output.Lookup(opts.Format)
	if err != nil {
		return cmdutil.Fail(err)
	}
	if opts.KubeVersion != "" {
		if _, err := lint.KubeMinor(opts.KubeVersion); err != nil {
			return cmdutil.Fail(fmt.Errorf("--kube-version: %w", err))
		}
	}
	failOn, err := lint.ParseSeverity(opts.FailOn)
	if err != nil {
		return cmdutil.Fail(fmt.Errorf("--fail-on: %w", err))
	}
	if opts.Baseline != "" && opts.WriteBaseline != "" {
		return cmdutil.Fail(errors.New("--baseline and --write-baseline: give one (--write-baseline records the findings and reports them as known)"))
	}
	var known *baseline.File
	if opts.Baseline != "" {
		b, err := os.ReadFile(opts.Baseline)
		if err != nil {
			return cmdutil.Fail(fmt.Errorf("--baseline: %w", err))
		}
		if known, err = baseline.Parse(opts.Baseline, b); err != nil {
			return cmdutil.Fail(err)
		}
	}
	var crds *crdschema.Set
	if len(opts.CRDs) > 0 {
		if crds, err = crdschema.LoadDirs(opts.CRDs); err != nil {
			return cmdutil.Fail(err)
		}
	}
	// Memory settings for this run, sized from the input (see memtune);
	// restored on return.
	mem := memtune.Start(inputBytes(opts.Args), len(opts.Args) == 0)
	defer mem.Done()
	defer helmLogs(opts.Log)()
	sets, problems, err := inputs(opts)
	if err != nil {
		return cmdutil.Fail(err)
	}
	output.SortInputErrors(problems)
	objects := 0
	for _, s := range sets {
		objects += len(s.Objects)
	}
	mem.Decoded(objects)
	catalog := rules.All()
	total := &lint.Result{}
	for i, s := range sets {
		if s.Files > 0 {
			opts.Log.Printf("linting %s: %s from %s", s.Name, lint.Count(len(s.Objects), "object"), lint.Count(s.Files, "file"))
		} else {
			opts.Log.Printf("linting %s: %s", s.Name, lint.Count(len(s.Objects), "object"))
		}
		res, err := lint.Run(s.Objects, catalog, lint.Options{Config: opts.Config, Now: opts.Now, CRDs: crds})
		if err != nil {
			return cmdutil.Fail(err)
		}
		if i == 0 { // one set, usually: no copy
			total.Findings, total.Suppressed = res.Findings, res.Suppressed
		} else {
			total.Findings = append(total.Findings, res.Findings...)
			total.Suppressed = append(total.Suppressed, res.Suppressed...)
		}
		total.Objects += res.Objects
		total.Rules = res.Rules
	}
	if len(sets) == 0 {
		res, err := lint.Run(nil, catalog, lint.Options{Config: opts.Config, Now: opts.Now, CRDs: crds})
		if err != nil {
			return cmdutil.Fail(err)
		}
		total.Rules = res.Rules
	}
	lint.SortDiagnostics(total.Findings)
	lint.SortDiagnostics(total.Suppressed)
	baselineFile := opts.Baseline
	if opts.WriteBaseline != "" && len(problems) > 0 {
		// The findings of the documents that could not be read are not
		// known: a baseline without them would report them as new, or
		// hide that they were never checked.
		return cmdutil.Fail(fmt.Errorf("--write-baseline: %s not written: %s in the input (the first: %s); fix them first",
			opts.WriteBaseline, lint.Count(len(problems), "input error"), problems[0].Error()))
	}
	if opts.WriteBaseline != "" {
		known, baselineFile = baseline.From(total.Findings), opts.WriteBaseline
		if err := writeBaseline(opts.WriteBaseline, known.Marshal()); err != nil {
			return cmdutil.Fail(err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "platformctl: wrote %s: %s\n", opts.WriteBaseline, lint.Count(len(total.Findings), "known finding"))
	}
	rep := &output.Report{
		Result: total, Catalog: catalog, ShowIgnored: opts.ShowIgnored, Quiet: opts.Quiet,
		Color: !opts.NoColor && cmdutil.IsTerminal(opts.IO.Out), FailOn: failOn, ToolVersion: version.Version,
		InputErrors: problems,
	}
	if known != nil {
		rep.Baseline = &output.BaselineUse{File: baselineFile}
		rep.Baseline.Fixed = known.Apply(total, "known finding, recorded in "+baselineFile)
		// A known finding of a document that could not be read is not fixed.
		if n := len(rep.Baseline.Fixed); n > 0 && opts.WriteBaseline == "" && len(problems) == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "platformctl: %s of %s no longer found; run with --write-baseline %s to drop them\n",
				lint.Count(n, "known finding"), opts.Baseline, opts.Baseline)
		}
	}
	// Text and GitHub print a line or a few per finding; buffered, tens of
	// thousands of findings are a few dozen writes instead of one each.
	out := bufio.NewWriterSize(opts.IO.Out, 64<<10)
	if err := format(out, rep); err != nil {
		return cmdutil.Fail(err)
	}
	if err := out.Flush(); err != nil {
		return cmdutil.Fail(err)
	}
	// A document that could not be read was not checked: that outranks
	// findings, so a pre-commit hook cannot pass on a file lint never saw.
	if rep.InputFailed() {
		return cmdutil.Silent(cmdutil.ExitError)
	}
	if rep.Failed() {
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	return nil
}

// writeBaseline writes data to path whole or not at all (a new file, or
// an existing one replaced keeping its permissions).
func writeBaseline(path string, data []byte) error {
	if err := filetxn.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("--write-baseline: %w", err)
	}
	return nil
}

// inputBytes estimates what lint will read from paths: the size of each
// file named and of the YAML files under each directory named (stdin and a
// rendered spec count 0). It only sizes the memory limit (memtune).
func inputBytes(paths []string) int64 {
	var n int64
	for _, root := range paths {
		if root == "-" {
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil //nolint:nilerr // an estimate: what cannot be read counts 0
			}
			if p == root || lintinput.IsManifestFile(p) {
				if info, err := d.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
	}
	return n
}

// inputs returns the sets to lint and the problems with paths' documents
// (a rendered spec has none: its objects are the generator's).
func inputs(opts *Options) ([]lintinput.Set, []*lint.InputError, error) {
	if len(opts.Args) > 0 {
		if len(opts.Envs) > 0 {
			return nil, nil, errors.New("--env applies to a spec; it cannot be used with paths")
		}
		in, err := lintinput.Read(opts.Args, opts.IO.In, lintinput.Options{
			AllowEmpty: opts.AllowEmpty, AllowRemote: opts.AllowRemote,
			Values: opts.Values, Release: helmchart.Release{KubeVersion: opts.Config.Params.KubeVersion},
		})
		return in.Sets, in.Problems, err
	}
	if !opts.Values.Empty() {
		return nil, nil, errors.New("--values, --set and --set-string apply to Helm charts given as paths; a spec has none")
	}
	sets, err := specInputs(opts)
	return sets, nil, err
}

func specInputs(opts *Options) ([]lintinput.Set, error) {
	if _, err := os.Stat(opts.File); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("nothing to lint: no paths given and %s does not exist", opts.File)
	}
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return nil, err
	}
	// Checked here, not left to the renderer, so a typo gets the hint
	// build gives. --env is lint's flag only (PLATFORMCTL_ENV and the
	// config's env choose build's one environment; lint checks them all),
	// so there is no other source to name.
	names := d.Platform.EnvironmentNames()
	for _, env := range opts.Envs {
		if d.Platform.Environment(env) == nil {
			return nil, cmdutil.UnknownEnvironment(env, "", names)
		}
	}
	sets, err := lintinput.FromSpec(d, opts.Envs)
	return sets, generate.Locate(d, err)
}

// uniq drops repeats, keeping the first of each: --env dev,dev lints dev once.
func uniq(values []string) []string {
	seen := map[string]bool{}
	out := values[:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// helmLogs sends what Helm's loader and engine log (through log/slog and
// log: a symbolic link followed, a deprecated requirements.yaml) to the
// verbose log, without timestamps, instead of stderr: lint's own output
// stays the same from run to run, and what is wrong with a chart is an
// input error. It returns the function that restores the default logger.
func helmLogs(l cmdutil.Logger) (restore func()) {
	prev := slog.Default()
	h := slog.NewTextHandler(logWriter(l), &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}})
	slog.SetDefault(slog.New(h))
	return func() { slog.SetDefault(prev) }
}

// logWriter writes each record as one line of l.
type logWriter cmdutil.Logger

func (w logWriter) Write(p []byte) (int, error) {
	cmdutil.Logger(w).Printf("helm: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
