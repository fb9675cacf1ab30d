package cmdutil

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// completeWith runs cobra's __complete on a command with a --file and a
// --service flag completed by CompleteServices.
func completeWith(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	f := NewFactory(IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
	root := &cobra.Command{Use: "platformctl"}
	sub := &cobra.Command{Use: "logs", RunE: func(*cobra.Command, []string) error { return nil }}
	sub.Flags().StringP("file", "f", "platform.yaml", "")
	sub.Flags().String("service", "", "")
	if err := sub.RegisterFlagCompletionFunc("service", f.CompleteServices); err != nil {
		t.Fatal(err)
	}
	root.AddCommand(sub)
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"__complete", "logs"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestCompleteServices(t *testing.T) {
	got := completeWith(t, "-f", "../../examples/shop/platform.yaml", "--service", "")
	for _, want := range []string{"web\tghcr.io/", "orders\t", ":4\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in:\n%s", want, got)
		}
	}
	// A spec with unrelated errors still completes; a missing one completes nothing.
	broken := filepath.Join(t.TempDir(), "platform.yaml")
	if err := os.WriteFile(broken, []byte("spec:\n  services:\n    - {name: api, image: x, port: nope}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := completeWith(t, "-f", broken, "--service", ""); !strings.HasPrefix(got, "api\tx\n") {
		t.Errorf("half-written spec: got\n%s", got)
	}
	if got := completeWith(t, "-f", filepath.Join(t.TempDir(), "none.yaml"), "--service", ""); !strings.HasPrefix(got, ":4\n") {
		t.Errorf("missing spec: got\n%s", got)
	}
}

func TestCompleteValues(t *testing.T) {
	got, dir := CompleteValues("a", "b")(nil, nil, "")
	if strings.Join(got, ",") != "a,b" || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Fatalf("got %v %v", got, dir)
	}
}
