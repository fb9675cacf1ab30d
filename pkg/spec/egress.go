package spec

import (
	"fmt"
	"net/netip"
	"strconv"
)

// InternetExcept are the networks to: internet leaves out of 0.0.0.0/0 and
// ::/0: the private, shared (carrier-grade NAT), loopback and link-local
// ranges, which hold the cluster's own and its cloud's addresses, and the
// cloud metadata addresses (169.254.169.254 lies in 169.254.0.0/16; AWS's
// IPv6 one, fd00:ec2::254, in fc00::/7, and is listed on its own as well so
// the policy says it). In the order a policy lists them.
var InternetExcept = map[string][]string{
	"0.0.0.0/0": {"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "169.254.169.254/32", "172.16.0.0/12", "192.168.0.0/16"},
	"::/0":      {"fc00::/7", "fd00:ec2::254/128", "fe80::/10"},
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
// public IPv4 and IPv6 addresses.
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
			switch {
			case e.CIDR != "" && e.To != "":
				report(path, 0)
			case e.CIDR == "" && e.To == "":
				report(path, 1)
			}
			dest := e.CIDR
			if e.To != "" {
				dest = "to: " + string(e.To)
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

// egressMetadata refuses a CIDR holding a cloud metadata address.
func egressMetadata(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		for j, e := range c.s.Services[i].Egress {
			if e.CIDR == "" || !validPrefix(e.CIDR) {
				continue
			}
			if m := metadataIn(e.CIDR); m != "" {
				report(fmt.Sprintf("spec.services[%d].egress[%d].cidr", i, j), 0, e.CIDR, m)
			}
		}
	}
}
