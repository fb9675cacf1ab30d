package spec

import (
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/textdist"
)

func TestSuggest(t *testing.T) {
	services := []string{"name", "kind", "image", "port", "metricsPort", "replicas", "autoscale"}
	tests := []struct {
		in         string
		candidates []string
		want       string
	}{
		{"imgae", services, "image"},
		{"prot", services, "port"},
		// Case differences are always a typo, however far apart by edit distance.
		{"Port", services, "port"},
		{"METRICSPORT", services, "metricsPort"},
		{"enviroments", []string{"domain", "environments", "edge"}, "environments"},
		// Longer words tolerate three edits, short ones only two.
		{"autoscxyz", services, "autoscale"}, // 9 letters, 3 edits
		{"imxyz", services, ""},              // 5 letters, 3 edits
		{"owner", services, ""},
		{"", services, ""},
		{"web", nil, ""},
		// Equal distance: the alphabetically first wins, so output is stable.
		{"cat", []string{"cut", "bat"}, "bat"},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, tt.candidates); got != tt.want {
			t.Errorf("suggest(%q, %v) = %q, want %q", tt.in, tt.candidates, got, tt.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"same", "same", 0},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"imgae", "image", 2}, // a transposition is two edits, not one
		{"port", "Port", 1},   // case-sensitive: suggest lowers both sides itself
	}
	for _, tt := range tests {
		if got := textdist.Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := textdist.Levenshtein(tt.b, tt.a); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestValidHostPort(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"jobs.mq.example.internal:5671", true},
		{"db:5432", true},
		{"10.0.0.7:5432", true},
		{"[2001:db8::1]:5432", true},
		{"db:1", true},
		{"db:65535", true},
		{"db", false},
		{"db:", false},
		{":5432", false},
		{"db:0", false},
		{"db:65536", false},
		{"db:http", false},
		{"Bad_Host:80", false},
		{"-db:80", false},
		{"2001:db8::1:5432", false}, // an IPv6 host needs brackets
		{"db:5432/path", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := validHostPort(tt.in); got != tt.want {
			t.Errorf("validHostPort(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidCron(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0 3 * * *", true},
		{"*/15 * * * *", true},
		{"0 3 * * MON-FRI", true},
		{"0 0 1,15 * ?", true},
		{"  0   3 * * *  ", true}, // fields are split on any run of spaces
		{"@daily", true},
		{"@midnight", true},
		{"@hourly", true},
		// The API server parses schedules with robfig/cron's ParseStandard
		// (k8s.io/kubernetes pkg/apis/batch/validation) and its CronJob
		// controller runs @every schedules.
		{"@every 1h", true},
		{"@every 1fortnight", false},
		{"0 3 * * sun", true},
		{"0 3 1 jan-mar *", true},
		{"61 25 32 13 8", false}, // every field out of range
		{"59 23 31 12 6", true},
		{"0 24 * * *", false},
		{"0 0 0 * *", false}, // days count from 1
		{"0 0 * 0 *", false},
		{"0 0 * * 8", false},
		{"*/0 * * * *", false}, // a zero step panics inside robfig/cron
		{"5-1 * * * *", false},
		{"a b c d e", false},
		{"TZ=Europe/Berlin 0 3 * * *", false}, // the API server refuses a time zone in new schedules
		{"CRON_TZ=UTC 0 3 * * *", false},
		{"@reboot", false},
		{"@", false},
		{"0 3 * *", false},
		{"0 3 * * * *", false}, // seconds field
		{"0 3 * * $", false},
		{"every day at 3", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := (CronProblem(tt.in) == ""); got != tt.want {
			t.Errorf("CronProblem(%q) == \"\" is %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidRelPath(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"deploy", true},
		{"deploy/production", true},
		{"a.b/c-d_e", true},
		{"", false},
		{".", false},
		{"/deploy", false},
		{"../deploy", false},
		{"deploy/../../etc", false},
		{"deploy/..", false},
		{"./deploy", false},
		{"deploy/", false},
		{"deploy//prod", false},
		{`deploy\prod`, false},
		{`..\deploy`, false},
	}
	for _, tt := range tests {
		if got := validRelPath(tt.in); got != tt.want {
			t.Errorf("validRelPath(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// digest is a well-formed sha256 digest for image reference tests.
var digest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

func TestImageRef(t *testing.T) {
	v := structValidator()
	tests := []struct {
		ref  string
		want bool
	}{
		{"nginx:1.27", true},
		{"nginx", true}, // valid syntax; the missing tag is a semantic error
		{"ghcr.io/acme/web:1.4.2", true},
		{"docker.io/library/nginx:1.27-alpine", true},
		{"registry.internal:5000/acme/api:1.0.0", true},
		{"localhost:5000/api:v1", true},
		{"REGISTRY.example.com/acme/web:1", true}, // hosts are case-insensitive
		{"ghcr.io/acme/web@" + digest, true},
		{"ghcr.io/acme/web:1.4.2@" + digest, true},
		{"registry.internal:5000/acme/api@" + digest, true},
		{"acme/web_app__x:1", true},
		{"acme/web--x:1", true},
		{"web:" + strings.Repeat("t", 128), true},
		{"", false},
		{"ghcr.io/Acme/web:1", false},
		{"ghcr.io/acme/web:", false},
		{"ghcr.io/acme/web:-1", false},
		{"web:" + strings.Repeat("t", 129), false},
		{"https://ghcr.io/acme/web:1", false},
		{"ghcr.io/acme/web@sha256:abc123", false},
		{"ghcr.io/acme/web@sha512:" + strings.Repeat("0", 128), false},
		{"ghcr.io/acme/web@" + strings.ToUpper(digest), false},
		{":1.0", false},
		{"ghcr.io//web:1", false},
		{"ghcr.io/acme/web:1 ", false},
		{"registry:port/acme/web:1", false},
		{"a/" + strings.Repeat("b", 520) + ":1", false}, // over the 512 limit
	}
	for _, tt := range tests {
		err := v.Var(tt.ref, "imageref")
		if got := err == nil; got != tt.want {
			t.Errorf("imageref %q valid = %v, want %v (err %v)", tt.ref, got, tt.want, err)
		}
	}
}

func TestValidatorRules(t *testing.T) {
	v := structValidator()
	tests := []struct {
		tag  string
		in   string
		want bool
	}{
		{"quantity", "250m", true},
		{"quantity", "20Gi", true},
		{"quantity", "1", true},
		{"quantity", "0", false},
		{"quantity", "-1Gi", false},
		{"quantity", "16MB", false},
		{"urlpath", "/", true},
		{"urlpath", "/orders.v1", true},
		{"urlpath", "/api/v1/", true},
		{"urlpath", "api", false},
		{"urlpath", "/a/../b", false},
		{"urlpath", "/a/./b", false},
		{"urlpath", "/a b", false},
		{"urlpath", "/..", false},
		// What the Gateway API CRD's CEL rules refuse on a PathPrefix.
		{"urlpath", "//x", false},
		{"urlpath", "/a//b", false},
		{"urlpath", "/%zz", false},
		{"urlpath", "/a%2", false},
		{"urlpath", "/a%2Fb", false},
		{"urlpath", "/a%2fb", false},
		{"urlpath", "/a%20b", true},
		{"urlpath", "/a#b", false},
		{"urlpath", "/a?b", false},
		{"urlpath", "/" + strings.Repeat("a", 1023), true},
		{"urlpath", "/" + strings.Repeat("a", 1024), false},
		{"labelvalue", "", true},
		{"labelvalue", "gpu", true},
		{"labelvalue", "a_b.c-d", true},
		{"labelvalue", strings.Repeat("a", 63), true},
		{"labelvalue", strings.Repeat("a", 64), false},
		{"labelvalue", "-a", false},
		{"labelvalue", "a b", false},
		{"labelvalue", "a/b", false},
		{"domain", "shop.example.com", true},
		{"domain", "hello.example-", false},
		{"domain", "-hello.example.com", false},
		{"domain", "Shop.example.com", false},
		{"domain", "shop.example.com.", false},
		{"domain", "shop", false},
		{"domain", "1.2.3.4", false},
		{"domain", strings.Repeat("a", 64) + ".example.com", false},
		{"domain", strings.Repeat("a", 63) + ".example.com", true},
		{"domain", strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com", false}, // 256 characters
		{"domain", "shop_1.example.com", false},
		{"gitrepourl", "https://github.com/acme/deploy", true},
		{"gitrepourl", "https://github.com/acme/deploy.git", true},
		{"gitrepourl", "ssh://git@github.com/acme/deploy.git", true},
		{"gitrepourl", "ssh://git@gitlab.example.com:2222/acme/deploy.git", true},
		{"gitrepourl", "git@github.com:acme/deploy.git", true},
		{"gitrepourl", "http://github.com/acme/deploy", false},
		{"gitrepourl", "javascript:alert(1)", false},
		{"gitrepourl", "file:///etc/passwd", false},
		{"gitrepourl", "git://github.com/acme/deploy", false},
		{"gitrepourl", "https://github.com", false},
		{"gitrepourl", "https://user:token@github.com/acme/deploy", false},
		{"gitrepourl", "https://github.com/acme/deploy?ref=main", false},
		{"gitrepourl", "https://exa mple.com/a", false},
		{"gitrepourl", "https://-bad.example.com/a", false},
		{"gitrepourl", "github.com:acme/deploy", false},
		{"gitrepourl", "git@github.com:", false},
		{"httpsurl", "https://token.actions.githubusercontent.com", true},
		{"httpsurl", "https://accounts.google.com", true},
		{"httpsurl", "http://token.actions.githubusercontent.com", false},
		{"httpsurl", "javascript:alert(1)", false},
		{"httpsurl", "https://", false},
		{"secretref", "payments/stripe-api-key", true},
		{"secretref", "db/creds#password", true},
		{"secretref", "../etc/passwd", false},
		{"secretref", "db/#password", false},
		{"secretref", "db/creds#..", false},
		{"envname", "LOG_LEVEL", true},
		{"envname", "_x", true},
		{"envname", "1TOKEN", false},
		{"envname", "LOG-LEVEL", false},
		{"dnslabel", "web", true},
		{"dnslabel", "web-2", true},
		{"dnslabel", "a" + strings.Repeat("b", 62), true},
		{"dnslabel", "a" + strings.Repeat("b", 63), false},
		{"dnslabel", "2web", false}, // must start with a letter
		{"dnslabel", "web-", false},
		{"dnslabel", "Web", false},
		{"dnslabel", "web_2", false},
		{"dnslabel", "../x", false},
		{"dnslabel", "a/b", false},
		{"percent", "99.9", true},
		{"percent", "100", false},
		{"percent", "0", false},
		{"duration", "300ms", true},
		{"duration", "1d", false},
		{"duration", "0s", false},
	}
	for _, tt := range tests {
		err := v.Var(tt.in, tt.tag)
		if got := err == nil; got != tt.want {
			t.Errorf("%s %q valid = %v, want %v", tt.tag, tt.in, got, tt.want)
		}
	}
}
