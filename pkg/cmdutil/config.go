package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/yamlsyntax"
)

// ConfigFile is the CLI config file read from the working directory when
// --config names none; ConfigFileAlt is read when only it exists.
const (
	ConfigFile    = ".platformctl.yaml"
	ConfigFileAlt = ".platformctl.yml"
)

// maxConfigSize bounds what is read: a CLI config is a few lines.
const maxConfigSize = 1 << 20

// ConfigError is one problem in the CLI config file, located like a
// compiler diagnostic.
type ConfigError struct {
	File string
	Line int
	Col  int
	// Path is the key path (lint.params.minReplicas); empty for problems of
	// the file or of its top level.
	Path string
	Msg  string
}

func (e ConfigError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Col, e.Path, e.Msg)
}

// ConfigErrors is every problem found in a config file, in file order.
type ConfigErrors []ConfigError

func (l ConfigErrors) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// LoadConfig reads the CLI config file: path when given, else
// .platformctl.yaml in the working directory when present. The file is
// checked here, with positions (every key known, every value of the right
// type and range); viper then holds its values for Setting, which applies
// the precedence flag > environment > file > default. A config that is not
// a readable regular file, or fails a check, is exit 2.
func (f *Factory) LoadConfig(path string) error {
	explicit := path != ""
	if !explicit {
		path = defaultConfigFile()
	}
	data, err := readConfig(path, explicit)
	if err != nil {
		return Fail(err)
	}
	if data == nil {
		return nil
	}
	if errs := CheckConfig(path, data); len(errs) > 0 {
		return Fail(errs)
	}
	f.Config.SetConfigType("yaml")
	if err := f.Config.ReadConfig(bytes.NewReader(data)); err != nil {
		return Fail(fmt.Errorf("config %s: %w", path, err))
	}
	f.ConfigFile = path
	return nil
}

// defaultConfigFile is .platformctl.yaml, or .platformctl.yml when only that
// exists (either as anything: a directory in the way is reported, not skipped).
func defaultConfigFile() string {
	if _, err := os.Lstat(ConfigFile); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(ConfigFileAlt); err == nil {
			return ConfigFileAlt
		}
	}
	return ConfigFile
}

