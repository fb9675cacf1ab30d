// Package cluster runs a throwaway control plane — a real etcd and a real
// kube-apiserver, no controllers, no kubelet — on loopback for the e2e tier.
//
// Without controllers nothing is ever scheduled or reconciled, which is what
// the tier wants: it only asks whether the API server admits what platformctl
// renders, with the same validation, defaulting, CRD schemas and admission
// (Pod Security included) as a production cluster.
package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// Options says where the binaries are. Both are required.
type Options struct {
	KubeAPIServer string
	Etcd          string
	// Log receives one line per lifecycle step; nil discards.
	Log func(format string, args ...any)
}

// Cluster is a running control plane. Stop must be called exactly once the
// caller is done, including on failure paths.
type Cluster struct {
	dir   string
	token string
	ca    []byte
	host  string

	etcd      *process
	apiserver *process

	stopOnce sync.Once
	stopErr  error
}

// readyTimeout is generous because the first start on a loaded 2-core CI
// machine compiles nothing but still has to bootstrap RBAC and every built-in
// API group in etcd.
const readyTimeout = 2 * time.Minute

// Start launches etcd and kube-apiserver and waits until /readyz passes. On
// error everything already started has been stopped again.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if opts.KubeAPIServer == "" || opts.Etcd == "" {
		return nil, errors.New("cluster: both the kube-apiserver and etcd binaries are required")
	}
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := os.MkdirTemp("", "platformctl-e2e-")
	if err != nil {
		return nil, fmt.Errorf("creating work dir: %w", err)
	}
	c := &Cluster{dir: dir}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()

	pki, err := writePKI(dir)
	if err != nil {
		return nil, err
	}
	c.token, c.ca = pki.token, pki.caPEM

	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	etcdPeer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.host = "https://127.0.0.1:" + strconv.Itoa(ports[2])

	logf("starting etcd on %s", etcdClient)
	c.etcd, err = startProcess(opts.Etcd, filepath.Join(dir, "etcd.log"),
		"--name=e2e",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdClient,
		"--advertise-client-urls="+etcdClient,
		"--listen-peer-urls="+etcdPeer,
		"--initial-advertise-peer-urls="+etcdPeer,
		"--initial-cluster=e2e="+etcdPeer,
		"--listen-metrics-urls=",
		// The data is thrown away after the run, so durability only costs time.
		"--unsafe-no-fsync",
		"--log-level=warn",
	)
	if err != nil {
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	if err := waitHTTP(ctx, c.etcd, etcdClient+"/health", nil, "", 30*time.Second); err != nil {
		return nil, fmt.Errorf("etcd did not become healthy: %w\n%s", err, c.etcd.tail())
	}

	logf("starting kube-apiserver on %s", c.host)
	c.apiserver, err = startProcess(opts.KubeAPIServer, filepath.Join(dir, "kube-apiserver.log"),
		"--etcd-servers="+etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(ports[2]),
		"--tls-cert-file="+pki.servingCert,
		"--tls-private-key-file="+pki.servingKey,
		"--token-auth-file="+pki.tokenFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.saPublic,
		"--service-account-signing-key-file="+pki.saPrivate,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC",
		// The default "master-count" reconciler writes the advertise address
		// into the kubernetes Endpoints and refuses loopback addresses.
		"--endpoint-reconciler-type=none",
		// Real clusters (kubeadm, managed offerings) allow privileged pods and
		// leave the decision to Pod Security admission, which is what the
		// tier must exercise.
		"--allow-privileged=true",
		"--profiling=false",
		"--v=1",
	)
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.ca)
	if err := waitHTTP(ctx, c.apiserver, c.host+"/readyz", pool, c.token, readyTimeout); err != nil {
		return nil, fmt.Errorf("kube-apiserver did not become ready: %w\n%s", err, c.apiserver.tail())
	}
	logf("control plane ready")
	return c, nil
}

// RESTConfig returns a fresh admin config; callers may mutate it (for example
// to install their own warning handler).
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{
		Host:            c.host,
		BearerToken:     c.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.ca},
		QPS:             200,
		Burst:           400,
		UserAgent:       "platformctl-e2e",
	}
}

// Logs returns the tail of both server logs, for failure reports.
func (c *Cluster) Logs() string {
	var b strings.Builder
	for _, p := range []*process{c.etcd, c.apiserver} {
		if p != nil {
			b.WriteString(p.tail())
		}
	}
	return b.String()
}

// Stop terminates both processes and removes the work dir. It is safe to call
// more than once and from a signal handler.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		// The apiserver first, so it does not log a storm of etcd errors.
		for _, p := range []*process{c.apiserver, c.etcd} {
			if p != nil {
				errs = append(errs, p.stop())
			}
		}
		if c.dir != "" {
			errs = append(errs, os.RemoveAll(c.dir))
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{}
	waitErr error
}

func startProcess(bin, logPath string, args ...string) (*process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating log file: %w", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	p := &process{name: filepath.Base(bin), cmd: cmd, logPath: logPath, logFile: f, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *process) stop() error {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.logFile.Close()
}

// tail returns the last lines of the process log, which is where the reason
// for a failed start is.
func (p *process) tail() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("--- %s log unreadable: %v\n", p.name, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	status := "running"
	if p.exited() {
		status = fmt.Sprintf("exited: %v", p.waitErr)
	}
	return fmt.Sprintf("--- last lines of %s log (%s)\n%s\n", p.name, status, strings.Join(lines, "\n"))
}

func waitHTTP(ctx context.Context, p *process, url string, roots *x509.CertPool, token string, timeout time.Duration) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last string
	for {
		if p.exited() {
			if p.waitErr == nil {
				return fmt.Errorf("%s exited with status 0", p.name)
			}
			return fmt.Errorf("%s exited: %w", p.name, p.waitErr)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("building request: %w", err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s (last: %s): %w", url, timeout, last, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// freePorts asks the kernel for distinct free loopback ports. There is a
// window between closing the listeners and the servers binding, but it is
// small and the alternative (fixed ports) breaks concurrent runs.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer func() { _ = l.Close() }()
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("unexpected listener address %v", l.Addr())
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}
