package generate

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/spec"
)

// consumers lists the services that use or consume a data store, sorted.
func consumers(p *spec.Platform, ds string) []string {
	var out []string
	for _, svc := range p.Spec.Services {
		uses := svc.Consumes != nil && svc.Consumes.Queue == ds
		for _, u := range svc.Uses {
			uses = uses || u == ds
		}
		if uses {
			out = append(out, svc.Name)
		}
	}
	sort.Strings(out)
	return out
}

// endpointPort returns the port of a managed store's host:port endpoint.
func endpointPort(ds *spec.DataStore) (string, int32) {
	host, port, err := net.SplitHostPort(ds.Endpoint)
	if err != nil {
		return ds.Endpoint, spec.DataPorts[ds.Type]
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return host, spec.DataPorts[ds.Type]
	}
	return host, int32(n)
}

// storesOf lists the data stores svc uses or consumes, sorted, once each.
func storesOf(svc *spec.Service) []string {
	deps := append([]string(nil), svc.Uses...)
	if svc.Consumes != nil {
		deps = append(deps, svc.Consumes.Queue)
	}
	sort.Strings(deps)
	return slices.Compact(deps)
}

// managedEgress allows a consumer to reach a managed store: its cidrs on
// its port. NetworkPolicy cannot match the endpoint's DNS name, so a store
// without cidrs (which validation allows only with network.cni: cilium)
// gets no rule here; its consumers' CiliumNetworkPolicy opens the name
// (see fqdnEgress). The store's own firewall is the second half of the
// control.
func managedEgress(ds *spec.DataStore) []networkingv1.NetworkPolicyEgressRule {
	if len(ds.CIDRs) == 0 {
		return nil
	}
	_, port := endpointPort(ds)
	rule := networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)}}
	for _, cidr := range ds.CIDRs {
		rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
	}
	return []networkingv1.NetworkPolicyEgressRule{rule}
}

// consumerIngress admits a store's consumers, pods of the apps namespace
// named in users, on its port; nothing without consumers.
func consumerIngress(c *Context, users []string, port int32) []networkingv1.NetworkPolicyIngressRule {
	if len(users) == 0 {
		return nil
	}
	return []networkingv1.NetworkPolicyIngressRule{{
		From: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: c.areaSelector("apps"),
			PodSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: LabelName, Operator: metav1.LabelSelectorOpIn, Values: users,
			}}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)},
	}}
}

// dataBindings gives each data store a stable in-cluster name and admits its
// consumers: an ExternalName Service for managed stores, an ingress policy
// from the consuming apps for in-cluster ones.
func dataBindings(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		src := fmt.Sprintf("spec.data[%d]", i)
		if ds.Mode == spec.ModeManaged {
			host, port := endpointPort(ds)
			out = append(out, Object{ID: id("data", "Service", ds.Name), Area: "data", Source: src, Obj: &corev1.Service{
				TypeMeta:   typeService,
				ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(ds.Name, string(ds.Type))},
				Spec: corev1.ServiceSpec{
					Type:         corev1.ServiceTypeExternalName,
					ExternalName: host,
					Ports:        []corev1.ServicePort{{Name: string(ds.Type), Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}},
				},
			}})
			continue
		}
		if c.storeMode(ds) != spec.ModeInCluster {
			continue // cnpgObjects renders its policy
		}
		np := workloadPolicy(c, "data", ds.Name)
		np.Spec.Ingress = append(np.Spec.Ingress, consumerIngress(c, consumers(c.P, ds.Name), spec.DataPorts[ds.Type])...)
		if c.metricsOn() {
			np.Spec.Ingress = append(np.Spec.Ingress, scrapeIngress(c, exporters[ds.Type].port))
		}
		if ds.Backup != nil && spec.BackupSupported(ds.Type) {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
				From:  []networkingv1.NetworkPolicyPeer{namePeer(BackupJob(ds.Name))},
				Ports: []networkingv1.NetworkPolicyPort{tcpPort(spec.DataPorts[ds.Type])},
			})
		}
		out = append(out, Object{ID: id("data", "NetworkPolicy", ds.Name), Area: "data", Source: src, Obj: np})
	}
	return out, nil
}
