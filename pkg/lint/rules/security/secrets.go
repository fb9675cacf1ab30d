package security

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Secrets in manifests: credentials written into them, and Secrets handed
// to processes through the environment.

func secretRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "env-literal-secret", Title: "Secret written into an environment variable", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "An env var named like a credential (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIALS ...) has a literal value, or a value that looks like a credential whatever its name (AWS access key, private key, JWT, GitHub, Slack, Stripe or Google API token, URL with a password). The credential is then in Git, in every rendered manifest and CI log, and readable by anyone who can get the workload, not only those who can read Secrets.",
			Remediation: "Move the value to a Secret (or an ExternalSecret from the secret manager), rotate it since it has been committed, and mount the Secret as a file; at worst reference it with valueFrom.secretKeyRef.",
			References:  []string{"CIS 5.4.1", nsaGuide, "https://kubernetes.io/docs/concepts/configuration/secret/"},
			Check:       checkEnvLiterals,
		},
		{
			ID: "command-line-secret", Title: "Secret on a container's command line", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A container's command or args carry a credential: a flag such as --password=..., --token ... or --requirepass with a literal value, or a value shaped like a key or token. Besides being in Git and every rendered manifest, a command line is readable by every process of the pod in /proc/<pid>/cmdline, shown by ps, and logged by crash reporters and audit tools.",
			Remediation: "Pass the credential in a mounted Secret file (most tools accept --password-file or read an env var pointing at a file) or, at worst, an env var with valueFrom.secretKeyRef; rotate the credential since it has been committed.",
			References:  []string{"CIS 5.4.1", nsaGuide, "https://kubernetes.io/docs/concepts/configuration/secret/"},
			Check:       checkCommandLine,
		},
		{
			ID: "configmap-secret", Title: "Secret stored in a ConfigMap", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A ConfigMap entry holds what looks like a credential: a private key (PEM, SSH2 or PuTTY, whatever the number of dashes in its header), an AWS access key, an Azure storage account key, shared access key, SAS token or client secret, a Google Cloud service account key, an Alibaba Cloud AccessKey ID, a DigitalOcean token or Spaces key, a JWT, a GitHub, Slack, Stripe or Google token, a URL with a password, or a value under a key named like a password, token, account key or connection string. ConfigMaps are not protected like Secrets: they are readable with broader RBAC, not encrypted at rest, and shown by every tool.",
			Remediation: "Move the entry to a Secret (or an ExternalSecret from the secret manager), rotate the credential since it has been committed, and mount the Secret where the application reads the file.",
			References:  []string{"CIS 5.4.2", nsaGuide, "https://kubernetes.io/docs/concepts/configuration/secret/"},
			Check:       checkConfigMapSecrets,
		},
		{
			ID: "secret-in-env", Title: "Secret exposed through an environment variable", Category: lint.CategorySecurity, Severity: lint.Info,
			Description: "A Secret read into the environment (env[].valueFrom.secretKeyRef or envFrom[].secretRef) is inherited by every child process, printed by crash reporters and debug endpoints that dump the environment, and visible in /proc/<pid>/environ; it also never changes without a restart. A mounted file has none of these problems and is updated in place.",
			Remediation: "Mount the Secret as a volume (secret or projected, readOnly) and have the application read the file, e.g. an env var STRIPE_KEY_FILE=/var/run/secrets/app/stripe-key instead of STRIPE_KEY.",
			References:  []string{"CIS 5.4.1", "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod"},
			CEL:         lint.PodCEL("variables.containers.all(c, c.?env.orValue([]).all(e, !e.?valueFrom.?secretKeyRef.hasValue()) && c.?envFrom.orValue([]).all(e, !e.?secretRef.hasValue()))", "a container reads a Secret into its environment"),
			Check:       checkSecretEnv,
		},
	}
}

// secretWords mark a variable or key name as holding a credential. KEY and
// AUTH alone say too little (CACHE_KEY, AUTH_MODE).
var secretWords = []string{
	"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY", "PRIVATEKEY",
	"CREDENTIAL", "ACCESS_KEY", "ACCESSKEY", "SIGNING_KEY", "ENCRYPTION_KEY", "SESSION_KEY", "MASTER_KEY",
	"AUTH_KEY", "CLIENT_KEY", "DB_PASS", "_PWD", "REQUIREPASS", "MASTERAUTH",
	// Other clouds name their credentials differently from AWS: Azure's
	// storage ACCOUNT_KEY and CONNECTION_STRING (which embeds the key),
	// Service Bus SHARED_ACCESS_KEY, OCI's KEY_CONTENT (the API signing key).
	"ACCOUNT_KEY", "STORAGE_KEY", "CONNECTION_STRING", "CONNECTIONSTRING", "SHARED_ACCESS_KEY", "SHAREDACCESSKEY", "KEY_CONTENT",
}

