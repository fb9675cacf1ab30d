// Package rules implements `platformctl rules`.
package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/output"
)

// Options are the rules command's inputs.
type Options struct {
	IO     cmdutil.IOStreams
	Format string
	// Explain is the rule to describe in full ("" lists the catalog).
	Explain string
	// Config is the lint section of .platformctl.yaml: its custom rules
	// are listed with the built-in ones.
	Config lint.Config
}

// NewCmd returns `platformctl rules` with its `explain` subcommand.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	run := func() error {
		opts.Config = f.FileConfig.Lint
		if runF != nil {
			return runF(opts)
		}
		return Run(opts)
	}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the lint rules",
		Long: `Rules prints the catalog of lint rules: ID, severity, category and title,
with the custom rules .platformctl.yaml writes in CEL (lint.custom, category
custom). -o markdown prints the reference that is committed as docs/rules.md;
-o json the catalog as data.`,
		Example: `  platformctl rules
  platformctl rules -o markdown > docs/rules.md
  platformctl rules explain privileged-container`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return run() },
	}
	cmd.Flags().StringVarP(&opts.Format, "output", "o", "text", "text, markdown or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues("text", "markdown", "json")) // registered above
	explain := &cobra.Command{
		Use:   "explain RULE-ID",
		Short: "Describe one rule: rationale, remediation, references",
		Long: `Explain prints one rule in full: its severity, category and whether it is on by
default, why it matters, how to fix a finding, references, and the annotation
that ignores it on one object. Rule IDs complete with TAB.`,
		Example: `  platformctl rules explain host-network`,
		Args:    explainArgs,
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var ids []string
			for _, r := range rules.All() {
				ids = append(ids, r.ID+"\t"+r.Title)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Explain = args[0]
			return run()
		},
	}
	cmd.AddCommand(explain)
	return cmd
}

// explainArgs wants exactly one rule ID, and says how to find one: cobra's
// "accepts 1 arg(s), received 0" names neither what nor where.
func explainArgs(_ *cobra.Command, args []string) error {
	switch len(args) {
	case 1:
		return nil
	case 0:
		return cmdutil.Fail(errors.New("rules explain needs a rule ID: platformctl rules explain RULE-ID (platformctl rules lists every rule; IDs complete with TAB)"))
	default:
		return cmdutil.Fail(fmt.Errorf("rules explain takes one rule ID, got %d: %s", len(args), strings.Join(args, " ")))
	}
}

// Run prints the catalog or one rule.
func Run(opts *Options) error {
	all := rules.All()
	custom, err := lint.CustomRules(opts.Config, all)
	if err != nil {
		return cmdutil.Fail(err)
	}
	all = append(all, custom...)
	if opts.Explain != "" {
		i := slices.IndexFunc(all, func(r lint.Rule) bool { return r.ID == opts.Explain })
		if i < 0 {
			ids := make([]string, len(all))
			for i, r := range all {
				ids[i] = r.ID
			}
			return cmdutil.Fail(fmt.Errorf("no rule %q%s (platformctl rules lists every rule)", opts.Explain, cmdutil.DidYouMean(opts.Explain, ids)))
		}
		explain(opts.IO.Out, all[i])
		return nil
	}
	switch opts.Format {
	case "text":
		for _, r := range all {
			off := ""
			if r.Disabled {
				off = " (off by default)"
			}
			fmt.Fprintf(opts.IO.Out, "%-40s %-8s %-12s %s%s\n", r.ID, r.Severity, r.Category, r.Title, off)
		}
		fmt.Fprintf(opts.IO.Out, "\n%d rules\n", len(all))
	case "markdown":
		fmt.Fprint(opts.IO.Out, Markdown(all))
	case "json":
		type jr struct {
			ID          string        `json:"id"`
			Title       string        `json:"title"`
			Category    lint.Category `json:"category"`
			Severity    lint.Severity `json:"severity"`
			Enabled     bool          `json:"enabledByDefault"`
			Description string        `json:"description"`
			Remediation string        `json:"remediation"`
			References  []string      `json:"references,omitempty"`
			HelpURI     string        `json:"helpUri,omitempty"`
		}
		var out []jr
		for _, r := range all {
			out = append(out, jr{r.ID, r.Title, r.Category, r.Severity, !r.Disabled, r.Description, r.Remediation, r.References, output.HelpURI(r)})
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return cmdutil.Fail(err)
		}
	default:
		return cmdutil.Fail(fmt.Errorf("unknown format %q (text, markdown, json)", opts.Format))
	}
	return nil
}

