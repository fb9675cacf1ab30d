package monitoring

import (
	"log/slog"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// TestRuleFilesLoadInPrometheus hands every target's groups to Prometheus'
// own rule-file loader (what `promtool check rules` and the server run on the
// file prometheus-operator writes from a PrometheusRule): unknown fields,
// expressions, durations, names, label values and alert templates are checked
// by the real code, with the classic (non-UTF-8) name rules.
func TestRuleFilesLoadInPrometheus(t *testing.T) {
	for name, target := range matrix() {
		t.Run(name, func(t *testing.T) {
			file, err := yaml.Marshal(monitoringv1.PrometheusRuleSpec{Groups: Rules(target)})
			require.NoError(t, err)
			groups, errs := rulefmt.Parse(file, false, model.LegacyValidation, promParser, slog.New(slog.DiscardHandler))
			require.Empty(t, errs, "%s", file)
			assert.Len(t, groups.Groups, len(Rules(target)))
		})
	}
	// The loader is not vacuous: a broken template is refused.
	bad := []byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      summary: '{{ $labels.pod '\n")
	_, errs := rulefmt.Parse(bad, false, model.LegacyValidation, promParser, slog.New(slog.DiscardHandler))
	assert.NotEmpty(t, errs)
}
