package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
	"github.com/platformctl/platformctl/templates"
)

// SchemaURL is where the committed JSON Schema of v1alpha1
// (docs/schema/platform.v1alpha1.json) is served; the modeline init writes
// points editors at it.
const SchemaURL = "https://raw.githubusercontent.com/platformctl/platformctl/main/docs/schema/platform.v1alpha1.json"

// File names init writes.
const (
	SpecFile   = "platform.yaml"
	ConfigFile = ".platformctl.yaml"
)

// Init names a new platform.
type Init struct {
	Name   string
	Domain string
}

// DefaultName derives a platform name from the directory it is created in:
// lower case, other characters as "-", cut to 40; "platform" when nothing
// usable is left.
func DefaultName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "platform"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(filepath.Base(abs)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 40 {
		name = strings.TrimRight(name[:40], "-")
	}
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return "platform"
	}
	return name
}

// DefaultDomain is the domain init proposes for name.
func DefaultDomain(name string) string { return name + ".example.com" }

// InitFiles returns the files init writes, by name: a commented platform.yaml
// and a .platformctl.yaml with the CLI defaults spelled out. The spec is
// loaded and validated before it is returned; a name or domain it rejects is
// reported against its flag.
func InitFiles(in Init) (map[string][]byte, error) {
	specText, err := fill("init/platform.yaml.tmpl", map[string]string{
		"SchemaURL": SchemaURL, "Name": string(str(in.Name)), "Domain": string(str(in.Domain)),
	})
	if err != nil {
		return nil, err
	}
	d, err := spec.Parse(SpecFile, specText)
	if err == nil {
		err = spec.Finish(d)
	}
	if err == nil {
		err = generate.CheckNames(d)
	}
	if err != nil {
		var list spec.ErrorList
		if !errors.As(err, &list) {
			return nil, err
		}
		var msgs []string
		for _, e := range list {
			switch e.Path {
			case "metadata.name":
				msgs = append(msgs, fmt.Sprintf("--name %q: %s", in.Name, e.Msg))
			case "spec.domain":
				msgs = append(msgs, fmt.Sprintf("--domain %q: %s", in.Domain, e.Msg))
			default:
				msgs = append(msgs, e.Error())
			}
		}
		return nil, refuse("%s", strings.Join(msgs, "\n"))
	}
	config, err := fill("init/platformctl.yaml.tmpl", map[string]string{"File": SpecFile})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{SpecFile: specText, ConfigFile: config}, nil
}

// fill returns the init template name with each {{.Key}} replaced by
// vals[Key]; a placeholder without a value is an error. Not text/template:
// executing one keeps every exported method in the binary (see skeleton).
func fill(name string, vals map[string]string) ([]byte, error) {
	t, err := templates.FS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return substitute(name, t, vals)
}

func substitute(name string, t []byte, vals map[string]string) ([]byte, error) {
	var b bytes.Buffer
	rest := string(t)
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			return b.Bytes(), nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("template %s: no value for %q (no closing }})", name, rest[i:])
		}
		key, ok := strings.CutPrefix(rest[i+2:i+j], ".")
		v, known := vals[key]
		if !ok || !known {
			return nil, fmt.Errorf("template %s: no value for %q", name, rest[i:i+j+2])
		}
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[i+j+2:]
	}
}
