package stackplan_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const testProvider = "urn:pulumi:staging::ohmycoins::pulumi:providers:aws::p"

func testPlan(resources ...stackplan.Resource) *stackplan.Plan {
	root := stackplan.Resource{URN: "urn:pulumi:staging::ohmycoins::pulumi:pulumi:Stack::ohmycoins-staging", Type: stackplan.RootType,
		Name: "ohmycoins-staging", Inputs: map[string]any{}, Outputs: map[string]any{}}
	provider := stackplan.Resource{URN: testProvider, Type: "pulumi:providers:aws", Name: "p", Custom: true,
		Inputs: map[string]any{"region": "ap-southeast-2"}, Outputs: map[string]any{}}
	all := append([]stackplan.Resource{root, provider}, resources...)
	return &stackplan.Plan{Project: "ohmycoins", Stack: "staging", Resources: all, Outputs: map[string]any{"a": "1"}}
}

// res is a custom resource of a type with inputs and outputs; its URN ends in name.
func res(typ, name, id string, inputs, outputs map[string]any) stackplan.Resource {
	if outputs == nil {
		outputs = map[string]any{}
	}
	return stackplan.Resource{URN: "urn:pulumi:staging::ohmycoins::" + typ + "::" + name, Type: typ, Name: name, Custom: true,
		ID: id, ProviderURN: testProvider, Inputs: inputs, Outputs: outputs,
		PropertyDependencies: map[string][]string{}, SecretDigests: map[string]string{}}
}

func TestDiffTellsAnUpdateFromAReplacement(t *testing.T) {
	t.Parallel()
	vpc := res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.0.0.0/16", "enableDnsSupport": true}, nil)
	old := testPlan(vpc, res(typeVpc, "same", "vpc-2", map[string]any{"cidrBlock": "10.2.0.0/16"}, nil))

	dns := res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.0.0.0/16", "enableDnsSupport": false}, nil)
	d := stackplan.Diff(old, testPlan(dns, res(typeVpc, "same", "vpc-2", map[string]any{"cidrBlock": "10.2.0.0/16"}, nil)))
	c := previewtest.Change(t, d, typeVpc, "vpc")
	require.Equal(t, stackplan.OpUpdate, c.Op, "enableDnsSupport changes in place")
	require.Empty(t, c.ReplaceBecause)
	require.Equal(t, map[string]stackplan.ValueChange{"enableDnsSupport": {Old: true, New: false}}, c.Inputs)
	require.Equal(t, 3, d.Unchanged, "the stack, the provider and the other VPC")

	cidr := res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.9.0.0/16", "enableDnsSupport": true}, nil)
	c = previewtest.Change(t, stackplan.Diff(old, testPlan(cidr)), typeVpc, "vpc")
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.Equal(t, []string{"cidrBlock"}, c.ReplaceBecause, "cidr_block is ForceNew")
	require.False(t, c.DeleteFirst)
	require.Empty(t, c.Blocked, "VPCs have no unique key: the new one is created beside the old")
}

func TestDiffHonoursIgnoreChanges(t *testing.T) {
	t.Parallel()
	old := testPlan(res(typeService, "svc", "arn:svc", map[string]any{"name": "svc", "desiredCount": 2.0}, nil))
	svc := res(typeService, "svc", "arn:svc", map[string]any{"name": "svc", "desiredCount": 4.0}, nil)
	svc.IgnoreChanges = []string{"desiredCount"}
	d := stackplan.Diff(old, testPlan(svc))
	c := previewtest.Change(t, d, typeService, "svc")
	require.Equal(t, stackplan.OpSame, c.Op, "only the option changes: the engine takes a same step, and pulumi up touches nothing in AWS")
	require.Empty(t, c.Inputs, "autoscaling owns desiredCount: Pulumi compares the old value with itself")
	require.Equal(t, map[string]stackplan.ValueChange{"ignoreChanges": {Old: []string{}, New: []string{"desiredCount"}}}, c.Options)
}