// readConfig returns the file's contents, or nil when the default file does
// not exist. Only a regular file is opened: a directory is reported as one,
// and a FIFO or device would block or never end.
func readConfig(path string, explicit bool) ([]byte, error) {
	if _, err := os.Lstat(path); !explicit && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("config %s: is a directory; the CLI config is a YAML file", path)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("config %s: not a regular file", path)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer func() { _ = file.Close() }() // read-only: a close error loses nothing
	data, err := io.ReadAll(io.LimitReader(file, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("config %s: larger than %d MiB; a CLI config is a few lines", path, maxConfigSize>>20)
	}
	return data, nil
}

// CheckConfig checks a CLI config file's contents (file names it in
// messages) and returns every problem found, in file order.
func CheckConfig(file string, data []byte) ConfigErrors {
	c := &configChecker{file: file}
	if p, msg, bad := yamlsyntax.BadText(data); bad {
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return c.errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty: nothing configured
		}
		p, msg := yamlsyntax.Describe(data, err)
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return c.errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		c.at(extra.Line, extra.Column, "", "a second YAML document; the config is one mapping")
		return c.errs
	} else if !errors.Is(err, io.EOF) {
		p, msg := yamlsyntax.Describe(data, err)
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return c.errs
	}
	if len(doc.Content) == 0 {
		return nil // comments only
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		c.errorf(root, "", "expected a mapping of settings (file, output, env, lint), got %s", describe(root))
		return c.errs
	}
	c.mapping(root, "", configSchema)
	sort.SliceStable(c.errs, func(i, j int) bool {
		a, b := c.errs[i], c.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return c.errs
}

// kind is what a config key holds.
type kind int

const (
	kString  kind = iota // a non-empty string
	kInt                 // an integer of at least min
	kStrings             // a list of strings
	kMap                 // a mapping of string to string
	kFields              // a mapping of the keys in fields
	kList                // a list of mappings of the keys in fields
)

// key describes one config key. check, when set, vets each string the key
// holds (each item of a list, each value of a map) and returns a problem.
type key struct {
	name     string
	kind     kind
	min      int
	fields   []key
	required []string // for kList items
	anyOf    []string // for kList items: at least one of these keys, holding something
	date     bool     // a kString that may be written as an unquoted date
	check    func(s string) string
	checkKey func(s string) string // for kMap keys
}

// configSchema is every key .platformctl.yaml may hold, in the order the
// "known:" hints list them. The lint section mirrors lint.Config (a test
// keeps the two in step); its values are vetted as lint.Run would vet them,
// so a mistake is reported with its position before any command runs.
var configSchema = []key{
	{name: "file", kind: kString},
	{name: "output", kind: kString},
	{name: "env", kind: kString},
	{name: "lint", kind: kFields, fields: []key{
		{name: "disable", kind: kStrings, check: checkRuleID},
		{name: "enable", kind: kStrings, check: checkRuleID},
		{name: "severity", kind: kMap, checkKey: checkRuleID, check: checkSeverity},
		{name: "exclude", kind: kList, required: []string{"reason"}, anyOf: lint.ExclusionSelectors, fields: []key{
			{name: "rules", kind: kStrings, check: checkRuleID},
			{name: "paths", kind: kStrings, check: checkGlob},
			{name: "kinds", kind: kStrings},
			{name: "namespaces", kind: kStrings},
			{name: "names", kind: kStrings},
			{name: "reason", kind: kString},
			{name: "expires", kind: kString, date: true, check: checkDate},
		}},
		{name: "params", kind: kFields, fields: []key{
			{name: "allowedRegistries", kind: kStrings},
			{name: "minReplicas", kind: kInt, min: 1},
			{name: "requiredLabels", kind: kStrings},
		}},
	}},
}

type configChecker struct {
	file string
	errs ConfigErrors
}

func (c *configChecker) at(line, col int, path, format string, args ...any) {
	c.errs = append(c.errs, ConfigError{File: c.file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *configChecker) errorf(n *yaml.Node, path, format string, args ...any) {
	c.at(n.Line, n.Column, path, format, args...)
}

// mapping checks a mapping node against keys.
func (c *configChecker) mapping(n *yaml.Node, path string, keys []key) {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			c.errorf(k, path, "keys must be plain names (no merge keys or complex keys)")
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			c.errorf(k, join(path, k.Value), "duplicate key (first defined at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		spec, ok := findKey(keys, k.Value)
		if !ok {
			c.errorf(k, path, "unknown key %q (known: %s)", k.Value, keyNames(keys))
			continue
		}
		c.value(v, join(path, k.Value), spec)
	}
}

// value checks the value v of the key spec at path. Null is "not set".
func (c *configChecker) value(v *yaml.Node, path string, spec key) {
	if isNull(v) {
		return
	}
	switch spec.kind {
	case kString:
		s, ok := c.str(v, path, spec.date)
		if !ok {
			return
		}
		if s == "" {
			c.errorf(v, path, "must not be empty (leave the key out for the default)")
			return
		}
		c.vet(v, path, spec.check, s)
	case kInt:
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
			c.errorf(v, path, "expected an integer, got %s", describe(v))
			return
		}
		var n int
		if err := v.Decode(&n); err != nil {
			c.errorf(v, path, "%s is not an integer platformctl can hold", v.Value)
			return
		}
		if n < spec.min {
			c.errorf(v, path, "must be at least %d", spec.min)
		}
	case kStrings:
		if v.Kind != yaml.SequenceNode {
			c.errorf(v, path, "expected a list of strings, got %s", describe(v))
			return
		}
		for i, item := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			item = deref(item)
			if isNull(item) {
				c.errorf(item, p, "expected a string, got null")
				continue
			}
			if s, ok := c.str(item, p, false); ok {
				c.vet(item, p, spec.check, s)
			}
		}
	case kMap:
		if v.Kind != yaml.MappingNode {
			c.errorf(v, path, "expected a mapping, got %s", describe(v))
			return
		}
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], deref(v.Content[i+1])
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				c.errorf(k, path, "keys must be plain names (no merge keys or complex keys)")
				continue
			}
			p := join(path, k.Value)
			if prev, dup := seen[k.Value]; dup {
				c.errorf(k, p, "duplicate key (first defined at line %d)", prev.Line)
				continue
			}
			seen[k.Value] = k
			c.vet(k, p, spec.checkKey, k.Value)
			if isNull(val) {
				c.errorf(val, p, "expected a string, got null")
				continue
			}
			if s, ok := c.str(val, p, false); ok {
				c.vet(val, p, spec.check, s)
			}
		}
	case kFields:
		if v.Kind != yaml.MappingNode {
			c.errorf(v, path, "expected a mapping, got %s", describe(v))
			return
		}
		c.mapping(v, path, spec.fields)
	case kList:
		if v.Kind != yaml.SequenceNode {
			c.errorf(v, path, "expected a list, got %s", describe(v))
			return
		}
		for i, item := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			item = deref(item)
			if item.Kind != yaml.MappingNode {
				c.errorf(item, p, "expected a mapping, got %s", describe(item))
				continue
			}
			c.mapping(item, p, spec.fields)
			for _, r := range spec.required {
				if !hasKey(item, r) {
					c.errorf(item, p, "%s is required", r)
				}
			}
			if len(spec.anyOf) > 0 && !hasAnyValue(item, spec.anyOf) {
				c.errorf(item, p, "%s", lint.ErrNoSelector.Error())
			}
		}
	}
}

