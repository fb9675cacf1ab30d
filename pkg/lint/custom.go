package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/celexpr"
)

// CategoryCustom is the category of the rules a config writes in CEL.
const CategoryCustom Category = "custom"

// CustomRule is one entry of lint.custom: a rule written in CEL, the
// language of ValidatingAdmissionPolicy, so that `platformctl policies
// export` can hand the same rule to the API server. Its tags are read by
// the config decoder as Config's are.
type CustomRule struct {
	// ID names the rule in findings, ignores and the rest of the config.
	ID string `mapstructure:"id" check:"required,newrule"`
	// Kinds are the object kinds the rule judges (Deployment, Service …).
	Kinds []string `mapstructure:"kinds" check:"required,nonempty,kind"`
	// Expression is CEL over `object`; true means the object passes.
	Expression string `mapstructure:"expression" check:"required,cel"`
	// Variables are named CEL expressions the expression reads as
	// variables.<name>, evaluated in order, as a policy's spec.variables.
	Variables []CustomVariable `mapstructure:"variables"`
	// Message is the finding's text (and the policy's denial message).
	Message string `mapstructure:"message" check:"required"`
	// Severity defaults to warning.
	Severity string `mapstructure:"severity" check:"severity"`
	// FieldPath is where findings point (spec.template.spec), also the
	// policy validation's fieldPath; default: the object.
	FieldPath   string `mapstructure:"fieldPath" check:"fieldpath"`
	Title       string `mapstructure:"title"`
	Description string `mapstructure:"description"`
	Remediation string `mapstructure:"remediation"`
	// URL is the rule's documentation, linked from SARIF and JSON output.
	URL string `mapstructure:"url"`
}

// CustomVariable is one named expression of a custom rule.
type CustomVariable struct {
	Name       string `mapstructure:"name" check:"required,identifier"`
	Expression string `mapstructure:"expression" check:"required,cel"`
}

// CEL is a rule as ValidatingAdmissionPolicy can state it: custom rules
// are nothing else, and built-in rules carry one where CEL says the same as
// their check (a test holds the two to the same fixtures).
type CEL struct {
	// Kinds are the kinds the policy matches.
	Kinds      []string
	Variables  []CustomVariable
	Expression string
	Message    string
	// FieldPath is the validation's fieldPath ("" for none).
	FieldPath string
}

