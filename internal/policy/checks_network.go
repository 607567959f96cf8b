package policy

import (
	"strings"

	"github.com/ohmycoins/infra/internal/stackplan"
)

func elbRedirect(p Plan) []Violation {
	https := false
	for _, l := range p.OfType(tListener) {
		if in(l, "protocol") == "HTTPS" {
			https = true
		}
	}
	if !https {
		return nil
	}
	return p.each(tListener, func(r stackplan.Resource) []string {
		if in(r, "protocol") != "HTTP" {
			return nil
		}
		for _, a := range list(in(r, "defaultActions")) {
			if m, ok := a.(map[string]any); ok && m["type"] == "redirect" {
				if rd, ok := m["redirect"].(map[string]any); ok && rd["protocol"] == "HTTPS" {
					return nil
				}
			}
		}
		return []string{"the HTTP listener serves instead of redirecting to HTTPS"}
	})
}

func elbDropHeaders(p Plan) []Violation {
	return p.each(tLB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "dropInvalidHeaderFields")), "dropInvalidHeaderFields is false")
	})
}

func elbAccessLogs(p Plan) []Violation {
	return p.each(tLB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "accessLogs", "enabled")) && str(in(r, "accessLogs", "bucket")) != "", "no access logs")
	})
}

func elbDeletionProtection(p Plan) []Violation {
	return p.each(tLB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "enableDeletionProtection")), "enableDeletionProtection is false")
	})
}

// TLSPolicy is the only TLS policy HTTPS listeners may use.
const TLSPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

func elbTLSPolicy(p Plan) []Violation {
	return p.each(tListener, func(r stackplan.Resource) []string {
		if in(r, "protocol") != "HTTPS" {
			return nil
		}
		return unless(in(r, "sslPolicy") == TLSPolicy, "sslPolicy %q, want %s", str(in(r, "sslPolicy")), TLSPolicy)
	})
}

func ec2DefaultSG(p Plan) []Violation {
	var out []Violation
	if len(p.OfType(tVPC)) > 0 && len(p.OfType(tDefaultSG)) == 0 {
		out = append(out, Violation{Resource: p.OfType(tVPC)[0].Name, Message: "the default security group is not managed (it allows traffic between its members)"})
	}
	return append(out, p.each(tDefaultSG, func(r stackplan.Resource) []string {
		return unless(len(list(in(r, "ingress"))) == 0 && len(list(in(r, "egress"))) == 0, "the default security group has rules")
	})...)
}

func ec2FlowLogs(p Plan) []Violation {
	logged := map[any]bool{}
	for _, f := range p.OfType(tFlowLog) {
		logged[in(f, "vpcId")] = true
	}
	var out []Violation
	for _, v := range p.OfType(tVPC) {
		if !logged[v.ID] {
			out = append(out, Violation{Resource: v.Name, Message: "no flow log"})
		}
	}
	return out
}

func ec2NoPublicIPs(p Plan) []Violation {
	return p.each(tSubnet, func(r stackplan.Resource) []string {
		return unless(!isTrue(in(r, "mapPublicIpOnLaunch")), "mapPublicIpOnLaunch is true")
	})
}

func ec2OpenPorts(p Plan) []Violation {
	return p.each(tIngress, func(r stackplan.Resource) []string {
		open := in(r, "cidrIpv4") == "0.0.0.0/0" || in(r, "cidrIpv6") == "::/0"
		port := num(in(r, "fromPort"))
		return unless(!open || ((port == 80 || port == 443) && in(r, "fromPort") == in(r, "toPort")),
			"opens port %v-%v to the internet", in(r, "fromPort"), in(r, "toPort"))
	})
}

// groupsByRole maps the ids of the security groups whose logical names end in
// one of the suffixes to those names (physical names carry a digest).
func groupsByRole(p Plan, suffixes ...string) map[string]string {
	ids := map[string]string{}
	for _, g := range p.OfType(tSG) {
		for _, s := range suffixes {
			if strings.HasSuffix(g.Name, s) {
				ids[g.ID] = g.Name
			}
		}
	}
	return ids
}

// dataTierGroups are the security groups that must have no egress.
func dataTierGroups(p Plan) map[string]string {
	return groupsByRole(p, "-rds-sg", "-redis-sg", "-vpce-sg")
}

// ec2DataClientsOnly: PostgreSQL and Redis admit the groups of the services
// with data access and listed management networks, never another group
// (defect D3: the frontend shared the backend's group and could reach both).
func ec2DataClientsOnly(p Plan) []Violation {
	data := groupsByRole(p, "-rds-sg", "-redis-sg")
	var suffixes []string
	for _, c := range p.DataClients {
		suffixes = append(suffixes, "-"+c+"-sg")
	}
	clients := groupsByRole(p, suffixes...)
	return p.each(tIngress, func(r stackplan.Resource) []string {
		name, ok := data[str(in(r, "securityGroupId"))]
		peer := str(in(r, "referencedSecurityGroupId"))
		if !ok || peer == "" {
			return nil
		}
		return unless(clients[peer] != "", "%s admits a group other than those of the services with data access, %s (%s)", name, strings.Join(p.DataClients, ", "), peer)
	})
}

func ec2DataNoEgress(p Plan) []Violation {
	data := dataTierGroups(p)
	return p.each(tEgress, func(r stackplan.Resource) []string {
		name, ok := data[str(in(r, "securityGroupId"))]
		return unless(!ok, "%s has an egress rule", name)
	})
}

func ec2RuleDescriptions(p Plan) []Violation {
	var out []Violation
	for _, typ := range []string{tIngress, tEgress} {
		out = append(out, p.each(typ, func(r stackplan.Resource) []string {
			return unless(str(in(r, "description")) != "", "no description")
		})...)
	}
	return out
}
