// Package ports names the TCP ports the tiers talk on. The network's security
// groups, the load balancer's listeners and target groups, the database, the
// cache and the containers must agree on them, and components cannot import one
// another, so they share this package.
package ports

// The ports of Oh My Coins.
const (
	HTTP     = 80
	HTTPS    = 443
	Backend  = 8000 // the FastAPI container
	Frontend = 80   // the web container
	Postgres = 5432
	Redis    = 6379
)
