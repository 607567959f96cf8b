package dns

import "github.com/ohmycoins/infra/internal/settings"

// Settings are the zone's settings, the config key ohmycoins:dns of a stack:
// the Route 53 zone that gets the certificate validation and alias records.
type Settings struct {
	// ZoneName is an existing public hosted zone, e.g. ohmycoins.com; empty means DNS is managed elsewhere.
	ZoneName string `json:"zoneName"`
}

// Validate records every rule the settings break; the stacks add the one
// that spans tiers (the zone holds the site's domain).
func (s Settings) Validate(p settings.Problems) {
	if s.ZoneName != "" {
		if reason := settings.CheckDomain(s.ZoneName); reason != "" {
			p.Add("zoneName", s.ZoneName, reason)
		}
	}
}
