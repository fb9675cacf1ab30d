package build_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

const shop = "../../../examples/shop/platform.yaml"

// --preview N prints pull request N's preview (what Argo CD's plugin
// runs); a number out of range, a spec without previews, or --env next to
// it is a usage error, exit 2, with nothing on stdout.
func TestPreview(t *testing.T) {
	code, out, errOut := run("build", "-f", shop, "--preview", "42")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "name: pr-42-apps\n")
	assert.Contains(t, out, "- pr-42-www.preview.shop.example.com\n")
	assert.NotContains(t, out, "namespace: staging-apps")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "-f", shop, "--preview", "0"}, "pull request number 0: must be between 1 and 9999999"},
		{[]string{"build", "-f", shop, "--preview", "7", "--env", "dev"}, "none of the others can be"},
		{[]string{"build", "-f", "../../../examples/minimal/platform.yaml", "--preview", "7"}, "the spec has no previews"},
	} {
		code, out, errOut := run(tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Empty(t, out, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
