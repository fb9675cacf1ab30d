package scaffold

import (
	"fmt"
	"path"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// ConfigFileFlag is one --config-file: the file name in the service's
// config directory and the path, relative to the spec's directory, of the
// file its content is read from.
type ConfigFileFlag struct {
	Name, Path string
}

// ParseConfigFiles reads --config-file values, each NAME=PATH or PATH (the
// name is then the path's last element).
func ParseConfigFiles(values []string) ([]ConfigFileFlag, error) {
	var out []ConfigFileFlag
	seen := map[string]bool{}
	for _, v := range values {
		name, p, ok := strings.Cut(v, "=")
		if !ok {
			name, p = path.Base(v), v
		}
		if p == "" || name == "" {
			return nil, fmt.Errorf("--config-file %q: want NAME=PATH or PATH (a file next to the spec, e.g. app.yaml=config/app.yaml)", v)
		}
		if f := spec.FormatByTag("configkey"); !f.Valid(name) {
			return nil, fmt.Errorf("--config-file %q: the file name %q is not a ConfigMap key: use letters, digits, '-', '_' and '.'; write NAME=PATH to choose it", v, name)
		}
		if f := spec.FormatByTag("specfile"); !f.Valid(p) {
			return nil, fmt.Errorf("--config-file %q: %q is not a path next to the spec: write it relative to the spec's directory, without a leading '/', '..' or '.'", v, p)
		}
		if seen[name] {
			return nil, fmt.Errorf("--config-file %q: the file name %q is given twice", v, name)
		}
		seen[name] = true
		out = append(out, ConfigFileFlag{Name: name, Path: p})
	}
	return out, nil
}

// config is the new service's config: mapping, or nil for none.
func (s Service) config() object {
	if len(s.ConfigFiles) == 0 {
		return nil
	}
	var c object
	if s.ConfigMountPath != "" {
		c = append(c, field{"mountPath", str(s.ConfigMountPath)})
	}
	files := object{}
	for _, f := range s.ConfigFiles {
		files = append(files, field{string(str(f.Name)), object{{"file", str(f.Path)}}})
	}
	return append(c, field{"files", files})
}