func TestDiffBlocksReplacingOrDeletingAProtectedResource(t *testing.T) {
	t.Parallel()
	db := res(typeDBInstance, "db", "db", map[string]any{"identifier": "db", "dbName": "app"}, nil)
	db.Protect = true
	gone := res(typeSecret, "secret", "arn:secret", map[string]any{"name": "secret"}, nil)
	gone.Protect = true
	old := testPlan(db, gone)

	renamed := res(typeDBInstance, "db", "db", map[string]any{"identifier": "db", "dbName": "app2"}, nil)
	renamed.Protect = true
	d := stackplan.Diff(old, testPlan(renamed))

	c := previewtest.Change(t, d, typeDBInstance, "db")
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.Equal(t, []string{"dbName"}, c.ReplaceBecause)
	require.Len(t, c.Blocked, 2)
	require.Contains(t, c.Blocked[0], "protected: pulumi up refuses to replace it")
	require.Contains(t, c.Blocked[1], "collides: identifier \"db\" is still held by the resource it replaces")
	require.Contains(t, c.Notes, "holds the database: the replacement starts empty")

	deleted := previewtest.Change(t, d, typeSecret, "secret")
	require.Equal(t, stackplan.OpDelete, deleted.Op)
	require.Equal(t, []string{"protected: pulumi up refuses to delete it; unprotect it deliberately (pulumi state unprotect) only if losing it is intended"}, deleted.Blocked)
	require.Len(t, d.Blocked(), 2)

	identifier := res(typeDBInstance, "db", "db", map[string]any{"identifier": "db-new", "dbName": "app"}, nil)
	identifier.Protect = true
	c = previewtest.Change(t, stackplan.Diff(testPlan(db), testPlan(identifier)), typeDBInstance, "db")
	require.Equal(t, stackplan.OpUpdate, c.Op, "RDS renames an instance in place (5.x)")
	require.Empty(t, c.Blocked)
}

func TestDiffFindsAReplacementThatCollidesWithItsOwnName(t *testing.T) {
	t.Parallel()
	createFirst := false
	tg := func(port float64) stackplan.Resource {
		r := res(typeTargetGroup, "tg", "arn:tg", map[string]any{"name": "p-backend-tg", "port": port, "protocol": "HTTP"}, nil)
		r.DeleteBeforeReplace = &createFirst // the program asks for create-before-delete
		return r
	}
	c := previewtest.Change(t, stackplan.Diff(testPlan(tg(8000)), testPlan(tg(8080))), typeTargetGroup, "tg")
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.False(t, c.DeleteFirst)
	require.Equal(t, []string{"port"}, c.ReplaceBecause)
	require.Len(t, c.Blocked, 1)
	require.Contains(t, c.Blocked[0], `collides: name "p-backend-tg" is still held by the resource it replaces, created before it is deleted; AWS refuses (DuplicateTargetGroupName)`)

	first := tg(8080)
	deleteFirst := true
	first.DeleteBeforeReplace = &deleteFirst
	c = previewtest.Change(t, stackplan.Diff(testPlan(tg(8000)), testPlan(first)), typeTargetGroup, "tg")
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.True(t, c.DeleteFirst)
	require.Empty(t, c.Blocked, "deleted first, the name is free")

	left := tg(8080)
	left.DeleteBeforeReplace = nil
	c = previewtest.Change(t, stackplan.Diff(testPlan(tg(8000)), testPlan(left)), typeTargetGroup, "tg")
	require.True(t, c.DeleteFirst, "left to the provider, a replacement of a resource whose name the program sets deletes first (the bridge's rule)")
	require.Empty(t, c.Blocked)

	renamed := tg(8080)
	renamed.Inputs["name"] = "p-backend-1a2b"
	c = previewtest.Change(t, stackplan.Diff(testPlan(tg(8000)), testPlan(renamed)), typeTargetGroup, "tg")
	require.Equal(t, []string{"name", "port"}, c.ReplaceBecause)
	require.Empty(t, c.Blocked, "a name that changes with the replacement does not collide")

	// A per-repository singleton: the create overwrites, the deletion then removes it.
	policy := func(text string) stackplan.Resource {
		return res("aws:ecr/lifecyclePolicy:LifecyclePolicy", "lp", "repo", map[string]any{"repository": "repo", "policy": text}, nil)
	}
	c = previewtest.Change(t, stackplan.Diff(testPlan(policy("a")), testPlan(policy("b"))), "aws:ecr/lifecyclePolicy:LifecyclePolicy", "lp")
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.Contains(t, c.Blocked[0], "the create overwrites it and the deletion then removes what was created")
}

