package hygiene

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/textdist"
)

// typedKinds are the built-in kinds whose fields are checked, keyed by
// "apiVersion kind", each with the Go type the API server decodes it into:
// k8s.io/api's types are the API's schema, so a field they do not have is
// one the server's strict field validation (kubectl's default) refuses,
// and a value of the wrong JSON type one it cannot decode. An explicit list
// of the kinds manifests hold, not the whole scheme: each group linked in
// costs start-up time.
var typedKindTypes = sync.OnceValue(func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	add := func(apiVersion, kind string, v any) { m[apiVersion+" "+kind] = reflect.TypeOf(v) }
	add("v1", "Pod", corev1.Pod{})
	add("v1", "Service", corev1.Service{})
	add("v1", "ConfigMap", corev1.ConfigMap{})
	add("v1", "Secret", corev1.Secret{})
	add("v1", "ServiceAccount", corev1.ServiceAccount{})
	add("v1", "Namespace", corev1.Namespace{})
	add("v1", "PersistentVolumeClaim", corev1.PersistentVolumeClaim{})
	add("v1", "ResourceQuota", corev1.ResourceQuota{})
	add("v1", "LimitRange", corev1.LimitRange{})
	add("apps/v1", "Deployment", appsv1.Deployment{})
	add("apps/v1", "StatefulSet", appsv1.StatefulSet{})
	add("apps/v1", "DaemonSet", appsv1.DaemonSet{})
	add("apps/v1", "ReplicaSet", appsv1.ReplicaSet{})
	add("batch/v1", "Job", batchv1.Job{})
	add("batch/v1", "CronJob", batchv1.CronJob{})
	add("autoscaling/v2", "HorizontalPodAutoscaler", autoscalingv2.HorizontalPodAutoscaler{})
	add("policy/v1", "PodDisruptionBudget", policyv1.PodDisruptionBudget{})
	add("networking.k8s.io/v1", "NetworkPolicy", networkingv1.NetworkPolicy{})
	add("networking.k8s.io/v1", "Ingress", networkingv1.Ingress{})
	add("networking.k8s.io/v1", "IngressClass", networkingv1.IngressClass{})
	add("scheduling.k8s.io/v1", "PriorityClass", schedulingv1.PriorityClass{})
	for _, k := range []struct {
		kind string
		v    any
	}{{"Role", rbacv1.Role{}}, {"ClusterRole", rbacv1.ClusterRole{}}, {"RoleBinding", rbacv1.RoleBinding{}}, {"ClusterRoleBinding", rbacv1.ClusterRoleBinding{}}} {
		add("rbac.authorization.k8s.io/v1", k.kind, k.v)
	}
	return m
})

func unknownField() lint.Rule {
	return lint.Rule{
		ID: "unknown-field", Title: "Field the API does not have", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "A built-in object (Pod, Service, ConfigMap, Secret, the workloads, Jobs, HPA, PDB, NetworkPolicy, Ingress, RBAC, quotas) has a field its API version does not define — " +
			"a typo (`replica:`, `imagePullPolcy:`), a field at the wrong level (`resources:` beside `containers:`), or one of a newer or older version. " +
			"kubectl apply (strict field validation, the default since Kubernetes 1.27) refuses the object; a client that does not validate sends it and the API server silently drops the field, so the setting never takes effect.",
		Remediation: "Fix the field's name or level (kubectl explain KIND.FIELD shows the schema), or remove it.",
		References:  []string{"https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation", "kubeconform -strict"},
		Check:       checkSchema(schemaUnknown),
	}
}

func wrongFieldType() lint.Rule {
	return lint.Rule{
		ID: "wrong-field-type", Title: "Field value of the wrong type", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "A field of a built-in object holds a value of a type the API cannot decode into it, read as the API server reads YAML (YAML 1.1, through sigs.k8s.io/yaml): " +
			"`containerPort: \"80\"` (a string for an integer), `replicas: 3.5`, a number for a string field (`value: 8080` in env), a mapping where a list belongs, an integer beyond its field's range. " +
			"The API server refuses the whole object.",
		Remediation: "Write the value as the field's type: quote text (env values, annotations, labels), leave numbers unquoted, use a list where the schema has one.",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/", "kubeconform -strict"},
		Check:       checkSchema(schemaTypes),
	}
}

