package stacks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ohmycoins/infra/components/rds"
)

// AwaitsImage says whether a service has nothing to run yet: neither an
// image digest nor a build context. Its service runs no task until one is set
// (components/images, Awaiting).
func (s Settings) AwaitsImage(service string) bool {
	svc, ok := s.Services[service]
	return ok && svc.ImageDigest == "" && svc.Build.Context == ""
}

// Warnings are settings that are valid but deserve a second look before a
// deployment. The program logs them (pulumi preview and up show them) and the
// offline preview prints them.
func (s Settings) Warnings() []string {
	var warnings []string
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		if s.AwaitsImage(name) {
			key := serviceKey(name)
			warnings = append(warnings, fmt.Sprintf("%s:%s has no image yet: its service is created with no task until you push an image to the ECR repository %s and set %s.imageDigest (docs/RUNBOOK.md, \"Deploying a new image\")",
				Project, key, s.Name(name), key))
		}
	}
	for _, origin := range s.FrontendOrigins() {
		if s.Site.Domain != "" && !slices.Contains(s.App.CORSOrigins, origin) {
			warnings = append(warnings, fmt.Sprintf("%s:app.corsOrigins does not list %s: the frontend is served there, and the API would refuse its requests",
				Project, origin))
		}
	}
	warnings = append(warnings, s.identityWarnings()...)
	if id := s.Database.SnapshotIdentifier; id != "" {
		warnings = append(warnings, fmt.Sprintf("%s:database.snapshotIdentifier = %q is read only when the database is created; on a live stack it changes nothing. The snapshot must be encrypted with the environment key alias/%s and have the master user %q and the database %q, or the next update replaces the restored database (docs/RUNBOOK.md, \"Restoring the database\")",
			Project, id, s.NamePrefix, rds.DefaultMasterUsername, rds.DefaultDatabaseName))
	}
	if name := s.Cache.SnapshotName; name != "" {
		warnings = append(warnings, fmt.Sprintf("%s:cache.snapshotName = %q is read only when the cache is created; on a live stack it changes nothing (docs/RUNBOOK.md, \"Restoring the cache\")",
			Project, name))
	}
	if !s.HTTPS() && s.DNS.ZoneName == "" {
		warnings = append(warnings, fmt.Sprintf("%s:%s and %s:dns.zoneName are not set: the load balancer serves plain HTTP",
			Project, keyCertificateARN, Project))
	}
	return warnings
}