func TestDiffFindsACreateThatCollidesWithADeletedResource(t *testing.T) {
	t.Parallel()
	old := testPlan(res(typeLogGroup, "old-name", "/ecs/x", map[string]any{"name": "/ecs/x"}, nil))
	d := stackplan.Diff(old, testPlan(res(typeLogGroup, "new-name", "/ecs/x", map[string]any{"name": "/ecs/x"}, nil)))
	c := previewtest.Change(t, d, typeLogGroup, "new-name")
	require.Equal(t, stackplan.OpCreate, c.Op)
	require.Len(t, c.Blocked, 1)
	require.Contains(t, c.Blocked[0], `name "/ecs/x" is still held by old-name, which this update deletes only afterwards`)
	require.Equal(t, stackplan.OpDelete, previewtest.Change(t, d, typeLogGroup, "old-name").Op)
}

// A replaced resource's computed outputs are unknown until the apply, so what
// is built from them changes too, and is replaced where that input forces it;
// what is built from the inputs it echoes (a name) does not change.
func TestDiffCascadesAReplacementThroughComputedOutputs(t *testing.T) {
	t.Parallel()
	sg := func(description string) stackplan.Resource {
		return res(typeSG, "sg", "sg-0123456789", map[string]any{"name": "sg-a", "description": description, "vpcId": "vpc-1"},
			map[string]any{"arn": "arn:aws:ec2:ap-southeast-2:1:security-group/sg-0123456789"})
	}
	rule := res(typeIngress, "rule", "sgr-1", map[string]any{"securityGroupId": "sg-0123456789", "fromPort": 443.0, "cidrIpv4": "0.0.0.0/0"}, nil)
	rule.PropertyDependencies = map[string][]string{"securityGroupId": {sg("").URN}}
	db := res(typeDBInstance, "db", "db", map[string]any{"identifier": "db", "vpcSecurityGroupIds": []any{"sg-0123456789"}}, nil)
	db.PropertyDependencies = map[string][]string{"vpcSecurityGroupIds": {sg("").URN}}
	named := res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", "alarm", map[string]any{"name": "alarm", "alarmDescription": "about sg-a"}, nil)
	named.PropertyDependencies = map[string][]string{"alarmDescription": {sg("").URN}}

	d := stackplan.Diff(testPlan(sg("old"), rule, db, named), testPlan(sg("new"), rule, db, named))
	require.Equal(t, []string{"description"}, previewtest.Change(t, d, typeSG, "sg").ReplaceBecause)

	r := previewtest.Change(t, d, typeIngress, "rule")
	require.Equal(t, stackplan.OpReplace, r.Op)
	require.Equal(t, []string{"securityGroupId"}, r.ReplaceBecause, "security_group_id requires replacement")
	require.Equal(t, stackplan.ValueChange{Old: "sg-0123456789", New: stackplan.Unknown}, r.Inputs["securityGroupId"])

	u := previewtest.Change(t, d, typeDBInstance, "db")
	require.Equal(t, stackplan.OpUpdate, u.Op, "vpc_security_group_ids changes in place")
	require.Equal(t, stackplan.ValueChange{Old: []any{"sg-0123456789"}, New: stackplan.Unknown}, u.Inputs["vpcSecurityGroupIds"])

	_, ok := d.Find("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm")
	require.False(t, ok, "built from the group's name, an input it keeps: unchanged")
}

func TestDiffReplacesEverythingOfAReplacedProvider(t *testing.T) {
	t.Parallel()
	vpc := res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.0.0.0/16"}, nil)
	old := testPlan(vpc)
	current := testPlan(vpc)
	current.Resources[1].Inputs = map[string]any{"region": "us-east-1"}
	d := stackplan.Diff(old, current)
	p := previewtest.Change(t, d, "pulumi:providers:aws", "p")
	require.Equal(t, stackplan.OpReplace, p.Op)
	require.Equal(t, []string{"region"}, p.ReplaceBecause)
	v := previewtest.Change(t, d, typeVpc, "vpc")
	require.Equal(t, stackplan.OpReplace, v.Op)
	require.Equal(t, []string{"provider"}, v.ReplaceBecause)
}

