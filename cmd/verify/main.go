// Command verify checks a deployed stack from the outside: the backend's health
// endpoint, the API docs and the frontend through the load balancer, and, with
// AWS credentials, ECS services, target health, alarms and the app secret's key.
// It prints a table and exits 1 when a check fails.
//
//	go run ./cmd/verify -stack staging
//	pulumi stack output --json --stack staging | go run ./cmd/verify -outputs -
//	go run ./cmd/verify -stack staging -url https://ohmycoins-staging-alb-123.ap-southeast-2.elb.amazonaws.com -aws=false
//	go run ./cmd/verify -url https://<alb-dns> -api-host api.staging.ohmycoins.com -app-host dashboard.staging.ohmycoins.com -aws=false
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/verify"
)

func main() {
	os.Exit(verify.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
