package spec

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Regexps the cross-field checks use, from the formats' patterns.
var (
	dnsLabelRE = lazyRegexp(dnsLabelPattern)
	grpcSvcRE  = lazyRegexp(GRPCServicePattern)
	imageRefRE = lazyRegexp(imageRefPattern)
	portRefRE  = lazyRegexp(FormatByTag("portref").Pattern)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// structValidator builds the validator once: registering tags is not free and
// the CLI validates at most a handful of specs per process.
func structValidator() *validator.Validate {
	validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				return ""
			}
			return name
		})
		checks := map[string]func(string, string) bool{"range": validRange}
		for i := range Formats {
			if f := &Formats[i]; !f.Builtin {
				checks[f.Tag] = func(s, _ string) bool { return f.Valid(s) }
			}
		}
		for tag, fn := range checks {
			fn := fn
			if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
				f := fl.Field()
				switch f.Kind() {
				case reflect.String:
					return fn(f.String(), fl.Param())
				case reflect.Int32, reflect.Int64:
					return fn(strconv.FormatInt(f.Int(), 10), fl.Param())
				}
				return false
			}); err != nil {
				panic(fmt.Sprintf("register validation %s: %v", tag, err)) // programming error, not user input
			}
		}
		validate = v
	})
	return validate
}

// hasDotDot says whether a /- or #-separated segment of s is . or ..
func hasDotDot(s string) bool {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '#' }) {
		if part == ".." || part == "." {
			return true
		}
	}
	return false
}

func validQuantity(s string) bool {
	q, err := resource.ParseQuantity(s)
	return err == nil && q.Sign() > 0
}

func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return false
	}
	return net.ParseIP(host) != nil || len(validation.IsDNS1123Subdomain(host)) == 0
}

// CronProblem says why the API server would refuse s as a CronJob schedule,
// or returns "". It parses the schedule with robfig/cron's ParseStandard (as
// k8s.io/kubernetes pkg/apis/batch/validation does, recovering from its
// panics) and refuses TZ= and CRON_TZ= prefixes, which the API server
// allows only on CronJobs that already had them.
func CronProblem(s string) (problem string) {
	if strings.Contains(s, "TZ") {
		return "it refuses a time zone (TZ= or CRON_TZ=) in a new schedule; a cronjob service takes timeZone instead, backup schedules run in UTC"
	}
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprint(r) + cronHint
		}
	}()
	if _, err := cron.ParseStandard(s); err != nil {
		return err.Error() + cronHint
	}
	return ""
}

const cronHint = ` (five fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6; e.g. "0 3 * * *")`

func validURLPath(s string) bool { return FormatByTag("urlpath").Valid(s) }

// DomainProblem says why d cannot be a DNS zone that route host names and
// certificates are built on, or returns "". It is apimachinery's DNS-1123
// subdomain (what Ingress hosts and Gateway hostnames must be), with the
// 63-byte limit on each label that DNS itself adds, at least two labels,
// and a last label that starts with a letter (so no IP address passes).
func DomainProblem(d string) string {
	if d != strings.ToLower(d) || strings.HasSuffix(d, ".") {
		return "must be lower case without a trailing dot (host names in routes and certificates are)"
	}
	return HostnameProblem(d, 2)
}

// HostnameProblem checks a host name built from the spec (or a domain,
// minLabels 2) the way the API server and DNS would.
func HostnameProblem(h string, minLabels int) string {
	if len(h) > validation.DNS1123SubdomainMaxLength {
		return fmt.Sprintf("is %d characters; a host name has at most %d", len(h), validation.DNS1123SubdomainMaxLength)
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if len(l) > validation.DNS1123LabelMaxLength {
			return fmt.Sprintf("has a label of %d characters (%q); DNS allows at most %d", len(l), shortText(l), validation.DNS1123LabelMaxLength)
		}
	}
	if len(validation.IsDNS1123Subdomain(h)) > 0 {
		return "is not a DNS name: lower-case letters, digits and '-' in dot-separated labels, each starting and ending with a letter or digit"
	}
	if len(labels) < minLabels {
		return fmt.Sprintf("needs at least %d dot-separated labels (e.g. shop.example.com)", minLabels)
	}
	if last := labels[len(labels)-1]; last[0] < 'a' || last[0] > 'z' {
		return "must end in a top-level label that starts with a letter (an IP address is not a domain)"
	}
	return ""
}

