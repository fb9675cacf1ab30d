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
	// Msg, when set, is the whole message, for a clash whose wording
	// "also set by platformctl for" would get backwards.
	Msg string
}

func (e *EnvConflictError) Error() string {
	if e.Msg != "" {
		return e.Path + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s is also set by platformctl for %s", e.Path, e.Key, e.Owner)
}

// checkEnv refuses a service whose own variables (env, environment
// overrides, the <NAME>_FILE of each secret) repeat each other or one that
// platformctl adds (OpenTelemetry, data store bindings, the <CALLEE>_ADDR of
// each call).
func checkEnv(c *Context, svc *spec.Service, plan spec.Plan, src string) error {
	owner := map[string]string{}
	for _, e := range otelEnv(c, svc, plan.Image) {
		owner[e.Name] = "OpenTelemetry tracing (spec.observability.tracing); remove it here"
	}
	for _, e := range bindingEnv(c, svc) {
		owner[e.Name] = "the data store bindings (uses, consumes); remove it here or rename the store"
	}
	// A call's variable is the spec's own choice of name, so a clash with
	// it is reported at the call: that is what to rename or remove.
	for _, cl := range callsOf(c, svc) {
		name, path := cl.env, fmt.Sprintf("%s.calls[%d]", src, cl.index)
		if o, taken := owner[name]; taken {
			return &EnvConflictError{Path: path, Key: name, Owner: o}
		}
		if _, set := plan.Env[name]; set {
			return &EnvConflictError{Path: path, Key: name, Msg: fmt.Sprintf("this call sets %s to the address of %s, and %s sets it too; remove that variable (the call's value is right in every environment) or the call",
				name, cl.callee.Name, envPath(c, svc, src, name))}
		}
		owner[name] = fmt.Sprintf("the call of %s (%s); rename one of them", cl.callee.Name, path)
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
