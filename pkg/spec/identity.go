package spec

import (
	"fmt"
	"regexp"
	"strings"
)

// Workload identity: what each provider's webhook or agent needs from the
// manifests, declared once here for the validator, the generator and the
// docs.

// iamRoleARNPattern is an IAM role ARN in one of the partitions EKS runs in.
const iamRoleARNPattern = `^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$`

var iamRoleARNRE = regexp.MustCompile(iamRoleARNPattern)

// IAMRoleARNProblem says what is wrong with an IAM role ARN, or "" when
// there is nothing.
func IAMRoleARNProblem(s string) string {
	f := strings.SplitN(s, ":", 6)
	switch {
	case iamRoleARNRE.MatchString(s) && len(s) <= 2048:
		return ""
	case len(f) < 6 || f[0] != "arn":
		return "is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
	case f[1] != "aws" && f[1] != "aws-cn" && f[1] != "aws-us-gov":
		return fmt.Sprintf("has the partition %q; an IAM role ARN's partition is aws, aws-cn or aws-us-gov", f[1])
	case f[2] != "iam" || f[3] != "":
		return "is not an IAM ARN: write arn:<partition>:iam::<account>:role/<name> (IAM ARNs have no region)"
	case !regexp.MustCompile(`^[0-9]{12}$`).MatchString(f[4]):
		return fmt.Sprintf("has the account %q; an AWS account ID is 12 digits", f[4])
	case !strings.HasPrefix(f[5], "role/"):
		return "names no role: an IRSA role ARN ends in :role/<name> (not a user, policy or instance profile)"
	}
	return "has an invalid role name or path: at most 64 letters, digits and +=,.@_- per name, / between path segments"
}

// IdentityIn is svc's identity in env: the environment's override when it
// sets one, else the service's own; nil when the service has none there.
// A nil env is the base.
func IdentityIn(svc *Service, env *Environment) *Identity {
	if env != nil {
		if o, ok := env.Overrides.Services[svc.Name]; ok && o.Identity != nil {
			return o.Identity
		}
	}
	return svc.Identity
}

// ExchangesFromPod says whether the pod itself sends its projected token
// to the provider over HTTPS (aws-irsa to STS, azure to Entra ID), which a
// NetworkPolicy must allow as egress on 443; eks-pod-identity and gcp hand
// the token to a node-local agent instead.
func (p IdentityProvider) ExchangesFromPod() bool {
	return p == IdentityAWSIRSA || p == IdentityAzure
}

// TokenEndpoint is where a provider that exchanges from the pod sends the
// token, for messages and docs.
func (p IdentityProvider) TokenEndpoint() string {
	switch p {
	case IdentityAWSIRSA:
		return "AWS STS (sts.amazonaws.com or sts.<region>.amazonaws.com)"
	case IdentityAzure:
		return "Microsoft Entra ID (login.microsoftonline.com)"
	}
	return ""
}

// identityField is one field of Identity, the providers that read it and
// whether one of them requires it.
type identityField struct {
	yaml      string
	set       func(*Identity) bool
	providers []IdentityProvider
	required  bool
}

var identityFields = []identityField{
	{"roleARN", func(i *Identity) bool { return i.RoleARN != "" }, []IdentityProvider{IdentityAWSIRSA}, true},
	{"stsRegionalEndpoints", func(i *Identity) bool { return i.STSRegionalEndpoints }, []IdentityProvider{IdentityAWSIRSA}, false},
	{"tokenExpirationSeconds", func(i *Identity) bool { return i.TokenExpirationSeconds != 0 }, []IdentityProvider{IdentityAWSIRSA, IdentityAzure}, false},
	{"serviceAccount", func(i *Identity) bool { return i.ServiceAccount != "" }, []IdentityProvider{IdentityGCP}, false},
	{"clientID", func(i *Identity) bool { return i.ClientID != "" }, []IdentityProvider{IdentityAzure}, true},
	{"tenantID", func(i *Identity) bool { return i.TenantID != "" }, []IdentityProvider{IdentityAzure}, false},
}

