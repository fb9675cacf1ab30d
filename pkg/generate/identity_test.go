package generate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/platformctl/platformctl/pkg/generate"
)

const identitySpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domain: shop.example.com
  environments:
    - name: dev
      tier: development
    - name: production
      tier: production
      zones: [a, b]
      overrides:
        services:
          irsa:
            identity: {provider: aws-irsa, roleARN: "arn:aws:iam::111122223333:role/prod-irsa"}
          none:
            identity: {provider: azure, clientID: 8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a}
  services:
    - name: irsa
      image: ghcr.io/acme/irsa:1.0.0@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      egress: [{to: internet, ports: [443]}]
      identity: {provider: aws-irsa, roleARN: "arn:aws-cn:iam::444455556666:role/team/irsa", stsRegionalEndpoints: true, tokenExpirationSeconds: 3600}
    - name: podid
      image: ghcr.io/acme/podid:1.0.0@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      identity: {provider: eks-pod-identity}
    - name: gke
      image: ghcr.io/acme/gke:1.0.0@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      identity: {provider: gcp, serviceAccount: gke-reader@shop-prod.iam.gserviceaccount.com}
    - name: azure
      image: ghcr.io/acme/azure:1.0.0@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      egress: [{to: internet, ports: [443]}]
      identity: {provider: azure, clientID: 8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a, tenantID: 72f988bf-86f1-41af-91ab-2d7cd011db47}
    - name: none
      image: ghcr.io/acme/none:1.0.0@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      egress: [{to: internet, ports: [443]}]
`

func identityObjects(t *testing.T, env string) map[string]generate.Object {
	t.Helper()
	return sourceObjects(t, identitySpec, env)
}

// identityEgressCIDRs are the single-address ipBlocks of a policy, with
// their ports: the credential endpoints identity opens.
func identityEgressCIDRs(np *networkingv1.NetworkPolicy) map[string]int32 {
	out := map[string]int32{}
	for _, r := range np.Spec.Egress {
		for _, to := range r.To {
			if to.IPBlock != nil && len(to.IPBlock.Except) == 0 && len(r.Ports) == 1 {
				out[to.IPBlock.CIDR] = r.Ports[0].Port.IntVal
			}
		}
	}
	return out
}

func TestIdentity(t *testing.T) {
	objs := identityObjects(t, "dev")
	sa := func(name string) *corev1.ServiceAccount {
		return objs["apps/ServiceAccount/"+name].Obj.(*corev1.ServiceAccount)
	}
	dep := func(name string) *appsv1.Deployment {
		return objs["apps/Deployment/"+name].Obj.(*appsv1.Deployment)
	}
	pol := func(name string) *networkingv1.NetworkPolicy {
		return objs["apps/NetworkPolicy/"+name].Obj.(*networkingv1.NetworkPolicy)
	}
	for _, name := range []string{"irsa", "podid", "gke", "azure", "none"} {
		assert.Equal(t, false, *sa(name).AutomountServiceAccountToken, "%s: the ServiceAccount keeps automount off", name)
		assert.Equal(t, false, *dep(name).Spec.Template.Spec.AutomountServiceAccountToken, "%s: the pod keeps automount off", name)
	}

	assert.Equal(t, map[string]string{
		generate.AnnotationAWSRoleARN:         "arn:aws-cn:iam::444455556666:role/team/irsa",
		generate.AnnotationAWSRegionalSTS:     "true",
		generate.AnnotationAWSTokenExpiration: "3600",
	}, sa("irsa").Annotations)
	assert.Empty(t, identityEgressCIDRs(pol("irsa")), "IRSA talks to STS through the service's egress, nothing node-local")

	assert.Empty(t, sa("podid").Annotations, "EKS Pod Identity is associated in AWS")
	assert.Equal(t, map[string]int32{"169.254.170.23/32": 80, "fd00:ec2::23/128": 80}, identityEgressCIDRs(pol("podid")))

	assert.Equal(t, map[string]string{generate.AnnotationGCPServiceAccount: "gke-reader@shop-prod.iam.gserviceaccount.com"}, sa("gke").Annotations)
	assert.Equal(t, "true", dep("gke").Spec.Template.Spec.NodeSelector[generate.NodeLabelGKEMetadataServer])
	assert.Equal(t, map[string]int32{"169.254.169.254/32": 80, "169.254.169.252/32": 988}, identityEgressCIDRs(pol("gke")))

	assert.Equal(t, map[string]string{
		generate.AnnotationAzureClientID: "8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a",
		generate.AnnotationAzureTenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
	}, sa("azure").Annotations)
	assert.Equal(t, "true", dep("azure").Spec.Template.Labels[generate.LabelAzureWorkloadIdentity])
	assert.Empty(t, identityEgressCIDRs(pol("azure")))

	assert.Empty(t, sa("none").Annotations)
	assert.NotContains(t, dep("none").Spec.Template.Labels, generate.LabelAzureWorkloadIdentity)
}

// TestIdentityOverride: an environment's identity replaces the service's
// whole, and gives one to a service that has none elsewhere.
func TestIdentityOverride(t *testing.T) {
	prod := identityObjects(t, "production")
	assert.Equal(t, map[string]string{generate.AnnotationAWSRoleARN: "arn:aws:iam::111122223333:role/prod-irsa"},
		prod["apps/ServiceAccount/irsa"].Obj.(*corev1.ServiceAccount).Annotations, "no regional STS or lifetime carried over")
	assert.Equal(t, "true", prod["apps/Deployment/none"].Obj.(*appsv1.Deployment).Spec.Template.Labels[generate.LabelAzureWorkloadIdentity])
	base := identityObjects(t, "")
	assert.Empty(t, base["apps/ServiceAccount/none"].Obj.(*corev1.ServiceAccount).Annotations)
}
