package lint

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Object is one Kubernetes object as read from its source, positions kept.
type Object struct {
	// Root is the object's mapping node.
	Root *yaml.Node
	// File is where the object (or, for Kustomize builds, its origin) is.
	File string
	// Doc is the 0-based document index in File.
	Doc int
	// Source names the spec entry that produced the object, when it was
	// rendered from a platform spec (platform.yaml:14 spec.services[0]).
	Source string
	// located, when set, maps a field path to a position in another tree
	// (the origin file of a Kustomize-built object).
	located func(path string) (file string, line, col int)

	APIVersion, Kind, Name, Namespace string
	Labels, Annotations               map[string]string

	pod     *Pod
	podDone bool
}

// NewObject reads the identity fields of root.
func NewObject(root *yaml.Node, file string, doc int) *Object {
	meta := Field(root, "metadata")
	return &Object{
		Root: root, File: file, Doc: doc,
		APIVersion:  Str(Field(root, "apiVersion")),
		Kind:        Str(Field(root, "kind")),
		Name:        Str(Field(meta, "name")),
		Namespace:   Str(Field(meta, "namespace")),
		Labels:      StringMap(Field(meta, "labels")),
		Annotations: StringMap(Field(meta, "annotations")),
	}
}

// Group returns the API group ("" for core).
func (o *Object) Group() string {
	if g, _, ok := strings.Cut(o.APIVersion, "/"); ok {
		return g
	}
	return ""
}

// Ref is "Kind namespace/name", for messages.
func (o *Object) Ref() string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// Position returns where a finding on path points.
func (o *Object) Position(path string) (file string, line, col int) {
	if o.located != nil {
		if f, l, c := o.located(path); l > 0 {
			return f, l, c
		}
	}
	l, c := Locate(o.Root, path)
	return o.File, l, c
}

// SetLocator makes findings point into another tree (an origin file).
func (o *Object) SetLocator(fn func(path string) (string, int, int)) { o.located = fn }

// Pod is the pod template (or pod) of a workload.
type Pod struct {
	// Path of the pod spec ("spec.template.spec" for a Deployment).
	Path string
	// Spec is nil when the template has no spec (the API server rejects
	// that; pod-without-containers reports it).
	Spec *yaml.Node
	// MetaPath and Meta are the pod template's metadata (labels, annotations).
	MetaPath string
	Meta     *yaml.Node

	containers     []Container
	containersDone bool
}

// podPaths are where each workload kind keeps its pod; CRDs with a
// spec.template (Argo Rollouts and the like) are found by shape.
var podPaths = map[string]string{
	"Pod":                   "",
	"Deployment":            "spec.template",
	"StatefulSet":           "spec.template",
	"DaemonSet":             "spec.template",
	"ReplicaSet":            "spec.template",
	"ReplicationController": "spec.template",
	"Job":                   "spec.template",
	"CronJob":               "spec.jobTemplate.spec.template",
	"PodTemplate":           "template",
}

// Pod returns the object's pod, or nil when it has none.
func (o *Object) Pod() *Pod {
	if o.podDone {
		return o.pod
	}
	o.podDone = true
	base, ok := podPaths[o.Kind]
	if !ok {
		// A CRD is a workload by shape: a pod template with containers,
		// or (containers still to be written) a selector and a template
		// with metadata and spec, as Argo Rollouts and the like have.
		tmpl := At(o.Root, "spec.template")
		spec := Field(tmpl, "spec")
		if spec == nil || Field(spec, "containers") == nil &&
			(At(o.Root, "spec.selector") == nil || Field(tmpl, "metadata") == nil) {
			return nil
		}
		base = "spec.template"
	}
	if base == "" {
		if Field(o.Root, "spec") == nil {
			return nil
		}
		o.pod = &Pod{Path: "spec", Spec: Field(o.Root, "spec"), MetaPath: "metadata", Meta: Field(o.Root, "metadata")}
		return o.pod
	}
	// A template without a spec (or without containers) is still the
	// workload's pod template: the API server rejects it, and every rule
	// that relates it to Services, autoscalers and selectors still judges
	// it, so one missing field does not hide the rest. Spec may be nil.
	tmpl := At(o.Root, base)
	if tmpl == nil || tmpl.Kind != yaml.MappingNode {
		return nil
	}
	o.pod = &Pod{Path: base + ".spec", Spec: Field(tmpl, "spec"), MetaPath: base + ".metadata", Meta: Field(tmpl, "metadata")}
	return o.pod
}

// Containers returns the object's pod and its containers, or nil, nil when
// it has no pod. The slice is the engine's, shared between rules: never
// modify it.
func (o *Object) Containers() (*Pod, []Container) {
	p := o.Pod()
	if p == nil {
		return nil, nil
	}
	return p, p.Containers()
}

