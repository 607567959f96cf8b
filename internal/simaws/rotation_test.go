package simaws_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/simaws"
)

// rotationWorld is a backend service that reads the database's master
// secret, its deployment alarm on the targets' 5xx answers, and the rule and
// state machine that redeploy it when the secret rotates, with the given
// definition (clusterARN, service name, alarm names).
func rotationWorld(t *testing.T, definition func(cluster, service string, alarms []string) string) (a *simaws.Account, secretARN, serviceID, machineARN string) {
	t.Helper()
	a = open(t)
	const region = "ap-southeast-2"
	create := func(typ, name string, inputs map[string]any) simaws.Resource {
		r, err := a.Create(typ, name, region, props(inputs))
		require.NoError(t, err)
		return r
	}
	db := create(typeDB, "env-postgres", map[string]any{"identifier": "env-postgres", "manageMasterUserPassword": true})
	secretARN = db.Outputs["masterUserSecrets"].([]any)[0].(map[string]any)["secretArn"].(string)
	containers, err := json.Marshal([]map[string]any{{"image": "app:1", "secrets": []map[string]any{{"name": "POSTGRES_PASSWORD", "valueFrom": secretARN + ":password::"}}}})
	require.NoError(t, err)
	task := create("aws:ecs/taskDefinition:TaskDefinition", "env-backend", map[string]any{"family": "env-backend", "containerDefinitions": string(containers)})
	cluster := create("aws:ecs/cluster:Cluster", "env-cluster", map[string]any{"name": "env-cluster"})
	create("aws:cloudwatch/metricAlarm:MetricAlarm", "env-alb-high-5xx-errors", map[string]any{"name": "env-alb-high-5xx-errors", "metricName": "HTTPCode_Target_5XX_Count"})
	alarms := []string{"env-alb-high-5xx-errors"}
	svc := create("aws:ecs/service:Service", "env-backend-service", map[string]any{
		"name": "env-backend-service", "cluster": cluster.Outputs["arn"], "taskDefinition": task.Outputs["arn"], "desiredCount": 2,
		"deploymentCircuitBreaker": map[string]any{"enable": true, "rollback": true},
		"alarms":                   map[string]any{"alarmNames": []any{"env-alb-high-5xx-errors"}, "enable": true, "rollback": true},
	})
	machine := create("aws:sfn/stateMachine:StateMachine", "env-backend-redeploy", map[string]any{
		"name": "env-backend-redeploy", "definition": definition(cluster.Outputs["arn"].(string), "env-backend-service", alarms),
	})
	create("aws:cloudwatch/eventRule:EventRule", "env-backend-secret-rotated", map[string]any{
		"name": "env-backend-secret-rotated", "eventPattern": ecs.RedeployEventPattern([]string{secretARN}),
	})
	create("aws:cloudwatch/eventTarget:EventTarget", "env-backend-secret-rotated-redeploy", map[string]any{
		"rule": "env-backend-secret-rotated", "arn": machine.Outputs["arn"], "targetId": "redeploy",
	})
	return a, secretARN, svc.ID, machine.Outputs["arn"].(string)
}

// TestARotationRedeploysTheTasksThatReadTheSecret: RDS rotating the master
// password publishes the event, the rule starts the state machine, and the
// redeploy without alarms leaves tasks that hold the new password, with the
// alarms put back as the program set them.
func TestARotationRedeploysTheTasksThatReadTheSecret(t *testing.T) {
	t.Parallel()
	a, secretARN, serviceID, machineARN := rotationWorld(t, ecs.RedeployDefinition)
	problem, err := a.ServiceProblem("ap-southeast-2", serviceID)
	require.NoError(t, err)
	require.Empty(t, problem)

	secret, version, err := a.RotateSecret("ap-southeast-2", secretARN)
	require.NoError(t, err)
	require.Equal(t, 1, secret.Count)
	require.Equal(t, "rds", secret.Managed)
	require.NotEmpty(t, version)

	runs, err := a.Executions(machineARN)
	require.NoError(t, err)
	require.Len(t, runs, 1, "the rule started the state machine once")
	require.Equal(t, "SUCCEEDED", runs[0].Status, runs[0].Cause)
	rollouts, err := a.Rollouts("ap-southeast-2", serviceID)
	require.NoError(t, err)
	last := rollouts[len(rollouts)-1]
	require.Equal(t, "COMPLETED", last.State, last.Reason)
	require.Equal(t, map[string]int{secretARN: 1}, last.Secrets, "the new tasks read the rotated password")
	problem, err = a.ServiceProblem("ap-southeast-2", serviceID)
	require.NoError(t, err)
	require.Empty(t, problem)

	svc, ok, err := a.Get("ap-southeast-2", "aws:ecs/service:Service", serviceID, "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, map[string]any{"alarmNames": []any{"env-alb-high-5xx-errors"}, "enable": true, "rollback": true}, svc.Outputs["alarms"], "the alarms are back")
	require.Equal(t, 100.0, svc.Outputs["deploymentMinimumHealthyPercent"])

	_, _, err = a.RotateSecret("ap-southeast-2", "no-such-secret")
	refusal(t, err, "ResourceNotFoundException")
}

// TestARedeployWatchedByItsAlarmsRollsBackOntoTheOldPassword: the redeploy
// as it was (a forced deployment, the alarms on): the tasks that still hold
// the old password trip the 5xx alarm, ECS rolls back onto them, and they
// stay, unable to connect, though the execution succeeded.
func TestARedeployWatchedByItsAlarmsRollsBackOntoTheOldPassword(t *testing.T) {
	t.Parallel()
	a, secretARN, serviceID, machineARN := rotationWorld(t, func(cluster, service string, _ []string) string {
		return ecs.RedeployDefinition(cluster, service, nil)
	})
	_, _, err := a.RotateSecret("ap-southeast-2", secretARN)
	require.NoError(t, err)
	runs, err := a.Executions(machineARN)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", runs[0].Status)
	rollouts, err := a.Rollouts("ap-southeast-2", serviceID)
	require.NoError(t, err)
	n := len(rollouts)
	require.Equal(t, "FAILED", rollouts[n-2].State)
	require.Contains(t, rollouts[n-2].Reason, "alarm env-alb-high-5xx-errors in ALARM")
	require.Equal(t, "COMPLETED", rollouts[n-1].State)
	require.Empty(t, rollouts[n-1].Secrets[secretARN], "rolled back onto the tasks that read the old password")
	problem, err := a.ServiceProblem("ap-southeast-2", serviceID)
	require.NoError(t, err)
	require.Contains(t, problem, "before it rotated")
}