func TestDiffComparesSecretsByDigestWithoutShowingThem(t *testing.T) {
	t.Parallel()
	version := func(digest string) stackplan.Resource {
		r := res(typeSecretVersion, "v", "v1", map[string]any{"secretId": "arn:s", "secretString": stackplan.Secret}, nil)
		if digest != "" {
			r.SecretDigests = map[string]string{"secretString": digest}
		}
		return r
	}
	d := stackplan.Diff(testPlan(version("sha256:0000000000000001")), testPlan(version("sha256:0000000000000002")))
	c := previewtest.Change(t, d, typeSecretVersion, "v")
	require.Equal(t, stackplan.OpReplace, c.Op, "secret_string is ForceNew: a new value is a new version")
	require.Equal(t, []string{"secretString"}, c.ReplaceBecause)
	require.Equal(t, stackplan.ValueChange{Old: stackplan.Secret, New: stackplan.Secret}, c.Inputs["secretString"])
	require.Contains(t, previewtest.DiffText(d), "secretString: [secret] → [secret] (the value changes)")
	require.NotContains(t, previewtest.DiffText(d), "0000000000000002", "digests are for comparing, not for showing")

	require.True(t, stackplan.Diff(testPlan(version("sha256:0000000000000001")), testPlan(version("sha256:0000000000000001"))).Empty())
	require.True(t, stackplan.Diff(testPlan(version("")), testPlan(version("sha256:0000000000000002"))).Empty(),
		"a plan without digests cannot tell: unchanged")
}

func TestDiffAppliesTheProvidersConditionalRules(t *testing.T) {
	t.Parallel()
	redis := func(version string) stackplan.Resource {
		return res(typeReplicationGroup, "redis", "redis", map[string]any{"replicationGroupId": "redis", "engineVersion": version}, nil)
	}
	require.Equal(t, stackplan.OpUpdate, previewtest.Change(t, stackplan.Diff(testPlan(redis("6.2")), testPlan(redis("7.1"))), typeReplicationGroup, "redis").Op)
	down := previewtest.Change(t, stackplan.Diff(testPlan(redis("7.1")), testPlan(redis("6.2"))), typeReplicationGroup, "redis")
	require.Equal(t, stackplan.OpReplace, down.Op, "ElastiCache cannot downgrade in place")
	require.Equal(t, []string{"engineVersion"}, down.ReplaceBecause)

	rule := func(peer map[string]any) stackplan.Resource {
		in := map[string]any{"securityGroupId": "sg-1", "fromPort": 5432.0}
		for k, v := range peer {
			in[k] = v
		}
		return res(typeIngress, "rule", "sgr-1", in, nil)
	}
	require.Equal(t, stackplan.OpUpdate, previewtest.Change(t, stackplan.Diff(testPlan(rule(map[string]any{"cidrIpv4": "10.0.0.0/8"})),
		testPlan(rule(map[string]any{"cidrIpv4": "10.1.0.0/16"}))), typeIngress, "rule").Op, "another CIDR: modified in place")
	require.Equal(t, stackplan.OpReplace, previewtest.Change(t, stackplan.Diff(testPlan(rule(map[string]any{"cidrIpv4": "10.0.0.0/8"})),
		testPlan(rule(map[string]any{"referencedSecurityGroupId": "sg-2"}))), typeIngress, "rule").Op, "another kind of source: replaced")
}

func TestDiffListsStackOutputs(t *testing.T) {
	t.Parallel()
	old := testPlan()
	current := testPlan()
	current.Outputs = map[string]any{"a": "2", "b": "3"}
	d := stackplan.Diff(old, current)
	require.Equal(t, map[string]stackplan.ValueChange{"a": {Old: "1", New: "2"}, "b": {New: "3"}}, d.Outputs)
	require.Empty(t, d.Changes)
}