func missingRequiredField() lint.Rule {
	return lint.Rule{
		ID: "missing-required-field", Title: "Field the API requires is missing", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "A mapping of a built-in object lacks a field its OpenAPI schema requires (the Kubernetes " + lint.KubeRelease(lint.NewestKubeMinor) + " schema, as kubeconform and kubectl's client-side validation read it): " +
			"a container without `name`, a Deployment spec without `selector` or `template`, a Service or container port without its number, a RoleBinding without `roleRef`, an env entry without `name`. " +
			"The API server refuses the object, often with a message about a field three levels up.",
		Remediation: "Add the field (kubectl explain KIND.FIELD shows what it takes).",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/", "kubeconform -strict"},
		Check:       checkSchema(schemaRequired),
	}
}

func invalidEnumValue() lint.Rule {
	return lint.Rule{
		ID: "invalid-enum-value", Title: "Value outside the field's enumeration", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "A field whose API type is an enumeration (k8s.io/api's +enum types: imagePullPolicy, restartPolicy, protocol, a Service's type, a Deployment's strategy type, dnsPolicy, a toleration's operator, a spread constraint's whenUnsatisfiable, procMount …) holds a value that is none of its constants. " +
			"Values are case-sensitive (`tcp` is not `TCP`); the API server refuses the object, or for a few fields silently treats it as the default.",
		Remediation: "Use one of the values the message lists.",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/"},
		Check:       checkSchema(schemaEnum),
	}
}

// schemaCheck is the kind of schema problem one rule reports.
type schemaCheck uint8

const (
	schemaUnknown schemaCheck = iota
	schemaTypes
	schemaRequired
	schemaEnum
	schemaChecks // how many
)

// schemaWalks holds, per run (on the Set, like every cross-rule fact),
// the problems of the objects whose schema rules are under way: the four
// rules (each its own rule ID, to ignore or configure apart) run one after
// the other on an object in one worker, and the first walks the object
// once for all four instead of each walking it again. The last one to read
// an entry drops it, so the map holds only objects in flight.
var schemaWalks = lint.NewKey("schema walks", func(*lint.Set) *sync.Map { return &sync.Map{} })

type schemaResult struct {
	problems [schemaChecks][]schemaProblem
	reads    atomic.Int32
}

func checkSchema(check schemaCheck) func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
		if o.Root == nil {
			return
		}
		sh, ok := typedShape(o.APIVersion, o.Kind)
		if !ok {
			sh, ok = builtinShape(o.APIVersion, o.Kind)
		}
		if !ok {
			if sh, ok = crdShapeFor(o, ctx); !ok {
				return
			}
		}
		walks := lint.Memo(ctx.Set, schemaWalks)
		var res *schemaResult
		if v, ok := walks.Load(o); ok {
			res = v.(*schemaResult)
		} else {
			w := schemaWalk{minor: ctx.Params.KubeMinor()}
			w.value(o.Root, sh)
			res = &schemaResult{problems: w.problems}
			walks.Store(o, res)
		}
		if res.reads.Add(1) == int32(schemaChecks) {
			walks.Delete(o)
		}
		for _, p := range res.problems[check] {
			r.Report(o, p.path, "%s", p.msg)
		}
	}
}

type schemaProblem struct {
	path, msg string
}

// schemaWalk compares a YAML tree, whose scalars and keys the decoder has
// already resolved to their JSON values, with a Go type as encoding/json
// would decode it, collecting the problems of one kind (wrong types, or
// unknown fields). The path to the current node is a stack of segments,
// made into text only for a problem: most objects have none.
type schemaWalk struct {
	segs     []pathSeg
	problems [schemaChecks][]schemaProblem
	// minor is the target release (lint --kube-version): fields and
	// enumeration values it does not have yet are unknown and invalid.
	minor int
}

