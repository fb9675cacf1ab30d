// Package celexpr compiles and evaluates the CEL expressions of custom lint
// rules in the language the API server's ValidatingAdmissionPolicies speak,
// so that a rule written once holds in CI (platformctl lint) and at
// admission (platformctl policies export).
//
// The environment is the API server's base environment for a Kubernetes
// minor release, as k8s.io/apiserver/pkg/cel/environment declares it, less
// Kubernetes' own function libraries (quantity, url, ip, cidr, format,
// semver, authz, and the list functions isSorted, sum, min, max, indexOf):
// those live in k8s.io/apiserver, whose initialisers cost platformctl's
// start-up about 4 ms (40 %) on every run, lint or not (measured; see
// docs/performance.md). An expression using one is a compile error that
// names the function, so nothing that compiles here fails to compile on the
// server: what remains is standard CEL and cel-go's extensions, which the
// server enables from the same releases (Options).
package celexpr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// PerCallLimit is the API server's runtime cost limit for one evaluation
// (k8s.io/apiserver/pkg/apis/cel.PerCallLimit): an expression that costs
// more is an evaluation error there, and here.
const PerCallLimit = 1000000

// The variables lint expressions see: the object, as the API server hands
// a ValidatingAdmissionPolicy's validations `object`, and the policy's
// named expressions as variables.<name>. request, oldObject, params,
// namespaceObject and authorizer have no value in a manifest, so they are
// not declared: using one is a compile error.
const (
	Variable  = "object"
	Variables = "variables"
)

// option is one group of environment options and the release that
// introduced it (and, when set, the one that removed it), as the API
// server's base environment declares them.
type option struct {
	introduced, removed int // Kubernetes 1.x minors; removed 0: still there
	opts                []cel.EnvOption
}

// options are the API server's base environment options that cel-go
// itself provides (k8s.io/apiserver/pkg/cel/environment/base.go,
// Kubernetes 1.37): its own libraries are left out, as the package comment
// says why.
var options = []option{
	{introduced: 0, opts: []cel.EnvOption{
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CostEstimatorOptions(checker.PresenceTestHasCost(false)),
	}},
	{introduced: 28, opts: []cel.EnvOption{cel.CrossTypeNumericComparisons(true), cel.OptionalTypes()}},
	{introduced: 29, opts: []cel.EnvOption{cel.ASTValidators(
		cel.ValidateDurationLiterals(),
		cel.ValidateTimestampLiterals(),
		cel.ValidateRegexLiterals(),
		cel.ValidateHomogeneousAggregateLiterals(),
	)}},
	{introduced: 0, removed: 29, opts: []cel.EnvOption{ext.Strings(ext.StringsVersion(0))}},
	{introduced: 29, opts: []cel.EnvOption{ext.Strings(ext.StringsVersion(2))}},
	{introduced: 29, opts: []cel.EnvOption{ext.Sets()}},
	{introduced: 32, opts: []cel.EnvOption{ext.TwoVarComprehensions()}},
	{introduced: 34, opts: []cel.EnvOption{ext.Lists(ext.ListsVersion(3))}},
}

// Env is a compile environment for one Kubernetes minor release.
type Env struct {
	env   *cel.Env
	minor int
}

// NewEnv returns the environment of Kubernetes 1.<minor>.
func NewEnv(minor int) (*Env, error) {
	opts := []cel.EnvOption{cel.Variable(Variable, cel.DynType), cel.Variable(Variables, cel.MapType(cel.StringType, cel.DynType))}
	for _, o := range options {
		if o.introduced <= minor && (o.removed == 0 || minor < o.removed) {
			opts = append(opts, o.opts...)
		}
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("cel environment for Kubernetes 1.%d: %w", minor, err)
	}
	return &Env{env: env, minor: minor}, nil
}

// Problem is a compile error at a place in the expression: Line is 1-based,
// Col the 1-based column in characters (runes).
type Problem struct {
	Line, Col int
	Msg       string
}

func (p *Problem) Error() string { return fmt.Sprintf("%d:%d: %s", p.Line, p.Col, p.Msg) }

