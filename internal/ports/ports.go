// Package ports names the TCP ports the tiers talk on (a service's own port
// is its role's: internal/service). The network's security
// groups, the load balancer's listeners and target groups, the database, the
// cache and the containers must agree on them, and components cannot import one
// another, so they share this package.
package ports

// The ports of Oh My Coins.
const (
	HTTP     = 80
	HTTPS    = 443
	Postgres = 5432
	Redis    = 6379
)
