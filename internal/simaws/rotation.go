package simaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// What the account does when a secret gets a new current value (RDS rotating
// the master password it manages, `aws secretsmanager rotate-secret`):
//
//   - the secret's version moves on; the tasks that read it at their start
//     keep the old value, and with the database's password rotated their new
//     connections fail: they answer 5xx (ServiceProblem says so);
//   - Secrets Manager publishes "Secret Label Updated" on the default event
//     bus; every EventBridge rule whose pattern matches starts its targets,
//     of which the account runs Step Functions state machines;
//   - a state machine runs its definition (statemachine.go) against ECS's
//     UpdateService and DescribeServices;
//   - a forced new deployment starts tasks that read the current values. While
//     it runs, the old tasks still answer: if they hold a rotated value and
//     the service rolls back on deployment alarms that watch its targets'
//     5xx answers or health, the alarm fires and ECS rolls the deployment
//     back, onto those same tasks.
//
// It is a stand-in: a deployment is over at once, and the alarms' thresholds
// are not evaluated (the worst case: every old task's new connection fails).

// Rotation is how often a secret's current value moved, and when last.
type Rotation struct {
	Count int    `json:"count"`
	Last  string `json:"last"`
}

// Execution is one run of a Step Functions state machine.
type Execution struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Error   string `json:"error,omitempty"`
	Cause   string `json:"cause,omitempty"`
	Started string `json:"started"`
}

// Secret is a secret as Secrets Manager describes it.
type Secret struct {
	ARN, Name string
	// Managed is the service that manages it ("rds"), or "".
	Managed string
	Rotation
}

const (
	typeSecret       = "aws:secretsmanager/secret:Secret"
	typeDBInstance   = "aws:rds/instance:Instance"
	typeEventRule    = "aws:cloudwatch/eventRule:EventRule"
	typeEventTarget  = "aws:cloudwatch/eventTarget:EventTarget"
	typeStateMachine = "aws:sfn/stateMachine:StateMachine"
	typeService      = "aws:ecs/service:Service"
	typeMetricAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

// secret finds a secret by ARN or name: one the program created, or the
// master secret RDS manages for an instance.
func (st *state) secret(region, id string) (Secret, bool) {
	for _, r := range st.Resources {
		if r.Region != region {
			continue
		}
		switch r.Type {
		case typeSecret:
			if str(r.Outputs["arn"]) == id || str(r.Inputs["name"]) == id {
				return Secret{ARN: str(r.Outputs["arn"]), Name: str(r.Inputs["name"]), Rotation: st.Rotations[str(r.Outputs["arn"])]}, true
			}
		case typeDBInstance:
			secrets, _ := r.Outputs["masterUserSecrets"].([]any)
			for _, s := range secrets {
				arn := str(field(s, "secretArn"))
				if arn != "" && (arn == id || secretName(arn) == id) {
					return Secret{ARN: arn, Name: secretName(arn), Managed: "rds", Rotation: st.Rotations[arn]}, true
				}
			}
		}
	}
	return Secret{}, false
}

// secretName is a secret's name: its ARN's last part without the six
// characters Secrets Manager appends.
func secretName(arn string) string {
	_, name, _ := strings.Cut(arn, ":secret:")
	if i := strings.LastIndex(name, "-"); i > 0 && len(name)-i == 7 {
		name = name[:i]
	}
	return name
}

// DescribeSecret describes a secret by ARN or name.
func (a *Account) DescribeSecret(region, id string) (Secret, error) {
	var out Secret
	err := a.read(func(st *state) error {
		s, ok := st.secret(region, id)
		if !ok {
			return &Refusal{"ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
		}
		out = s
		return nil
	})
	return out, err
}

// RotateSecret gives a secret a new current value, as a rotation does, and
// publishes the event that says so.
func (a *Account) RotateSecret(region, id string) (Secret, string, error) {
	settings, err := a.Settings()
	if err != nil {
		return Secret{}, "", err
	}
	var out Secret
	var version string
	err = a.locked(func(st *state) error {
		s, ok := st.secret(region, id)
		if !ok {
			return &Refusal{"ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
		}
		if st.Rotations == nil {
			st.Rotations = map[string]Rotation{}
		}
		s.Count++
		s.Last = now()
		st.Rotations[s.ARN] = s.Rotation
		out, version = s, fmt.Sprintf("%08d-0000-4000-8000-rotation%04d", s.Count, s.Count)
		st.publish(settings, region, map[string]any{
			"version": "0", "source": "aws.secretsmanager", "detail-type": "Secret Label Updated",
			"account": settings.ID, "region": region, "resources": []any{s.ARN},
			"detail": map[string]any{"name": s.Name, "labelUpdated": "AWSCURRENT", "versionId": version},
		})
		return nil
	})
	return out, version, err
}

// now is the time an event or execution is stamped with.
func now() string { return time.Now().UTC().Format(time.RFC3339) }

// Executions are a state machine's runs, newest first.
func (a *Account) Executions(machineARN string) ([]Execution, error) {
	var out []Execution
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Executions[machineARN])
		slices.Reverse(out)
		return nil
	})
	return out, err
}

