// Package initcmd implements `platformctl init`.
package initcmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
)

// Options are init's inputs.
type Options struct {
	IO     cmdutil.IOStreams
	Dir    string
	Name   string // empty: asked for, or derived from Dir
	Domain string // empty: asked for, or <name>.example.com
	Force  bool
	Quiet  bool // write the files, print nothing
	Log    cmdutil.Logger
	// Lock says how long to wait for another run writing in Dir (the zero
	// value: do not wait).
	Lock scaffold.Locking
	// Interactive asks for the name and domain on IO.In. NewCmd sets it when
	// standard input is a terminal and neither --name nor --domain is given.
	Interactive bool
}

// NewCmd returns the init command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf,
		Lock: scaffold.Locking{Timeout: cmdutil.LockTimeout, Waiting: cmdutil.LockWaiting(f.IO.ErrOut)}}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Start a platform: write a commented platform.yaml and .platformctl.yaml",
		Long: `Init writes a commented, valid platform.yaml (three environments, the edge,
empty service and data lists) and a .platformctl.yaml with the CLI defaults
spelled out, then prints the next steps. The spec starts with a
yaml-language-server modeline, so editors with the YAML language server
complete and check it against the JSON Schema.

It never overwrites an existing file: when either file exists nothing is
written and the exit code is 2, unless --force is given. Each file is
created exclusively and appears whole or not at all; when another init (or
anybody) creates one of them at the same moment, the one this run created is
taken away again, so exactly one of two inits wins and the other exits 2.
Runs in one directory take turns (a "waiting for another platformctl run"
notice on stderr; exit 2 after a minute). With --force the files are
replaced atomically, keeping their permissions; a file without write
permission is refused (exit 2), as root too. On a terminal,
without --name and --domain, it asks for both (the default is in brackets;
Enter takes it); otherwise it never prompts, so it is safe in scripts and CI
(/dev/null counts as a terminal, but its end of input takes the defaults).
The name defaults to the directory's name, the domain to <name>.example.com.`,
		Example: `  platformctl init
  platformctl init --name shop --domain shop.example.com
  platformctl init --dir platforms/shop --name shop --domain shop.example.com
  platformctl init --force   # overwrite platform.yaml and .platformctl.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Interactive = cmdutil.IsTerminal(f.IO.In) && !cmd.Flags().Changed("name") && !cmd.Flags().Changed("domain")
			opts.Quiet = f.Global.Quiet
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "platform name, a DNS label of at most 40 characters (default: the directory's name)")
	cmd.Flags().StringVar(&opts.Domain, "domain", "", "public DNS zone of the platform (default: <name>.example.com)")
	cmd.Flags().StringVar(&opts.Dir, "dir", ".", "directory to write the files to (created when missing)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing files")
	return cmd
}

// Run writes the files and prints the next steps.
func Run(opts *Options) error {
	name, domain := opts.Name, opts.Domain
	if name == "" {
		name = scaffold.DefaultName(opts.Dir)
	}
	if opts.Interactive {
		// Say that the files exist before asking questions whose answers
		// would be thrown away.
		if err := scaffold.CheckTargets(opts.Dir, []string{scaffold.SpecFile, scaffold.ConfigFile}, opts.Force); err != nil {
			return cmdutil.Fail(err)
		}
		r := bufio.NewReader(opts.IO.In)
		name = ask(opts.IO.ErrOut, r, "Platform name", name)
		if domain == "" {
			domain = scaffold.DefaultDomain(name)
		}
		domain = ask(opts.IO.ErrOut, r, "Domain", domain)
	}
	if domain == "" {
		domain = scaffold.DefaultDomain(name)
	}
	files, err := scaffold.InitFiles(scaffold.Init{Name: name, Domain: domain})
	if err != nil {
		return cmdutil.Fail(err)
	}
	written, err := scaffold.WriteFiles(opts.Dir, files, opts.Force, opts.Lock)
	if err != nil {
		return cmdutil.Fail(err)
	}
	for _, p := range written {
		opts.Log.Printf("wrote %s", p)
	}
	if opts.Quiet {
		return nil
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "wrote %s\n\nNext steps:\n", strings.Join(written, " and "))
	if d := filepath.Clean(opts.Dir); d != "." {
		fmt.Fprintf(out, "  cd %s\n", d)
	}
	// The image is a placeholder, but pinned like a real one must be: the
	// spec has a production environment, which runs digest-pinned images only.
	fmt.Fprint(out, `  # add a service; production runs only images pinned by digest (crane digest IMAGE prints it)
  platformctl new service web --image ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b --expose www
  platformctl validate   # check the spec; problems come as file:line:col
  platformctl render     # write the Kustomize tree to deploy/
  platformctl lint       # lint every environment's manifests
`)
	return nil
}

// ask prompts for a value on w and reads one line; an empty line, or the
// end of input, takes def.
func ask(w io.Writer, r *bufio.Reader, question, def string) string {
	fmt.Fprintf(w, "%s [%s]: ", question, def)
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return def
	}
	if v := strings.TrimSpace(line); v != "" {
		return v
	}
	if errors.Is(err, io.EOF) {
		fmt.Fprintln(w)
	}
	return def
}
