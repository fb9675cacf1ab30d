package hygiene

import (
	"fmt"

	"github.com/platformctl/platformctl/pkg/lint"
)

// celDuplicateEnv is true when no container names an environment
// variable twice; unnamed entries are left to the schema.
const celDuplicateEnv = "variables.containers.all(c, c.?env.orValue([]).all(e, " +
	"e.?name.orValue('') == '' || e.?name.orValue('') == null || " +
	"c.env.filter(f, f.?name.orValue('') == e.name).size() == 1))"

func duplicateEnvVar() lint.Rule {
	return lint.Rule{
		ID: "duplicate-env-var", Title: "Environment variable set twice", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "A container lists the same environment variable name more than once. Kubernetes keeps the last one without a warning, so the value someone reads " +
			"(usually the first) is not the one the process gets; overlays and patches that append env entries make this easy to do by accident.",
		Remediation: "Keep one entry per name; change the value where it is defined instead of appending a second one.",
		References:  []string{"https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/", "kube-linter duplicate-env-var"},
		CEL:         lint.PodCEL(celDuplicateEnv, "a container sets an environment variable twice; the last one wins"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil {
				return
			}
			for ci := range p.Containers() {
				c := &p.Containers()[ci]
				env := lint.Items(lint.Field(c.Node, "env"))
				if len(env) < 2 {
					continue
				}
				first := make(map[string]int, len(env))
				for i, e := range env {
					name := lint.Str(lint.Field(e, "name"))
					if name == "" {
						continue
					}
					if j, dup := first[name]; dup {
						r.Report(o, fmt.Sprintf("%s.env[%d].name", c.Path, i), "%s sets %s twice (env[%d] and env[%d]); the last one wins", c.Who(), name, j, i)
						continue
					}
					first[name] = i
				}
			}
		},
	}
}