// api names the API the walk judges against, for messages: "the API" at
// the newest release, "Kubernetes 1.N" for an older target.
func (w *schemaWalk) api() string {
	if w.minor == 0 || w.minor >= lint.NewestKubeMinor {
		return "the API"
	}
	return fmt.Sprintf("Kubernetes 1.%d", w.minor)
}

// pathSeg is a key, or an index when key is "".
type pathSeg struct {
	key   string
	index int
}

func (w *schemaWalk) push(key string, index int) { w.segs = append(w.segs, pathSeg{key, index}) }
func (w *schemaWalk) pop()                       { w.segs = w.segs[:len(w.segs)-1] }

// path is the current node's path, as findings write it.
func (w *schemaWalk) path() string {
	var b strings.Builder
	for _, s := range w.segs {
		switch {
		case s.key == "":
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case strings.ContainsAny(s.key, ".[]\""):
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}

var (
	typeQuantity    = reflect.TypeOf(resource.Quantity{})
	typeIntOrString = reflect.TypeOf(intstr.IntOrString{})
	typeTime        = reflect.TypeOf(metav1.Time{})
	typeMicroTime   = reflect.TypeOf(metav1.MicroTime{})
	typeDuration    = reflect.TypeOf(metav1.Duration{})
	typeRaw         = reflect.TypeOf(runtime.RawExtension{})
	typeUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
)

func (w *schemaWalk) wrong(n *yaml.Node, want string) {
	path := w.path()
	w.problems[schemaTypes] = append(w.problems[schemaTypes], schemaProblem{path: path,
		msg: fmt.Sprintf("%s is %s; the API wants %s", displayPath(path), jsonKind(n), want)})
}

func displayPath(path string) string {
	if path == "" {
		return "the object"
	}
	return path
}

// jsonKind names what a resolved node is in JSON.
func jsonKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	}
	return strconv.Quote(n.Value) + ", a string"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// shapeKind is what JSON a field takes, as encoding/json decodes into the
// field's Go type.

// typedShapes compiles each typed kind's shape the first time an object of
// it is linted: one small file pays for its own kinds, not for all of them
// (compiling every kind took ≈ 2 ms of a one-file run). Shapes of shared
// types (PodSpec, ObjectMeta) are compiled once across kinds.
var typedShapes struct {
	byKind sync.Map // "apiVersion kind" → *shape, read without a lock
	mu     sync.Mutex
	seen   map[reflect.Type]*shape
}

// typedShape is the shape of a typed kind, if apiVersion and kind is one.
func typedShape(apiVersion, kind string) (*shape, bool) {
	key := apiVersion + " " + kind
	if sh, ok := typedShapes.byKind.Load(key); ok {
		return sh.(*shape), true
	}
	t, ok := typedKindTypes()[key]
	if !ok {
		return nil, false
	}
	typedShapes.mu.Lock()
	defer typedShapes.mu.Unlock()
	if sh, ok := typedShapes.byKind.Load(key); ok {
		return sh.(*shape), true
	}
	if typedShapes.seen == nil {
		typedShapes.seen = map[reflect.Type]*shape{}
	}
	sh := compile(t, typedShapes.seen)
	typedShapes.byKind.Store(key, sh)
	return sh, true
}

type shapeKind uint8

const (
	shapeAny shapeKind = iota // RawExtension, or a type with its own decoder
	shapeQuantity
	shapeIntOrString
	shapeTimeString // metav1.Time, MicroTime, Duration: strings
	shapeStruct
	shapeMap
	shapeSlice
	shapeBytes // []byte: base64 text
	shapeString
	shapeBool
	shapeInt
	shapeFloat
)

// shape is a Go type compiled for the walk, so that the walk itself does
// no reflection: fields by JSON name, the element of a map or list, the
// width of an integer.
type shape struct {
	kind   shapeKind
	fields map[string]*shape
	// required are the fields a struct's OpenAPI schema requires, enum a
	// string type's values (apischema_gen.go).
	required []string
	enum     []string
	// since are the first releases with the fields (of a struct) or the
	// values (of an enumeration) that older releases lack
	// (apischema_gen.go).
	since map[string]int
	names []string // the field names, for hints
	// open structs keep fields they do not declare (a CRD schema's
	// x-kubernetes-preserve-unknown-fields or additionalProperties).
	open     bool
	elem     *shape
	bits     int
	unsigned bool
}

// compile returns t's shape; seen breaks recursive types.
func compile(t reflect.Type, seen map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if sh, ok := seen[t]; ok {
		return sh
	}
	sh := &shape{}
	seen[t] = sh
	switch t {
	case typeQuantity:
		sh.kind = shapeQuantity
		return sh
	case typeIntOrString:
		sh.kind = shapeIntOrString
		return sh
	case typeTime, typeMicroTime, typeDuration:
		sh.kind = shapeTimeString
		return sh
	case typeRaw:
		return sh
	}
	if reflect.PointerTo(t).Implements(typeUnmarshaler) {
		return sh // decodes itself: its own rules, not encoding/json's
	}
	switch t.Kind() {
	case reflect.Struct:
		sh.kind, sh.fields = shapeStruct, map[string]*shape{}
		addFields(sh, t, seen)
		sh.since = apiFieldSince[t.PkgPath()+"."+t.Name()]
		for _, f := range apiRequired[t.PkgPath()+"."+t.Name()] {
			if sh.fields[f] != nil {
				sh.required = append(sh.required, f)
			}
		}
		for name := range sh.fields {
			sh.names = append(sh.names, name)
		}
		sort.Strings(sh.names)
	case reflect.Map:
		sh.kind, sh.elem = shapeMap, compile(t.Elem(), seen)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			sh.kind = shapeBytes
		} else {
			sh.kind, sh.elem = shapeSlice, compile(t.Elem(), seen)
		}
	case reflect.String:
		sh.kind = shapeString
		if t.Name() != "" {
			sh.enum = apiEnums[t.PkgPath()+"."+t.Name()]
			sh.since = apiEnumSince[t.PkgPath()+"."+t.Name()]
		}
	case reflect.Bool:
		sh.kind = shapeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		sh.kind, sh.bits = shapeInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		sh.kind, sh.bits, sh.unsigned = shapeInt, t.Bits(), true
	case reflect.Float32, reflect.Float64:
		sh.kind = shapeFloat
	}
	return sh
}