// publish puts an event on the region's default bus: each enabled rule whose
// pattern matches it starts its state machine targets.
func (st *state) publish(settings Settings, region string, event map[string]any) {
	for _, rule := range slices.Clone(st.Resources) {
		if rule.Type != typeEventRule || rule.Region != region || str(rule.Inputs["state"]) == "DISABLED" || rule.Inputs["isEnabled"] == false {
			continue
		}
		var pattern map[string]any
		if json.Unmarshal([]byte(str(rule.Inputs["eventPattern"])), &pattern) != nil || !matchesPattern(pattern, event) {
			continue
		}
		for _, target := range slices.Clone(st.Resources) {
			if target.Type == typeEventTarget && target.Region == region && str(target.Inputs["rule"]) == str(rule.Inputs["name"]) &&
				strings.Contains(str(target.Inputs["arn"]), ":stateMachine:") {
				st.execute(settings, region, str(target.Inputs["arn"]), event)
			}
		}
	}
}

// matchesPattern is EventBridge's matching of exact values: every field of
// the pattern is in the event, an object matches field by field, and a list
// matches a value (or any value of a list) that it holds. Content filters
// (prefix, numeric, ...) match nothing here.
func matchesPattern(pattern, event map[string]any) bool {
	for key, want := range pattern {
		have, ok := event[key]
		if !ok {
			return false
		}
		switch want := want.(type) {
		case map[string]any:
			nested, ok := have.(map[string]any)
			if !ok || !matchesPattern(want, nested) {
				return false
			}
		case []any:
			values, isList := have.([]any)
			if !isList {
				values = []any{have}
			}
			if !slices.ContainsFunc(values, func(v any) bool { return slices.Contains(want, v) }) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// service finds an ECS service by cluster (ARN or name) and service name.
func (st *state) service(region string, cluster, name any) int {
	return slices.IndexFunc(st.Resources, func(r Resource) bool {
		c := str(r.Inputs["cluster"])
		return r.Type == typeService && r.Region == region && str(r.Inputs["name"]) == str(name) &&
			(c == str(cluster) || strings.HasSuffix(c, "/"+str(cluster)))
	})
}

// updateService is ECS's UpdateService with the fields a redeploy sends:
// the deployment configuration, and a forced new deployment.
func (st *state) updateService(settings Settings, region string, params map[string]any) (any, error) {
	i := st.service(region, params["Cluster"], params["Service"])
	if i < 0 {
		return nil, &Refusal{"ServiceNotFoundException", "Service not found."}
	}
	svc := &st.Resources[i]
	set := func(k string, v any) { svc.Inputs[k], svc.Outputs[k] = v, v }
	if config, ok := params["DeploymentConfiguration"].(map[string]any); ok {
		if v, ok := config["MinimumHealthyPercent"]; ok {
			set("deploymentMinimumHealthyPercent", v)
		}
		if v, ok := config["MaximumPercent"]; ok {
			set("deploymentMaximumPercent", v)
		}
		if b, ok := config["DeploymentCircuitBreaker"].(map[string]any); ok {
			set("deploymentCircuitBreaker", map[string]any{"enable": b["Enable"], "rollback": b["Rollback"]})
		}
		if a, ok := config["Alarms"].(map[string]any); ok {
			set("alarms", map[string]any{"alarmNames": a["AlarmNames"], "enable": a["Enable"], "rollback": a["Rollback"]})
		}
	}
	if params["ForceNewDeployment"] == true {
		st.forceNewDeployment(settings, svc)
	}
	return map[string]any{"Service": map[string]any{"ServiceName": svc.Inputs["name"], "ServiceArn": svc.ID}}, nil
}

// describeServices is ECS's DescribeServices: each service's deployments,
// of which there is one, the rollout being over at once.
func (st *state) describeServices(region string, params map[string]any) (any, error) {
	names, _ := params["Services"].([]any)
	var services, failures []any
	for _, name := range names {
		i := st.service(region, params["Cluster"], name)
		if i < 0 {
			failures = append(failures, map[string]any{"Arn": name, "Reason": "MISSING"})
			continue
		}
		svc := st.Resources[i]
		serving, _ := st.serving(region + "/" + svc.ID)
		services = append(services, map[string]any{
			"ServiceName": svc.Inputs["name"], "ServiceArn": svc.ID, "TaskDefinition": svc.Inputs["taskDefinition"],
			"Deployments": []any{map[string]any{"Status": "PRIMARY", "RolloutState": serving.State, "TaskDefinition": serving.TaskDefinition}},
		})
	}
	return map[string]any{"Services": orEmpty(services), "Failures": orEmpty(failures)}, nil
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// forceNewDeployment starts new tasks of the service's task definition,
// which read the secrets' current values. The old tasks answer until the
// new ones are healthy: if they hold a rotated value of the database's
// password, their answers trip the deployment alarms that watch the
// targets, and ECS rolls back where the service says so.
func (st *state) forceNewDeployment(settings Settings, svc *Resource) {
	key := svc.Region + "/" + svc.ID
	taskDef := str(svc.Inputs["taskDefinition"])
	serving, _ := st.serving(key)
	current := st.secretsRead(svc.Region, taskDef)
	if st.Rollouts == nil {
		st.Rollouts = map[string][]Rollout{}
	}
	if problem := st.taskProblem(settings, svc.Region, taskDef); problem != "" {
		st.rollBack(key, Rollout{TaskDefinition: taskDef, Reason: "ECS deployment circuit breaker: " + problem, Secrets: current},
			Rollout{TaskDefinition: serving.TaskDefinition, Reason: "ECS deployment circuit breaker: rolled back to the last completed deployment.", Secrets: serving.Secrets})
		return
	}
	if stale := st.stale(serving, current); len(stale) > 0 {
		if alarm := st.trippedAlarm(*svc); alarm != "" {
			st.rollBack(key, Rollout{TaskDefinition: taskDef, Secrets: current,
				Reason: "alarm " + alarm + " in ALARM: the tasks that still hold the old value of " + secretName(stale[0]) + " answer 5xx"},
				Rollout{TaskDefinition: serving.TaskDefinition, Secrets: serving.Secrets, Reason: "ECS deployment alarms: rolled back to the last completed deployment."})
			return
		}
	}
	st.Rollouts[key] = append(st.Rollouts[key], Rollout{TaskDefinition: taskDef, State: "COMPLETED", Reason: "ECS deployment completed.", Secrets: current})
}

// rollBack records a deployment that failed and the completed one ECS
// rolled the service back to, whose tasks run.
func (st *state) rollBack(key string, failed, back Rollout) {
	failed.State, back.State = "FAILED", "COMPLETED"
	st.Rollouts[key] = append(st.Rollouts[key], failed, back)
}

// trippedAlarm is the first deployment alarm of the service that rolls its
// deployment back and watches its targets' 5xx answers or health, or "".
func (st *state) trippedAlarm(svc Resource) string {
	alarms, _ := svc.Inputs["alarms"].(map[string]any)
	if !boolean(alarms["enable"]) || !boolean(alarms["rollback"]) {
		return ""
	}
	names, _ := alarms["alarmNames"].([]any)
	for _, name := range names {
		for _, r := range st.Resources {
			metric := str(r.Inputs["metricName"])
			if r.Type == typeMetricAlarm && r.Region == svc.Region && str(r.Inputs["name"]) == str(name) &&
				(strings.Contains(metric, "5XX") || metric == "UnHealthyHostCount") {
				return str(name)
			}
		}
	}
	return ""
}

// serving is the last completed deployment of a service (by region and
// id): the one whose tasks run.
func (st *state) serving(key string) (Rollout, bool) {
	rollouts := st.Rollouts[key]
	for i := len(rollouts) - 1; i >= 0; i-- {
		if rollouts[i].State == "COMPLETED" {
			return rollouts[i], true
		}
	}
	return Rollout{}, false
}

// secretsRead are the rotations, by secret ARN, of each Secrets Manager
// secret a task definition's containers read: what its tasks started now hold.
func (st *state) secretsRead(region, taskDefinitionARN string) map[string]int {
	out := map[string]int{}
	for _, td := range append(slices.Clone(st.Resources), st.Inactive...) {
		if td.Type != taskDefinition || td.Region != region || str(td.Outputs["arn"]) != taskDefinitionARN {
			continue
		}
		var containers []struct {
			Secrets []struct {
				ValueFrom string `json:"valueFrom"`
			} `json:"secrets"`
		}
		_ = json.Unmarshal([]byte(str(td.Inputs["containerDefinitions"])), &containers)
		for _, c := range containers {
			for _, s := range c.Secrets {
				// arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX[:key:stage:version]
				parts := strings.Split(s.ValueFrom, ":")
				if len(parts) >= 7 && parts[2] == "secretsmanager" {
					arn := strings.Join(parts[:7], ":")
					out[arn] = st.Rotations[arn].Count
				}
			}
		}
	}
	return out
}

// stale lists the secrets whose value rotated since a deployment's tasks read them.
func (st *state) stale(r Rollout, current map[string]int) []string {
	var out []string
	for arn, count := range current {
		if count > r.Secrets[arn] {
			out = append(out, arn)
		}
	}
	slices.Sort(out)
	return out
}

// ServiceProblem says why a service's running tasks cannot serve though they
// run, or "": they read a secret before its value rotated.
func (a *Account) ServiceProblem(region, serviceID string) (string, error) {
	var problem string
	err := a.read(func(st *state) error {
		i := st.find(region, typeService, serviceID)
		if i < 0 {
			return nil
		}
		serving, ok := st.serving(region + "/" + serviceID)
		taskDef := serving.TaskDefinition
		if !ok {
			taskDef = str(st.Resources[i].Inputs["taskDefinition"])
		}
		if stale := st.stale(serving, st.secretsRead(region, taskDef)); len(stale) > 0 {
			problem = "its tasks read " + secretName(stale[0]) + " before it rotated: their new database connections fail"
		}
		return nil
	})
	return problem, err
}