// notSecretSuffixes mark names that are about a credential without being
// one: where it is, what it is called, how long it lives.
var notSecretSuffixes = []string{
	"_FILE", "_PATH", "_DIR", "_NAME", "_REF", "_URL", "_URI", "_ENDPOINT", "_HOST", "_PORT", "_TTL", "_TIMEOUT",
	"_EXPIRY", "_EXPIRES", "_EXPIRATION", "_LIFETIME", "_DURATION", "_LENGTH", "_SIZE", "_ENABLED", "_DISABLED",
	"_MODE", "_TYPE", "_HEADER", "_ISSUER", "_AUDIENCE", "_ALGORITHM", "_VERSION", "_USER", "_USERNAME", "_KEY_ID",
	"_FORMAT", "_PREFIX", "_FIELD", "_SCOPE", "_SCOPES", "_REGION", "_ID", "_COUNT", "_INTERVAL", "_POLICY",
	"_REQUIRED", "_ROTATION", "_STORE", "_PROVIDER", "_SOURCE", "_KEY_NAME",
	"_ENV", "_VAR", // the value names an environment variable holding the secret
}

// notSecretNames contain a credential word but name no credential: etcd's
// initial-cluster-token only tells clusters apart during bootstrap.
var notSecretNames = map[string]bool{"INITIAL_CLUSTER_TOKEN": true, "ETCD_INITIAL_CLUSTER_TOKEN": true}

func secretName(name string) bool {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	if notSecretNames[n] {
		return false
	}
	for _, s := range notSecretSuffixes {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// The expressions below are compiled on first use, not at start-up:
// compiling them took a millisecond of every run, including the one-file
// pre-commit runs that never look at an env value.
var (
	placeholderRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\$\(.*\)|\$\{.*\}|\{\{.*\}\}|<.*>|\*+|x+|X+|changeme|CHANGEME|redacted|REDACTED|none|null|nil)$`)
	})
	// Values that say something about a secret without being one: flags,
	// numbers and durations, paths, plain URLs, references to a secret store.
	notSecretValueRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i:true|false|yes|no|on|off|enabled|disabled|required|optional|\d+(ms|s|m|h|d)?|[./~].*|[a-z][a-z0-9+.-]*://[^@\s]*|vault:.*|ref\+.*|arn:aws:secretsmanager:.*|projects/[^/]+/secrets/.*|sm://.*|azurekeyvault://.*|op://.*)$`)
	})
)

// A pattern is a credential format recognizable by its shape alone. The
// hint is a cheap substring test that avoids running the expression on
// values that cannot match.
type pattern struct {
	what string
	hint string
	expr string
}

var credentialPatterns = []pattern{
	// PEM writes five dashes; SSH2 (RFC 4716) keys four and spaces, and
	// hand-edited or truncated headers fewer: any run of two or more counts.
	{"a private key", "PRIVATE KEY", `-{2,5} ?BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{2,5}`},
	{"a PuTTY private key", "PuTTY-User-Key-File-", `PuTTY-User-Key-File-\d+:`},
	{"an Azure storage account key", "AccountKey=", `AccountKey=[A-Za-z0-9+/]{20,}={0,2}`},
	{"an Azure shared access key", "SharedAccessKey=", `SharedAccessKey=[A-Za-z0-9+/]{20,}={0,2}`},
	{"an Azure SAS token", "sig=", `[?&]sig=[A-Za-z0-9%+/]{20,}`},
	{"an Azure AD client secret", "Q~", `\b[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`},
	{"a Google Cloud service account key", "service_account", `"type"\s*:\s*"service_account"`},
	{"an Alibaba Cloud AccessKey ID", "LTAI", `\bLTAI[A-Za-z0-9]{12,20}\b`},
	{"a DigitalOcean token", "_v1_", `\bdo[por]_v1_[a-f0-9]{64}\b`},
	{"a DigitalOcean Spaces key", "DO00", `\bDO00[0-9A-Z]{16}\b`},
	{"an AWS access key ID", "A", `\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b`},
	{"a JWT", "eyJ", `\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`},
	{"a GitHub token", "gh", `\bgh[pousr]_[A-Za-z0-9]{36,}\b`},
	{"a GitHub token", "github_pat_", `\bgithub_pat_[A-Za-z0-9_]{40,}\b`},
	{"a GitLab token", "glpat-", `\bglpat-[A-Za-z0-9_-]{20,}`},
	{"a Slack token", "xox", `\bxox[abposr]-[A-Za-z0-9-]{10,}`},
	{"a Stripe live key", "_live_", `\b(?:sk|rk)_live_[A-Za-z0-9]{16,}`},
	{"a Google API key", "AIza", `\bAIza[0-9A-Za-z_-]{35}\b`},
	{"a URL with a password", "@", `\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*:([^\s/@]+)@`},
}

// credentialREs are credentialPatterns' expressions, compiled on first use.
var credentialREs = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(credentialPatterns))
	for i, p := range credentialPatterns {
		out[i] = regexp.MustCompile(p.expr)
	}
	return out
})

// credentialIn returns what kind of credential v looks like, or "".
func credentialIn(v string) string {
	for i, p := range credentialPatterns {
		if !strings.Contains(v, p.hint) {
			continue
		}
		m := credentialREs()[i].FindStringSubmatch(v)
		if m == nil {
			continue
		}
		if len(m) > 1 && placeholderRE().MatchString(m[1]) {
			// postgres://app:$(DB_PASSWORD)@db is a template, not a password.
			continue
		}
		return p.what
	}
	return ""
}

