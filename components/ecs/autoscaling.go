package ecs

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Cooldowns of the target-tracking policies: scale out fast, scale in slowly.
const (
	ScaleOutCooldownSeconds = 60
	ScaleInCooldownSeconds  = 300
)

// autoscale registers a service's desired count as a scalable target and adds
// a target-tracking policy per metric with a target (CPU, memory).
func autoscale(ctx *pulumi.Context, name, cluster, service string, a Autoscaling, svc *ecs.Service, parent pulumi.ResourceOption) error {
	target, err := appautoscaling.NewTarget(ctx, name+"-scaling-target", &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.String(fmt.Sprintf("service/%s/%s", cluster, service)),
		MinCapacity:       pulumi.Int(a.MinCount),
		MaxCapacity:       pulumi.Int(a.MaxCount),
	}, parent, pulumi.DependsOn([]pulumi.Resource{svc}))
	if err != nil {
		return err
	}
	for _, m := range []struct {
		suffix, metric string
		target         int
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", a.CPUTargetPercent},
		{"memory", "ECSServiceAverageMemoryUtilization", a.MemoryTargetPercent},
	} {
		if m.target == 0 {
			continue
		}
		policyName := name + "-" + m.suffix + "-scaling"
		if _, err := appautoscaling.NewPolicy(ctx, policyName, &appautoscaling.PolicyArgs{
			Name:              pulumi.String(policyName),
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ResourceId:        target.ResourceId,
			ScalableDimension: target.ScalableDimension,
			ServiceNamespace:  target.ServiceNamespace,
			TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String(m.metric),
				},
				TargetValue:      pulumi.Float64(float64(m.target)),
				ScaleInCooldown:  pulumi.Int(ScaleInCooldownSeconds),
				ScaleOutCooldown: pulumi.Int(ScaleOutCooldownSeconds),
			},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}
