package stacks

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/internal/service"
)

// Rules for the second `pulumi up` and every one after: settings whose change
// would replace or strand what holds data are refused before anything is
// planned, with the procedure that makes the change safely (docs/RUNBOOK.md).
// Validation cannot see what is deployed, so the live stacks' identity is
// pinned to their presets; a stack of another name (a new environment built
// beside production, say) may set its own.

// identitySettings replace or strand the database, the cache and the secret
// when they change: every physical name derives from the prefix, the region
// holds everything, and the data subnets (the VPC's range, its AZs) hold the
// database and the cache, whose subnet groups cannot move to new subnets
// while they are in use.
var identitySettings = []struct {
	key string
	get func(Settings) any
	why string
}{
	{keyNamePrefix, func(s Settings) any { return s.NamePrefix }, "every physical name derives from it, so a new prefix replaces every resource, the database, the cache and the secret among them"},
	{keyRegion, func(s Settings) any { return s.Region }, "a new region replaces every resource, the database, the cache and the secret among them"},
	{"network.vpcCidr", func(s Settings) any { return s.Network.VPCCIDR }, "a new range replaces the VPC and every subnet, and the database and cache cannot follow their subnet groups into another VPC"},
	{"network.availabilityZones", func(s Settings) any { return s.Network.AvailabilityZones }, "moving a subnet to another AZ replaces it, and the database's and cache's subnet groups cannot drop the subnets they run in"},
	{"network.dataSubnetCidrs", func(s Settings) any { return s.Network.DataSubnetCIDRs }, "a new range replaces the data subnets, and the database's and cache's subnet groups cannot drop the subnets they run in"},
}

