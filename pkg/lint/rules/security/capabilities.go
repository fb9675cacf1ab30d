package security

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
)

// Linux capabilities. Every added capability is reported by exactly one
// rule, the most specific: dangerous-capability, then net-raw-capability,
// then capability-added for the rest.

// dangerousCaps each give a container a known way out of its isolation or
// onto the host's kernel, network or other processes.
var dangerousCaps = map[string]string{
	"ALL":                "every capability",
	"SYS_ADMIN":          "mount, namespaces, BPF and most of root's powers",
	"NET_ADMIN":          "reconfiguring interfaces, routes and iptables",
	"SYS_PTRACE":         "tracing and injecting code into other processes",
	"SYS_MODULE":         "loading kernel modules",
	"SYS_RAWIO":          "raw I/O to devices and kernel memory",
	"SYS_BOOT":           "rebooting the node",
	"SYS_TIME":           "setting the node's clock",
	"DAC_READ_SEARCH":    "reading any file by handle, the basis of the Shocker escape",
	"BPF":                "loading BPF programs into the kernel",
	"PERFMON":            "kernel performance monitoring and BPF tracing",
	"MAC_ADMIN":          "changing the mandatory access control policy",
	"MAC_OVERRIDE":       "bypassing the mandatory access control policy",
	"SYSLOG":             "reading kernel logs and addresses",
	"CHECKPOINT_RESTORE": "checkpointing and restoring other processes",
}

// baselineCaps are the capabilities the baseline profile lets a container
// add: the runtime's default set.
var baselineCaps = map[string]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true, "FSETID": true, "KILL": true,
	"MKNOD": true, "NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true, "SETUID": true,
	"SYS_CHROOT": true,
}

func capabilityRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "capabilities-not-dropped", Title: "Container does not drop all capabilities", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Containers start with the runtime's default capabilities (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, NET_RAW with some runtimes, and more). Few applications need any of them, and each one widens what an attacker can do after getting code execution.",
			Remediation: "Set securityContext.capabilities.drop: [ALL] on the container, and add back only what it needs, e.g. add: [NET_BIND_SERVICE] to listen below port 1024.",
			References:  []string{pssRestricted, "CIS 5.2.10", nsaGuide, pssDoc},
			CEL:         lint.PodCEL(celWindows+" || variables.containers.all(c, 'ALL' in c.?securityContext.?capabilities.?drop.orValue([]))", "a container does not drop ALL capabilities"),
			Check:       checkDropAll,
		},
		{
			ID: "dangerous-capability", Title: "Container adds a dangerous capability", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, BPF or PERFMON are each a known path from the container to the node: mounting host filesystems, loading kernel code, reading arbitrary files (the Shocker escape), tracing other processes or rewriting the node's network. ALL grants all of them.",
			Remediation: "Remove the capability from securityContext.capabilities.add. If the workload is a node agent that needs it, run it in a dedicated namespace and ignore this rule on it with the reason.",
			References:  []string{pssBaseline, "CIS 5.2.9", nsaGuide, pssDoc},
			CEL:         lint.PodCEL(celAdded(func(n string) string { return "!(" + n + " in " + celSet(dangerousCaps) + ")" }), "a container adds a dangerous capability"),
			Check:       checkDangerousCaps,
		},
		{
			ID: "net-raw-capability", Title: "Container adds NET_RAW", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "NET_RAW lets a container craft raw packets: ARP and DNS spoofing against other pods on the node, and the attack surface of kernel bugs such as CVE-2020-14386. Applications almost never need it (ping does not, with net.ipv4.ping_group_range).",
			Remediation: "Remove NET_RAW from securityContext.capabilities.add and keep drop: [ALL].",
			References:  []string{pssBaseline, "CIS 5.2.8", "CVE-2020-14386", pssDoc},
			CEL:         lint.PodCEL(celAdded(func(n string) string { return n + " != 'NET_RAW'" }), "a container adds capability NET_RAW (raw packets: spoofing other pods' traffic)"),
			Check:       checkNetRaw,
		},
		{
			ID: "capability-added", Title: "Container adds capabilities beyond NET_BIND_SERVICE", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "The restricted profile lets a container add back only NET_BIND_SERVICE after dropping ALL. Any other added capability (CHOWN, SETUID, SYS_NICE, IPC_LOCK ...) gives up some of the isolation; those outside the runtime's default set also fail the baseline profile.",
			Remediation: "Remove the capability from securityContext.capabilities.add, and change the image instead (own files by the runtime user rather than adding CHOWN or DAC_OVERRIDE, listen on a port above 1024 rather than adding NET_BIND_SERVICE when possible).",
			References:  []string{pssRestricted, "CIS 5.2.9", pssDoc},
			CEL:         lint.PodCEL(celAdded(func(n string) string { return n + " in " + celexpr.List(unreportedAdded) }), "a container adds a capability other than NET_BIND_SERVICE"),
			Check:       checkAddedCaps,
		},
	}
}

