package network

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the VPC's layout, the config key ohmycoins:network of a
// stack: json tags name the keys, the presets give the values, Validate holds
// the rules.
type Settings struct {
	// VPCCIDR is the VPC's IPv4 range; staging 10.0.0.0/16, production 10.1.0.0/16 (they must not overlap: defect D1).
	VPCCIDR string `json:"vpcCidr"`
	// AvailabilityZones are the AZ names, in order; one subnet of each tier per AZ. Staging 2, production 3.
	AvailabilityZones []string `json:"availabilityZones"`
	// PublicSubnetCIDRs hold the ALB and the NAT gateways, one per AZ.
	PublicSubnetCIDRs []string `json:"publicSubnetCidrs"`
	// AppSubnetCIDRs hold the Fargate tasks, one per AZ.
	AppSubnetCIDRs []string `json:"appSubnetCidrs"`
	// DataSubnetCIDRs hold RDS and ElastiCache, one per AZ; they have no internet route.
	DataSubnetCIDRs []string `json:"dataSubnetCidrs"`
	// NATGateways is single (staging), perAz (production) or none.
	NATGateways string `json:"natGateways"`
	// InterfaceEndpoints adds ECR api/dkr, logs and secretsmanager endpoints in the app subnets; production only.
	InterfaceEndpoints bool `json:"interfaceEndpoints"`
	// FlowLogs sends VPC flow logs to CloudWatch Logs; production only.
	FlowLogs bool `json:"flowLogs"`
	// FlowLogRetentionDays is the flow-log group's retention; 90 days.
	FlowLogRetentionDays int `json:"flowLogRetentionDays"`
	// ManagementCIDRs may reach PostgreSQL on 5432 besides the app tier (e.g. a VPN); empty by default.
	ManagementCIDRs []string `json:"managementCidrs"`
}

// Validate records every rule the layout breaks: the AZs (of region, once
// each), the CIDRs (inside the VPC, apart from each other, one per AZ and
// tier), the NAT strategy, the flow-log retention and the management ranges.
func (n Settings) Validate(region string, p settings.Problems) {
	azs := n.AvailabilityZones
	if len(azs) < 2 {
		p.Add("availabilityZones", azs, "must list at least 2 availability zones (an ALB and an RDS subnet group need two)")
	}
	for i, az := range azs {
		key := fmt.Sprintf("availabilityZones[%d]", i)
		if len(az) != len(region)+1 || !strings.HasPrefix(az, region) || az[len(az)-1] < 'a' || az[len(az)-1] > 'z' {
			p.Add(key, az, fmt.Sprintf("must be an availability zone of region %s, such as %sa", region, region))
		} else if slices.Index(azs, az) != i {
			p.Add(key, az, "is listed twice: each AZ gets one subnet per tier")
		}
	}

	vpc, reason := parseIPv4CIDR(n.VPCCIDR)
	if reason != "" {
		p.Add("vpcCidr", n.VPCCIDR, reason)
	} else if vpc.Bits() < 16 || vpc.Bits() > 28 {
		p.Add("vpcCidr", n.VPCCIDR, "must have a prefix length between /16 and /28 (AWS VPC limits)")
	}

	type parsed struct {
		key    string
		value  string
		prefix netip.Prefix
	}
	tiers := []struct {
		key   string
		cidrs []string
	}{
		{"publicSubnetCidrs", n.PublicSubnetCIDRs},
		{"appSubnetCidrs", n.AppSubnetCIDRs},
		{"dataSubnetCidrs", n.DataSubnetCIDRs},
	}
	// A VPC range that holds none of the subnets is one mistake (the range
	// changed without them), said once rather than once per subnet.
	outside, inside := 0, 0
	for _, tier := range tiers {
		for _, c := range tier.cidrs {
			if prefix, reason := parseIPv4CIDR(c); reason == "" && vpc.IsValid() {
				if prefixContains(vpc, prefix) {
					inside++
				} else {
					outside++
				}
			}
		}
	}
	noneInside := outside > 0 && inside == 0
	if noneInside {
		p.Add("vpcCidr", n.VPCCIDR, fmt.Sprintf("holds none of the %d subnets (publicSubnetCidrs, appSubnetCidrs, dataSubnetCidrs, such as %s): change them with it", outside, firstCIDR(n)))
	}
	var subnets []parsed
	for _, tier := range tiers {
		if len(tier.cidrs) != len(azs) {
			p.Add(tier.key, tier.cidrs, fmt.Sprintf("must have one CIDR per availability zone (%d), has %d", len(azs), len(tier.cidrs)))
		}
		for i, c := range tier.cidrs {
			key := fmt.Sprintf("%s[%d]", tier.key, i)
			prefix, reason := parseIPv4CIDR(c)
			switch {
			case reason != "":
				p.Add(key, c, reason)
				continue
			case prefix.Bits() < 16 || prefix.Bits() > 28:
				p.Add(key, c, "must have a prefix length between /16 and /28 (AWS subnet limits)")
			case vpc.IsValid() && !prefixContains(vpc, prefix) && !noneInside:
				p.Add(key, c, "must lie inside network.vpcCidr "+n.VPCCIDR)
			}
			for _, other := range subnets {
				if other.prefix.Overlaps(prefix) {
					p.Add(key, c, fmt.Sprintf("overlaps network.%s = %s", other.key, other.value))
				}
			}
			subnets = append(subnets, parsed{key, c, prefix})
		}
	}

	switch n.NATGateways {
	case NATSingle, NATPerAZ:
	case NATNone:
		if !n.InterfaceEndpoints {
			p.Add("natGateways", n.NATGateways, "needs network.interfaceEndpoints = true: without NAT, Fargate reaches ECR, CloudWatch Logs and Secrets Manager only through interface endpoints (defect D4)")
		}
	default:
		p.Add("natGateways", n.NATGateways, "must be single, perAz or none")
	}
	if !settings.ValidLogRetention(n.FlowLogRetentionDays) {
		p.Add("flowLogRetentionDays", n.FlowLogRetentionDays, settings.LogRetentionRule)
	}
	for i, c := range n.ManagementCIDRs {
		key := fmt.Sprintf("managementCidrs[%d]", i)
		if prefix, reason := parseIPv4CIDR(c); reason != "" {
			p.Add(key, c, reason)
		} else if prefix.Bits() < 8 {
			p.Add(key, c, "must not open PostgreSQL to a range wider than /8; list the management networks (VPN, bastion) instead")
		}
	}
}

// parseIPv4CIDR parses a network address in CIDR form, e.g. 10.0.1.0/24.
func parseIPv4CIDR(s string) (netip.Prefix, string) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil || !prefix.Addr().Is4() {
		return netip.Prefix{}, "must be an IPv4 CIDR block such as 10.0.1.0/24"
	}
	if masked := prefix.Masked(); masked != prefix {
		return netip.Prefix{}, fmt.Sprintf("must be a network address (did you mean %s?)", masked)
	}
	return prefix, ""
}

// prefixContains reports whether inner lies entirely inside outer.
func prefixContains(outer, inner netip.Prefix) bool {
	return inner.Bits() >= outer.Bits() && outer.Contains(inner.Addr())
}

// firstCIDR is the first subnet range listed, for a message.
func firstCIDR(n Settings) string {
	for _, list := range [][]string{n.PublicSubnetCIDRs, n.AppSubnetCIDRs, n.DataSubnetCIDRs} {
		if len(list) > 0 {
			return list[0]
		}
	}
	return ""
}
