// Package service names the application's two services once, for every tier
// that builds something per service: the load balancer's target groups, the
// image repositories, the ECS services and their log groups, the settings
// keys (ohmycoins:backend, ohmycoins:frontend) and the stack outputs.
package service

// The services: the FastAPI backend and the React frontend.
const (
	Backend  = "backend"
	Frontend = "frontend"
)

// All are the services, in the order everything lists them.
var All = []string{Backend, Frontend}
