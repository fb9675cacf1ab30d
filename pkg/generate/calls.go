package generate

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// call is one resolved entry of a service's calls: the callee and the one
// port the call opens.
type call struct {
	callee *spec.Service
	port   int32
	// env is the variable that holds the callee's address.
	env   string
	index int // in the caller's calls, for error paths
}

// callsOf resolves svc's calls; validation has made sure each names a
// server other than svc, once per port, on its service port or one of its
// extra ports.
func callsOf(c *Context, svc *spec.Service) []call {
	var out []call
	for i, cl := range svc.Calls {
		callee := c.P.Service(cl.Service)
		if callee == nil {
			continue
		}
		if port, extra, ok := spec.CallTarget(callee, cl.Port); ok {
			out = append(out, call{callee: callee, port: port, env: spec.CallEnvName(callee.Name, extra), index: i})
		}
	}
	return out
}

// callEnv tells a caller where each callee is, so an application never
// writes a namespace (which differs between environments) into its config.
func callEnv(c *Context, svc *spec.Service) []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, cl := range callsOf(c, svc) {
		env = append(env, corev1.EnvVar{Name: cl.env,
			Value: fmt.Sprintf("%s.%s.svc.cluster.local:%d", cl.callee.Name, c.NS("apps"), cl.port)})
	}
	return env
}

// namePeer selects the pods of the policy's own namespace with name label
// name: one service's, stable and canary alike (they share the name
// label), or a data store's, its Sentinels', its FerretDB's. A peer with
// only a podSelector means the policy's own namespace: the rule is the
// same in every environment, so no overlay repeats it.
func namePeer(name string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{
		PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: name}},
	}
}

// callEgress opens the caller's side of each call: that callee's pods, that port.
func callEgress(c *Context, svc *spec.Service) []networkingv1.NetworkPolicyEgressRule {
	var out []networkingv1.NetworkPolicyEgressRule
	for _, cl := range callsOf(c, svc) {
		out = append(out, networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{namePeer(cl.callee.Name)}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(cl.port)},
		})
	}
	return out
}

// callIngress opens the callee's side: one rule per caller, in name order
// so that the policy does not change when the spec's order does.
func callIngress(c *Context, svc *spec.Service) []networkingv1.NetworkPolicyIngressRule {
	type in struct {
		caller string
		port   int32
	}
	var ins []in
	for i := range c.P.Spec.Services {
		caller := &c.P.Spec.Services[i]
		for _, cl := range caller.Calls {
			// Compare names before resolving: resolving every call of every
			// caller for every callee made this O(services³).
			if cl.Service != svc.Name {
				continue
			}
			if callee := c.P.Service(cl.Service); callee != nil {
				if port, ok := spec.CallPort(callee, cl.Port); ok {
					ins = append(ins, in{caller.Name, port})
				}
			}
		}
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].caller < ins[j].caller })
	var out []networkingv1.NetworkPolicyIngressRule
	for _, x := range ins {
		out = append(out, networkingv1.NetworkPolicyIngressRule{
			From: []networkingv1.NetworkPolicyPeer{namePeer(x.caller)}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(x.port)},
		})
	}
	return out
}
