package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/platformctl/platformctl/test/e2e/internal/cluster"
	"github.com/platformctl/platformctl/test/e2e/internal/kube"
)

// suite is shared by every test in the package: starting a control plane
// costs seconds, so there is one per `go test` run.
var suite struct {
	cluster *cluster.Cluster
	client  *kube.Client
	root    string // repository root
	tmp     string // scratch space removed after the run

	buildOnce   sync.Once
	platformctl string
	buildErr    error
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	apiserver, etcd := os.Getenv("E2E_KUBE_APISERVER"), os.Getenv("E2E_ETCD")
	if apiserver == "" || etcd == "" {
		// Failing rather than skipping: a tier that silently passes when its
		// servers are missing proves nothing.
		fmt.Fprintln(os.Stderr, "e2e: E2E_KUBE_APISERVER and E2E_ETCD must point at the binaries; run `bash test/e2e/run.sh`")
		return 1
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	suite.root = root
	suite.tmp, err = os.MkdirTemp("", "platformctl-e2e-run-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(suite.tmp) }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	c, err := cluster.Start(ctx, cluster.Options{
		KubeAPIServer: apiserver,
		Etcd:          etcd,
		Log: func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", args...)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	suite.cluster = c
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping control plane:", err)
		}
	}()

	// Deferred calls do not run when the process is interrupted, and an
	// orphaned apiserver would hold its ports and temp dir; stop it here.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: %v: stopping control plane\n", s)
		_ = c.Stop()
		_ = os.RemoveAll(suite.tmp)
		os.Exit(130)
	}()

	suite.client, err = kube.NewClient(c.RESTConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if err := installCRDs(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if err := createAddonNamespaces(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: control plane with CRDs ready in %s\n", time.Since(start).Round(100*time.Millisecond))

	code := m.Run()
	if code != 0 {
		fmt.Fprint(os.Stderr, c.Logs())
	}
	return code
}

func installCRDs(ctx context.Context) error {
	dir := filepath.Join(suite.root, "testdata", "crds")
	crds, err := kube.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading CRDs: %w", err)
	}
	if len(crds) == 0 {
		return fmt.Errorf("no CRDs found in %s", dir)
	}
	warnings, err := suite.client.InstallCRDs(ctx, crds)
	if err != nil {
		return err
	}
	// Upstream's manifests are not under test; their warnings are only
	// worth knowing about.
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "e2e: CRD install warning: %s\n", w)
	}
	fmt.Fprintf(os.Stderr, "e2e: installed %d CRDs from %s\n", len(crds), dir)
	return nil
}

// addonNamespaces belong to the add-ons a platform expects installed (the
// GitOps controllers keep their Applications and Kustomizations in their
// own namespaces); their installers create them, so the harness does too.
var addonNamespaces = []string{"argocd", "flux-system"}

func createAddonNamespaces(ctx context.Context) error {
	var objs []*unstructured.Unstructured
	for _, name := range addonNamespaces {
		ns := &unstructured.Unstructured{}
		ns.SetAPIVersion("v1")
		ns.SetKind("Namespace")
		ns.SetName(name)
		objs = append(objs, ns)
	}
	if ps := suite.client.Apply(ctx, objs, kube.ApplyOptions{}); len(ps) > 0 {
		return fmt.Errorf("creating add-on namespaces: %v", ps)
	}
	return nil
}

func repoRoot() (string, error) {
	if r := os.Getenv("E2E_REPO_ROOT"); r != "" {
		return filepath.Abs(r)
	}
	// go test runs in the package directory, test/e2e.
	return filepath.Abs(filepath.Join("..", ".."))
}

// platformctlBinary builds the product once per run from the repository's
// main module, exactly as a user would install it.
func platformctlBinary(t *testing.T) string {
	t.Helper()
	suite.buildOnce.Do(func() {
		out := filepath.Join(suite.tmp, "platformctl")
		cmd := exec.Command("go", "build", "-o", out, "./cmd/platformctl")
		cmd.Dir = suite.root
		if combined, err := cmd.CombinedOutput(); err != nil {
			suite.buildErr = fmt.Errorf("go build ./cmd/platformctl: %w\n%s", err, combined)
			return
		}
		suite.platformctl = out
	})
	if suite.buildErr != nil {
		t.Fatal(suite.buildErr)
	}
	return suite.platformctl
}
