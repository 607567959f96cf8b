package ecs

import (
	"encoding/json"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The container definition JSON ECS takes, as Go structs (fields named as ECS
// names them), so the document is always well formed and tests can read it back.

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	Name             string           `json:"name"`
	Image            string           `json:"image"`
	Command          []string         `json:"command,omitempty"`
	Essential        bool             `json:"essential"`
	PortMappings     []PortMapping    `json:"portMappings"`
	Environment      []KeyValue       `json:"environment"`
	Secrets          []SecretRef      `json:"secrets"`
	LogConfiguration LogConfiguration `json:"logConfiguration"`
	HealthCheck      *HealthCheck     `json:"healthCheck,omitempty"`
	LinuxParameters  *LinuxParameters `json:"linuxParameters,omitempty"`
}

// PortMapping exposes a container port.
type PortMapping struct {
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// KeyValue is a plain environment variable.
type KeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SecretRef is an environment variable injected from Secrets Manager at task start.
type SecretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// LogConfiguration sends stdout and stderr to CloudWatch Logs.
type LogConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// HealthCheck is the container's own health check.
type HealthCheck struct {
	Command     []string `json:"command"`
	Interval    int      `json:"interval"`
	Timeout     int      `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod int      `json:"startPeriod"`
}

// LinuxParameters: an init process reaps the processes ECS Exec sessions start.
type LinuxParameters struct {
	InitProcessEnabled bool `json:"initProcessEnabled"`
}

// containerDefinitions renders a service's single container once its image,
// variables and log group are known. Variables are sorted by name, so the
// document (and so the task definition) changes only when a value does.
func containerDefinitions(s Service, logGroup pulumi.StringInput, region string, exec bool) pulumi.StringOutput {
	envNames := sortedNames(s.Environment)
	secretNames := sortedNames(s.Secrets)
	inputs := []interface{}{s.Image, logGroup}
	for _, n := range envNames {
		inputs = append(inputs, s.Environment[n])
	}
	for _, n := range secretNames {
		inputs = append(inputs, s.Secrets[n])
	}
	return pulumi.All(inputs...).ApplyT(func(v []interface{}) (string, error) {
		str := func(i int) string { s, _ := v[i].(string); return s }
		d := ContainerDefinition{
			Name:         s.Name,
			Image:        str(0),
			Command:      s.Command,
			Essential:    true,
			PortMappings: []PortMapping{},
			Environment:  []KeyValue{},
			Secrets:      []SecretRef{},
			LogConfiguration: LogConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": str(1), "awslogs-region": region, "awslogs-stream-prefix": "ecs",
			}},
		}
		if s.ContainerPort != 0 {
			d.PortMappings = append(d.PortMappings, PortMapping{ContainerPort: s.ContainerPort, Protocol: "tcp"})
		}
		for i, n := range envNames {
			// ECS drops variables with an empty value and the provider keeps
			// them, so one would show as a change on every update
			// (terraform-provider-aws#39533); unset and empty read the same.
			if v := str(2 + i); v != "" {
				d.Environment = append(d.Environment, KeyValue{Name: n, Value: v})
			}
		}
		for i, n := range secretNames {
			d.Secrets = append(d.Secrets, SecretRef{Name: n, ValueFrom: str(2 + len(envNames) + i)})
		}
		if s.HealthCheck != "" {
			d.HealthCheck = &HealthCheck{
				Command: []string{"CMD-SHELL", s.HealthCheck}, Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 60,
			}
		}
		if exec {
			d.LinuxParameters = &LinuxParameters{InitProcessEnabled: true}
		}
		b, err := json.Marshal([]ContainerDefinition{d})
		return string(b), err
	}).(pulumi.StringOutput)
}

func sortedNames(m map[string]pulumi.StringInput) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
