// Package cicmd implements `platformctl ci github` and `ci gitlab`.
package cicmd

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cipipeline"
	versioncmd "github.com/platformctl/platformctl/pkg/cmd/version"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/spec"
)

// NewCmd returns the ci command with its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "Write the CI pipeline for the platform's services and deploy repository",
		Long: `Ci writes the pipeline of the platform's delivery loop: each service's release
(build, test, SBOM, vulnerability scan, keyless signature, push by digest, a pull
request on the deploy repository) and the deploy repository's checks and
promotion. See docs/ci.md.`,
		Example: `  platformctl ci github -o .
  platformctl ci gitlab -o .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewGitHubCmd(f, nil), NewGitLabCmd(f, nil))
	return cmd
}

// Options are the inputs of ci github and ci gitlab.
type Options struct {
	IO     cmdutil.IOStreams
	File   string
	Dir    string
	Force  bool
	FailOn string
	Quiet  bool
	Log    cmdutil.Logger
	Lock   scaffold.Locking
}

// NewGitHubCmd returns the ci github command; runF replaces the run
// function in tests.
func NewGitHubCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "github [-o DIR]",
		Short: "Write GitHub Actions workflows: release, platform checks, promotion",
		Long: `Github writes, under DIR/.github/workflows/:

  <release>.yml  every service's image, on each push: build (docker buildx, tagged with the
                 commit), the Dockerfile's test stage, an SPDX SBOM (syft), a vulnerability
                 scan failing at --fail-on (grype), a keyless cosign signature and SBOM
                 attestation (the job's OIDC token, no long-lived key), push by digest, then a
                 pull request on the deploy repository (vars.DEPLOY_REPOSITORY, with
                 secrets.DEPLOY_TOKEN) that runs platformctl set image --from-metadata into
                 the first stage of spec.promotion.
  platform.yml   the deploy repository's checks: render --check, lint as pull-request
                 annotations and SARIF in code scanning, the semantic diff as a comment.
  promote.yml    (with spec.promotion) promote one stage on demand, in the GitHub environment
                 named after the target stage, so its required reviewers approve; a
                 production-tier target also refuses while an error-budget burn alert fires
                 (vars.PROMETHEUS_URL).

The signing identity is declared once, in spec.security.imageVerification: the
cluster's admission policy admits what it signed, so the release workflow is
written at the file and branch its subject names and verifies its own
signature with it; a spec with only a publicKey signs with its private half
(secrets.COSIGN_PRIVATE_KEY). Every action is pinned by commit; tools are
installed with go install at fixed versions. Existing files are refused
unless --force.`,
		Example: `  platformctl ci github -o .
  platformctl ci github -f platforms/shop.yaml -o ../shop-deploy --fail-on critical --force`,
	}
	finish(f, cmd, opts, ".github/workflows/", RunGitHub, runF)
	return cmd
}

// NewGitLabCmd returns the ci gitlab command; runF replaces the run
// function in tests.
func NewGitLabCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "gitlab [-o DIR]",
		Short: "Write GitLab CI/CD pipeline files: release, platform checks, promotion",
		Long: `Gitlab writes, under DIR:

  .gitlab-ci.yml           the top-level file (or the one the signing identity names):
                           one pipeline per push or merge request, stages check, release
                           and promote, and an include of each file below.
  .gitlab/ci/release.yml   every service's image, one parallel:matrix job each, on each
                           push to the signing branch: build (docker buildx, tagged with
                           the commit), the Dockerfile's test stage, an SPDX SBOM (syft),
                           a vulnerability scan failing at --fail-on (grype), a keyless
                           cosign signature and SBOM attestation (the job's id_tokens, no
                           long-lived key), push by digest, then a merge request on the
                           deploy project (DEPLOY_PROJECT, with DEPLOY_TOKEN) that runs
                           platformctl set image --from-metadata into the first stage of
                           spec.promotion.
  .gitlab/ci/platform.yml  the deploy project's checks: render --check, lint as a Code
                           Quality report and a test report, the semantic diff as one
                           merge request note kept up to date (DEPLOY_TOKEN).
  .gitlab/ci/promote.yml   (with spec.promotion) a manual job per target stage, in the
                           GitLab environment of its name, so its approval rules apply; a
                           production-tier target also refuses while an error-budget burn
                           alert fires (PROMETHEUS_URL).

The signing identity is declared once, in spec.security.imageVerification: the
cluster's admission policy admits what it signed, so the release jobs run in
the project, from the configuration file and on the branch its subject names
(https://HOST/GROUP/PROJECT//.gitlab-ci.yml@refs/heads/BRANCH) and verify their
own signature with it; a spec with only a publicKey signs with its private
half (COSIGN_PRIVATE_KEY). Tools are installed with go install at fixed
versions. Existing files are refused unless --force; see docs/ci.md.`,
		Example: `  platformctl ci gitlab -o .
  platformctl ci gitlab -f platforms/shop.yaml -o ../shop-deploy --fail-on critical --force`,
	}
	finish(f, cmd, opts, "the pipeline files", RunGitLab, runF)
	return cmd
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Log: f.Logf,
		Lock: scaffold.Locking{Timeout: cmdutil.LockTimeout, Waiting: cmdutil.LockWaiting(f.IO.ErrOut)}}
}

// finish gives ci github and ci gitlab what they share: no arguments, the
// run function (runF in tests), and the flags.
func finish(f *cmdutil.Factory, cmd *cobra.Command, opts *Options, what string, run, runF func(*Options) error) {
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		opts.File = f.Setting(cmd.Flags(), "file", "file")
		opts.Quiet = f.Global.Quiet
		if runF != nil {
			return runF(opts)
		}
		return run(opts)
	}
	fl := cmd.Flags()
	fl.StringP("file", "f", "platform.yaml", "platform spec to read")
	fl.StringVarP(&opts.Dir, "output", "o", ".", "repository root to write "+what+" into")
	fl.BoolVar(&opts.Force, "force", false, "replace existing files")
	fl.StringVar(&opts.FailOn, "fail-on", "high", "lowest vulnerability severity that fails a build: "+strings.Join(cipipeline.Severities, ", "))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cmdutil.CompleteValues(cipipeline.Severities...)) // registered above
}

// RunGitHub writes the workflows.
func RunGitHub(opts *Options) error {
	return write(opts, func(p *spec.Platform, o cipipeline.Options) (map[string][]byte, error) {
		files, err := cipipeline.GitHub(p, o)
		return prefixed(cipipeline.WorkflowDir, files), err
	})
}

// RunGitLab writes the pipeline files.
func RunGitLab(opts *Options) error { return write(opts, cipipeline.GitLab) }

// prefixed keys files by their path from the repository root.
func prefixed(dir string, files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for name, b := range files {
		out[path.Join(dir, name)] = b
	}
	return out
}

// write renders the pipeline with gen and writes its files under opts.Dir,
// all or none.
func write(opts *Options, gen func(*spec.Platform, cipipeline.Options) (map[string][]byte, error)) error {
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	files, err := gen(d.Platform, cipipeline.Options{Version: versioncmd.Current().Version, FailOn: opts.FailOn})
	var at *cipipeline.Error
	if errors.As(err, &at) {
		return cmdutil.Fail(spec.ErrorList{{File: d.File, Pos: d.Pos(at.Path), Path: at.Path, Msg: at.Msg}})
	}
	if err != nil {
		return cmdutil.Fail(fmt.Errorf("--fail-on: %w", err))
	}
	written, err := scaffold.WriteFiles(opts.Dir, files, opts.Force, opts.Lock)
	if err != nil {
		return cmdutil.Fail(err)
	}
	if !opts.Quiet {
		for _, p := range written {
			fmt.Fprintf(opts.IO.Out, "wrote %s\n", p)
		}
	}
	return nil
}
