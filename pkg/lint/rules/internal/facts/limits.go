package facts

import (
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// NSDefaults are the resources a namespace's LimitRanges fill in for
// containers that do not set them.
type NSDefaults struct {
	Request, Limit map[string]bool
}

// limitRangeDefaults reads LimitRanges once per rule run, by namespace.
// API defaulting fills a LimitRange's default from max, and its
// defaultRequest from default or min; admission then applies both.
func limitRangeDefaults(s *lint.Set) map[string]*NSDefaults {
	out := map[string]*NSDefaults{}
	for _, lr := range s.OfKind(kindLimitRange) {
		d := out[lr.Namespace]
		if d == nil {
			d = &NSDefaults{Request: map[string]bool{}, Limit: map[string]bool{}}
			out[lr.Namespace] = d
		}
		for _, l := range lint.Items(lint.Get(lr.Root, "spec", "limits")) {
			if lint.Str(lint.Field(l, "type")) != "Container" {
				continue
			}
			for _, field := range []string{"default", "max"} {
				lint.Pairs(lint.Field(l, field), func(k, _ *yaml.Node) {
					d.Limit[k.Value] = true
					d.Request[k.Value] = true
				})
			}
			for _, field := range []string{"defaultRequest", "min"} {
				lint.Pairs(lint.Field(l, field), func(k, _ *yaml.Node) { d.Request[k.Value] = true })
			}
		}
	}
	return out
}