// PodLabels returns the pod template's labels.
func (p *Pod) PodLabels() map[string]string { return StringMap(Field(p.Meta, "labels")) }

// ContainerKind tells regular, init and ephemeral containers apart.
type ContainerKind string

// Container kinds, named as their pod spec fields.
const (
	RegularContainer   ContainerKind = "containers"
	InitContainer      ContainerKind = "initContainers"
	EphemeralContainer ContainerKind = "ephemeralContainers"
)

// Container is one container of a pod with its effective security settings.
type Container struct {
	Kind  ContainerKind
	Index int
	// Path is the container's path in the object (spec.template.spec.containers[0]).
	Path string
	Node *yaml.Node
	Name string
	// Sidecar marks an init container with restartPolicy Always.
	Sidecar bool
	// Security is the container's securityContext merged over the pod's:
	// Kubernetes applies pod-level values to containers that do not set them.
	Security SecuritySettings
}

// Who names the container the way findings do: the kind matters to the
// reader, because init, sidecar and ephemeral containers are easy to
// overlook (init container "migrate").
func (c *Container) Who() string {
	switch {
	case c.Sidecar:
		return fmt.Sprintf("sidecar container %q", c.Name)
	case c.Kind == InitContainer:
		return fmt.Sprintf("init container %q", c.Name)
	case c.Kind == EphemeralContainer:
		return fmt.Sprintf("ephemeral container %q", c.Name)
	}
	return fmt.Sprintf("container %q", c.Name)
}

// SecuritySettings holds effective security settings and where each came from, so a
// finding points at the field that decided it.
type SecuritySettings struct {
	RunAsNonRoot             *bool
	RunAsUser                *int64
	RunAsNonRootPath         string
	RunAsUserPath            string
	Privileged               *bool
	AllowPrivilegeEscalation *bool
	ReadOnlyRootFilesystem   *bool
	SeccompType              string
	SeccompPath              string
	// ContextPath is the container's securityContext path (may not exist).
	ContextPath string
}

// Containers returns every container of the pod: regular, init, ephemeral.
// The list is built once and shared by every rule: read it, never modify it.
func (p *Pod) Containers() []Container {
	if !p.containersDone {
		p.containers = p.buildContainers()
		p.containersDone = true
	}
	return p.containers
}

func (p *Pod) buildContainers() []Container {
	var out []Container
	podSC := Field(p.Spec, "securityContext")
	for _, kind := range []ContainerKind{InitContainer, RegularContainer, EphemeralContainer} {
		for i, c := range Items(Field(p.Spec, string(kind))) {
			path := fmt.Sprintf("%s.%s[%d]", p.Path, kind, i)
			ct := Container{Kind: kind, Index: i, Path: path, Node: c, Name: Str(Field(c, "name"))}
			ct.Sidecar = kind == InitContainer && Str(Field(c, "restartPolicy")) == "Always"
			ct.Security = effectiveSecurity(p.Path+".securityContext", podSC, path+".securityContext", Field(c, "securityContext"))
			out = append(out, ct)
		}
	}
	return out
}

func boolPtr(n *yaml.Node) *bool {
	if v, ok := Bool(n); ok {
		return &v
	}
	return nil
}

func intPtr(n *yaml.Node) *int64 {
	if v, ok := Int(n); ok {
		return &v
	}
	return nil
}

func effectiveSecurity(podPath string, pod *yaml.Node, cPath string, c *yaml.Node) SecuritySettings {
	s := SecuritySettings{ContextPath: cPath}
	pick := func(field string) (*yaml.Node, string) {
		if v := Field(c, field); v != nil {
			return v, cPath + "." + field
		}
		if v := Field(pod, field); v != nil {
			return v, podPath + "." + field
		}
		return nil, cPath
	}
	var n *yaml.Node
	n, s.RunAsNonRootPath = pick("runAsNonRoot")
	s.RunAsNonRoot = boolPtr(n)
	n, s.RunAsUserPath = pick("runAsUser")
	s.RunAsUser = intPtr(n)
	s.Privileged = boolPtr(Field(c, "privileged"))
	s.AllowPrivilegeEscalation = boolPtr(Field(c, "allowPrivilegeEscalation"))
	s.ReadOnlyRootFilesystem = boolPtr(Field(c, "readOnlyRootFilesystem"))
	n, s.SeccompPath = pick("seccompProfile")
	s.SeccompType = Str(Field(n, "type"))
	if n != nil {
		s.SeccompPath += ".type"
	}
	return s
}
