package policy

import (
	"strings"

	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
)

func rdsNotPublic(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(!isTrue(in(r, "publiclyAccessible")), "publiclyAccessible is true")
	})
}

func rdsEncrypted(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "storageEncrypted")) && str(in(r, "kmsKeyId")) != "", "storage is not encrypted with a customer key")
	})
}

func rdsMultiAZ(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string { return unless(isTrue(in(r, "multiAz")), "multiAz is false") })
}

func rdsEnhancedMonitoring(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(num(in(r, "monitoringInterval")) > 0 && str(in(r, "monitoringRoleArn")) != "", "enhanced monitoring is off")
	})
}

func rdsDeletionProtection(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "deletionProtection")), "deletionProtection is false")
	})
}

func rdsLogExports(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		for _, e := range list(in(r, "enabledCloudwatchLogsExports")) {
			if e == "postgresql" {
				return nil
			}
		}
		return []string{"the postgresql log is not exported"}
	})
}

func rdsBackups(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(num(in(r, "backupRetentionPeriod")) >= 1, "automatic backups are off")
	})
}

func rdsMinorUpgrades(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "autoMinorVersionUpgrade")), "autoMinorVersionUpgrade is false")
	})
}

func rdsCopyTags(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "copyTagsToSnapshot")), "copyTagsToSnapshot is false")
	})
}

func rdsForceSSL(p Plan) []Violation {
	groups := map[string]bool{}
	for _, g := range p.OfType(tDBParams) {
		for _, param := range list(g.Inputs["parameters"]) {
			if m, ok := param.(map[string]any); ok && m["name"] == "rds.force_ssl" && m["value"] == "1" {
				groups[str(g.Inputs["name"])] = true
			}
		}
	}
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(groups[str(in(r, "parameterGroupName"))], "parameter group %q does not set rds.force_ssl = 1", str(in(r, "parameterGroupName")))
	})
}

func rdsManagedPassword(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "manageMasterUserPassword")) && in(r, "password") == nil, "the master password is not managed by RDS")
	})
}

func cacheSnapshots(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(num(in(r, "snapshotRetentionLimit")) >= 1, "snapshotRetentionLimit is 0")
	})
}

func cacheMinorUpgrades(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "autoMinorVersionUpgrade")), "autoMinorVersionUpgrade is false")
	})
}

func cacheFailover(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "automaticFailoverEnabled")), "automaticFailoverEnabled is false")
	})
}

func cacheAtRest(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "atRestEncryptionEnabled")) && str(in(r, "kmsKeyId")) != "", "not encrypted at rest with a customer key")
	})
}

func cacheInTransit(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "transitEncryptionEnabled")), "transitEncryptionEnabled is false")
	})
}

func cacheAuth(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		return unless(in(r, "authToken") == stackplan.Secret, "no AUTH token (or one that is not secret)")
	})
}

func secretEncrypted(p Plan) []Violation {
	return p.each(tSecret, func(r stackplan.Resource) []string {
		return unless(strings.HasPrefix(str(in(r, "kmsKeyId")), "arn:aws:kms:"), "not encrypted with a customer key")
	})
}

func keyRotation(p Plan) []Violation {
	return p.each(tKey, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "enableKeyRotation")), "enableKeyRotation is false")
	})
}

func dataDatabase(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		var problems []string
		if !r.Protect {
			problems = append(problems, "not Pulumi-protected")
		}
		if num(in(r, "backupRetentionPeriod")) < 7 {
			problems = append(problems, "keeps backups fewer than 7 days")
		}
		if isTrue(in(r, "skipFinalSnapshot")) || str(in(r, "finalSnapshotIdentifier")) == "" {
			problems = append(problems, "takes no final snapshot")
		}
		return problems
	})
}

func dataCache(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		var problems []string
		if !r.Protect {
			problems = append(problems, "not Pulumi-protected")
		}
		if str(in(r, "finalSnapshotIdentifier")) == "" {
			problems = append(problems, "takes no final snapshot")
		}
		return problems
	})
}

func dataSecret(p Plan) []Violation {
	return p.each(tSecret, func(r stackplan.Resource) []string {
		var problems []string
		if !r.Protect {
			problems = append(problems, "not Pulumi-protected")
		}
		if num(in(r, "recoveryWindowInDays")) < 7 {
			problems = append(problems, "recoverable for fewer than 7 days")
		}
		return problems
	})
}

func dataKey(p Plan) []Violation {
	return p.each(tKey, func(r stackplan.Resource) []string { return unless(r.Protect, "not Pulumi-protected") })
}

// holdsData are the resource types whose deletion loses data.
var holdsData = []string{tDB, tCache, tSecret, "aws:secretsmanager/secretVersion:SecretVersion", tKey, tBucket}

func dataNoDeleteBeforeReplace(p Plan) []Violation {
	var out []Violation
	for _, typ := range holdsData {
		out = append(out, p.each(typ, func(r stackplan.Resource) []string {
			return unless(!r.DeletesFirst(replacement.MustLoad()), "a replacement would delete the data before its replacement exists (deleteBeforeReplace, or the provider's own order for a name the program sets: set deleteBeforeReplace false)")
		})...)
	}
	return out
}

// dataEvidenceProtected: in production the logs, the images that ran and the
// access logs are evidence; no ordinary update may delete or replace them.
func dataEvidenceProtected(p Plan) []Violation {
	var out []Violation
	for _, typ := range []string{tLogGroup, tRepo, tBucket} {
		out = append(out, p.each(typ, func(r stackplan.Resource) []string {
			return unless(r.Protect || r.RetainOnDelete, "neither protected nor retained on delete")
		})...)
	}
	return out
}

// dataSecretRotates: a secret's versions must not be protected. The provider
// replaces a version whenever the value changes, so a protected version makes
// every rotation fail; the secret itself is what holds the versions.
func dataSecretRotates(p Plan) []Violation {
	return p.each("aws:secretsmanager/secretVersion:SecretVersion", func(r stackplan.Resource) []string {
		return unless(!r.Protect, "protected: a new value replaces the version, which protection refuses")
	})
}