// literalSecret says whether a value under a credential-like name is itself
// a credential rather than a flag, a path or a placeholder.
func literalSecret(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && !placeholderRE().MatchString(v) && !notSecretValueRE().MatchString(v)
}

func checkEnvLiterals(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		for j, e := range lint.Items(lint.Field(c.Node, "env")) {
			vn := lint.Field(e, "value")
			if vn == nil {
				continue
			}
			name, v := lint.Str(lint.Field(e, "name")), lint.Str(vn)
			at := fmt.Sprintf("%s.env[%d].value", c.Path, j)
			// Never echo the value: the finding would leak it into logs.
			if what := credentialIn(v); what != "" {
				r.Report(o, at, "%s sets env %s to what looks like %s", c.Who(), name, what)
				continue
			}
			if secretName(name) && literalSecret(v) {
				r.Report(o, at, "%s sets env %s to a literal value; a credential belongs in a Secret", c.Who(), name)
			}
		}
	}
}

// flagRE is a command-line flag, with its value when attached by "=".
var flagRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^--?([A-Za-z][A-Za-z0-9_.-]*)(?:=(.*))?$`)
})

// literalArg says whether a flag value is a literal credential.
func literalArg(v string) bool {
	v = strings.Trim(v, `"'`)
	return literalSecret(v) && !strings.HasPrefix(v, "$")
}

// commandLineSecrets splits a command line into words (an argument may be a
// whole shell script) and returns the words that carry a credential: a
// credential flag's literal value, or a credential-shaped word. A flag
// that ends the argument takes its value from the next argument, so
// pending names the flag whose value the caller should judge next.
func commandLineSecrets(arg, pendingFlag string) (found, pending string) {
	words := strings.Fields(arg)
	if pendingFlag != "" && len(words) == 1 && literalArg(words[0]) && !strings.HasPrefix(words[0], "-") {
		return "a literal value for --" + pendingFlag, ""
	}
	if what := credentialIn(arg); what != "" {
		return what, ""
	}
	for i, w := range words {
		m := flagRE().FindStringSubmatch(w)
		if m == nil || !secretName(m[1]) {
			continue
		}
		if strings.Contains(w, "=") {
			if literalArg(m[2]) {
				return "a literal value for --" + m[1], ""
			}
			continue
		}
		if i+1 < len(words) {
			if literalArg(words[i+1]) && !strings.HasPrefix(words[i+1], "-") {
				return "a literal value for --" + m[1], ""
			}
			continue
		}
		pending = m[1]
	}
	return "", pending
}

func checkCommandLine(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		pending := ""
		// args follow command on one command line: a flag at the end of
		// command takes its value from args[0].
		for _, field := range []string{"command", "args"} {
			for j, it := range lint.Items(lint.Field(c.Node, field)) {
				var what string
				what, pending = commandLineSecrets(lint.Str(it), pending)
				if what != "" {
					r.Report(o, fmt.Sprintf("%s.%s[%d]", c.Path, field, j), "%s has %s on its command line", c.Who(), what)
				}
			}
		}
	}
}

func checkConfigMapSecrets(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "ConfigMap" || o.Group() != "" {
		return
	}
	lint.Pairs(lint.Field(o.Root, "data"), func(k, v *yaml.Node) {
		val := lint.Str(v)
		at := fmt.Sprintf("data[%q]", k.Value)
		if what := credentialIn(val); what != "" {
			r.Report(o, at, "ConfigMap key %q holds what looks like %s", k.Value, what)
			return
		}
		// Only short single-line values: a config file under a key named
		// secrets.yaml is judged by the patterns above, not by its name.
		if !strings.ContainsRune(val, '\n') && len(val) < 256 && secretName(k.Value) && literalSecret(val) {
			r.Report(o, at, "ConfigMap key %q holds a literal credential; it belongs in a Secret", k.Value)
		}
	})
}

func checkSecretEnv(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	_, cs := o.Containers()
	for i := range cs {
		c := &cs[i]
		for j, e := range lint.Items(lint.Field(c.Node, "env")) {
			ref := lint.Get(e, "valueFrom", "secretKeyRef")
			if ref == nil {
				continue
			}
			r.Report(o, fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", c.Path, j), "%s reads key %q of Secret %q into env %s",
				c.Who(), lint.Str(lint.Field(ref, "key")), lint.Str(lint.Field(ref, "name")), lint.Str(lint.Field(e, "name")))
		}
		for j, e := range lint.Items(lint.Field(c.Node, "envFrom")) {
			ref := lint.Field(e, "secretRef")
			if ref == nil {
				continue
			}
			r.Report(o, fmt.Sprintf("%s.envFrom[%d].secretRef", c.Path, j), "%s reads every key of Secret %q into its environment", c.Who(), lint.Str(lint.Field(ref, "name")))
		}
	}
}
