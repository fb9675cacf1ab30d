package security

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// Ports and pulls: what a workload listens on, and where its image comes
// from at each start.

const sshPort = 22

func portAndPullRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "privileged-port", Title: "Container listens on a privileged port", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A containerPort (or the number a Service's targetPort sends traffic to; port when targetPort is unset) is below 1024. Binding such a port takes root or CAP_NET_BIND_SERVICE, " +
				"so the workload either runs with more privilege than serving traffic needs or fails to start once it runs as non-root with capabilities dropped. " +
				"Services listening on 80 or 443 do not need their pods to: the Service maps its port to any targetPort. A Service's targetPort is judged only when it selects pods of a workload in the input (not a Gateway implementation's proxies, whose ports are the Gateway's listeners). " +
				"Not reported where the pod states the need: NET_BIND_SERVICE added to the container, " +
				"or the sysctl net.ipv4.ip_unprivileged_port_start at or below the port. Port 22 is reported by ssh-port-exposed instead.",
			Remediation: "Listen on a port above 1024 in the container (8080, 8443) and keep 80/443 as the Service's port with targetPort pointing at it.",
			References:  []string{nsaGuide, "kube-linter privileged-ports", "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"},
			Check:       checkPorts(false),
		},
		{
			ID: "ssh-port-exposed", Title: "SSH port exposed", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A container declares TCP port 22, or a Service exposes or targets it. An SSH daemon in a container is a second way in that bypasses the API server's authentication, RBAC and audit log (kubectl exec has all three), " +
				"and its keys and passwords are one more secret to leak; exposed through a Service it is also a target for the internet's constant SSH scanning.",
			Remediation: "Remove the SSH daemon and use kubectl exec or kubectl debug; for SFTP-like file transfer use a purpose-built service behind authentication. If SSH is the product (a Git server), ignore the rule on it with the reason.",
			References:  []string{nsaGuide, "kube-linter ssh-port"},
			CEL:         celSSHPort(),
			Check:       checkPorts(true),
		},
		{
			ID: "image-pull-policy-not-always", Title: "Image pull policy is not Always", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Off by default; on for production objects as image-pull-policy-not-always-production. With imagePullPolicy IfNotPresent (the default for an image with a tag other than latest) or Never, " +
				"a node reuses an image it already holds: a pod of any namespace can start from a private image another team pulled, without the registry checking its pull credentials, and a tag re-pushed at the registry keeps running its old content on some nodes and the new one on others. " +
				"Always makes the kubelet ask the registry at every start (layers already present are not downloaded again), which is what the AlwaysPullImages admission plugin enforces cluster-wide.",
			Remediation: "Set imagePullPolicy: Always on every container (and pin the image by digest, so what Always fetches cannot change).",
			References:  []string{"https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy", "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages", "kube-score container-image-pull-policy", "Polaris pullPolicyNotAlways"},
			Disabled:    true,
			Check:       checkPullPolicy(false),
		},
		{
			ID: "image-pull-policy-not-always-production", Title: "Production image pull policy is not Always", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "In production (the object, or its Namespace among the inputs, is labeled platformctl.dev/environment: production or environment: production) a container's imagePullPolicy is IfNotPresent (also the default for a tagged image) or Never: " +
				"its pods may start from an image a node cached for someone else, without the registry checking their pull credentials, and a tag re-pushed at the registry runs different content on different nodes. Objects outside production are reported by image-pull-policy-not-always, off by default.",
			Remediation: "Set imagePullPolicy: Always on every container of production workloads.",
			References:  []string{"https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy", "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages", "kube-score container-image-pull-policy"},
			Check:       checkPullPolicy(true),
		},
	}
}

// portsAllowed says whether the pod states that c may bind port: the
// container adds NET_BIND_SERVICE, or the pod lowers the unprivileged port
// range to it.
func portsAllowed(p *lint.Pod, c *lint.Container, port int64) bool {
	for _, a := range lint.Strings(lint.Get(securityContext(c), "capabilities", "add")) {
		if capName(a) == "NET_BIND_SERVICE" {
			return true
		}
	}
	for _, s := range lint.Items(lint.Get(p.Spec, "securityContext", "sysctls")) {
		if lint.Str(lint.Field(s, "name")) != "net.ipv4.ip_unprivileged_port_start" {
			continue
		}
		var start int64
		if _, err := fmt.Sscan(lint.Str(lint.Field(s, "value")), &start); err == nil && start <= port {
			return true
		}
	}
	return false
}

// celUDP is isUDP in CEL for the port p: EqualFold folds no other letter
// onto U, D or P, so lowerAscii compares alike.
const celUDP = "type(p.?protocol.orValue('')) == string && p.?protocol.orValue('').lowerAscii() == 'udp'"

// celSSHPort is checkPorts(true) in CEL: a Service's port or numeric
// targetPort (which defaults to the port), or a container's port; the
// pods' kinds and Services in one policy.
func celSSHPort() *lint.CEL {
	ssh := strconv.Itoa(sshPort)
	c := lint.PodCEL("object.kind == 'Service' ? "+
		"object.?spec.?type.orValue('') == 'ExternalName' || object.?spec.?ports.orValue([]).all(p, "+celUDP+" || p.?port.orValue(0) != "+ssh+" && p.?targetPort.orValue(0) != "+ssh+") : "+
		"variables.containers.all(c, c.?ports.orValue([]).all(p, "+celUDP+" || p.?containerPort.orValue(0) != "+ssh+"))",
		"the SSH port 22 is declared or exposed")
	c.Kinds = append(slices.Clone(c.Kinds), "Service")
	return c
}

