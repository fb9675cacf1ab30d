package generate

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Workload identity: each provider's mutating webhook or node agent reads
// the ServiceAccount's annotations (or a pod label) and projects a
// short-lived token with its own audience into the pod, in a volume of its
// own. None of them needs the API token automount, so it stays off on the
// ServiceAccount and the pod for every provider.

// The annotations, labels and node labels the providers read.
const (
	// AWS IRSA (amazon-eks-pod-identity-webhook): the role, the regional
	// STS switch and the token lifetime; the webhook projects the volume
	// aws-iam-token (audience sts.amazonaws.com) and sets AWS_ROLE_ARN and
	// AWS_WEB_IDENTITY_TOKEN_FILE.
	AnnotationAWSRoleARN         = "eks.amazonaws.com/role-arn"
	AnnotationAWSRegionalSTS     = "eks.amazonaws.com/sts-regional-endpoints"
	AnnotationAWSTokenExpiration = "eks.amazonaws.com/token-expiration"
	// GKE: the Google service account a Kubernetes ServiceAccount
	// impersonates; without it IAM binds the Kubernetes principal directly.
	AnnotationGCPServiceAccount = "iam.gke.io/gcp-service-account"
	// NodeLabelGKEMetadataServer is on every GKE node whose pool runs the
	// GKE metadata server (workload metadata GKE_METADATA): there
	// 169.254.169.254 serves only the pod's own Workload Identity, never
	// the node's service account.
	NodeLabelGKEMetadataServer = "iam.gke.io/gke-metadata-server-enabled"
	// Azure Workload Identity: the pod label its webhook mutates on (it
	// projects azure-identity-token, audience api://AzureADTokenExchange,
	// and sets AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE
	// and AZURE_AUTHORITY_HOST) and the ServiceAccount annotations it reads.
	LabelAzureWorkloadIdentity     = "azure.workload.identity/use"
	AnnotationAzureClientID        = "azure.workload.identity/client-id"
	AnnotationAzureTenantID        = "azure.workload.identity/tenant-id"
	AnnotationAzureTokenExpiration = "azure.workload.identity/service-account-token-expiration"
)

// IdentityEndpoint is a node-local address a provider's pods fetch
// credentials from, opened on their NetworkPolicy only.
type IdentityEndpoint struct {
	CIDR string
	Port int32
}

// IdentityEndpoints are the node-local credential endpoints per provider:
// the EKS Pod Identity agent (169.254.170.23 and fd00:ec2::23, port 80),
// and the GKE metadata server (169.254.169.254 port 80 under Dataplane V2;
// 169.254.169.252 port 988 where Calico enforces policies). aws-irsa and
// azure pods talk to public endpoints instead, through their egress.
var IdentityEndpoints = map[spec.IdentityProvider][]IdentityEndpoint{
	spec.IdentityEKSPodIdentity: {{"169.254.170.23/32", 80}, {"fd00:ec2::23/128", 80}},
	spec.IdentityGCP:            {{"169.254.169.254/32", 80}, {"169.254.169.252/32", 988}},
}

// identityServiceAccount annotates a service's ServiceAccount for its
// provider.
func identityServiceAccount(id *spec.Identity, sa *corev1.ServiceAccount) {
	if id == nil {
		return
	}
	ann := map[string]string{}
	switch id.Provider {
	case spec.IdentityAWSIRSA:
		ann[AnnotationAWSRoleARN] = id.RoleARN
		if id.STSRegionalEndpoints {
			ann[AnnotationAWSRegionalSTS] = "true"
		}
		if id.TokenExpirationSeconds != 0 {
			ann[AnnotationAWSTokenExpiration] = fmt.Sprint(id.TokenExpirationSeconds)
		}
	case spec.IdentityGCP:
		if id.ServiceAccount != "" {
			ann[AnnotationGCPServiceAccount] = id.ServiceAccount
		}
	case spec.IdentityAzure:
		ann[AnnotationAzureClientID] = id.ClientID
		if id.TenantID != "" {
			ann[AnnotationAzureTenantID] = id.TenantID
		}
		if id.TokenExpirationSeconds != 0 {
			ann[AnnotationAzureTokenExpiration] = fmt.Sprint(id.TokenExpirationSeconds)
		}
	}
	if len(ann) > 0 {
		sa.Annotations = ann
	}
}

// identityPod labels and schedules a service's pods for their provider:
// Azure's webhook mutates only pods labelled for it, and a gcp service
// runs only on nodes whose metadata endpoint is the GKE metadata server.
func identityPod(id *spec.Identity, podLabels map[string]string, pod *corev1.PodSpec) {
	if id == nil {
		return
	}
	switch id.Provider {
	case spec.IdentityAzure:
		podLabels[LabelAzureWorkloadIdentity] = "true"
	case spec.IdentityGCP:
		if pod.NodeSelector == nil {
			pod.NodeSelector = map[string]string{}
		}
		pod.NodeSelector[NodeLabelGKEMetadataServer] = "true"
	}
}

// identityEgress opens a service's NetworkPolicy to its provider's
// node-local credential endpoint, one rule per address.
func identityEgress(id *spec.Identity) []networkingv1.NetworkPolicyEgressRule {
	if id == nil {
		return nil
	}
	var out []networkingv1.NetworkPolicyEgressRule
	for _, e := range IdentityEndpoints[id.Provider] {
		out = append(out, networkingv1.NetworkPolicyEgressRule{
			To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: e.CIDR}}},
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(e.Port)},
		})
	}
	return out
}