// GitRepoURLProblem says why s is not a Git URL that Argo CD and Flux
// clone from, or returns "". Accepted: https://host/path,
// ssh://[user@]host[:port]/path and the scp-like user@host:path (Argo CD
// only; see checkGitOps). Plain http:// is refused: the cluster deploys
// whatever the repository serves, and over http anyone on the network path
// can change it. Other schemes (file:, javascript:, git://) are not
// repositories a cluster controller should read.
func GitRepoURLProblem(s string) string {
	if strings.ContainsAny(s, " \t\n\r") {
		return "must not contain spaces"
	}
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		u, err := url.Parse(s)
		switch {
		case err != nil:
			return "is not a URL: " + err.Error()
		case scheme == "http":
			return "uses plain http, which lets anyone on the network path change what the cluster deploys: use https:// or ssh://"
		case u.Scheme != "https" && u.Scheme != "ssh":
			return fmt.Sprintf("has the scheme %q; a Git repository URL is https://host/path, ssh://git@host/path or git@host:path", scheme)
		case u.Hostname() == "" || hostProblem(u.Hostname()) != "":
			return "needs a valid host name after " + scheme + "://"
		case u.Scheme == "https" && u.User != nil:
			return "must not carry credentials: give them to Argo CD or Flux as a repository secret"
		case strings.Trim(u.Path, "/") == "":
			return "needs the repository path after the host (https://host/org/repo)"
		case u.RawQuery != "" || u.Fragment != "":
			return "must not have a query or fragment"
		}
		return ""
	}
	// scp-like: user@host:path, the form git itself reads as ssh.
	userHost, p, ok := strings.Cut(s, ":")
	user, host, hasUser := strings.Cut(userHost, "@")
	if !ok || !hasUser || user == "" || strings.ContainsAny(user, "/@") || hostProblem(host) != "" || strings.Trim(p, "/") == "" {
		return "is not a Git repository URL: use https://host/org/repo, ssh://git@host/org/repo or git@host:org/repo"
	}
	return ""
}

// hostProblem accepts a DNS name or an IP address.
func hostProblem(h string) string {
	if net.ParseIP(h) != nil {
		return ""
	}
	return HostnameProblem(h, 1)
}

// validHTTPSURL accepts an https URL with a host and no credentials: what
// an OIDC issuer is (Sigstore and Kyverno compare it with the token's iss).
func validHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && hostProblem(u.Hostname()) == "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == "" && !strings.ContainsAny(s, " \t\n\r")
}

func validPercent(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f > 0 && f < 100
}

func validDuration(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}