func explain(w io.Writer, r lint.Rule) {
	state := "on"
	if r.Disabled {
		state = "off (enable it in .platformctl.yaml: lint.enable)"
	}
	sections := []string{
		fmt.Sprintf("%s — %s", r.ID, r.Title),
		fmt.Sprintf("severity: %s   category: %s   by default: %s", r.Severity, r.Category, state),
	}
	if r.Description != "" {
		sections = append(sections, r.Description)
	}
	if r.Remediation != "" {
		sections = append(sections, "Remediation: "+r.Remediation)
	}
	if len(r.References) > 0 {
		sections = append(sections, "References: "+strings.Join(r.References, "; "))
	}
	if c := r.CEL; c != nil {
		cel := fmt.Sprintf("In CEL (kinds %s; platformctl policies export writes it as a ValidatingAdmissionPolicy):", strings.Join(c.Kinds, ", "))
		for _, v := range c.Variables {
			cel += fmt.Sprintf("\n  variables.%s = %s", v.Name, v.Expression)
		}
		sections = append(sections, cel+"\n  "+c.Expression)
	}
	if u := output.HelpURI(r); u != "" {
		sections = append(sections, "Documentation: "+u)
	}
	sections = append(sections, fmt.Sprintf("Ignore on one object: ignore.platformctl.dev/%s: \"<reason>\"", r.ID))
	fmt.Fprintln(w, strings.Join(sections, "\n\n"))
}

// Markdown renders the catalog as docs/rules.md.
func Markdown(all []lint.Rule) string {
	var b strings.Builder
	b.WriteString("# Lint rules\n\n")
	b.WriteString("<!-- Generated by `platformctl rules -o markdown`. DO NOT EDIT. -->\n\n")
	fmt.Fprintf(&b, "%d rules. Ignore one on an object with the annotation `ignore.platformctl.dev/<rule-id>: \"<reason>\"` "+
		"(on the object or its pod template); configure rules under `lint:` in `.platformctl.yaml`.\n\n", len(all))
	b.WriteString("| ID | severity | category | title |\n|----|----------|----------|-------|\n")
	for _, r := range all {
		id := "[`" + r.ID + "`](#" + r.ID + ")"
		if r.Disabled {
			id += " (off by default)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", id, r.Severity, r.Category, escapeCell(r.Title))
	}
	for _, r := range all {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** — severity `%s`, category `%s`", r.ID, r.Title, r.Severity, r.Category)
		if r.Disabled {
			b.WriteString(", off by default")
		}
		fmt.Fprintf(&b, ".\n\n%s\n\n**Remediation:** %s\n", r.Description, r.Remediation)
		if len(r.References) > 0 {
			fmt.Fprintf(&b, "\n**References:** %s\n", strings.Join(r.References, "; "))
		}
		if r.CEL != nil {
			fmt.Fprintf(&b, "\n**Admission:** `platformctl policies export` writes it as a ValidatingAdmissionPolicy ([docs/policies.md](policies.md)):\n\n```cel\n%s\n```\n", r.CEL.Expression)
		}
		fmt.Fprintf(&b, "\n**Ignore:** `ignore.platformctl.dev/%s: \"<reason>\"`\n", r.ID)
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
