package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/celexpr"
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

// FileConfig is .platformctl.yaml, and the one description of it: its
// keys are the fields' mapstructure tags, in the order "known:" hints list
// them, and what each value must be is the Go type plus the check tags
// (their terms are listed on lint.Config). DecodeConfig reads a file into
// it once, with positions; the lint section is handed to lint as it is.
type FileConfig struct {
	// File is the spec (-f), Output the render directory (-o), Env the
	// environment of build (--env): each below its flag and PLATFORMCTL_*.
	File   string      `mapstructure:"file"`
	Output string      `mapstructure:"output"`
	Env    string      `mapstructure:"env"`
	Lint   lint.Config `mapstructure:"lint"`
}

// flagSettings is the top-level strings the file sets, for viper: flags and
// PLATFORMCTL_* override them, and Setting and Source ask viper which won.
func (c FileConfig) flagSettings() map[string]any {
	settings := map[string]any{}
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		if fv := v.Field(i); fv.Kind() == reflect.String && fv.String() != "" {
			settings[lint.ConfigKey(v.Type().Field(i))] = fv.String()
		}
	}
	return settings
}

// LoadConfig reads the CLI config file: path when given, else
// .platformctl.yaml in the working directory when present. The file is
// decoded once, with positions (every key known, every value of the right
// type and range), into f.FileConfig; viper then holds its top-level
// values for Setting, which applies the precedence flag > environment >
// file > default. A config that is not a readable regular file, or fails
// a check, is exit 2.
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
	cfg, errs := DecodeConfig(path, data)
	if len(errs) > 0 {
		return Fail(errs)
	}
	if err := f.Config.MergeConfigMap(cfg.flagSettings()); err != nil {
		return Fail(fmt.Errorf("config %s: %w", path, err))
	}
	f.FileConfig = cfg
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
	_, errs := DecodeConfig(file, data)
	return errs
}

// DecodeConfig decodes a CLI config file's contents (file names it in
// messages) into a FileConfig, and returns every problem found, in file
// order; with problems, the FileConfig is the zero value.
func DecodeConfig(file string, data []byte) (FileConfig, ConfigErrors) {
	var cfg FileConfig
	c := &configDecoder{file: file}
	if p, msg, bad := yamlsyntax.BadText(data); bad {
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return FileConfig{}, c.errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // empty: nothing configured
		}
		p, msg := yamlsyntax.Describe(data, err)
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return FileConfig{}, c.errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		c.at(extra.Line, extra.Column, "", "a second YAML document; the config is one mapping")
		return FileConfig{}, c.errs
	} else if !errors.Is(err, io.EOF) {
		p, msg := yamlsyntax.Describe(data, err)
		c.at(p.Line, p.Col, "", "invalid YAML: %s", msg)
		return FileConfig{}, c.errs
	}
	if len(doc.Content) == 0 {
		return cfg, nil // comments only
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return cfg, nil
	}
	top := reflect.ValueOf(&cfg).Elem()
	if root.Kind != yaml.MappingNode {
		c.errorf(root, "", "expected a mapping of settings (%s), got %s", keyNames(fieldsOf(top.Type())), describe(root))
		return FileConfig{}, c.errs
	}
	c.lines = strings.Split(string(data), "\n")
	c.collectCustom(root)
	c.mapping(root, "", top)
	if len(c.errs) > 0 {
		sort.SliceStable(c.errs, func(i, j int) bool {
			a, b := c.errs[i], c.errs[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		})
		return FileConfig{}, c.errs
	}
	return cfg, nil
}

// field is one config key of a struct: its field index, name and checks.
type field struct {
	index  int
	name   string
	checks map[string]string
}

func fieldsOf(t reflect.Type) []field {
	fields := make([]field, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = field{index: i, name: lint.ConfigKey(f), checks: lint.ConfigChecks(f)}
	}
	return fields
}

// valueChecks vet each string a key holds (each item of a list, each value
// or, for key=, each key of a map), by check term; a message is a problem.
// cel is vetted by vetCEL, which places the problem inside the expression.
var valueChecks = []struct {
	term  string
	check func(c *configDecoder, s string) string
}{
	{"rule", (*configDecoder).checkRuleID},
	{"newrule", (*configDecoder).checkNewRule},
	{"severity", func(_ *configDecoder, s string) string { return checkSeverity(s) }},
	{"glob", func(_ *configDecoder, s string) string { return checkGlob(s) }},
	{"date", func(_ *configDecoder, s string) string { return checkDate(s) }},
	{"kubeversion", func(_ *configDecoder, s string) string { return checkKubeVersion(s) }},
	{"kind", func(_ *configDecoder, s string) string { return lint.CheckKind(s) }},
	{"fieldpath", func(_ *configDecoder, s string) string { return lint.CheckFieldPath(s) }},
	{"identifier", func(_ *configDecoder, s string) string { return lint.CheckIdentifier(s) }},
}

func checkKubeVersion(s string) string {
	if _, err := lint.KubeMinor(s); err != nil {
		return err.Error()
	}
	return ""
}