// TestDiffTextIsWhatAReviewerReads pins the text form: one block per change,
// the reason for a replacement, old → new values (a JSON document by its
// changed leaves, environment variables by name), and "!" where pulumi up
// would fail.
func TestDiffTextIsWhatAReviewerReads(t *testing.T) {
	t.Parallel()
	task := func(env string) stackplan.Resource {
		return res(typeTaskDef, "task", "task", map[string]any{"family": "task",
			"containerDefinitions": `[{"name":"app","environment":[{"name":"A","value":"1"},{"name":"B","value":"` + env + `"}]}]`}, nil)
	}
	tg := res(typeTargetGroup, "tg", "arn:tg", map[string]any{"name": "tg", "port": 80.0}, nil)
	moved := res(typeTargetGroup, "tg", "arn:tg", map[string]any{"name": "tg", "port": 8080.0}, nil)
	createFirst := false
	tg.DeleteBeforeReplace, moved.DeleteBeforeReplace = &createFirst, &createFirst
	old := testPlan(task("2"), tg, res(typeLogGroup, "logs", "/l", map[string]any{"name": "/l"}, nil))
	current := testPlan(task("3"), moved, res(typeLogGroup, "logs2", "/l2", map[string]any{"name": "/l2"}, nil))
	require.Equal(t, `Changes to stack staging, offline (replacement rules of pulumi-aws v6.83.4):

+- replace  aws:ecs/taskDefinition:TaskDefinition  task
     because containerDefinitions changes
     containerDefinitions[app].environment[B].value: "2" → "3"

+- replace  aws:lb/targetGroup:TargetGroup  tg
     because port changes
     port: 80 → 8080
  !  pulumi up would fail: collides: name "tg" is still held by the resource it replaces, created before it is deleted; AWS refuses (DuplicateTargetGroupName). Use deleteBeforeReplace where a short outage is acceptable, or a name that changes with the replacement

-  delete  aws:cloudwatch/logGroup:LogGroup  logs
     note: holds the logs: deleted with it

+  create  aws:cloudwatch/logGroup:LogGroup  logs2

Resources: 1 to create, 0 to update, 2 to replace, 1 to delete, 2 unchanged
pulumi up would fail on 1 of them (marked !)
`, previewtest.DiffText(stackplan.Diff(old, current)))
}

// TestDiffJSONFollowsItsContract: the fields docs/ARCHITECTURE.md names, on every change.
func TestDiffJSONFollowsItsContract(t *testing.T) {
	t.Parallel()
	old := testPlan(res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.0.0.0/16"}, nil))
	current := testPlan(res(typeVpc, "vpc", "vpc-1", map[string]any{"cidrBlock": "10.1.0.0/16"}, nil))
	data, err := stackplan.Diff(old, current).JSON()
	require.NoError(t, err)
	var d struct {
		Stack     string                       `json:"stack"`
		Changes   []map[string]json.RawMessage `json:"changes"`
		Outputs   map[string]any               `json:"outputs"`
		Unchanged int                          `json:"unchanged"`
	}
	require.NoError(t, json.Unmarshal(data, &d))
	require.Equal(t, "staging", d.Stack)
	require.Len(t, d.Changes, 1)
	var keys []string
	for k := range d.Changes[0] {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"urn", "type", "name", "op", "deleteFirst", "replaceBecause", "inputs", "options", "blocked", "notes"}, keys)
	require.JSONEq(t, `"replace"`, string(d.Changes[0]["op"]))
	require.JSONEq(t, `["cidrBlock"]`, string(d.Changes[0]["replaceBecause"]))
	require.JSONEq(t, `{"cidrBlock": {"old": "10.0.0.0/16", "new": "10.1.0.0/16"}}`, string(d.Changes[0]["inputs"]))
	require.Equal(t, 2, d.Unchanged)
}

func TestDiffOfAPlanWithItselfIsEmpty(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	d := stackplan.Diff(plan, plan)
	require.True(t, d.Empty())
	require.Equal(t, len(plan.Resources), d.Unchanged)
}

