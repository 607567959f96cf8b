// Package mockcloud is the AWS account the program meets offline: a Pulumi
// mock resource monitor (pulumi.WithMocks) that answers every registration
// with the id and outputs AWS would report, answers the data sources the
// program reads, and records each registration with its options and
// dependencies. What it answers for each resource type comes from the caller
// (the AWS-type catalog, internal/awstype), so this package knows Pulumi and
// nothing of this program: a component's own test can run under it.
package mockcloud

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults of the mock cloud: the account every ARN carries, and the region of
// resources whose provider sets none.
const (
	MockAccountID = "123456789012"
	defaultRegion = "ap-southeast-2"
)

// Answers says what the cloud answers for each resource type: the catalog's
// answer for a type token, or false for a type nobody taught it.
type Answers func(token string) (Answer, bool)

// Cloud is the mock AWS the program runs against: it answers every resource
// registration with AWS-shaped, deterministic outputs (derived from names, so
// golden plans are stable) and every invoke the program makes, and it records
// each registration for the plan. It is safe for the concurrent calls the
// Pulumi SDK makes.
type Cloud struct {
	project, stack string
	world          World
	answers        Answers

	mu            sync.Mutex
	registrations []Registration
	regions       map[string]string // provider reference (urn::id) -> region
	invokes       []string
}

var _ pulumi.MockResourceMonitor = (*Cloud)(nil)

// New returns a mock cloud for one run of project/stack that holds what world
// says exists already and answers registrations as answers says.
func New(answers Answers, world World, project, stack string) *Cloud {
	return &Cloud{project: project, stack: stack, world: world, answers: answers, regions: map[string]string{}}
}

// World is what the mock cloud holds before the program runs. The zero World
// is an empty account with the mock account id; cmd/migrate fills one from a
// Terraform state, so that the resources a stack adopts answer with the ids
// and outputs they have in AWS, as they will after `pulumi import`.
type World struct {
	// AccountID is the account every ARN carries; "" means MockAccountID.
	AccountID string
	// Zones are the public hosted zones by name (no trailing dot) and their ids.
	Zones map[string]string
	// Existing are the resources that exist already, by the URN the program
	// gives them.
	Existing map[string]Existing
}

// Existing is a resource AWS has already: its id and the outputs AWS reports
// (Pulumi's names, plain JSON values). Outputs it lacks are the mock's.
type Existing struct {
	ID      string
	Outputs map[string]any
}

func (w World) account() string {
	if w.AccountID != "" {
		return w.AccountID
	}
	return MockAccountID
}

// Registration is one resource registration as the program made it.
type Registration struct {
	URN          string
	Type         string
	Name         string
	Custom       bool
	Parent       string
	Provider     string
	ID           string
	Dependencies []string
	// PropertyDependencies are, per input, the resources whose outputs it was built from.
	PropertyDependencies map[string][]string
	// Import is the physical id the resource is adopted with (the import resource option); "" when created.
	Import         string
	Protect        bool
	RetainOnDelete bool
	// DeleteBeforeReplace is the option as the program set it; nil where it
	// left the order to the provider.
	DeleteBeforeReplace *bool
	IgnoreChanges       []string
	Inputs              resource.PropertyMap
	Outputs             resource.PropertyMap
}

// NewResource answers a registration with the outputs AWS would report and records it.
func (c *Cloud) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	reg := Registration{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		Inputs:   args.Inputs,
		Import:   args.ID,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		reg.Parent = rpc.GetParent()
		reg.Protect = rpc.GetProtect()
		reg.RetainOnDelete = rpc.GetRetainOnDelete()
		if rpc.GetDeleteBeforeReplaceDefined() || rpc.GetDeleteBeforeReplace() {
			dbr := rpc.GetDeleteBeforeReplace()
			reg.DeleteBeforeReplace = &dbr
		}
		reg.IgnoreChanges = append([]string(nil), rpc.GetIgnoreChanges()...)
		deps := map[string]bool{}
		for _, d := range rpc.GetDependencies() {
			deps[d] = true
		}
		for key, pd := range rpc.GetPropertyDependencies() {
			urns := append([]string(nil), pd.GetUrns()...)
			for _, d := range urns {
				deps[d] = true
			}
			if len(urns) > 0 {
				if reg.PropertyDependencies == nil {
					reg.PropertyDependencies = map[string][]string{}
				}
				sort.Strings(urns)
				reg.PropertyDependencies[key] = slices.Compact(urns)
			}
		}
		for d := range deps {
			reg.Dependencies = append(reg.Dependencies, d)
		}
		sort.Strings(reg.Dependencies)
	}
	parent := resource.URN(reg.Parent)
	if parent != "" && parent.QualifiedType() == resource.RootStackType {
		parent = "" // top-level resources' URNs do not carry the stack's type
	}
	reg.URN = string(resource.CreateURN(reg.Name, reg.Type, parent, c.project, c.stack))

	c.mu.Lock()
	region := c.regionLocked(reg.Provider)
	c.mu.Unlock()

	id, outputs := "", resource.PropertyMap{}
	if reg.Custom {
		var err error
		id, outputs, err = c.respond(Env{Region: region, Account: c.world.account()}, reg.Type, reg.Name, args.Inputs)
		if err != nil {
			return "", nil, err
		}
		if existing, ok := c.world.Existing[reg.URN]; ok {
			id = existing.ID
			for k, v := range existing.Outputs {
				outputs[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
			}
		}
	}
	if reg.Import != "" {
		id = reg.Import // an adopted resource keeps the id it has, and an ARN id is its ARN
		if strings.HasPrefix(id, "arn:") {
			outputs["arn"] = resource.NewStringProperty(id)
		}
	}
	reg.ID, reg.Outputs = id, outputs

	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.HasPrefix(reg.Type, "pulumi:providers:") {
		r := defaultRegion
		if v, ok := args.Inputs["region"]; ok && v.IsString() {
			r = v.StringValue()
		}
		c.regions[reg.URN+"::"+id] = r
	}
	c.registrations = append(c.registrations, reg)
	return id, outputs, nil
}

// respond runs the answer for a type.
func (c *Cloud) respond(e Env, typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	var answer Answer
	if c.answers != nil {
		answer, _ = c.answers(typ)
	}
	if answer == nil {
		return "", nil, fmt.Errorf("mock cloud: no answer for resource type %s; add its entry to the AWS-type catalog, internal/awstype", typ)
	}
	r := &Request{Type: typ, Name: name, In: inputs, Out: inputs.Copy()}
	return answer(e, r), r.Out, nil
}

// Call answers the invokes (data sources) the program makes.
func (c *Cloud) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	c.mu.Lock()
	region := c.regionLocked(args.Provider)
	c.invokes = append(c.invokes, args.Token)
	c.mu.Unlock()
	return Invoke(Env{Region: region, Account: c.world.account(), Zones: c.world.Zones}, args.Token, args.Args)
}

// regionLocked is the region of a provider reference; c.mu must be held.
func (c *Cloud) regionLocked(provider string) string {
	if r, ok := c.regions[provider]; ok {
		return r
	}
	return defaultRegion
}

// Registrations returns what was registered so far, sorted by URN.
func (c *Cloud) Registrations() []Registration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Registration(nil), c.registrations...)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// Invokes returns the tokens of the invokes made, in call order.
func (c *Cloud) Invokes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.invokes...)
}