type configDecoder struct {
	file string
	// lines are the file's lines, to place a problem inside a multi-line
	// CEL expression.
	lines []string
	// customIDs are the rule IDs lint.custom defines: the rest of the
	// config may name them as it names built-in rules.
	customIDs []string
	// cel compiles custom rules' expressions (the newest release's
	// environment: lint.Run compiles them again for params.kubeVersion).
	cel  *celexpr.Env
	errs ConfigErrors
}

func (c *configDecoder) at(line, col int, path, format string, args ...any) {
	c.errs = append(c.errs, ConfigError{File: c.file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *configDecoder) errorf(n *yaml.Node, path, format string, args ...any) {
	c.at(n.Line, n.Column, path, format, args...)
}

// mapping decodes a mapping node into the struct dst.
func (c *configDecoder) mapping(n *yaml.Node, path string, dst reflect.Value) {
	fields := fieldsOf(dst.Type())
	seen := map[string]*yaml.Node{}
	values := map[string]*yaml.Node{}
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
		fi := slices.IndexFunc(fields, func(f field) bool { return f.name == k.Value })
		if fi < 0 {
			c.errorf(k, path, "unknown key %q (known: %s)", k.Value, keyNames(fields))
			continue
		}
		values[k.Value] = v
		c.value(v, join(path, k.Value), dst.Field(fields[fi].index), fields[fi].checks)
	}
	var selectors []string
	for _, f := range fields {
		if _, ok := f.checks["required"]; ok && (seen[f.name] == nil || isNull(values[f.name])) {
			c.errorf(n, path, "%s is required", f.name)
		}
		if _, ok := f.checks["selector"]; ok {
			selectors = append(selectors, f.name)
		}
	}
	if len(selectors) > 0 && !slices.ContainsFunc(selectors, func(name string) bool { return holds(values[name]) }) {
		c.errorf(n, path, "%s", lint.ErrNoSelector.Error())
	}
}

// holds says whether a selector's value selects: not absent or null, and
// not an empty list (an empty selector list selects everything).
func holds(v *yaml.Node) bool {
	return v != nil && !isNull(v) && (v.Kind != yaml.SequenceNode || len(v.Content) > 0)
}

// value decodes v, the value of the key at path, into dst, whose Go type
// says what v must be. Null is "not set".
func (c *configDecoder) value(v *yaml.Node, path string, dst reflect.Value, checks map[string]string) {
	if isNull(v) {
		return
	}
	switch t := dst.Type(); {
	case t.Kind() == reflect.String:
		_, date := checks["date"]
		s, ok := c.str(v, path, date)
		if !ok {
			return
		}
		if s == "" {
			c.errorf(v, path, "must not be empty (leave the key out for the default)")
			return
		}
		c.vet(v, path, checks, s)
		dst.SetString(s)
	case t.Kind() == reflect.Int:
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
			c.errorf(v, path, "expected an integer, got %s", describe(v))
			return
		}
		var n int
		if err := v.Decode(&n); err != nil {
			c.errorf(v, path, "%s is not an integer platformctl can hold", v.Value)
			return
		}
		if arg, ok := checks["min"]; ok {
			if least, err := strconv.Atoi(arg); err != nil {
				panic(fmt.Sprintf("config: %s: check min=%q is not an integer", path, arg)) // a bad tag: a programming error
			} else if n < least {
				c.errorf(v, path, "must be at least %d", least)
				return
			}
		}
		dst.SetInt(int64(n))
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		if v.Kind != yaml.SequenceNode {
			c.errorf(v, path, "expected a list of strings, got %s", describe(v))
			return
		}
		if _, ok := checks["nonempty"]; ok && len(v.Content) == 0 {
			c.errorf(v, path, "must not be empty")
		}
		list := reflect.MakeSlice(t, 0, len(v.Content))
		for i, item := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			item = deref(item)
			if isNull(item) {
				c.errorf(item, p, "expected a string, got null")
				continue
			}
			if s, ok := c.str(item, p, false); ok {
				c.vet(item, p, checks, s)
				list = reflect.Append(list, reflect.ValueOf(s))
			}
		}
		dst.Set(list)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		if v.Kind != yaml.SequenceNode {
			c.errorf(v, path, "expected a list, got %s", describe(v))
			return
		}
		list := reflect.MakeSlice(t, 0, len(v.Content))
		for i, item := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			item = deref(item)
			if item.Kind != yaml.MappingNode {
				c.errorf(item, p, "expected a mapping, got %s", describe(item))
				continue
			}
			elem := reflect.New(t.Elem()).Elem()
			c.mapping(item, p, elem)
			list = reflect.Append(list, elem)
		}
		dst.Set(list)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
		if v.Kind != yaml.MappingNode {
			c.errorf(v, path, "expected a mapping, got %s", describe(v))
			return
		}
		m := reflect.MakeMapWithSize(t, len(v.Content)/2)
		seen := map[string]*yaml.Node{}
		keyChecks := map[string]string{} // key=rule: the keys are vetted as rule IDs
		if term, ok := checks["key"]; ok {
			keyChecks[term] = ""
		}
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
			c.vet(k, p, keyChecks, k.Value)
			if isNull(val) {
				c.errorf(val, p, "expected a string, got null")
				continue
			}
			if s, ok := c.str(val, p, false); ok {
				c.vet(val, p, checks, s)
				m.SetMapIndex(reflect.ValueOf(k.Value), reflect.ValueOf(s))
			}
		}
		dst.Set(m)
	case t.Kind() == reflect.Struct:
		if v.Kind != yaml.MappingNode {
			c.errorf(v, path, "expected a mapping, got %s", describe(v))
			return
		}
		c.mapping(v, path, dst)
	default:
		// A field of a type no config key can hold: a programming error,
		// which TestDecodeConfig's "every key" case reaches.
		panic(fmt.Sprintf("config: %s: no decoder for %s", path, t))
	}
}

