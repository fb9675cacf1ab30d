package spec

import "testing"

// An optional number written as 0 is refused where 0 is out of its range;
// left out or null it is "not set", and where 0 is in range it is a value.
func TestExplicitZero(t *testing.T) {
	tests := []struct {
		field, value string
		wantErr      string
	}{
		{"port", "0", "must be between 1 and 65535; remove the key to leave it unset (0 is a value here, not unset)"},
		{"metricsPort", "0", "must be between 1 and 65535; remove the key to leave it unset (0 is a value here, not unset)"},
		{"gpus", "0", "must be between 1 and 16; remove the key to leave it unset (0 is a value here, not unset)"},
		{"port", "-0", "must be between 1 and 65535; remove the key to leave it unset (0 is a value here, not unset)"},
		{"port", "", ""},
		{"port", "null", ""},
		{"port", "~", ""},
		{"port", "8080", ""},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			src := "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: shop}\nspec:\n  domain: shop.example.com\n" +
				"  environments: [{name: dev, tier: development}]\n  services:\n    - name: web\n      image: ghcr.io/acme/web:1.0.0\n      " + tt.field + ": " + tt.value + "\n"
			list := parseAndValidate(t, src)
			if tt.wantErr == "" {
				if len(list) > 0 {
					t.Fatalf("unexpected errors:\n%v", list)
				}
				return
			}
			e := findError(t, list, "spec.services[0]."+tt.field)
			if e.Msg != tt.wantErr || e.Pos.Line != 10 {
				t.Fatalf("got %d:%d %q, want line 10 %q", e.Pos.Line, e.Pos.Col, e.Msg, tt.wantErr)
			}
		})
	}
}