func isUDP(port *yaml.Node) bool {
	return strings.EqualFold(lint.Str(lint.Field(port, "protocol")), "UDP")
}

// checkPorts reports privileged ports (ssh false) or the SSH port (ssh
// true), so port 22 is one finding, not two.
func checkPorts(ssh bool) func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	match := func(n int64, udp bool) bool {
		if ssh {
			return n == sshPort && !udp
		}
		return n > 0 && n < 1024 && (n != sshPort || udp)
	}
	return func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
		if o.Kind == "Service" && o.Group() == "" {
			checkServicePorts(o, ctx, r, ssh, match)
			return
		}
		p, cs := o.Containers()
		for i := range cs {
			c := &cs[i]
			for j, port := range lint.Items(lint.Field(c.Node, "ports")) {
				n, ok := lint.Int(lint.Field(port, "containerPort"))
				if !ok || !match(n, isUDP(port)) || !ssh && portsAllowed(p, c, n) {
					continue
				}
				at := fmt.Sprintf("%s.ports[%d].containerPort", c.Path, j)
				if ssh {
					r.Report(o, at, "%s declares the SSH port 22", c.Who())
				} else {
					r.Report(o, at, "%s listens on privileged port %d, which takes root or NET_BIND_SERVICE to bind", c.Who(), n)
				}
			}
		}
	}
}

// selectsOwnPods says whether a Service selects pods of a workload in the
// input. The pods of a Gateway implementation (selected by
// gateway.networking.k8s.io/gateway-name) listen on the Gateway's listener
// ports, which nobody writing these manifests chooses, and pods outside
// the input may declare the port themselves: a privileged targetPort is
// only the Service's finding when its pods are defined here.
func selectsOwnPods(svc *lint.Object, ctx *lint.Context) bool {
	sel := lint.StringMap(lint.Get(svc.Root, "spec", "selector"))
	if len(sel) == 0 || ctx == nil || ctx.Set == nil {
		return false
	}
	for _, l := range facts.Of(ctx.Set).PodsByNS[svc.Namespace].Selected(facts.MapSelector(sel)) {
		if l.Pod != nil {
			return true
		}
	}
	return false
}

func checkServicePorts(svc *lint.Object, ctx *lint.Context, r *lint.Reporter, ssh bool, match func(int64, bool) bool) {
	if lint.Str(lint.Get(svc.Root, "spec", "type")) == "ExternalName" {
		return
	}
	var own, known bool // selectsOwnPods, computed when a port needs it
	ownPods := func() bool {
		if !known {
			own, known = selectsOwnPods(svc, ctx), true
		}
		return own
	}
	for i, sp := range lint.Items(lint.Get(svc.Root, "spec", "ports")) {
		at := func(field string) string { return fmt.Sprintf("spec.ports[%d]%s", i, field) }
		udp := isUDP(sp)
		port, _ := lint.Int(lint.Field(sp, "port"))
		tp := lint.Field(sp, "targetPort")
		target, numeric := lint.Int(tp)
		if tp == nil || tp.Tag == "!!null" {
			target, numeric = port, true // targetPort defaults to port
		}
		switch {
		case ssh && match(port, udp):
			r.Report(svc, at(".port"), "Service %q exposes the SSH port 22", svc.Name)
		case !numeric || !match(target, udp):
		case ssh:
			r.Report(svc, at(".targetPort"), "Service %q sends port %d to the SSH port 22 of its pods", svc.Name, port)
		case !ownPods():
		case tp == nil:
			r.Report(svc, at(""), "Service %q port %d has no targetPort, so its pods must listen on privileged port %d", svc.Name, port, target)
		default:
			r.Report(svc, at(".targetPort"), "Service %q sends port %d to privileged port %d of its pods", svc.Name, port, target)
		}
	}
}

// effectivePullPolicy is the policy the API server gives a container:
// the one written, else Always for an image without a tag or with the tag
// latest (and no digest), else IfNotPresent.
func effectivePullPolicy(c *yaml.Node) (policy string, written bool) {
	if n := lint.Field(c, "imagePullPolicy"); n != nil && n.Tag != "!!null" {
		return lint.Str(n), true
	}
	ref := imageref.Parse(strings.TrimSpace(lint.Str(lint.Field(c, "image"))))
	if !ref.Pinned() && (ref.Tag == "" || ref.Tag == "latest") {
		return "Always", false
	}
	return "IfNotPresent", false
}

func checkPullPolicy(production bool) func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
		p, cs := o.Containers()
		if p == nil || o.Kind == "PodTemplate" || facts.IsProduction(o, ctx) != production {
			return
		}
		for i := range cs {
			c := &cs[i]
			policy, written := effectivePullPolicy(c.Node)
			if policy == "Always" {
				continue
			}
			if written {
				r.Report(o, c.Path+".imagePullPolicy", "%s pulls its image with imagePullPolicy %s, not Always", c.Who(), policy)
			} else {
				r.Report(o, c.Path+".image", "%s sets no imagePullPolicy, so its tagged image is pulled IfNotPresent, not Always", c.Who())
			}
		}
	}
}