// str returns a string scalar's value; a date is also accepted where one
// is expected (YAML reads an unquoted 2027-06-30 as a timestamp).
func (c *configDecoder) str(v *yaml.Node, path string, date bool) (string, bool) {
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

// vet runs the value checks among checks on s.
func (c *configDecoder) vet(n *yaml.Node, path string, checks map[string]string, s string) {
	for _, vc := range valueChecks {
		if _, ok := checks[vc.term]; !ok {
			continue
		}
		if msg := vc.check(c, s); msg != "" {
			c.errorf(n, path, "%s", msg)
		}
	}
	if _, ok := checks["cel"]; ok {
		c.vetCEL(n, path, s)
	}
}

// vetCEL compiles a custom rule's expression (a validation when the key is
// expression of the rule itself, a variable's otherwise) and reports the
// first problem where it is in the file.
func (c *configDecoder) vetCEL(n *yaml.Node, path, expr string) {
	if c.cel == nil {
		env, err := celexpr.NewEnv(lint.NewestKubeMinor)
		if err != nil {
			c.errorf(n, path, "%v", err)
			return
		}
		c.cel = env
	}
	_, p := c.cel.Compile(expr, !strings.Contains(path, ".variables["))
	if p == nil {
		return
	}
	line, col := c.inScalar(n, p.Line, p.Col)
	c.at(line, col, path, "CEL: %s", p.Msg)
}

// inScalar is the file position of line:col of a scalar's value: a plain
// or quoted scalar starts at its node (after the quote), a literal or
// folded block on the next line, at the block's indentation. (Escapes in a
// double-quoted scalar and folded line breaks can shift the column.)
func (c *configDecoder) inScalar(n *yaml.Node, line, col int) (int, int) {
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		fileLine := n.Line + line
		if n.Style&yaml.FoldedStyle != 0 {
			fileLine = n.Line + 1
		}
		indent := 0 // the block's: its first line's
		if n.Line < len(c.lines) {
			text := c.lines[n.Line]
			indent = len(text) - len(strings.TrimLeft(text, " "))
		}
		return fileLine, indent + col
	case line > 1:
		return n.Line + line - 1, col
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		return n.Line, n.Column + col
	}
	return n.Line, n.Column + col - 1
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

// checkRuleID wants a rule of the catalog (platformctl rules) or one the
// file's lint.custom defines.
func (c *configDecoder) checkRuleID(id string) string {
	ids := ruleIDs()
	i := sort.SearchStrings(ids, id)
	if i < len(ids) && ids[i] == id || slices.Contains(c.customIDs, id) {
		return ""
	}
	return fmt.Sprintf("unknown rule %q%s (see platformctl rules)", id, DidYouMean(id, append(ids, c.customIDs...)))
}

// checkNewRule wants the ID of a custom rule: well formed and not built in.
func (c *configDecoder) checkNewRule(id string) string {
	ids := ruleIDs()
	return lint.CheckNewRuleID(id, func(id string) bool {
		i := sort.SearchStrings(ids, id)
		return i < len(ids) && ids[i] == id
	})
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

// collectCustom reads the IDs lint.custom defines before the rest of the
// file is decoded (disable, severity and exclude may name them above it),
// and reports an ID defined twice.
func (c *configDecoder) collectCustom(root *yaml.Node) {
	custom := mappingValue(mappingValue(root, "lint"), "custom")
	if custom == nil || custom.Kind != yaml.SequenceNode {
		return
	}
	first := map[string]int{}
	for i, item := range custom.Content {
		id := mappingValue(deref(item), "id")
		if id == nil || id.Kind != yaml.ScalarNode || id.Value == "" {
			continue
		}
		if line, dup := first[id.Value]; dup {
			c.errorf(id, fmt.Sprintf("lint.custom[%d].id", i), "%q is already defined at line %d", id.Value, line)
			continue
		}
		first[id.Value] = id.Line
		c.customIDs = append(c.customIDs, id.Value)
	}
}

// mappingValue is the value of key in mapping n, aliases followed (nil
// when n is no mapping or has no such key).
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if v := lint.Field(deref(n), key); v != nil {
		return deref(v)
	}
	return nil
}

func keyNames(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
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