// str returns a string scalar's value; a date is also accepted where one
// is expected (YAML reads an unquoted 2027-06-30 as a timestamp).
func (c *configChecker) str(v *yaml.Node, path string, date bool) (string, bool) {
	if v.Kind == yaml.ScalarNode && (v.ShortTag() == "!!str" || date && v.ShortTag() == "!!timestamp") {
		return v.Value, true
	}
	hint := ""
	if v.Kind == yaml.ScalarNode {
		hint = fmt.Sprintf(" (quote it: %q)", v.Value)
	}
	c.errorf(v, path, "expected a string, got %s%s", describe(v), hint)
	return "", false
}

func (c *configChecker) vet(n *yaml.Node, path string, check func(string) string, s string) {
	if check == nil {
		return
	}
	if msg := check(s); msg != "" {
		c.errorf(n, path, "%s", msg)
	}
}

func checkSeverity(s string) string {
	if _, err := lint.ParseSeverity(s); err != nil {
		return err.Error()
	}
	return ""
}

func checkGlob(s string) string {
	if _, err := path.Match(s, ""); err != nil {
		return fmt.Sprintf("bad glob %q: %v", s, err)
	}
	return ""
}

func checkDate(s string) string {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)
	}
	return ""
}

// checkRuleID wants a rule of the catalog (platformctl rules).
func checkRuleID(id string) string {
	ids := ruleIDs()
	i := sort.SearchStrings(ids, id)
	if i < len(ids) && ids[i] == id {
		return ""
	}
	return fmt.Sprintf("unknown rule %q%s (see platformctl rules)", id, DidYouMean(id, ids))
}

// ruleIDs is the catalog's rule IDs, sorted.
func ruleIDs() []string {
	all := rules.All()
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	sort.Strings(ids)
	return ids
}

func findKey(keys []key, name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

func keyNames(keys []key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

func hasKey(n *yaml.Node, name string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return true
		}
	}
	return false
}

// hasAnyValue says whether mapping n holds one of names with a value: not
// null, and not an empty list (an empty selector list selects everything).
func hasAnyValue(n *yaml.Node, names []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !slices.Contains(names, n.Content[i].Value) {
			continue
		}
		v := deref(n.Content[i+1])
		if !isNull(v) && (v.Kind != yaml.SequenceNode || len(v.Content) > 0) {
			return true
		}
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y".
func describe(n *yaml.Node) string { return yamlsyntax.NodeKind(n) }
