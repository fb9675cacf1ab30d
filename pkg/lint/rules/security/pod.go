package security

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Container security context rules: what the process inside a container
// may do to the node it runs on.

func podRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "privileged-container", Title: "Container runs privileged", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A privileged container has every Linux capability, sees all host devices and runs without seccomp or AppArmor confinement: a process in it is root on the node. One compromised or malicious image then owns the node and every pod and secret on it.",
			Remediation: "Remove securityContext.privileged (or set it to false) and add only the specific capability the workload needs, e.g. capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}. Node agents that truly need it belong in a dedicated namespace with an ignore annotation that says why.",
			References:  []string{pssBaseline, "CIS 5.2.2", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.containers.all(c, c.?securityContext.?privileged.orValue(false) != true)", "a container runs privileged: root on the node, with every capability and host device"),
			Check:       checkPrivileged,
		},
		{
			ID: "allow-privilege-escalation", Title: "Container allows privilege escalation", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Unless allowPrivilegeEscalation is false, the kernel lets a process gain more privileges than its parent (no_new_privs is not set): a setuid binary in the image, or a bug in one, turns a foothold as an unprivileged user into root in the container. Kubernetes defaults it to true.",
			Remediation: "Set securityContext.allowPrivilegeEscalation: false on every container (it is container-level only; the pod securityContext has no such field).",
			References:  []string{pssRestricted, "CIS 5.2.6", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?os.?name.orValue('') == 'windows' || variables.containers.all(c, c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false)", "every container sets allowPrivilegeEscalation: false (the default is true)"),
			Check:       checkPrivilegeEscalation,
		},
		{
			ID: "run-as-non-root", Title: "Container may run as root", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Without runAsNonRoot: true (or an explicit non-zero runAsUser), a container runs as whatever user its image declares, which is root for most images. Root in a container is one kernel bug or misconfiguration away from root on the node, and can write anywhere in the container's filesystem.",
			Remediation: "Set runAsNonRoot: true in the pod securityContext (it applies to every container), and a non-zero runAsUser such as 65532 so images without a USER still start.",
			References:  []string{pssRestricted, "CIS 5.2.7", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.containers.all(c, "+celEffective("runAsNonRoot")+".orValue(null) == true || type("+celEffective("runAsUser")+".orValue(null)) == int)", "a container may run as root: it sets neither runAsNonRoot: true nor a runAsUser, and the pod does not either"),
			Check:       checkRunAsNonRoot,
		},
		{
			ID: "run-as-root-user", Title: "Container runs as UID 0", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "runAsUser: 0 makes the container's process root explicitly, whatever the image says. Root in a container keeps every default capability and is one kernel bug away from root on the node. With runAsNonRoot: true as well, the kubelet refuses to start the container.",
			Remediation: "Set runAsUser to a non-zero UID (e.g. 65532) at pod level, and remove runAsUser: 0 from containers; give files the workload writes to that UID or to fsGroup.",
			References:  []string{pssRestricted, "CIS 5.2.7", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.containers.all(c, c.?securityContext.?runAsUser.orValue(variables.podSpec.?securityContext.?runAsUser.orValue(1)) != 0)", "a container runs as UID 0 (root)"),
			Check:       checkRunAsRootUser,
		},
		{
			ID: "writable-root-filesystem", Title: "Container root filesystem is writable", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A writable root filesystem lets an attacker who gets code execution drop tools, modify binaries and persist for the container's lifetime. A read-only root also catches applications writing where nobody expects.",
			Remediation: "Set securityContext.readOnlyRootFilesystem: true on the container and mount an emptyDir where the application must write (e.g. /tmp).",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"},
			CEL:         lint.PodCEL(celWindows+" || variables.containers.all(c, c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true)", "a container has a writable root filesystem: readOnlyRootFilesystem is not true"),
			Check:       checkReadOnlyRoot,
		},
		{
			ID: "seccomp-unconfined", Title: "Seccomp is explicitly disabled", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "seccompProfile type Unconfined turns off syscall filtering: the container can call every syscall the kernel offers, including the rarely used ones most container escapes go through (e.g. CVE-2022-0185 via unshare and fsconfig).",
			Remediation: "Set seccompProfile: {type: RuntimeDefault} in the pod securityContext, or type: Localhost with a profile that allows what the workload needs.",
			References:  []string{pssBaseline, "CIS 5.7.2", nsaGuide, "CVE-2022-0185", pssDoc},
			CEL:         lint.PodCEL("variables.containers.all(c, "+celSeccompType+".orValue('') != 'Unconfined')", "seccomp is disabled (type Unconfined)"),
			Check:       checkSeccompUnconfined,
		},
		{
			ID: "missing-seccomp-profile", Title: "No seccomp profile", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Without a seccompProfile, the kubelet runs the container Unconfined unless the node opts in to a default: every syscall is allowed, including the ones most kernel exploits and container escapes use. The old seccomp.security.alpha.kubernetes.io annotations no longer have any effect (Kubernetes 1.27+) and do not count.",
			Remediation: "Set seccompProfile: {type: RuntimeDefault} in the pod securityContext so every container inherits it.",
			References:  []string{pssRestricted, "CIS 5.7.2", nsaGuide, pssDoc},
			CEL:         lint.PodCEL(celWindows+" || variables.containers.all(c, !"+celUnset(celSeccompType)+")", "a container has no seccomp profile, and the pod sets none to inherit"),
			Check:       checkSeccompMissing,
		},
		{
			ID: "apparmor-unconfined", Title: "AppArmor is disabled", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "An AppArmor profile of Unconfined (securityContext.appArmorProfile.type, or the container.apparmor.security.beta.kubernetes.io/<container> annotation set to unconfined) removes the mandatory access control the runtime applies by default, which blocks writes to /proc and /sys and mounts that container escapes rely on.",
			Remediation: "Remove the override to get the runtime's default profile, or set appArmorProfile: {type: RuntimeDefault} (or Localhost with a reviewed profile).",
			References:  []string{pssBaseline, nsaGuide, pssDoc},
			CEL:         lint.PodCEL(celAppArmor, "AppArmor is disabled (appArmorProfile type Unconfined, or the annotation is unconfined)"),
			Check:       checkAppArmor,
		},
		{
			ID: "selinux-override", Title: "Custom SELinux options", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "seLinuxOptions with a type other than the container types, or with a user or role, changes the SELinux domain the container runs in. Types such as spc_t (super privileged container) or unconfined_t switch SELinux confinement off for the process.",
			Remediation: "Remove seLinuxOptions.user and .role, and use a type of container_t, container_init_t, container_kvm_t or container_engine_t (or none, to get the runtime's default). Setting only level (MCS categories) is fine.",
			References:  []string{pssBaseline, nsaGuide, pssDoc},
			CEL:         lint.PodCEL(celSELinux("variables.podSpec.?securityContext")+" && variables.containers.all(c, "+celSELinux("c.?securityContext")+")", "the pod or a container sets SELinux options outside the container types, or a user or role"),
			Check:       checkSELinux,
		},
		{
			ID: "unmasked-proc-mount", Title: "Container /proc is unmasked", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "procMount: Unmasked removes the masks and read-only paths the runtime puts over sensitive parts of /proc (e.g. /proc/sys, /proc/sysrq-trigger, /proc/kcore), exposing host kernel information and knobs to the container. The baseline Pod Security Standard allows procMount Default only, so any other value (a typo, a different case) is reported too.",
			Remediation: "Remove securityContext.procMount or set it to Default. Unmasked is only meant for nested container runtimes inside user namespaces (hostUsers: false).",
			References:  []string{pssBaseline, pssDoc},
			CEL:         lint.PodCEL("variables.containers.all(c, c.?securityContext.?procMount.orValue('Default') == 'Default')", "a container sets procMount other than Default"),
			Check:       checkProcMount,
		},
		{
			ID: "windows-host-process", Title: "Windows HostProcess container", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A Windows HostProcess container runs directly on the node as a host process, with the host's network and filesystem and the privileges of the node's users (often SYSTEM): there is no container boundary at all.",
			Remediation: "Remove windowsOptions.hostProcess (or set it to false) from the pod and container securityContexts; node management belongs in the node image or a reviewed DaemonSet in a dedicated namespace.",
			References:  []string{pssBaseline, "CIS 5.2.11", pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?securityContext.?windowsOptions.?hostProcess.orValue(false) != true && variables.containers.all(c, c.?securityContext.?windowsOptions.?hostProcess.orValue(false) != true)", "the pod runs Windows HostProcess containers, directly on the node"),
			Check:       checkHostProcess,
		},
		{
			ID: "pod-security-not-enforced", Title: "Namespace does not enforce Pod Security", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Without a pod-security.kubernetes.io/enforce label of baseline or restricted, the Pod Security admission controller lets any pod into the namespace: privileged containers, host namespaces and hostPath included. The rules here catch what is in the manifests; admission also stops what is created by hand, by operators or by a compromised deployment pipeline.",
			Remediation: "Label the Namespace pod-security.kubernetes.io/enforce: restricted (baseline where a workload cannot meet restricted), with warn and audit set to restricted so violations show up before they are enforced.",
			References:  []string{pssBaseline, "CIS 5.2.1", nsaGuide, "https://kubernetes.io/docs/concepts/security/pod-security-admission/"},
			CEL:         &lint.CEL{Kinds: []string{"Namespace"}, Expression: celNamespacePSS, Message: "the namespace does not enforce Pod Security: no " + labelEnforce + " label of baseline or restricted"},
			Check:       checkNamespacePSS,
		},
	}
}

const labelEnforce = "pod-security.kubernetes.io/enforce"

// systemNamespaces run the control plane's and nodes' own components,
// which are privileged by design and created by Kubernetes, not manifests.
var systemNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// celNamespacePSS is checkNamespacePSS in CEL: a core Namespace outside
// systemNamespaces has the enforce label, at a level other than privileged.
var celNamespacePSS = "object.?apiVersion.orValue('').contains('/') || object.?metadata.?name.orValue('') in " + celSet(systemNamespaces) +
	" || object.?metadata.?labels[?'" + labelEnforce + "'].hasValue() && object.metadata.labels['" + labelEnforce + "'] != 'privileged'"

func checkNamespacePSS(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "Namespace" || o.Group() != "" || systemNamespaces[o.Name] {
		return
	}
	at := fmt.Sprintf("metadata.labels[%q]", labelEnforce)
	switch level, ok := o.Labels[labelEnforce]; {
	case !ok:
		r.Report(o, at, "namespace %s has no %s label, so any pod is admitted", o.Name, labelEnforce)
	case level == "privileged":
		r.Report(o, at, "namespace %s enforces the privileged level, which admits any pod", o.Name)
	}
}

func checkPrivileged(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		if v := c.Security.Privileged; v != nil && *v {
			r.Report(o, c.Security.ContextPath+".privileged", "%s runs privileged: root on the node, with every capability and host device", c.Who())
		}
	}
}

func checkPrivilegeEscalation(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || isWindows(p) {
		return
	}
	for i := range cs {
		c := &cs[i]
		switch v := c.Security.AllowPrivilegeEscalation; {
		case v == nil:
			r.Report(o, c.Security.ContextPath+".allowPrivilegeEscalation", "%s does not set allowPrivilegeEscalation: false (the default is true)", c.Who())
		case *v:
			r.Report(o, c.Security.ContextPath+".allowPrivilegeEscalation", "%s sets allowPrivilegeEscalation: true", c.Who())
		}
	}
}

func checkRunAsNonRoot(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	// Windows pods are judged too: runAsNonRoot there refuses
	// ContainerAdministrator, and the Pod Security Standards require it.
	p, cs := o.Containers()
	if p == nil {
		return
	}
	var explicit, unset byPath
	var unsetAll []*lint.Container
	for i := range cs {
		c := &cs[i]
		s := c.Security
		if s.RunAsNonRoot != nil && *s.RunAsNonRoot {
			continue
		}
		if s.RunAsUser != nil {
			// A non-zero UID cannot be root; UID 0 is run-as-root-user's.
			continue
		}
		if s.RunAsNonRoot != nil {
			explicit.add(s.RunAsNonRootPath, c)
			continue
		}
		unset.add(s.RunAsNonRootPath, c)
		unsetAll = append(unsetAll, c)
	}
	explicit.each(func(path string, cs []*lint.Container) {
		r.Report(o, path, "%s may run as root: runAsNonRoot is false and no non-zero runAsUser is set", names(cs))
	})
	if len(unsetAll) == 0 {
		return
	}
	if len(unsetAll) == len(cs) {
		// Nothing anywhere: one finding where the fix belongs, the pod.
		r.Report(o, p.Path+".securityContext.runAsNonRoot", "%s may run as root: neither the pod nor the containers set runAsNonRoot: true or a non-zero runAsUser", names(unsetAll))
		return
	}
	unset.each(func(path string, cs []*lint.Container) {
		r.Report(o, path, "%s may run as root: it sets neither runAsNonRoot: true nor a non-zero runAsUser, and the pod does not either", names(cs))
	})
}

func checkRunAsRootUser(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	var g byPath
	for i := range cs {
		c := &cs[i]
		if u := c.Security.RunAsUser; u != nil && *u == 0 {
			g.add(c.Security.RunAsUserPath, c)
		}
	}
	g.each(func(path string, cs []*lint.Container) {
		r.Report(o, path, "%s run%s as UID 0 (root)", names(cs), plural(cs))
	})
}

// plural returns the verb suffix for names(cs): "runs" for one, "run" for many.
func plural(cs []*lint.Container) string {
	if len(cs) == 1 {
		return "s"
	}
	return ""
}

func checkReadOnlyRoot(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || isWindows(p) {
		return
	}
	for i := range cs {
		c := &cs[i]
		switch v := c.Security.ReadOnlyRootFilesystem; {
		case v == nil:
			r.Report(o, c.Security.ContextPath+".readOnlyRootFilesystem", "%s has a writable root filesystem: readOnlyRootFilesystem is not set", c.Who())
		case !*v:
			r.Report(o, c.Security.ContextPath+".readOnlyRootFilesystem", "%s sets readOnlyRootFilesystem: false", c.Who())
		}
	}
}

func checkSeccompUnconfined(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	var g byPath
	for i := range cs {
		c := &cs[i]
		if c.Security.SeccompType == "Unconfined" {
			g.add(c.Security.SeccompPath, c)
		}
	}
	g.each(func(path string, cs []*lint.Container) {
		r.Report(o, path, "seccomp is disabled (type Unconfined) for %s", names(cs))
	})
}

func checkSeccompMissing(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || isWindows(p) {
		return
	}
	var missing []*lint.Container
	for i := range cs {
		if cs[i].Security.SeccompType == "" {
			missing = append(missing, &cs[i])
		}
	}
	if len(missing) == 0 {
		return
	}
	if len(missing) == len(cs) {
		r.Report(o, p.Path+".securityContext.seccompProfile", "no seccomp profile: neither the pod nor %s set seccompProfile, so syscalls are unfiltered", names(missing))
		return
	}
	for _, c := range missing {
		r.Report(o, c.Security.ContextPath+".seccompProfile", "%s has no seccomp profile, and the pod sets none to inherit", c.Who())
	}
}

const apparmorAnnotation = "container.apparmor.security.beta.kubernetes.io/"

// celAppArmor is checkAppArmor in CEL: the pod's and the containers' own
// appArmorProfile, and the annotations of the pod (template).
var celAppArmor = "variables.podSpec.?securityContext.?appArmorProfile.?type.orValue('') != 'Unconfined' && " +
	"variables.containers.all(c, c.?securityContext.?appArmorProfile.?type.orValue('') != 'Unconfined') && " +
	"variables.podMetadata.?annotations.orValue({}).all(k, !k.startsWith('" + apparmorAnnotation + "') || " +
	"variables.podMetadata.annotations[k] != 'unconfined')"

func checkAppArmor(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil {
		return
	}
	if lint.Str(lint.Get(p.Spec, "securityContext", "appArmorProfile", "type")) == "Unconfined" {
		r.Report(o, p.Path+".securityContext.appArmorProfile.type", "the pod disables AppArmor (appArmorProfile type Unconfined) for every container that does not set its own")
	}
	for i := range cs {
		c := &cs[i]
		if lint.Str(lint.Get(securityContext(c), "appArmorProfile", "type")) == "Unconfined" {
			r.Report(o, c.Security.ContextPath+".appArmorProfile.type", "%s disables AppArmor (appArmorProfile type Unconfined)", c.Who())
		}
	}
	lint.Pairs(lint.Field(p.Meta, "annotations"), func(k, v *yaml.Node) {
		name, ok := strings.CutPrefix(k.Value, apparmorAnnotation)
		if !ok {
			return
		}
		// The annotation allows runtime/default, localhost/<profile> and
		// unconfined; only the last disables confinement.
		if lint.Str(v) == "unconfined" {
			r.Report(o, fmt.Sprintf("%s.annotations[%q]", p.MetaPath, k.Value), "container %q disables AppArmor (annotation %s is unconfined)", name, k.Value)
		}
	})
}

// selinuxTypes are the types the baseline profile allows: the container
// domains, which keep SELinux confinement.
var selinuxTypes = map[string]bool{
	"": true, "container_t": true, "container_init_t": true, "container_kvm_t": true, "container_engine_t": true,
}

// celSELinux is true when the seLinuxOptions of the securityContext opt
// (an optional) pass checkSELinux: a container type or none, no user, no
// role.
func celSELinux(opt string) string {
	o := opt + ".?seLinuxOptions"
	return "(" + o + ".?type.orValue('') == null || " + o + ".?type.orValue('') in " + celSet(selinuxTypes) + ") && " +
		celUnset(o+".?user") + " && " + celUnset(o+".?role")
}

func checkSELinux(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil {
		return
	}
	check := func(path, subject string, opts *yaml.Node) {
		if opts == nil {
			return
		}
		if t := lint.Str(lint.Field(opts, "type")); !selinuxTypes[t] {
			r.Report(o, path+".type", "%s runs in SELinux type %s, outside the container types", subject, t)
		}
		for _, f := range []string{"user", "role"} {
			if v := lint.Str(lint.Field(opts, f)); v != "" {
				r.Report(o, path+"."+f, "%s sets SELinux %s %s", subject, f, v)
			}
		}
	}
	check(p.Path+".securityContext.seLinuxOptions", "the pod", lint.Get(p.Spec, "securityContext", "seLinuxOptions"))
	for i := range cs {
		c := &cs[i]
		check(c.Security.ContextPath+".seLinuxOptions", c.Who(), lint.Field(securityContext(c), "seLinuxOptions"))
	}
}

func checkProcMount(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		n := lint.Field(securityContext(c), "procMount")
		switch v := lint.Str(n); {
		case n == nil || n.Tag == "!!null" || v == "Default":
		case v == "Unmasked":
			r.Report(o, c.Security.ContextPath+".procMount", "%s mounts /proc unmasked (procMount: Unmasked)", c.Who())
		default:
			// The Pod Security Standards allow Default only, and the API
			// server knows no other value: a typo is not a safe default.
			r.Report(o, c.Security.ContextPath+".procMount", "%s sets procMount %q; the only values are Default and Unmasked, and only Default is allowed", c.Who(), v)
		}
	}
}

func checkHostProcess(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil {
		return
	}
	if lint.IsTrue(lint.Get(p.Spec, "securityContext", "windowsOptions", "hostProcess")) {
		r.Report(o, p.Path+".securityContext.windowsOptions.hostProcess", "the pod runs its containers as Windows HostProcess containers, directly on the node")
	}
	for i := range cs {
		c := &cs[i]
		if lint.IsTrue(lint.Get(securityContext(c), "windowsOptions", "hostProcess")) {
			r.Report(o, c.Security.ContextPath+".windowsOptions.hostProcess", "%s is a Windows HostProcess container, running directly on the node", c.Who())
		}
	}
}
