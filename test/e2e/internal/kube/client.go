package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager owns every field the tier applies, so re-applying an
// environment (or the next environment sharing a namespace) replaces the
// previous one's fields instead of merging with them.
const FieldManager = "platformctl-e2e"

// Problem is one thing the API server objected to.
type Problem struct {
	Object  string // Kind namespace/name, see Ref
	Reason  string // one of the Reason* constants
	Message string // the server's own words
}

// Reasons a Problem is reported for.
const (
	ReasonRejected   = "rejected"
	ReasonWarning    = "warning"
	ReasonUnknownGVK = "no such API"
	ReasonDuplicate  = "duplicate"
)

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Object, p.Reason, p.Message)
}

// Client applies objects through the dynamic client and attributes every API
// warning to the request that caused it.
type Client struct {
	dyn      dynamic.Interface
	disc     discovery.CachedDiscoveryInterface
	mapper   *restmapper.DeferredDiscoveryRESTMapper
	warnings *warningCollector

	// mu serialises requests: warnings arrive through a handler shared by
	// the whole client, so concurrent requests would mix up whose they are.
	mu sync.Mutex
}

// NewClient copies cfg and installs its own warning handler on the copy.
func NewClient(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	wc := &warningCollector{}
	cfg.WarningHandler = wc
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	cached := memory.NewMemCacheClient(dc)
	return &Client{
		dyn:      dyn,
		disc:     cached,
		mapper:   restmapper.NewDeferredDiscoveryRESTMapper(cached),
		warnings: wc,
	}, nil
}

// ResetMapper forgets cached discovery; needed after CRDs are installed.
func (c *Client) ResetMapper() { c.mapper.Reset() }

// ApplyOptions controls Apply.
type ApplyOptions struct {
	// DryRun submits objects with dryRun=All: the server runs validation,
	// defaulting and admission but stores nothing. The prerequisites that
	// Pod admission looks up (see isPrerequisite) are stored anyway and,
	// except Namespaces, deleted again at the end.
	DryRun bool
}

// Apply server-side applies objs and returns every rejection and warning. It
// never stops at the first problem: one run should show everything that is
// wrong with an environment.
//
// Order: Namespaces, then the other prerequisites, then everything else in
// the renderer's order, then one dry-run Pod per built-in workload (see
// PodFromWorkload).
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions) []Problem {
	ordered := slices.Clone(objs)
	slices.SortStableFunc(ordered, func(a, b *unstructured.Unstructured) int {
		return applyRank(a) - applyRank(b)
	})
	var problems []Problem
	var persisted []*unstructured.Unstructured
	rejected := map[*unstructured.Unstructured]bool{}
	for _, obj := range ordered {
		dryRun := opts.DryRun && !isNamespace(obj) && !isPrerequisite(obj)
		// Only what this call creates is cleaned up afterwards.
		cleanUp := opts.DryRun && isPrerequisite(obj) && !isDefaultServiceAccount(obj) && !c.exists(ctx, obj)
		_, ps := c.applyOne(ctx, obj, dryRun)
		problems = append(problems, ps...)
		for _, p := range ps {
			if p.Reason != ReasonWarning {
				rejected[obj] = true
			}
		}
		if rejected[obj] {
			continue
		}
		switch {
		case isNamespace(obj):
			if err := c.ensureDefaultServiceAccount(ctx, obj.GetName()); err != nil {
				problems = append(problems, Problem{Object: Ref(obj), Reason: ReasonRejected, Message: err.Error()})
			}
		case cleanUp:
			persisted = append(persisted, obj)
		}
	}
	for _, obj := range ordered {
		if rejected[obj] {
			// Its Pod would only repeat the workload's own rejection.
			continue
		}
		pod, err := PodFromWorkload(obj)
		if err != nil {
			problems = append(problems, Problem{Object: Ref(obj), Reason: ReasonRejected, Message: err.Error()})
			continue
		}
		if pod == nil {
			continue
		}
		_, ps := c.applyOne(ctx, pod, true)
		for i := range ps {
			ps[i].Object = Ref(obj) + " (as the Pod its controller would create)"
		}
		problems = append(problems, ps...)
	}
	// Leave nothing behind that a later environment sharing a namespace
	// could silently depend on.
	for _, obj := range slices.Backward(persisted) {
		if err := c.delete(ctx, obj); err != nil {
			problems = append(problems, Problem{Object: Ref(obj), Reason: ReasonRejected, Message: "cleaning up after dry run: " + err.Error()})
		}
	}
	return problems
}