var (
	ruleIDPattern     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	kindPattern       = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	identifierPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// CheckNewRuleID is the problem with id as the ID of a new rule, or "".
func CheckNewRuleID(id string, builtin func(string) bool) string {
	if !ruleIDPattern.MatchString(id) || len(id) > 63 {
		return fmt.Sprintf("%q is not a rule ID: lower-case words joined by hyphens, at most 63 characters (require-team-label)", id)
	}
	if builtin(id) {
		return fmt.Sprintf("%q is a built-in rule; a custom rule needs its own ID", id)
	}
	return ""
}

// CheckKind is the problem with k as an object kind, or "".
func CheckKind(k string) string {
	if !kindPattern.MatchString(k) {
		return fmt.Sprintf("%q is not an object kind (Deployment, CronJob, Service …: as the object's kind: field writes it)", k)
	}
	return ""
}

// CheckIdentifier is the problem with s as a CEL variable name, or "".
func CheckIdentifier(s string) string {
	if !identifierPattern.MatchString(s) {
		return fmt.Sprintf("%q is not a variable name (letters, digits and _, not starting with a digit)", s)
	}
	return ""
}

// CheckFieldPath is the problem with p as a field path, or "".
func CheckFieldPath(p string) string {
	for rest := p; rest != ""; {
		_, r, ok := nextSegment(rest)
		if !ok || r == rest {
			return fmt.Sprintf("%q is not a field path (spec.template.spec.containers[0], metadata.labels[\"team\"])", p)
		}
		rest = r
	}
	return ""
}

// CELProgram is a compiled CEL rule: its variables, in order, and its
// validation.
type CELProgram struct {
	names     []string
	variables []*celexpr.Program
	check     *celexpr.Program
}

// Compile compiles the rule's variables and expression in env; the error
// names the part that does not compile.
func (c *CEL) Compile(env *celexpr.Env) (*CELProgram, error) {
	p := &CELProgram{}
	for j, v := range c.Variables {
		prg, problem := env.Compile(v.Expression, false)
		if problem != nil {
			return nil, fmt.Errorf("variables[%d].expression: %w", j, problem)
		}
		p.names = append(p.names, v.Name)
		p.variables = append(p.variables, prg)
	}
	prg, problem := env.Compile(c.Expression, true)
	if problem != nil {
		return nil, fmt.Errorf("expression: %w", problem)
	}
	p.check = prg
	return p, nil
}

// Eval judges a JSON-shaped object (NodeValue): whether it passes, and
// when it could not be evaluated, why (failed names the variable whose
// expression failed, "" for the validation itself).
func (p *CELProgram) Eval(obj any) (ok bool, failed string, err error) {
	vars := make(map[string]any, len(p.variables))
	for i, prg := range p.variables {
		v, err := prg.Value(obj, vars)
		if err != nil {
			return false, p.names[i], err
		}
		vars[p.names[i]] = v
	}
	ok, err = p.check.Eval(obj, vars)
	return ok, "", err
}

// compiledCustom is one custom rule with its program.
type compiledCustom struct {
	rule  CustomRule
	kinds []string
	prg   *CELProgram
}

// CustomRules compiles cfg's custom rules for the target Kubernetes
// release of cfg.Params and returns them as rules; builtin are the rules
// they must not clash with. An expression that does not compile is an
// error naming the rule: the CLI's config decode reports it at its
// position first.
func CustomRules(cfg Config, builtin []Rule) ([]Rule, error) {
	if len(cfg.Custom) == 0 {
		return nil, nil
	}
	minor := NewestKubeMinor
	if cfg.Params.KubeVersion != "" {
		m, err := KubeMinor(cfg.Params.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("lint config: params.kubeVersion: %w", err)
		}
		minor = m
	}
	env, err := celexpr.NewEnv(minor)
	if err != nil {
		return nil, err
	}
	isBuiltin := func(id string) bool {
		return slices.ContainsFunc(builtin, func(r Rule) bool { return r.ID == id })
	}
	seen := map[string]bool{}
	out := make([]Rule, 0, len(cfg.Custom))
	for i, c := range cfg.Custom {
		where := fmt.Sprintf("lint config: custom[%d]", i)
		if msg := CheckNewRuleID(c.ID, isBuiltin); msg != "" {
			return nil, fmt.Errorf("%s.id: %s", where, msg)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("%s.id: %q is defined twice", where, c.ID)
		}
		seen[c.ID] = true
		where += " (" + c.ID + ")"
		cc := &compiledCustom{rule: c, kinds: c.Kinds}
		if len(c.Kinds) == 0 {
			return nil, fmt.Errorf("%s: kinds: name at least one kind", where)
		}
		for _, k := range c.Kinds {
			if msg := CheckKind(k); msg != "" {
				return nil, fmt.Errorf("%s: kinds: %s", where, msg)
			}
		}
		if c.Message == "" {
			return nil, fmt.Errorf("%s: message is required", where)
		}
		if msg := CheckFieldPath(c.FieldPath); msg != "" {
			return nil, fmt.Errorf("%s: fieldPath: %s", where, msg)
		}
		sev := Warning
		if c.Severity != "" {
			if sev, err = ParseSeverity(c.Severity); err != nil {
				return nil, fmt.Errorf("%s: severity: %w", where, err)
			}
		}
		for j, v := range c.Variables {
			if msg := CheckIdentifier(v.Name); msg != "" {
				return nil, fmt.Errorf("%s: variables[%d].name: %s", where, j, msg)
			}
		}
		def := &CEL{Kinds: c.Kinds, Variables: c.Variables, Expression: c.Expression, Message: c.Message, FieldPath: c.FieldPath}
		if cc.prg, err = def.Compile(env); err != nil {
			return nil, fmt.Errorf("%s: %w (Kubernetes 1.%d)", where, err, minor)
		}
		title := c.Title
		if title == "" {
			title = c.Message
		}
		out = append(out, Rule{
			ID: c.ID, Title: title, Category: CategoryCustom, Severity: sev,
			Description: c.Description, Remediation: c.Remediation, HelpURI: c.URL,
			CEL:   def,
			Check: cc.run,
		})
	}
	return out, nil
}

// run judges one object.
func (cc *compiledCustom) run(o *Object, c *Context, r *Reporter) {
	if !slices.Contains(cc.kinds, o.Kind) {
		return
	}
	ok, failed, err := cc.prg.Eval(Memo(c.Set, objectValues).of(o))
	switch {
	case err != nil && failed != "":
		r.Report(o, cc.rule.FieldPath, "%s (variables.%s could not be evaluated: %v; a policy with failurePolicy Fail denies such an object too)", cc.rule.Message, failed, err)
	case err != nil:
		r.Report(o, cc.rule.FieldPath, "%s (the expression could not be evaluated: %v; guard optional fields with has(), as a policy with failurePolicy Fail denies such an object too)", cc.rule.Message, err)
	case !ok:
		r.Report(o, cc.rule.FieldPath, "%s", cc.rule.Message)
	}
}

// objectCache holds each object's JSON-shaped value, built once per run
// for however many custom rules read it.
type objectCache struct{ m sync.Map }

var objectValues = NewKey("custom rule objects", func(*Set) *objectCache { return &objectCache{} })

func (oc *objectCache) of(o *Object) any {
	if v, ok := oc.m.Load(o); ok {
		return v
	}
	v, _ := oc.m.LoadOrStore(o, NodeValue(o.Root))
	return v
}

// NodeValue is a decoded tree as the API server sees it after the JSON
// conversion: mappings are map[string]any, sequences []any, and scalars
// (already resolved as sigs.k8s.io/yaml resolves them; see resolveScalar)
// string, bool, int64 (float64 beyond it or with a fraction) or nil.
func NodeValue(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return NodeValue(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = NodeValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = NodeValue(c)
		}
		return l
	case yaml.AliasNode:
		return NodeValue(n.Alias)
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(n.Value, 64)
		return f
	case "!!float":
		f, _ := strconv.ParseFloat(n.Value, 64)
		return f
	}
	return n.Value
}