// identities calls fn for every identity of the spec, the services' and
// the overrides', with its path and service.
func (c *checkContext) identities(fn func(path string, svc *Service, id *Identity)) {
	byName := map[string]*Service{}
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		byName[svc.Name] = svc
		if svc.Identity != nil {
			fn(fmt.Sprintf("spec.services[%d].identity", i), svc, svc.Identity)
		}
	}
	c.overrides(func(path string, _ *Environment, o ServiceOverride) {
		if o.Identity != nil {
			name := strings.TrimSuffix(path[strings.LastIndex(path, "[")+1:], "]")
			fn(path+".identity", byName[name], o.Identity)
		}
	})
	// The backup storages' identities belong to no service: their egress
	// is the storage's cidrs.
	c.backupStorages(func(path string, b *BackupStorage) {
		if b.Identity != nil {
			fn(path+".identity", nil, b.Identity)
		}
	})
}

func knownProvider(p IdentityProvider) bool {
	switch p {
	case IdentityAWSIRSA, IdentityEKSPodIdentity, IdentityGCP, IdentityAzure:
		return true
	}
	return false
}

// identityFieldsValid reports a field its provider does not read and a
// required field left out.
func identityFieldsValid(c *checkContext, report reportFunc) {
	c.identities(func(path string, _ *Service, id *Identity) {
		if !knownProvider(id.Provider) {
			return // the oneof reports it
		}
		for _, f := range identityFields {
			reads := false
			for _, p := range f.providers {
				reads = reads || p == id.Provider
			}
			switch {
			case f.set(id) && !reads && id.Provider == IdentityEKSPodIdentity && f.yaml == "roleARN":
				report(path+"."+f.yaml, 2)
			case f.set(id) && !reads:
				report(path+"."+f.yaml, 0, f.yaml, joinProviders(f.providers), id.Provider)
			case !f.set(id) && reads && f.required:
				report(path, 1, f.yaml, id.Provider)
			}
		}
	})
}

func joinProviders(ps []IdentityProvider) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return joinOr(s)
}

// identityEgress requires, of a provider whose pods send their token to
// the provider themselves, an egress entry on port 443.
func identityEgress(c *checkContext, report reportFunc) {
	c.identities(func(path string, svc *Service, id *Identity) {
		if svc == nil || !id.Provider.ExchangesFromPod() {
			return
		}
		for _, e := range svc.Egress {
			for _, port := range e.Ports {
				if port == 443 {
					return
				}
			}
		}
		report(path+".provider", 0, id.Provider, id.Provider.TokenEndpoint())
	})
}

// identityRules are the cross-field rules of identities (rules.go lists
// them with the others).
func identityRules() []Rule {
	const (
		svc = "spec.services[*].identity"
		ovr = "spec.environments[*].overrides.services[<name>].identity"
	)
	var at []string
	for _, base := range []string{svc, ovr, "spec.backupStorage.identity", "spec.environments[*].backupStorage.identity"} {
		at = append(at, base)
		for _, f := range identityFields {
			at = append(at, base+"."+f.yaml)
		}
	}
	return []Rule{
		{
			At:  at,
			Doc: "An identity sets only the fields of its provider, and the ones it needs: `aws-irsa` needs `roleARN` and may set `stsRegionalEndpoints` and `tokenExpirationSeconds`; `eks-pod-identity` sets none (the role is associated in AWS); `gcp` may set `serviceAccount`; `azure` needs `clientID` and may set `tenantID` and `tokenExpirationSeconds`.",
			Msgs: []string{
				"%s is read by provider %s only; provider %s would ignore it: remove it or change the provider",
				"%s is required with provider %s",
				"EKS Pod Identity takes the role from a pod identity association made in AWS (aws eks create-pod-identity-association with this namespace and service account), not from the cluster: remove roleARN, or use provider aws-irsa to name the role in the ServiceAccount",
			},
			check:  identityFieldsValid,
			Schema: whySibling,
		},
		{
			At:  []string{svc + ".provider", ovr + ".provider"},
			Doc: "With `aws-irsa` or `azure` the pod itself exchanges its token over HTTPS (at AWS STS, at Microsoft Entra ID), so the service's `egress` opens port 443 somewhere: `to: internet`, or the CIDR of a private endpoint. A NetworkPolicy cannot name the endpoint's host, and platformctl does not open the internet on its own.",
			Msgs: []string{
				"provider %s has the pod exchange its token at %s over HTTPS, which this service's NetworkPolicy blocks: add egress: [{to: internet, ports: [443]}] to the service, or the CIDR of a private endpoint with port 443",
			},
			check:  identityEgress,
			Schema: "depends on another field of the service (its egress ports)",
		},
	}
}