// Program is a compiled expression.
type Program struct {
	prg  cel.Program
	Text string
}

// Compile checks expr and returns its program, or the first problem. A
// validation (validation true) must give a bool (true: the object passes),
// as a ValidatingAdmissionPolicy's must; a variable may give anything.
func (e *Env) Compile(expr string, validation bool) (*Program, *Problem) {
	if strings.TrimSpace(expr) == "" {
		return nil, &Problem{Line: 1, Col: 1, Msg: "empty expression"}
	}
	ast, iss := e.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		errs := iss.Errors()
		first := errs[0]
		return nil, &Problem{Line: max(first.Location.Line(), 1), Col: max(first.Location.Column()+1, 1), Msg: explain(first.Message)}
	}
	if out := ast.OutputType(); validation && !out.IsEquivalentType(types.BoolType) && !out.IsEquivalentType(types.DynType) {
		return nil, &Problem{Line: 1, Col: 1, Msg: fmt.Sprintf("the expression gives %s; a validation must give a bool (true: the object passes)", out)}
	}
	prg, err := e.env.Program(ast,
		cel.EvalOptions(cel.OptOptimize, cel.OptTrackCost),
		cel.CostLimit(PerCallLimit),
		cel.CostTrackerOptions(interpreter.PresenceTestHasCost(false)),
		cel.InterruptCheckFrequency(100),
	)
	if err != nil {
		return nil, &Problem{Line: 1, Col: 1, Msg: err.Error()}
	}
	return &Program{prg: prg, Text: expr}, nil
}

// kubernetesFunctions are the functions of Kubernetes' own CEL libraries,
// which the API server has and this environment has not (see the package
// comment): their compile error says so rather than only "undeclared".
var kubernetesFunctions = []string{
	"authorizer", "cidr", "find", "findAll", "format", "indexOf", "ip", "isCIDR", "isIP", "isQuantity",
	"isSemver", "isSorted", "isURL", "lastIndexOf", "quantity", "semver", "sum", "url",
}

// explain adds what a user should know to cel-go's compile messages.
func explain(msg string) string {
	for _, v := range []string{"request", "oldObject", "params", "namespaceObject", "authorizer"} {
		if strings.Contains(msg, "undeclared reference to '"+v+"'") {
			return msg + " (lint rules see `object` only: a manifest has no request, old object, params or namespace)"
		}
	}
	for _, f := range kubernetesFunctions {
		if strings.Contains(msg, "undeclared reference to '"+f+"'") || strings.Contains(msg, "found no matching overload for '"+f+"'") {
			return msg + " (" + f + " is in Kubernetes' own CEL library, which platformctl does not evaluate; standard CEL and the strings, sets, lists and optional extensions are available)"
		}
	}
	return msg
}

// ErrNotBool is an evaluation that gave something else than a bool.
var ErrNotBool = errors.New("the expression did not give a bool")

// Eval runs a validation on the object (JSON-shaped: map[string]any,
// []any, string, bool, int64, float64, nil) with the variables evaluated
// so far, and says whether the object passes. An error (a missing key
// without has(), the cost limit, a type mismatch) is what the API server
// meets too, and denies with failurePolicy Fail.
func (p *Program) Eval(object any, variables map[string]any) (bool, error) {
	out, err := p.eval(object, variables)
	if err != nil {
		return false, err
	}
	return asBool(out)
}

// Value runs a variable's expression and returns its value, for the
// expressions after it.
func (p *Program) Value(object any, variables map[string]any) (any, error) {
	out, err := p.eval(object, variables)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (p *Program) eval(object any, variables map[string]any) (ref.Val, error) {
	if variables == nil {
		variables = map[string]any{}
	}
	out, _, err := p.prg.Eval(map[string]any{Variable: object, Variables: variables})
	return out, err
}

func asBool(v ref.Val) (bool, error) {
	b, ok := v.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%w: it gave %s", ErrNotBool, v.Type().TypeName())
	}
	return bool(b), nil
}

// Quote is s as a CEL string literal.
func Quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// List is vals as a CEL list of string literals, in their order.
func List(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
