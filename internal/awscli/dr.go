package awscli

import (
	"github.com/ohmycoins/infra/internal/simaws"
)

// The commands of docs/RUNBOOK.md, "Restoring in another region": the
// replicated backups asked of the other region, and a restore from them.
func init() {
	for name, cmd := range drCommands {
		commands[name] = cmd
	}
}

// typeBackupReplication replicates a database's automated backups to another region.
const typeBackupReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"

var drCommands = map[string]command{
	// The region's automated backups: those replicated into it from
	// another region's database, each under its source's identifier.
	"rds describe-db-instance-automated-backups": {run: func(c call) (any, error) {
		replications, err := c.resources(typeBackupReplication, "")
		if err != nil {
			return nil, err
		}
		instances, err := c.account.Resources()
		if err != nil {
			return nil, err
		}
		var out []any
		for _, r := range replications {
			if c.has("db-instance-automated-backups-arn") && r.ID != c.one("db-instance-automated-backups-arn") {
				continue
			}
			source := str(r.Inputs["sourceDbInstanceArn"])
			identifier := ""
			for _, i := range instances {
				if i.Type == typeInstance && str(i.Outputs["arn"]) == source {
					identifier = i.ID
				}
			}
			if c.has("db-instance-identifier") && identifier != c.one("db-instance-identifier") {
				continue
			}
			out = append(out, map[string]any{
				"DBInstanceAutomatedBackupsArn": r.ID, "DBInstanceArn": source, "DBInstanceIdentifier": identifier,
				"Region": c.region, "Status": "replicating", "KmsKeyId": r.Inputs["kmsKeyId"], "BackupRetentionPeriod": r.Inputs["retentionPeriod"],
				"Engine": "postgres",
			})
		}
		return map[string]any{"DBInstanceAutomatedBackups": orEmpty(out)}, nil
	}},
	// A restore from the replicated backups into a new instance of the
	// region (the latest restorable time: the simulated account keeps no
	// history to choose from).
	"rds restore-db-instance-to-point-in-time": {required: []string{"source-db-instance-automated-backups-arn", "target-db-instance-identifier"}, run: func(c call) (any, error) {
		if !c.has("use-latest-restorable-time") {
			return nil, &simaws.Refusal{Code: "InvalidParameterCombination", Message: "the rehearsal's stand-in restores only with --use-latest-restorable-time"}
		}
		class := c.one("db-instance-class")
		if class == "" {
			class = "db.t3.micro"
		}
		r, err := c.account.RestoreFromReplicatedBackups(c.region, c.one("source-db-instance-automated-backups-arn"), c.one("target-db-instance-identifier"), class)
		if err != nil {
			return nil, err
		}
		return map[string]any{"DBInstance": map[string]any{"DBInstanceIdentifier": r.ID, "DBInstanceStatus": "creating", "KmsKeyId": r.Inputs["kmsKeyId"]}}, nil
	}},
}

func init() {
	// The temporary instance of the restore, once the stack's own database
	// holds its data: deleted without a final snapshot where told so.
	commands["rds delete-db-instance"] = command{required: []string{"db-instance-identifier"}, run: func(c call) (any, error) {
		id := c.one("db-instance-identifier")
		if err := c.account.DeleteDBInstance(c.region, id, c.one("final-db-snapshot-identifier"), c.has("skip-final-snapshot")); err != nil {
			return nil, err
		}
		return map[string]any{"DBInstance": map[string]any{"DBInstanceIdentifier": id, "DBInstanceStatus": "deleting"}}, nil
	}}
}

// str is a value's text, "" when it has none.
func str(v any) string { s, _ := v.(string); return s }
