package scaffold

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// identityIDKey is the field that holds each provider's one identifier, the
// ID of --identity PROVIDER=ID ("" where the provider has none to give).
var identityIDKey = map[spec.IdentityProvider]string{
	spec.IdentityAWSIRSA:        "roleARN",
	spec.IdentityEKSPodIdentity: "",
	spec.IdentityGCP:            "serviceAccount",
	spec.IdentityAzure:          "clientID",
}

// IdentityFlag is one --identity: the service's identity, or with Env its
// override in that environment.
type IdentityFlag struct {
	Env      string
	Identity *spec.Identity
}

// ParseIdentity reads [ENV:]PROVIDER[=ID]: aws-irsa=ROLE_ARN,
// eks-pod-identity, gcp or gcp=GOOGLE_SERVICE_ACCOUNT, azure=CLIENT_ID.
// The values themselves are checked by validating the edited spec.
func ParseIdentity(s string) (IdentityFlag, error) {
	head, id, hasID := strings.Cut(s, "=")
	env, provider, hasEnv := strings.Cut(head, ":")
	if !hasEnv {
		env, provider = "", head
	}
	p := spec.IdentityProvider(provider)
	key, known := identityIDKey[p]
	switch {
	case hasEnv && env == "":
		return IdentityFlag{}, fmt.Errorf("--identity %q: the environment before ':' is empty", s)
	case !known:
		return IdentityFlag{}, fmt.Errorf("--identity %q: unknown provider %q; want [ENV:]PROVIDER[=ID] with aws-irsa=ROLE_ARN, eks-pod-identity, gcp[=GOOGLE_SERVICE_ACCOUNT] or azure=CLIENT_ID", s, provider)
	case hasID && key == "":
		return IdentityFlag{}, fmt.Errorf("--identity %q: eks-pod-identity takes no ID: the role comes from a pod identity association made in AWS", s)
	case hasID && id == "":
		return IdentityFlag{}, fmt.Errorf("--identity %q: the %s after '=' is empty", s, key)
	}
	out := &spec.Identity{Provider: p}
	switch key {
	case "roleARN":
		out.RoleARN = id
	case "serviceAccount":
		out.ServiceAccount = id
	case "clientID":
		out.ClientID = id
	}
	return IdentityFlag{Env: env, Identity: out}, nil
}

// ParseEgress reads DESTINATION:PORT[,PORT...], where DESTINATION is
// internet, a CIDR (IPv6 ones too: the ports follow the last ':') or, with
// no '/', a host name (api.stripe.com, *.stripe.com).
func ParseEgress(s string) (spec.Egress, error) {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return spec.Egress{}, fmt.Errorf("--egress %q: want internet:PORT[,PORT...], CIDR:PORT[,PORT...] or HOST:PORT[,PORT...]", s)
	}
	dest, ports := s[:i], s[i+1:]
	var e spec.Egress
	switch {
	case dest == string(spec.EgressInternet):
		e.To = spec.EgressInternet
	case strings.Contains(dest, "/"):
		e.CIDR = dest
	default:
		e.Host = dest
	}
	for _, p := range strings.Split(ports, ",") {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil {
			return spec.Egress{}, fmt.Errorf("--egress %q: port %q is not a number", s, p)
		}
		e.Ports = append(e.Ports, int32(n))
	}
	return e, nil
}

// identityValue is id as the spec writes it, keys in the order of docs/spec.md.
func identityValue(id *spec.Identity) object {
	o := object{{"provider", str(string(id.Provider))}}
	for _, f := range []struct{ key, val string }{{"roleARN", id.RoleARN}, {"serviceAccount", id.ServiceAccount}, {"clientID", id.ClientID}} {
		if f.val != "" {
			o = append(o, field{f.key, str(f.val)})
		}
	}
	return o
}

func egressValue(es []spec.Egress) seq {
	out := make(seq, len(es))
	for i, e := range es {
		var o object
		switch {
		case e.To != "":
			o = append(o, field{"to", str(string(e.To))})
		case e.Host != "":
			o = append(o, field{"host", str(e.Host)})
		default:
			o = append(o, field{"cidr", str(e.CIDR)})
		}
		ports := make(list, len(e.Ports))
		for j, p := range e.Ports {
			ports[j] = num(p)
		}
		out[i] = append(o, field{"ports", ports})
	}
	return out
}
