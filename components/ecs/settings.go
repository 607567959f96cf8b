package ecs

// ClusterSettings are the cluster's settings, the config key ohmycoins:ecs
// of a stack: json tags name the keys, the presets give the values.
type ClusterSettings struct {
	// ExecEnabled turns on ECS Exec (with the ssmmessages permissions, defect C6); staging only.
	ExecEnabled bool `json:"execEnabled"`
	// ContainerInsights publishes ECS/ContainerInsights metrics; production only.
	ContainerInsights bool `json:"containerInsights"`
}
