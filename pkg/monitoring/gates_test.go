package monitoring

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passes evaluates a gate's query over the recorded series at evalEnd as
// Argo Rollouts' Prometheus provider does (one scalar) and applies the
// condition the AnalysisTemplate states: NaN or at most Max.
func (m *memStore) passes(t *testing.T, g Gate) bool {
	t.Helper()
	q, err := engine.NewInstantQuery(context.Background(), m.queryable(), nil, g.Query, evalEnd)
	require.NoError(t, err, g.Query)
	defer q.Close()
	res := q.Exec(context.Background())
	require.NoError(t, res.Err, g.Query)
	s, err := res.Scalar()
	require.NoError(t, err, "%s: a scalar", g.Query)
	limit, err := strconv.ParseFloat(g.Max, 64)
	require.NoError(t, err)
	return math.IsNaN(s.V) || s.V <= limit
}

func TestGatesReadTheRecordedSLOSeries(t *testing.T) {
	web := Target{Service: "web", Protocol: "http", Availability: 99.9}
	gates := Gates(web, appsNS)
	require.Len(t, gates, 1, "no latency objective: the error ratio only")
	assert.Equal(t, "0.0144", gates[0].Max, "the fast burn alert's rate: 14.4 × the 0.1 % budget")
	tests := []struct {
		name      string
		namespace string
		errFrac   float64
		recent    time.Duration
		want      bool
	}{
		{"no 5xx: passes", appsNS, 0, 0, true},
		{"5xx at 0.5x the budget: passes", appsNS, 0.0005, 0, true},
		{"5xx at 20x the budget: fails", appsNS, 0.02, 0, false},
		// A new version failing a tenth of requests for the last 3 minutes
		// already spends budget 14.4 times too fast over the 5m window.
		{"a 3-minute burn: fails", appsNS, 0.1, 3 * time.Minute, false},
		{"another environment's namespace: no series, passes", otherNS, 0.02, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := evalStore(t, web, httpTraffic(web, tc.errFrac, tc.recent))
			assert.Equal(t, tc.want, st.passes(t, Gates(web, tc.namespace)[0]))
		})
	}
	t.Run("no traffic at all: passes", func(t *testing.T) {
		st := evalStore(t, web, []gen{up(appsNS, "web", "web-1", gauge(1))})
		assert.True(t, st.passes(t, gates[0]))
	})
}

func TestLatencyGate(t *testing.T) {
	web := Target{Service: "web", Protocol: "http", LatencyP99: 300 * time.Millisecond}
	gates := Gates(web, "apps")
	require.Len(t, gates, 2)
	assert.Equal(t, "latency-p99", gates[1].Name)
	assert.Equal(t, "0.3", gates[1].Max)
	traffic := latencyTraffic
	assert.False(t, evalStore(t, web, traffic(0.5)).passes(t, gates[1]), "P99 between 250ms and 500ms")
	assert.True(t, evalStore(t, web, traffic(0.25)).passes(t, gates[1]), "P99 below 250ms")
}

func TestGatesOfOtherTargets(t *testing.T) {
	assert.Empty(t, Gates(Target{Service: "mailer", Worker: true}, "apps"), "a worker has no request SLO")
	ws := Gates(Target{Service: "chat", Protocol: "websocket", LatencyP99: time.Second}, "apps")
	require.Len(t, ws, 1, "a WebSocket's request duration is its connection's life: no latency gate")
	assert.Equal(t, "0.072", ws[0].Max, "the default 99.5 % SLO: 14.4 × 0.5 %")
	grpc := Gates(Target{Service: "orders", Protocol: "grpc", Availability: 99.95}, "{{args.namespace}}")
	assert.Equal(t, `scalar(service:request_errors:ratio_rate5m{namespace="{{args.namespace}}",service="orders"})`, grpc[0].Query)
	assert.Equal(t, "0.0072", grpc[0].Max)
}