func TestDiffRefusesWhatIsNotAPlanOfTheStack(t *testing.T) {
	t.Parallel()
	production, err := previewtest.Stack(t, "production").Plan.JSON()
	require.NoError(t, err)
	staging := previewtest.Stack(t, "staging").Plan
	duplicate := *staging
	duplicate.Resources = append(append([]stackplan.Resource(nil), staging.Resources...), staging.Resources[3])
	dup, err := duplicate.JSON()
	require.NoError(t, err)
	for _, c := range []struct {
		name, data, want string
	}{
		{"not JSON", "plan: yes", "is not a JSON plan (want the output of cmd/preview -json): invalid JSON at byte 1"},
		{"null", "null", "is null, not a plan"},
		{"empty object", "{}", "is not a plan: it lacks project, stack or resources"},
		{"another stack", string(production), `is the plan of stack "production": -diff compares two plans of stack "staging"`},
		{"another project", `{"project": "other", "stack": "staging", "resources": []}`, `is a plan of project "other", not of "ohmycoins"`},
		{"duplicate URNs", string(dup), "lists " + staging.Resources[3].URN + " twice"},
		{"no stack resource", `{"project": "ohmycoins", "stack": "staging", "resources": []}`, "has no pulumi:pulumi:Stack resource"},
	} {
		_, err := stackplan.ReadPlanOf([]byte(c.data), "ohmycoins", "staging")
		require.Error(t, err, c.name)
		require.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestANewProviderReplacesInTheProgramsOrder: a region replaces the provider
// and with it every resource; the engine asks no provider then, so a log
// group whose name the program set is created beside its original (where the
// provider's own rule would delete it first), and only the program's
// deleteBeforeReplace deletes first. The account change of a provider fails
// pulumi up.
func TestANewProviderReplacesInTheProgramsOrder(t *testing.T) {
	t.Parallel()
	logs := res(typeLogGroup, "logs", "/ecs/env", map[string]any{"name": "/ecs/env"}, nil)
	explicit := res(typeLogGroup, "explicit", "/ecs/explicit", map[string]any{"name": "/ecs/explicit"}, nil)
	yes := true
	explicit.DeleteBeforeReplace = &yes
	old := testPlan(logs, explicit)
	moved := testPlan(logs, explicit)
	moved.Resources[1].Inputs = map[string]any{"region": "ap-southeast-1"}
	d := stackplan.Diff(old, moved)
	c := previewtest.Change(t, d, typeLogGroup, "logs")
	require.Equal(t, []string{"provider"}, c.ReplaceBecause)
	require.False(t, c.DeleteFirst, "a new provider's replacement is created first")
	require.True(t, previewtest.Change(t, d, typeLogGroup, "explicit").DeleteFirst, "the program asked for delete-before-replace")

	renamed := testPlan(logs)
	renamed.Resources[1].Inputs = map[string]any{"region": "ap-southeast-2", "allowedAccountIds": []any{"210987654321"}}
	old = testPlan(logs)
	old.Resources[1].Inputs = map[string]any{"region": "ap-southeast-2", "allowedAccountIds": []any{"220711411889"}}
	c = previewtest.Change(t, stackplan.Diff(old, renamed), "pulumi:providers:aws", "p")
	require.Equal(t, stackplan.OpUpdate, c.Op)
	require.Len(t, c.Blocked, 1)
	require.Contains(t, c.Blocked[0], "AWS account ID not allowed")

	// Adding the guard moves nothing: a note, not a failure.
	old.Resources[1].Inputs = map[string]any{"region": "ap-southeast-2"}
	c = previewtest.Change(t, stackplan.Diff(old, renamed), "pulumi:providers:aws", "p")
	require.Equal(t, stackplan.OpUpdate, c.Op)
	require.Empty(t, c.Blocked)
	require.Equal(t, []string{"allowedAccountIds set to [210987654321]: from now on the provider refuses the credentials of any other account; pulumi up fails before any change if the stack's resources are not in it (aws sts get-caller-identity)"}, c.Notes)
}

// TestAnEchoOfAnUnknownReachesTheDependents: a new domain replaces the
// certificate and, for its new records, the validation; the listener reads
// the certificate ARN the validation echoes, which only the apply knows, so
// the listener is updated, as the engine shows it.
func TestAnEchoOfAnUnknownReachesTheDependents(t *testing.T) {
	t.Parallel()
	const certARN = "arn:aws:acm:ap-southeast-2:123456789012:certificate/1111"
	plan := func(domain string) *stackplan.Plan {
		cert := res("aws:acm/certificate:Certificate", "cert", certARN, map[string]any{"domainName": domain}, map[string]any{"arn": certARN})
		validation := res("aws:acm/certificateValidation:CertificateValidation", "validation", "v", map[string]any{
			"certificateArn": certARN, "validationRecordFqdns": []any{"_x." + domain}}, map[string]any{"certificateArn": certARN})
		validation.PropertyDependencies = map[string][]string{"certificateArn": {cert.URN}}
		listener := res("aws:lb/listener:Listener", "https", "l", map[string]any{"certificateArn": certARN, "port": 443.0}, nil)
		listener.PropertyDependencies = map[string][]string{"certificateArn": {validation.URN}}
		return testPlan(cert, validation, listener)
	}
	d := stackplan.Diff(plan("staging.example.com"), plan("stage.example.com"))
	require.Equal(t, stackplan.OpReplace, previewtest.Change(t, d, "aws:acm/certificateValidation:CertificateValidation", "validation").Op)
	c := previewtest.Change(t, d, "aws:lb/listener:Listener", "https")
	require.Equal(t, stackplan.OpUpdate, c.Op)
	require.Equal(t, stackplan.ValueChange{Old: certARN, New: stackplan.Unknown}, c.Inputs["certificateArn"])
}
