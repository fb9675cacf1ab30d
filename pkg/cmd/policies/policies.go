// Package policies implements `platformctl policies export`.
package policies

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/filetxn"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/policyexport"
)

// Options are policies export's inputs.
type Options struct {
	IO     cmdutil.IOStreams
	Config lint.Config
	// Output is the file to write ("" or "-": standard output).
	Output            string
	KubeVersion       string
	ExcludeNamespaces []string
	Action            string
	// Quiet drops the summary line; warnings are always written.
	Quiet bool
	Now   time.Time
}

// NewCmd returns `platformctl policies` with its export subcommand.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policies",
		Short: "Enforce the lint rules at admission",
		Long: `Policies turns lint rules into ValidatingAdmissionPolicies, so the API server
refuses what lint reports in CI.`,
		Example: `  platformctl policies export > policies.yaml`,
		Args:    cobra.NoArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	opts := &Options{IO: f.IO}
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the lint rules as ValidatingAdmissionPolicies and bindings",
		Long: `Export writes a ValidatingAdmissionPolicy and its binding for every rule CEL can
state: the custom rules of .platformctl.yaml (lint.custom) and the built-in
rules that carry a CEL form (platformctl rules explain shows it), enabled and
with the severities the config gives them.

The policies honour what lint honours: an object (or its pod template)
annotated ignore.platformctl.dev/<rule>: "<reason>" is not judged, and the
config's exclusions by kind, namespace and name are match conditions.
Exclusions by path are left out (an API request has no file), with a warning.
Severity becomes the binding's validation actions: error denies, warning
warns and audits, info audits; --action deny|warn|audit sets one for all (warn
first, to roll the policies out). The bindings leave the control plane's
namespaces alone (--exclude-namespace). Apply the output with kubectl apply -f.`,
		Example: `  platformctl policies export > policies.yaml
  platformctl policies export --action warn -o policies.yaml
  platformctl policies export --kube-version 1.31 | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Config = f.FileConfig.Lint
			opts.Quiet = f.Global.Quiet
			if opts.KubeVersion != "" {
				if _, err := lint.KubeMinor(opts.KubeVersion); err != nil {
					return cmdutil.Fail(fmt.Errorf("--kube-version: %w", err))
				}
				opts.Config.Params.KubeVersion = opts.KubeVersion
			}
			if !cmd.Flags().Changed("exclude-namespace") {
				opts.ExcludeNamespaces = policyexport.DefaultExcludedNamespaces
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	export.Flags().StringVarP(&opts.Output, "output", "o", "", "write the policies to this file (whole or not at all) instead of standard output")
	export.Flags().StringVar(&opts.KubeVersion, "kube-version", "", fmt.Sprintf("Kubernetes release the policies are for, 1.30 through 1.%d (default: lint.params.kubeVersion, else 1.%d)", lint.NewestKubeMinor, lint.NewestKubeMinor))
	export.Flags().StringSliceVar(&opts.ExcludeNamespaces, "exclude-namespace", nil, "namespaces the bindings leave alone (default "+strings.Join(policyexport.DefaultExcludedNamespaces, ",")+"; an empty value for none)")
	export.Flags().StringVar(&opts.Action, "action", "severity", "how the bindings enforce: "+strings.Join(policyexport.Actions, ", ")+" (severity: error denies, warning warns, info audits)")
	_ = export.RegisterFlagCompletionFunc("action", cmdutil.CompleteValues(policyexport.Actions...)) // registered above
	cmd.AddCommand(export)
	return cmd
}

// Run exports the policies.
func Run(opts *Options) error {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var namespaces []string
	for _, ns := range opts.ExcludeNamespaces {
		if ns = strings.TrimSpace(ns); ns != "" {
			namespaces = append(namespaces, ns)
		}
	}
	res, err := policyexport.Export(policyexport.Options{
		Rules: rules.All(), Config: opts.Config, ExcludeNamespaces: namespaces, Action: opts.Action, Now: now,
	})
	if err != nil {
		return cmdutil.Fail(err)
	}
	if len(res.Rules) == 0 {
		return cmdutil.Fail(errors.New("no rule to export: every rule with a CEL form is disabled"))
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "platformctl: warning: %s\n", w)
	}
	if opts.Output == "" || opts.Output == "-" {
		_, err = opts.IO.Out.Write(res.YAML)
	} else {
		err = filetxn.WriteFile(opts.Output, res.YAML, 0o644)
	}
	if err != nil {
		return cmdutil.Fail(fmt.Errorf("policies export: %w", err))
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.ErrOut, "platformctl: exported %s as ValidatingAdmissionPolicies: %s\n", lint.Count(len(res.Rules), "rule"), strings.Join(res.Rules, ", "))
	}
	return nil
}