// addFields adds t's fields by JSON name, those of embedded inline structs
// (TypeMeta, ObjectMeta's neighbours) included.
func addFields(sh *shape, t reflect.Type, seen map[reflect.Type]*shape) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(sh, ft, seen)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		sh.fields[name] = compile(f.Type, seen)
	}
}

// mappingValue is the value of key in a mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

func scalarTagged(n *yaml.Node, tags ...string) bool {
	return n.Kind == yaml.ScalarNode && slices.Contains(tags, n.Tag)
}

func (w *schemaWalk) value(n *yaml.Node, sh *shape) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return // JSON null decodes to the zero value of any field
	}
	switch sh.kind {
	case shapeQuantity:
		if !scalarTagged(n, "!!str", "!!int", "!!float") {
			w.wrong(n, "a quantity (a string such as 500m or 1Gi, or a number)")
		} else if n.Tag == "!!str" {
			if _, err := resource.ParseQuantity(n.Value); err != nil {
				path := w.path()
				w.problems[schemaTypes] = append(w.problems[schemaTypes], schemaProblem{path: path,
					msg: fmt.Sprintf("%s is %q, not a quantity (500m, 1Gi, 2)", path, n.Value)})
			}
		}
	case shapeIntOrString:
		if !scalarTagged(n, "!!str", "!!int") {
			w.wrong(n, "an integer or a string")
		}
	case shapeTimeString, shapeBytes, shapeString:
		if !scalarTagged(n, "!!str") {
			w.wrong(n, map[shapeKind]string{shapeTimeString: "a string", shapeBytes: "a base64 string", shapeString: "a string (quote it)"}[sh.kind])
		} else if len(sh.enum) > 0 && (!slices.Contains(sh.enum, n.Value) || sh.since[n.Value] > w.minor) {
			path := w.path()
			allowed := sh.enum
			added := ""
			if len(sh.since) > 0 {
				allowed = slices.DeleteFunc(slices.Clone(sh.enum), func(v string) bool { return sh.since[v] > w.minor })
				if m := sh.since[n.Value]; m > w.minor {
					added = fmt.Sprintf(" (%q is new in 1.%d)", n.Value, m)
				}
			}
			w.problems[schemaEnum] = append(w.problems[schemaEnum], schemaProblem{path: path,
				msg: fmt.Sprintf("%s is %q; %s allows %s%s%s", displayPath(path), n.Value, w.api(), strings.Join(quoteAll(allowed), ", "), added, didYouMean(n.Value, allowed))})
		}
	case shapeBool:
		if !scalarTagged(n, "!!bool") {
			w.wrong(n, "true or false")
		}
	case shapeFloat:
		if !scalarTagged(n, "!!int", "!!float") {
			w.wrong(n, "a number")
		}
	case shapeInt:
		w.integer(n, sh)
	case shapeStruct:
		if n.Kind != yaml.MappingNode {
			w.wrong(n, "a mapping")
			return
		}
		for _, f := range sh.required {
			if v := mappingValue(n, f); v == nil || isNull(v) {
				path := w.path()
				w.problems[schemaRequired] = append(w.problems[schemaRequired], schemaProblem{path: path, msg: fmt.Sprintf("%s: missing required field %q", displayPath(path), f)})
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := sh.fields[k.Value]
			if !ok && sh.open {
				continue
			}
			if m := sh.since[k.Value]; ok && m > w.minor {
				parent := w.path()
				w.push(k.Value, 0)
				w.problems[schemaUnknown] = append(w.problems[schemaUnknown], schemaProblem{path: w.path(),
					msg: fmt.Sprintf("%s: unknown field %q in Kubernetes 1.%d (new in 1.%d)", displayPath(parent), k.Value, w.minor, m)})
				w.pop()
				continue
			}
			if !ok {
				parent := w.path()
				w.push(k.Value, 0)
				w.problems[schemaUnknown] = append(w.problems[schemaUnknown], schemaProblem{path: w.path(),
					msg: fmt.Sprintf("%s: unknown field %q%s", displayPath(parent), k.Value, didYouMean(k.Value, sh.names))})
				w.pop()
				continue
			}
			w.push(k.Value, 0)
			w.value(v, f)
			w.pop()
		}
	case shapeMap:
		if n.Kind != yaml.MappingNode {
			w.wrong(n, "a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.push(n.Content[i].Value, 0)
			w.value(n.Content[i+1], sh.elem)
			w.pop()
		}
	case shapeSlice:
		if n.Kind != yaml.SequenceNode {
			w.wrong(n, "a list")
			return
		}
		for i, item := range n.Content {
			w.push("", i)
			w.value(item, sh.elem)
			w.pop()
		}
	}
}

// integer checks what encoding/json accepts for an integer field: a JSON
// number written without fraction or exponent, within the field's range.
func (w *schemaWalk) integer(n *yaml.Node, sh *shape) {
	if !scalarTagged(n, "!!int", "!!float") {
		w.wrong(n, fmt.Sprintf("an integer (%d-bit)", sh.bits))
		return
	}
	var err error
	if sh.unsigned {
		_, err = strconv.ParseUint(n.Value, 10, sh.bits)
	} else {
		_, err = strconv.ParseInt(n.Value, 10, sh.bits)
	}
	if err != nil {
		w.wrong(n, fmt.Sprintf("an integer (%d-bit)", sh.bits))
	}
}

// didYouMean names the field a typo most likely meant.
func didYouMean(key string, names []string) string {
	if best := textdist.Closest(key, names, 2); best != "" {
		return "; did you mean " + best + "?"
	}
	return ""
}