// isPrerequisite reports kinds that Pod admission looks up by name. In a dry
// run they would not exist when the workloads' Pods are checked, so they are
// stored for the duration of Apply.
func isPrerequisite(u *unstructured.Unstructured) bool {
	switch u.GroupVersionKind().GroupKind().String() {
	case "ServiceAccount", "PriorityClass.scheduling.k8s.io", "RuntimeClass.node.k8s.io":
		return true
	}
	return false
}

// isDefaultServiceAccount guards the ServiceAccount that
// ensureDefaultServiceAccount created from the dry-run cleanup.
func isDefaultServiceAccount(u *unstructured.Unstructured) bool {
	return u.GetAPIVersion() == "v1" && u.GetKind() == "ServiceAccount" && u.GetName() == "default"
}

func applyRank(u *unstructured.Unstructured) int {
	switch {
	case isNamespace(u):
		return 0
	case isPrerequisite(u):
		return 1
	default:
		return 2
	}
}

// exists reports whether obj is already stored. Errors other than NotFound
// count as "yes": at worst that leaves an object behind after a dry run,
// rather than deleting one the harness did not create.
func (c *Client) exists(ctx context.Context, obj *unstructured.Unstructured) bool {
	_, err := c.Get(ctx, obj)
	return !apierrors.IsNotFound(err)
}

// Delete deletes objs (those already gone are not an error).
func (c *Client) Delete(ctx context.Context, objs []*unstructured.Unstructured) error {
	for _, obj := range objs {
		if err := c.delete(ctx, obj); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) delete(ctx context.Context, obj *unstructured.Unstructured) error {
	ri, err := c.resourceFor(obj)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err = ri.Delete(ctx, obj.GetName(), metav1.DeleteOptions{})
	c.warnings.drain()
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting %s: %w", Ref(obj), err)
	}
	return nil
}

// ensureDefaultServiceAccount does the one job of kube-controller-manager
// that admission depends on: every namespace has a "default" ServiceAccount,
// and the ServiceAccount admission plugin rejects Pods without one.
func (c *Client) ensureDefaultServiceAccount(ctx context.Context, ns string) error {
	sa := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ServiceAccount",
		"metadata":   map[string]any{"name": "default", "namespace": ns},
	}}
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.dyn.Resource(gvr).Namespace(ns).Create(ctx, sa, metav1.CreateOptions{FieldManager: FieldManager})
	c.warnings.drain()
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default ServiceAccount: %w", err)
	}
	return nil
}

// Get reads back the stored version of obj.
func (c *Client) Get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := c.resourceFor(obj)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	got, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
	c.warnings.drain()
	if err != nil {
		return nil, fmt.Errorf("getting %s: %w", Ref(obj), err)
	}
	return got, nil
}

