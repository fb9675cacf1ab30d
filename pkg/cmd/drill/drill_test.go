package drill_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

const shop = "../../../examples/shop/platform.yaml"

func TestDrill(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"switchover", []string{"drill", "switchover", "orders-db", "-f", shop, "--env", "production"}, 0, "kubectl cnpg promote orders-db", ""},
		{"restore to a time", []string{"drill", "restore", "orders-db", "-f", shop, "--env", "production", "--to", "2026-12-04T09:30:00Z"}, 0, `targetTime: "2026-12-04T09:30:00Z"`, ""},
		{"unknown drill", []string{"drill", "failback", "orders-db", "-f", shop, "--env", "production"}, 2, "", `unknown drill "failback"; use one of: switchover, failover, restore`},
		{"unknown store", []string{"drill", "restore", "orders", "-f", shop, "--env", "production"}, 2, "", `no data store "orders"`},
		{"bad target", []string{"drill", "restore", "orders-db", "-f", shop, "--env", "production", "--to", "yesterday"}, 2, "", "not an RFC 3339 time"},
		{"target of a failover", []string{"drill", "failover", "orders-db", "-f", shop, "--env", "production", "--to", "2026-12-04T09:30:00Z"}, 2, "", "--to is the target of a restore drill"},
		{"a single primary", []string{"drill", "failover", "orders-db", "-f", shop, "--env", "dev"}, 2, "", "a single primary with nothing to fail over to"},
		{"no environment", []string{"drill", "restore", "orders-db", "-f", shop}, 2, "", "--env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			require.Equal(t, tt.code, code, "%s%s", out, errOut)
			assert.Contains(t, out, tt.stdout)
			assert.Contains(t, errOut, tt.stderr)
			if tt.code != 0 {
				assert.Empty(t, out, "nothing half-written to stdout")
			}
		})
	}
}
