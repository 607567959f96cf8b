// Package service says what the application's services are, as every tier
// that builds something per service sees them: a name and a role. The role
// decides the rest, so that a new service is one entry of the stack file
// (ohmycoins:services.<name>): whether the load balancer routes to it and
// on which port and health path, whether it reaches PostgreSQL and Redis and
// reads the app secret, which alarms watch it and how cmd/verify checks it.
// The network, the load balancer, the images, ECS and monitoring each take
// the list; none of them names a service.
package service

import (
	"slices"
	"strconv"
	"strings"
)

// The services every stack has: the FastAPI backend and the React frontend.
const (
	Backend  = "backend"
	Frontend = "frontend"
)

// Role is what a service does.
type Role string

// The roles. The load balancer routes the API host and the API paths to the
// one api service and everything else to the one web service.
const (
	// API serves the API behind the load balancer and reaches the data tiers.
	API Role = "api"
	// Web serves the site behind the load balancer, with no data access.
	Web Role = "web"
	// Worker runs with no load balancer; with DataAccess it reaches the data tiers.
	Worker Role = "worker"
)

// Roles are the roles, in the order messages list them.
var Roles = []Role{API, Web, Worker}

// Service is one service of the application.
type Service struct {
	// Name is the service's name: its repository, task family, container,
	// security group and log group are named after it.
	Name string
	Role Role
	// DataAccess says the service reaches PostgreSQL and Redis and reads the
	// app secret and the database password: always for api, never for web,
	// as set for a worker.
	DataAccess bool
}

// New is a service of a role; an api service always has data access, a web
// service never.
func New(name string, role Role, workerDataAccess bool) Service {
	return Service{Name: name, Role: role, DataAccess: role == API || (role == Worker && workerDataAccess)}
}

// Defaults are the two services of every stack.
var Defaults = []Service{New(Backend, API, false), New(Frontend, Web, false)}

// BehindLoadBalancer says the load balancer routes to the service.
func (s Service) BehindLoadBalancer() bool { return s.Role == API || s.Role == Web }

// Port is the port the service's container listens on: the FastAPI
// container's 8000, the web container's 80; 0 for a worker, which listens on none.
func (s Service) Port() int {
	switch s.Role {
	case API:
		return 8000
	case Web:
		return 80
	}
	return 0
}

// HealthPath is the path the load balancer checks: FastAPI's health endpoint
// (the trailing slash matters) or the site's root; "" for a worker.
func (s Service) HealthPath() string {
	switch s.Role {
	case API:
		return "/api/v1/utils/health-check/"
	case Web:
		return "/"
	}
	return ""
}

// Title is the name as a sentence starts it: Backend.
func (s Service) Title() string {
	if s.Name == "" {
		return ""
	}
	return strings.ToUpper(s.Name[:1]) + s.Name[1:]
}

// Only returns the services of a role, in order.
func Only(services []Service, role Role) []Service {
	var out []Service
	for _, s := range services {
		if s.Role == role {
			out = append(out, s)
		}
	}
	return out
}

// Of returns the one service of a role; false when there is none.
func Of(services []Service, role Role) (Service, bool) {
	if found := Only(services, role); len(found) > 0 {
		return found[0], true
	}
	return Service{}, false
}

// DataClients are the services that reach the data tiers, in order.
func DataClients(services []Service) []Service {
	return slices.DeleteFunc(slices.Clone(services), func(s Service) bool { return !s.DataAccess })
}

// Names are the services' names, in order.
func Names(services []Service) []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.Name
	}
	return out
}

// Sentence joins names as prose does: "backend", "backend and worker",
// "backend, worker and jobs".
func Sentence(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Check says what is wrong with a list of services, or "": every service
// has a name and a known role, no name twice, and the load balancer has its
// one api service and its one web service to route to.
func Check(services []Service) string {
	seen := map[string]bool{}
	for _, s := range services {
		switch {
		case s.Name == "":
			return "a service has no name"
		case seen[s.Name]:
			return "the service " + s.Name + " is listed twice"
		case !slices.Contains(Roles, s.Role):
			return "the service " + s.Name + " has the role " + string(s.Role) + ": must be api, web or worker"
		}
		seen[s.Name] = true
	}
	for _, role := range []Role{API, Web} {
		if n := len(Only(services, role)); n != 1 {
			return "needs exactly one " + string(role) + " service for the load balancer to route to, has " + strconv.Itoa(n)
		}
	}
	return ""
}