// InstallCRDs applies CustomResourceDefinitions for real, waits until the
// server reports every one Established and refreshes the REST mapper so
// their kinds resolve. Warnings are returned separately from the error,
// since they concern upstream manifests rather than platformctl's output.
func (c *Client) InstallCRDs(ctx context.Context, crds []*unstructured.Unstructured) ([]Problem, error) {
	var warnings []Problem
	for _, crd := range crds {
		if crd.GetKind() != "CustomResourceDefinition" {
			return nil, fmt.Errorf("%s is not a CustomResourceDefinition", Ref(crd))
		}
		_, ps := c.applyOne(ctx, crd, false)
		for _, p := range ps {
			if p.Reason != ReasonWarning {
				return nil, fmt.Errorf("installing CRD: %s", p)
			}
			warnings = append(warnings, p)
		}
	}
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	for _, crd := range crds {
		name := crd.GetName()
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			got, err := c.dyn.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, fmt.Errorf("getting CRD %s: %w", name, err)
			}
			return conditionTrue(got, "Established"), nil
		})
		if err != nil {
			return nil, fmt.Errorf("waiting for CRD %s to be Established: %w", name, err)
		}
	}
	c.ResetMapper()
	return warnings, nil
}

func (c *Client) applyOne(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, []Problem) {
	ref := Ref(obj)
	ri, err := c.resourceFor(obj)
	if err != nil {
		return nil, []Problem{{Object: ref, Reason: ReasonUnknownGVK, Message: err.Error()}}
	}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, []Problem{{Object: ref, Reason: ReasonRejected, Message: fmt.Sprintf("encoding: %v", err)}}
	}
	var opts []string
	if dryRun {
		opts = []string{metav1.DryRunAll}
	}
	force := true

	c.mu.Lock()
	defer c.mu.Unlock()
	c.warnings.drain()
	var got *unstructured.Unstructured
	if obj.GetName() == "" {
		// Server-side apply needs a name; generateName objects can only be
		// created.
		got, err = ri.Create(ctx, obj, metav1.CreateOptions{DryRun: opts, FieldManager: FieldManager, FieldValidation: "Strict"})
	} else {
		got, err = ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
			DryRun:       opts,
			FieldManager: FieldManager,
			Force:        &force,
			// Strict turns unknown and duplicate fields into errors instead
			// of silently dropping them.
			FieldValidation: "Strict",
		})
	}
	var problems []Problem
	if err != nil {
		problems = append(problems, Problem{Object: ref, Reason: ReasonRejected, Message: errorMessage(err)})
	}
	for _, w := range c.warnings.drain() {
		problems = append(problems, Problem{Object: ref, Reason: ReasonWarning, Message: w})
	}
	return got, problems
}

func (c *Client) resourceFor(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A stale cache is the common cause right after CRDs appear.
		c.mapper.Reset()
		mapping, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("the server has no API for %s (a built-in that no longer exists, or a CRD missing from testdata/crds): %w", gvk, err)
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		return c.dyn.Resource(mapping.Resource), nil
	}
	ns := obj.GetNamespace()
	if ns == "" {
		// What kubectl does with a namespaced object that names none.
		ns = metav1.NamespaceDefault
	}
	return c.dyn.Resource(mapping.Resource).Namespace(ns), nil
}

// errorMessage keeps the server's message and, for validation errors, each
// field cause, since those name the offending field path.
func errorMessage(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err.Error()
	}
	s := status.Status()
	msg := s.Message
	if s.Details != nil {
		for _, cause := range s.Details.Causes {
			if cause.Field != "" && !strings.Contains(msg, cause.Field) {
				msg += fmt.Sprintf("; %s: %s", cause.Field, cause.Message)
			}
		}
	}
	return msg
}

func conditionTrue(u *unstructured.Unstructured, condType string) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == condType && m["status"] == "True" {
			return true
		}
	}
	return false
}

func isNamespace(u *unstructured.Unstructured) bool {
	return u.GetKind() == "Namespace" && u.GetAPIVersion() == "v1"
}

// warningCollector records warnings instead of printing them, so that a
// warning fails the test rather than scrolling past in the log.
type warningCollector struct {
	mu   sync.Mutex
	msgs []string
}

// HandleWarningHeader implements rest.WarningHandler.
func (w *warningCollector) HandleWarningHeader(code int, _ string, text string) {
	// 299 is the only code the API server uses; anything else is not a
	// Kubernetes warning.
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningCollector) drain() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	msgs := w.msgs
	w.msgs = nil
	return msgs
}