func validRelPath(s string) bool {
	return s != "" && !strings.HasPrefix(s, "/") && !strings.Contains(s, `\`) && path.Clean(s) == s && !hasDotDot(s)
}

func validRange(s, param string) bool {
	lo, hi, ok := parseRange(param)
	v, err := strconv.ParseInt(s, 10, 64)
	return ok && err == nil && v >= lo && v <= hi
}

func parseRange(param string) (int64, int64, bool) {
	a, b, ok := strings.Cut(param, ":")
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	return lo, hi, ok && err1 == nil && err2 == nil
}

// message turns one validator failure into the words a user reads.
func message(fe validator.FieldError) string {
	p := fe.Param()
	value := shorten(fe.Value())
	switch fe.Tag() {
	case "required":
		return "is required"
	case "eq":
		return fmt.Sprintf("must be %q", p)
	case "oneof":
		allowed := strings.Fields(p)
		msg := "must be one of: " + strings.Join(allowed, ", ")
		if s := suggest(fmt.Sprint(fe.Value()), allowed); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s) // --type reddis, protocol: htp
		}
		return msg
	case "min":
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return fmt.Sprintf("must have at least %s item(s)", p)
		}
		return fmt.Sprintf("must be at least %s characters", p)
	case "max":
		if fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map {
			return fmt.Sprintf("must have at most %s item(s)", p)
		}
		return fmt.Sprintf("must be at most %s characters", p)
	case "gte":
		return "must be at least " + p
	case "lte":
		return "must be at most " + p
	case "range":
		lo, hi, _ := parseRange(p)
		return fmt.Sprintf("must be between %d and %d", lo, hi)
	case "fqdn":
		return fmt.Sprintf("%q is not a fully qualified domain name", value)
	case "url":
		return fmt.Sprintf("%q is not a URL", value)
	}
	if f := FormatByTag(fe.Tag()); f != nil {
		s, _ := fe.Value().(string)
		return f.message(s, value)
	}
	return fmt.Sprintf("failed %q validation", fe.Tag())
}

// Validate checks d's spec: field rules first, then the rules that relate
// fields to each other. Every problem is reported, sorted by position.
func Validate(d *Document) error {
	errs := append(ErrorList(nil), d.decodeErrs...)
	broken := map[string]bool{}
	for _, e := range d.decodeErrs {
		broken[e.Path] = true
	}
	addAt := func(pos Pos, path, format string, args ...any) {
		if broken[path] || d.underBadValue(path) {
			return // already reported as a decode error; a second message adds nothing
		}
		errs = append(errs, FieldError{File: d.File, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if err := structValidator().Struct(d.Platform); err != nil {
		var ves validator.ValidationErrors
		if !errors.As(err, &ves) {
			return fmt.Errorf("validate spec: %w", err)
		}
		for _, fe := range ves {
			_, p, _ := strings.Cut(fe.Namespace(), ".")
			pos := d.Pos(p)
			// A rule on a map key (dive,keys,…) fails with the key as its value
			// and the entry as its path; point at the key, not at the value.
			if kp, ok := d.keyPositions[p]; ok && strings.HasSuffix(p, "["+fmt.Sprint(fe.Value())+"]") {
				pos = kp
			}
			if fe.Tag() == "required" && d.underMisspelled(p) {
				continue // the misspelled key is the error, reported there
			}
			addAt(pos, p, "%s", message(fe))
		}
	}
	for _, p := range SortedKeys(d.explicitZero) {
		for _, msg := range explicitZeroErrors(d.explicitZero[p]) {
			addAt(d.Pos(p), p, "%s; remove the key to leave it unset (0 is a value here, not unset)", msg)
		}
	}
	// Cross-field problems with a map entry (an override of an unknown
	// service, a pool that is spot and gpu) are about the entry's name.
	files := d.Files
	if files == nil && d.Dir != "" {
		fsys, closeFS := specDirFS(d.Dir)
		defer closeFS()
		files = fsys
	}
	if d.fromFile == nil {
		d.fromFile = map[*string]bool{}
	}
	checkSemantics(d.Platform, d.Dir, files, d.fromFile, func(path, format string, args ...any) {
		if strings.HasPrefix(format, "is required") && d.underMisspelled(path) {
			return // "is required when …" of a field whose key is misspelled
		}
		pos, ok := d.keyPositions[path]
		if !ok {
			pos = d.Pos(path)
		}
		addAt(pos, path, format, args...)
	})
	if len(errs) > 0 {
		return capErrors(errs.sorted())
	}
	return nil
}

// explicitZeroErrors applies the rules of an optional number field to an
// explicit 0, which the struct validator skips (omitempty).
func explicitZeroErrors(rules string) []string {
	var ves validator.ValidationErrors
	if err := structValidator().Var(0, rules); !errors.As(err, &ves) {
		return nil
	}
	msgs := make([]string, len(ves))
	for i, fe := range ves {
		msgs[i] = message(fe)
	}
	return msgs
}

// capErrors applies maxErrors to the whole sorted list. The decoder caps only
// its own errors; without this, field and cross-field errors after its stop
// notice made "stopping" a lie, and a generated spec could report hundreds of
// thousands of problems. Reporting ends at the decoder's notice or at the
// (maxErrors+1)th problem, whichever comes first, and the notice is last.
func capErrors(l ErrorList) ErrorList {
	for i, e := range l {
		if i == maxErrors || (e.Path == "" && e.Msg == tooManyErrors) {
			return append(l[:i:i], FieldError{File: e.File, Pos: e.Pos, Msg: tooManyErrors})
		}
	}
	return l
}

// LoadAndValidate loads path, validates it and applies defaults: what every
// command that consumes a spec wants.
func LoadAndValidate(path string) (*Document, error) {
	d, err := Load(path)
	if d == nil {
		return nil, err
	}
	if err := Finish(d); err != nil {
		return nil, err
	}
	return d, nil
}

// Finish validates a parsed document and applies defaults to it.
func Finish(d *Document) error {
	if err := Validate(d); err != nil {
		return err
	}
	if paths, _ := componentEntries(d.Platform); len(paths) > 0 && d.Dir == "" {
		var errs ErrorList
		for _, p := range paths {
			errs = append(errs, FieldError{File: d.File, Pos: d.Pos(p), Path: p, Msg: msgCompNoDir})
		}
		return errs
	}
	Default(d.Platform)
	return nil
}

// shorten keeps a quoted value in a message readable: a value pasted by
// mistake can be megabytes long.
func shorten(v any) any {
	if s, ok := v.(string); ok && len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return v
}
