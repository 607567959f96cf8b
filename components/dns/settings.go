package dns

import (
	"maps"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the zone's settings, the config key ohmycoins:dns of a stack:
// the Route 53 zone that gets the certificate validation and alias records.
type Settings struct {
	// ZoneName is an existing public hosted zone, e.g. ohmycoins.com; empty means DNS is managed elsewhere.
	ZoneName string `json:"zoneName"`
	// Delegations are the subdomains this zone hands to a zone of another
	// account, by name, with that zone's name servers: in the two-account
	// layout production's zone delegates staging.ohmycoins.com to the zone
	// staging's account holds (docs/RUNBOOK.md, "One account or two").
	Delegations map[string][]string `json:"delegations"`
}

// Name servers a delegation lists: Route 53 gives every zone four, and a
// delegation to fewer than two has no redundancy.
const (
	MinNameServers = 2
	MaxNameServers = 8
)

// Validate records every rule the settings break; the stacks add the one
// that spans tiers (the zone holds the site's domain, no delegation covers
// one of the stack's own hosts).
func (s Settings) Validate(p settings.Problems) {
	if s.ZoneName != "" {
		if reason := settings.CheckDomain(s.ZoneName); reason != "" {
			p.Add("zoneName", s.ZoneName, reason)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Delegations)) {
		key := "delegations." + name
		servers := s.Delegations[name]
		switch {
		case s.ZoneName == "":
			p.Add(key, servers, "needs dns.zoneName: a delegation is an NS record in the stack's zone")
			continue
		case settings.CheckDomain(name) != "":
			p.Add(key, name, "the delegated name "+settings.CheckDomain(name))
			continue
		case !strings.HasSuffix(name, "."+s.ZoneName):
			p.Add(key, name, "must be a subdomain of the zone "+s.ZoneName+": the zone can delegate only names below it")
			continue
		case len(servers) < MinNameServers || len(servers) > MaxNameServers:
			p.Add(key, servers, "must list the delegated zone's 2 to 8 name servers (pulumi stack output hosted_zone_name_servers of its account's bootstrap stack)")
			continue
		}
		for _, ns := range servers {
			if reason := settings.CheckDomain(strings.TrimSuffix(ns, ".")); reason != "" {
				p.Add(key, ns, "each name server "+reason)
			}
		}
		if dup := duplicate(servers); dup != "" {
			p.Add(key, dup, "is listed twice")
		}
	}
}

// DelegationCovering is the delegated name that is host or a parent of it,
// or "": a zone that delegates a name no longer answers for the names below it.
func (s Settings) DelegationCovering(host string) string {
	for _, name := range slices.Sorted(maps.Keys(s.Delegations)) {
		if host == name || strings.HasSuffix(host, "."+name) {
			return name
		}
	}
	return ""
}

func duplicate(list []string) string {
	seen := map[string]bool{}
	for _, v := range list {
		v = strings.TrimSuffix(strings.ToLower(v), ".")
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}
