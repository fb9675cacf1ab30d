package envdiff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithoutEnv(t *testing.T) {
	tests := []struct{ name, env, want string }{
		{"dev-apps", "dev", "apps"},           // namespace isolation
		{"shop-dev-apps", "dev", "shop-apps"}, // a PriorityClass
		{"shop-dev", "dev", "shop"},           // an Argo CD Application
		{"apps", "dev", "apps"},               // production names carry no environment
		{"devices", "dev", "devices"},         // only a whole word
		{"shop-devtools", "dev", "shop-devtools"},
		{"pr-12-apps", "pr-12", "apps"}, // environment names with dashes
		{"dev", "dev", "dev"},           // not a prefix, infix or suffix with a dash
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, withoutEnv(tt.name, tt.env), "%s in %s", tt.name, tt.env)
	}
}