func checkDropAll(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || isWindows(p) {
		return
	}
	for i := range cs {
		c := &cs[i]
		drop := lint.Items(lint.Get(securityContext(c), "capabilities", "drop"))
		var dropped []string
		all, spelled := false, ""
		for _, d := range drop {
			n := capName(lint.Str(d))
			// The runtime reads "all" as ALL, but Pod Security's restricted
			// check compares the exact string and rejects the pod.
			if n == "ALL" && lint.Str(d) != "ALL" {
				spelled = lint.Str(d)
			}
			all = all || lint.Str(d) == "ALL"
			dropped = append(dropped, n)
		}
		switch {
		case all:
		case spelled != "":
			r.Report(o, c.Security.ContextPath+".capabilities.drop", "%s drops %q; Pod Security's restricted profile accepts only the exact string ALL and rejects the pod", c.Who(), spelled)
		case len(dropped) == 0:
			r.Report(o, c.Security.ContextPath+".capabilities.drop", "%s keeps the runtime's default capabilities: capabilities.drop does not list ALL", c.Who())
		default:
			r.Report(o, c.Security.ContextPath+".capabilities.drop", "%s drops only %s, not ALL", c.Who(), strings.Join(dropped, ", "))
		}
	}
}

// eachAdded calls fn for every capability a container adds, normalized.
func eachAdded(o *lint.Object, fn func(c *lint.Container, path, capability string)) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		for j, a := range lint.Items(lint.Get(securityContext(c), "capabilities", "add")) {
			fn(c, fmt.Sprintf("%s.capabilities.add[%d]", c.Security.ContextPath, j), capName(lint.Str(a)))
		}
	}
}

func checkDangerousCaps(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	eachAdded(o, func(c *lint.Container, path, capability string) {
		if what, ok := dangerousCaps[capability]; ok {
			r.Report(o, path, "%s adds capability %s (%s)", c.Who(), capability, what)
		}
	})
}

func checkNetRaw(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	eachAdded(o, func(c *lint.Container, path, capability string) {
		if capability == "NET_RAW" {
			r.Report(o, path, "%s adds capability NET_RAW (raw packets: spoofing other pods' traffic)", c.Who())
		}
	})
}

// unreportedAdded are the added capabilities capability-added leaves
// alone: the ones a more specific rule reports, NET_BIND_SERVICE, and an
// empty name.
var unreportedAdded = append(slices.Sorted(maps.Keys(dangerousCaps)), "NET_RAW", "NET_BIND_SERVICE", "")

func checkAddedCaps(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	eachAdded(o, func(c *lint.Container, path, capability string) {
		if slices.Contains(unreportedAdded, capability) {
			return
		}
		if baselineCaps[capability] {
			r.Report(o, path, "%s adds capability %s; the restricted profile allows only NET_BIND_SERVICE", c.Who(), capability)
			return
		}
		r.Report(o, path, "%s adds capability %s, outside even the baseline profile's default set", c.Who(), capability)
	})
}
