package awscli

import (
	"fmt"
	"time"
)

// The commands of "The database password rotates by itself" (docs/RUNBOOK.md):
// rotate a secret now, see when it rotated, and what the redeploy did.
func init() {
	for name, cmd := range rotationCommands {
		commands[name] = cmd
	}
}

// rotationDays is how often RDS rotates the master password it manages.
const rotationDays = 7

var rotationCommands = map[string]command{
	"secretsmanager rotate-secret": {required: []string{"secret-id"}, run: func(c call) (any, error) {
		s, version, err := c.account.RotateSecret(c.region, c.one("secret-id"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": version}, nil
	}},
	"secretsmanager describe-secret": {required: []string{"secret-id"}, run: func(c call) (any, error) {
		s, err := c.account.DescribeSecret(c.region, c.one("secret-id"))
		if err != nil {
			return nil, err
		}
		out := map[string]any{"ARN": s.ARN, "Name": s.Name, "RotationEnabled": s.Managed == "rds"}
		if s.Managed != "" {
			out["OwningService"] = s.Managed
		}
		if s.Last != "" {
			out["LastRotatedDate"] = s.Last
			if last, err := time.Parse(time.RFC3339, s.Last); err == nil && s.Managed == "rds" {
				out["NextRotationDate"] = last.AddDate(0, 0, rotationDays).Format(time.RFC3339)
			}
		}
		return out, nil
	}},
	"stepfunctions list-executions": {required: []string{"state-machine-arn"}, run: func(c call) (any, error) {
		runs, err := c.account.Executions(c.one("state-machine-arn"))
		if err != nil {
			return nil, err
		}
		limit := len(runs)
		if c.has("max-results") {
			if _, err := fmt.Sscan(c.one("max-results"), &limit); err != nil {
				return nil, fmt.Errorf("--max-results %q: not a number", c.one("max-results"))
			}
		}
		var out []any
		for i, r := range runs {
			if i >= limit {
				break
			}
			out = append(out, map[string]any{
				"executionArn":    c.one("state-machine-arn") + ":" + r.Name,
				"stateMachineArn": c.one("state-machine-arn"), "name": r.Name, "status": r.Status,
				"startDate": r.Started, "stopDate": r.Started,
			})
		}
		return map[string]any{"executions": orEmpty(out)}, nil
	}},
}
