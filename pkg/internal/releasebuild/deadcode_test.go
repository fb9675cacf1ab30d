package releasebuild_test

import (
	"bufio"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/releasebuild"
)

// reflectMethodAllowed are the functions that may be marked: Helm's template
// engine is text/template, whose field and method lookup by a name written
// in the chart ({{ .Files.Get "x" }}, {{ .Capabilities.APIVersions.Has … }})
// is MethodByName by nature; `lint` renders charts with it. What that costs
// (binary size, start-up) is in docs/performance.md. Any other function is
// still a failure.
var reflectMethodAllowed = map[string]bool{
	"text/template.(*state).evalField": true,
}

// reflectMethodItself matches reflect.Value's own Method, MethodByName and
// Methods (and those of types that embed a reflect.Value): once one call by
// name is reachable the linker keeps every exported method, these among
// them, and marks them too. They are the consequence, not another cause.
var reflectMethodItself = regexp.MustCompile(`\.(Method|MethodByName|Methods)(\.|$)`)

// TestReleaseBuildDropsUnusedMethods links the binary as .goreleaser.yaml
// builds it and asks the linker which functions it kept: none but Helm's
// template engine (reflectMethodAllowed) may be marked ReflectMethod. One reachable call of reflect.Value.MethodByName (or Method)
// with a name not known at compile time — text/template's field lookup,
// validator's validateFn — makes the linker keep every exported method of
// every reachable type: about a fifth more binary to map and page in at every
// start. When this fails, the line names the function; cut the path to it.
func TestReleaseBuildDropsUnusedMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("links the whole binary")
	}
	root := filepath.Join("..", "..", "..")
	build, err := releasebuild.Load(root)
	require.NoError(t, err)
	// The env matters: with cgo and the plugin package linked (kustomize's
	// loader imports it) the linker keeps all methods for plugins.
	cmd := build.Command(root, "./cmd/platformctl", filepath.Join(t.TempDir(), "platformctl"), "-dumpdep")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var marked []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		line := sc.Text()
		fn, _, found := strings.Cut(line, " <ReflectMethod>")
		if !found {
			continue
		}
		if _, callee, isEdge := strings.Cut(fn, " -> "); isEdge {
			fn = callee
		}
		if !reflectMethodAllowed[fn] && !reflectMethodItself.MatchString(fn) && len(marked) < 10 {
			marked = append(marked, line)
		}
	}
	require.NoError(t, sc.Err())
	require.NoError(t, cmd.Wait())
	require.Greater(t, lines, 10000, "the linker printed its dependency graph")
	require.Empty(t, marked, "reachable functions that disable method dead-code elimination")
}
