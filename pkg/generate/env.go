package generate

import (
	"fmt"

	"github.com/platformctl/platformctl/pkg/spec"
)

// EnvConflictError is a variable the spec sets that platformctl also sets
// for the same container: the pod would carry it twice, and which value wins
// depends on the runtime.
type EnvConflictError struct {
	Path  string // where the spec sets it
	Key   string
	Owner string // what else sets it
}

func (e *EnvConflictError) Error() string {
	return fmt.Sprintf("%s: %s is also set by platformctl for %s", e.Path, e.Key, e.Owner)
}

// checkEnv refuses a service whose own variables (env, environment
// overrides, the <NAME>_FILE of each secret) repeat each other or one that
// platformctl adds (OpenTelemetry, data store bindings).
func checkEnv(c *Context, svc *spec.Service, plan spec.Plan, src string) error {
	owner := map[string]string{}
	for _, e := range otelEnv(c, svc, plan.Image) {
		owner[e.Name] = "OpenTelemetry tracing (spec.observability.tracing); remove it here"
	}
	for _, e := range bindingEnv(c, svc) {
		owner[e.Name] = "the data store bindings (uses, consumes); remove it here or rename the store"
	}
	for _, k := range spec.SortedKeys(svc.Secrets) {
		name := k + "_FILE"
		if o, taken := owner[name]; taken {
			return &EnvConflictError{Path: fmt.Sprintf("%s.secrets[%s]", src, k), Key: name, Owner: o}
		}
		owner[name] = fmt.Sprintf("the secret %s (its file path); rename one of them", k)
	}
	for _, k := range spec.SortedKeys(plan.Env) {
		if o, taken := owner[k]; taken {
			return &EnvConflictError{Path: envPath(c, svc, src, k), Key: k, Owner: o}
		}
	}
	return nil
}

// envPath is where a variable of the resolved plan comes from: the
// environment's override when it sets the key, else the service.
func envPath(c *Context, svc *spec.Service, src, key string) string {
	if c.Env != nil {
		if o, ok := c.Env.Overrides.Services[svc.Name]; ok {
			if _, set := o.Env[key]; set {
				for i := range c.P.Spec.Environments {
					if c.P.Spec.Environments[i].Name == c.Env.Name {
						return fmt.Sprintf("spec.environments[%d].overrides.services[%s].env[%s]", i, svc.Name, key)
					}
				}
			}
		}
	}
	return fmt.Sprintf("%s.env[%s]", src, key)
}