// validateDay2 refuses the changes no ordinary update of a live stack may make.
func (s Settings) validateDay2(p *problems) {
	preset, ok := Preset(s.Environment)
	if !ok {
		return
	}
	wrongPreset := (s.Stack == EnvStaging || s.Stack == EnvProduction) && s.Stack != s.Environment
	if wrongPreset {
		p.add(keyEnvironment, s.Environment, fmt.Sprintf("must be %s in the stack %s: another environment's preset would rename and reshape every resource of the live stack; create a new stack for it (pulumi stack init)", s.Stack, s.Stack))
	}
	for _, live := range []string{EnvStaging, EnvProduction} {
		// With another environment's preset the prefix is that preset's:
		// the line above says the cause.
		if other, _ := Preset(live); s.Stack != live && s.NamePrefix == other.NamePrefix && !wrongPreset {
			p.add(keyNamePrefix, s.NamePrefix, fmt.Sprintf("is the %s stack's: every physical name derives from it, so the stack %s would plan %s's live resources from a second state, and each pulumi up of one would undo the other's; give it a prefix of its own (pulumi config set --stack %s %s:%s %s-<name>)",
				live, s.Stack, live, s.Stack, Project, keyNamePrefix, Project))
		}
	}
	if s.Stack == EnvProduction && s.Environment == EnvProduction {
		for _, id := range identitySettings {
			if !reflect.DeepEqual(id.get(s), id.get(preset)) {
				p.add(id.key, id.get(s), fmt.Sprintf("must stay %s in the production stack: %s. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")", show(id.get(preset)), id.why))
			}
		}
		if !s.Network.FlowLogs {
			p.add("network.flowLogs", false, "must stay true in production: turning flow logs off deletes the protected flow-log group and its records (Security Hub EC2.6); to stop paying for them, waive EC2.6 and lower network.flowLogRetentionDays instead")
		}
		if !s.LoadBalancer.AccessLogs {
			p.add("loadBalancer.accessLogs", false, "must stay true in production: turning access logs off deletes the protected bucket with the logs in it (Security Hub ELB.5); lower loadBalancer.accessLogExpirationDays instead")
		}
		if s.DR != preset.DR {
			p.add("dr", s.DR, fmt.Sprintf("must stay %s in the production stack: every argument of the backup replication forces its replacement, which stops it and starts a new one whose restore window in the other region begins empty (the backups already there are kept until they expire). To change it deliberately, follow docs/RUNBOOK.md, \"Restoring in another region\" (changing the replication)", show(preset.DR)))
		}
		if !s.WAF.Enabled {
			p.add("waf.enabled", false, "must stay true in production: turning the firewall off deletes the protected log group of what it blocked and leaves the load balancer bare (Security Hub ELB.16); to stop a rule that blocks real users, set waf.mode to count instead (docs/RUNBOOK.md, \"The web application firewall\")")
		}
	}
	if versionBelow(s.Cache.EngineVersion, preset.Cache.EngineVersion) {
		p.add("cache.engineVersion", s.Cache.EngineVersion, fmt.Sprintf("must not be lower than %s: ElastiCache cannot downgrade, so the provider would replace the replication group, which fails on its own id and would lose the data", preset.Cache.EngineVersion))
	}
	if versionBelow(s.Database.EngineVersion, preset.Database.EngineVersion) {
		p.add("database.engineVersion", s.Database.EngineVersion, fmt.Sprintf("must not be lower than %s: RDS cannot downgrade PostgreSQL; restore a snapshot into a new instance instead", preset.Database.EngineVersion))
	}
}

// identityWarnings are, for the staging stack, the identity settings that
// differ from the preset: allowed, since staging may be rebuilt, but a change
// of any of them against a deployed staging recreates or strands its data
// tier, so it is done by destroying staging first.
func (s Settings) identityWarnings() []string {
	preset, ok := Preset(s.Environment)
	if !ok || s.Stack != EnvStaging {
		return nil
	}
	var out []string
	for _, id := range identitySettings {
		if !reflect.DeepEqual(id.get(s), id.get(preset)) {
			out = append(out, fmt.Sprintf("%s:%s = %s differs from the staging preset (%s): %s; if staging is deployed with the preset's value, destroy it first (docs/RUNBOOK.md, \"Rebuilding staging\")",
				Project, id.key, show(id.get(s)), show(id.get(preset)), id.why))
		}
	}
	return out
}

// versionBelow reports whether dotted version a is lower than b; versions that
// are not numbers compare as not lower (their format is checked elsewhere).
func versionBelow(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		x, y := 0, 0
		var err error
		if i < len(as) {
			if x, err = strconv.Atoi(as[i]); err != nil {
				return false
			}
		}
		if i < len(bs) {
			if y, err = strconv.Atoi(bs[i]); err != nil {
				return false
			}
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// SettableKeys lists every key of the ohmycoins namespace an operator can set:
// the scalar keys, every leaf of the structured areas (database.instanceClass,
// backend.autoscaling.maxCount, ...; a map such as policy.waivers counts as
// one), and the stack secrets. The update matrix test changes each of them.
func SettableKeys() []string {
	keys := []string{keyEnvironment, keyNamePrefix, keyRegion, keyAccountID, keyDomain, keyCertificateARN, keyAlertEmails}
	var s Settings
	for area, target := range areas(&s) {
		keys = append(keys, leafKeys(area, reflect.TypeOf(target).Elem())...)
	}
	// The two services every stack has, each key of theirs; and a new
	// service, added whole under ohmycoins:services.
	for _, name := range []string{service.Backend, service.Frontend} {
		keys = append(keys, leafKeys(name, reflect.TypeOf(ServiceSettings{}))...)
	}
	keys = append(keys, keyServices)
	for _, sec := range StackSecrets {
		keys = append(keys, sec.Key)
	}
	slices.Sort(keys)
	return keys
}

func leafKeys(path string, t reflect.Type) []string {
	var out []string
	for name, i := range jsonFields(t) {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Struct {
			out = append(out, leafKeys(path+"."+name, f.Type)...)
		} else {
			out = append(out, path+"."+name)
		}
	}
	return out
}
