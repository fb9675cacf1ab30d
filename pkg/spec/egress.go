package spec

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// InternetExcept are the networks to: internet leaves out of 0.0.0.0/0 and
// ::/0: the private, shared (carrier-grade NAT), loopback and link-local
// ranges, which hold the cluster's own and its cloud's addresses, and with
// them the cloud metadata addresses (169.254.169.254 lies in
// 169.254.0.0/16; AWS's IPv6 one, fd00:ec2::254, in fc00::/7). No entry
// lies inside another (an address listed again inside its range excludes
// nothing more); TestInternetExcept checks that and that every metadata
// address is excluded. In the order a policy lists them.
var InternetExcept = map[string][]string{
	"0.0.0.0/0": {"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"},
	"::/0":      {"fc00::/7", "fe80::/10"},
}

// MetadataHosts are the DNS names of cloud metadata servers: GCP's
// metadata.google.internal resolves to 169.254.169.254, so opening the
// name opens the address.
var MetadataHosts = []string{"metadata.google.internal"}

// MetadataHost returns the metadata host name host (a DNS name, or "*."
// and a domain) matches, or "".
func MetadataHost(host string) string {
	for _, m := range MetadataHosts {
		if HostMatches(host, m) {
			return m
		}
	}
	return ""
}

// HostMatches says whether the egress host pattern (a name, or "*." and a
// domain standing for exactly one more label) matches the DNS name name.
func HostMatches(pattern, name string) bool {
	domain, wild := strings.CutPrefix(pattern, "*.")
	if !wild {
		return pattern == name
	}
	label, rest, ok := strings.Cut(name, ".")
	return ok && label != "" && rest == domain
}

// EgressHostProblem says why h is not an egress host, or returns "".
func EgressHostProblem(h string) string {
	name := strings.TrimPrefix(h, "*.")
	if strings.Contains(name, "*") {
		return "is not a host name or pattern: a * may only lead, as *. and a domain (*.stripe.com)"
	}
	if p := HostnameProblem(name, 2); p != "" {
		return p
	}
	return ""
}

// MetadataAddresses are the cloud metadata endpoints no pod platformctl
// renders may reach: AWS, GCP and Azure's 169.254.169.254 (with the rest of
// IPv4 link-local, where other clouds put theirs) and AWS's fd00:ec2::254.
var MetadataAddresses = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// EgressBlock is one ipBlock an egress entry opens.
type EgressBlock struct {
	CIDR   string
	Except []string
}

// Blocks are the ipBlocks e opens: its CIDR, or for to: internet the
// public IPv4 and IPv6 addresses; none for a host.
func (e *Egress) Blocks() []EgressBlock {
	if e.To == EgressInternet {
		return []EgressBlock{{"0.0.0.0/0", InternetExcept["0.0.0.0/0"]}, {"::/0", InternetExcept["::/0"]}}
	}
	if e.CIDR == "" {
		return nil
	}
	return []EgressBlock{{CIDR: e.CIDR}}
}

// validPrefix says whether s is a CIDR as an ipBlock takes it: an IPv4 or
// IPv6 network address and prefix length, no host bits set.
func validPrefix(s string) bool { return prefixProblem(s) == "" }

func prefixProblem(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "is not a CIDR (an IPv4 or IPv6 network and prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32)"
	}
	if p.Addr().Zone() != "" || p.Addr().Is4In6() {
		return "is not a CIDR (an IPv4 or IPv6 network and prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32)"
	}
	if m := p.Masked(); m != p {
		return "has host bits set; write the network, " + strconv.Quote(m.String())
	}
	return ""
}

// metadataIn returns the metadata network cidr overlaps, or "".
func metadataIn(cidr string) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return ""
	}
	for _, m := range MetadataAddresses {
		if p.Overlaps(m) {
			return m.String()
		}
	}
	return ""
}

// egressValid checks what the field rules of an egress entry cannot see.
func egressValid(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		seen := map[string]int{}
		for j, e := range c.s.Services[i].Egress {
			path := fmt.Sprintf("spec.services[%d].egress[%d]", i, j)
			n := 0
			for _, set := range []bool{e.CIDR != "", e.To != "", e.Host != ""} {
				if set {
					n++
				}
			}
			switch {
			case n > 1:
				report(path, 0)
			case n == 0:
				report(path, 1)
			}
			dest := e.CIDR
			switch {
			case e.To != "":
				dest = "to: " + string(e.To)
			case e.Host != "":
				dest = "host " + e.Host
			}
			if k, dup := seen[dest]; dup && dest != "" {
				report(path, 2, dest, k)
			} else {
				seen[dest] = j
			}
			ports := map[int32]bool{}
			for k, port := range e.Ports {
				if ports[port] {
					report(fmt.Sprintf("%s.ports[%d]", path, k), 3, port)
				}
				ports[port] = true
			}
		}
	}
}

// egressMetadata refuses a CIDR holding a cloud metadata address, and a
// host naming a metadata server.
func egressMetadata(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		for j, e := range c.s.Services[i].Egress {
			path := fmt.Sprintf("spec.services[%d].egress[%d]", i, j)
			if m := metadataIn(e.CIDR); m != "" && validPrefix(e.CIDR) {
				report(path+".cidr", 0, e.CIDR, m)
			}
			if m := MetadataHost(e.Host); m != "" && EgressHostProblem(e.Host) == "" {
				report(path+".host", 1, e.Host, m)
			}
		}
	}
	for i, ds := range c.s.Data {
		for j, cidr := range ds.CIDRs {
			if m := metadataIn(cidr); m != "" && validPrefix(cidr) {
				report(fmt.Sprintf("spec.data[%d].cidrs[%d]", i, j), 2, cidr, m)
			}
		}
	}
}

// egressHostCNI refuses a host name where no policy the CNI reads can
// match one.
func egressHostCNI(c *checkContext, report reportFunc) {
	if c.s.Network.CNI == CNICilium {
		return
	}
	msg := 0
	if c.s.Network.CNI == CNICalico {
		msg = 1
	}
	for i := range c.s.Services {
		for j, e := range c.s.Services[i].Egress {
			if e.Host != "" && e.CIDR == "" && e.To == "" && EgressHostProblem(e.Host) == "" {
				report(fmt.Sprintf("spec.services[%d].egress[%d].host", i, j), msg, e.Host)
			}
		}
	}
}

// managedCIDRs wants a managed store's networks where its host cannot be
// opened by name, and cidrs on managed stores only, each once.
func managedCIDRs(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		path := fmt.Sprintf("spec.data[%d].cidrs", i)
		switch {
		case ds.Mode != ModeManaged && len(ds.CIDRs) > 0:
			report(path, 0)
		case ds.Mode == ModeManaged && len(ds.CIDRs) == 0 && c.s.Network.CNI != CNICilium:
			port := DataPorts[ds.Type]
			if _, p, err := net.SplitHostPort(ds.Endpoint); err == nil {
				if n, err := strconv.Atoi(p); err == nil {
					port = int32(n) //nolint:gosec // a validated port
				}
			}
			report(path, 1, port)
		}
		if dupe := firstDuplicate(ds.CIDRs); dupe != "" {
			report(path, 2, dupe)
		}
	}
}
