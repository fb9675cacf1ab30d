package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPromotionStep(t *testing.T) {
	p := &Platform{Spec: PlatformSpec{
		Environments: []Environment{{Name: "dev", Tier: TierDevelopment}, {Name: "testing", Tier: TierTesting}, {Name: "staging", Tier: TierStaging}, {Name: "production", Tier: TierProduction}},
		Promotion:    []string{"testing", "staging", "production"},
	}}
	for _, tt := range []struct{ from, to, err string }{
		{"testing", "staging", ""},
		{"staging", "production", ""},
		{"testing", "production", "testing → production skips staging (spec.promotion: testing → staging → production); promote testing → staging first"},
		{"production", "staging", "staging comes before production in spec.promotion"},
		{"staging", "staging", "staging comes before staging"},
		{"dev", "testing", "dev is not a stage of spec.promotion (testing → staging → production)"},
		{"qa", "staging", `no environment "qa"; the spec defines: dev, testing, staging, production`},
		{"testing", "prod", `no environment "prod"`},
	} {
		err := p.PromotionStep(tt.from, tt.to)
		if tt.err == "" {
			assert.NoError(t, err, tt.from+"→"+tt.to)
			continue
		}
		assert.ErrorContains(t, err, tt.err, tt.from+"→"+tt.to)
	}
	p.Spec.Promotion = nil
	assert.ErrorContains(t, p.PromotionStep("testing", "staging"), "spec.promotion is not set; declare the order, e.g. promotion: [dev, testing, staging, production]")
}
