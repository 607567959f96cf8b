package rehearsal

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simaws"
)

const (
	albARN   = "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:loadbalancer/app/env-alb/1"
	httpsARN = "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:listener/app/env-alb/1/2"
	apiTG    = "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:targetgroup/env-backend/3"
	webTG    = "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:targetgroup/env-frontend/4"
	certARN  = "arn:aws:acm:ap-southeast-2:220711411889:certificate/5"
)

func res(typ, id string, inputs map[string]any, outputs map[string]any) simaws.Resource {
	if outputs == nil {
		outputs = map[string]any{}
	}
	return simaws.Resource{Type: typ, ID: id, Inputs: inputs, Outputs: outputs}
}

// application is an environment as the program builds it: two alias
// records, the load balancer and its group open on 443, the HTTPS listener
// (frontend by default, the api host by rule), two services behind their
// target groups, their groups admitting the load balancer's.
func application() []simaws.Resource {
	alias := func(host string) simaws.Resource {
		return res("aws:route53/record:Record", host, map[string]any{"name": host, "type": "A", "aliases": []any{map[string]any{"name": "env-alb-1.ap-southeast-2.elb.amazonaws.com"}}}, nil)
	}
	rule := func(id, group string, port float64, from map[string]any) simaws.Resource {
		in := map[string]any{"securityGroupId": group, "fromPort": port, "toPort": port, "ipProtocol": "tcp"}
		for k, v := range from {
			in[k] = v
		}
		return res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", id, in, nil)
	}
	service := func(name, tg string, port float64, group, image string) []simaws.Resource {
		td := "arn:aws:ecs:ap-southeast-2:220711411889:task-definition/" + name + ":1"
		return []simaws.Resource{
			res("aws:ecs/taskDefinition:TaskDefinition", name, map[string]any{"containerDefinitions": `[{"name":"` + name + `","image":"` + image + `"}]`}, map[string]any{"arn": td}),
			res("aws:ecs/service:Service", name+"-service", map[string]any{"desiredCount": 1.0, "taskDefinition": td,
				"loadBalancers":        []any{map[string]any{"targetGroupArn": tg, "containerPort": port}},
				"networkConfiguration": map[string]any{"securityGroups": []any{group}}}, nil),
			res("aws:lb/targetGroup:TargetGroup", name+"-tg", map[string]any{"port": port}, map[string]any{"arn": tg}),
			rule(name+"-in", group, port, map[string]any{"referencedSecurityGroupId": "sg-alb"}),
		}
	}
	out := []simaws.Resource{
		alias("api.env.example.com"), alias("dashboard.env.example.com"),
		res("aws:lb/loadBalancer:LoadBalancer", "env-alb", map[string]any{"securityGroups": []any{"sg-alb"}}, map[string]any{"arn": albARN, "dnsName": "env-alb-1.ap-southeast-2.elb.amazonaws.com"}),
		rule("alb-in-https", "sg-alb", 443, map[string]any{"cidrIpv4": "0.0.0.0/0"}),
		res("aws:acm/certificate:Certificate", "cert", map[string]any{}, map[string]any{"arn": certARN}),
		res("aws:lb/listener:Listener", "https", map[string]any{"loadBalancerArn": albARN, "port": 443.0, "certificateArn": certARN,
			"defaultActions": []any{map[string]any{"type": "forward", "targetGroupArn": webTG}}}, map[string]any{"arn": httpsARN}),
		res("aws:lb/listenerRule:ListenerRule", "api-host", map[string]any{"listenerArn": httpsARN, "priority": 10.0,
			"conditions": []any{map[string]any{"hostHeader": map[string]any{"values": []any{"api.env.example.com"}}}},
			"actions":    []any{map[string]any{"type": "forward", "targetGroupArn": apiTG}}}, nil),
	}
	out = append(out, service("env-backend", apiTG, 8000, "sg-backend", "repo/backend@sha256:good")...)
	return append(out, service("env-frontend", webTG, 80, "sg-frontend", "repo/frontend@sha256:good")...)
}

// healthy says every image runs.
func healthy(simaws.Resource, string) string { return "" }

// without is the application without the resources of a type and id.
func without(rs []simaws.Resource, typ, id string) []simaws.Resource {
	var out []simaws.Resource
	for _, r := range rs {
		if r.Type != typ || r.ID != id {
			out = append(out, r)
		}
	}
	return out
}

// TestARequestIsTracedAsAWSRoutesIt: both hosts reach their services; each
// broken link stops the request there, and says where.
func TestARequestIsTracedAsAWSRoutesIt(t *testing.T) {
	require.Equal(t, Reach{"api.env.example.com": "", "dashboard.env.example.com": ""}, Trace(application(), healthy))

	reach := Trace(without(application(), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "env-backend-in"), healthy)
	require.Equal(t, "the service env-backend-service's security groups do not admit the load balancer on port 8000", reach["api.env.example.com"])
	require.Equal(t, "", reach["dashboard.env.example.com"], "the frontend's group still admits it")

	reach = Trace(without(application(), "aws:lb/listenerRule:ListenerRule", "api-host"), healthy)
	require.Equal(t, Reach{"api.env.example.com": "", "dashboard.env.example.com": ""}, reach, "without its rule the api host gets the frontend: reachable, by the default action")

	reach = Trace(application(), func(_ simaws.Resource, image string) string {
		if image == "repo/backend@sha256:good" {
			return "CannotPullContainerError: " + image + " not found in repo/backend"
		}
		return ""
	})
	require.Equal(t, "the service env-backend-service runs no healthy task: CannotPullContainerError: repo/backend@sha256:good not found in repo/backend", reach["api.env.example.com"])

	reach = Trace(without(application(), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-in-https"), healthy)
	require.Equal(t, "the load balancer env-alb's security groups do not admit HTTPS from the internet", reach["dashboard.env.example.com"])

	reach = Trace(without(application(), "aws:acm/certificate:Certificate", "cert"), healthy)
	require.Equal(t, "the HTTPS listener's certificate "+certARN+" does not exist", reach["api.env.example.com"])

	reach = Trace(without(application(), "aws:lb/loadBalancer:LoadBalancer", "env-alb"), healthy)
	require.Equal(t, "the alias record's load balancer env-alb-1.ap-southeast-2.elb.amazonaws.com does not exist", reach["api.env.example.com"])

	idle := application()
	for i := range idle {
		if idle[i].ID == "env-frontend-service" {
			idle[i].Inputs["desiredCount"] = 0.0
		}
	}
	require.Equal(t, "the service env-frontend-service runs no task", Trace(idle, healthy)["dashboard.env.example.com"])
	require.Equal(t, []string{"api.env.example.com"}, Trace(idle, healthy).Reachable())
}

// TestChangesCountIncarnations: a resource whose serial is gone and whose
// type and name came back under a new serial is replaced (deleted first or
// not); one with the same serial and other inputs is updated.
func TestChangesCountIncarnations(t *testing.T) {
	r := func(typ, name string, serial int, size float64) simaws.Resource {
		return simaws.Resource{Type: typ, ID: name, Name: name, Serial: serial, Inputs: map[string]any{"size": size}}
	}
	before := []simaws.Resource{r("db", "env-postgres", 1, 20), r("sg", "env-sg", 2, 0), r("log", "env-logs", 3, 0), r("key", "env-key", 4, 0)}
	after := []simaws.Resource{r("db", "env-postgres", 7, 20), r("sg", "env-sg", 2, 1), r("key", "env-key", 4, 0), r("topic", "env-alerts", 8, 0)}
	require.Equal(t, Changes{Create: 1, Update: 1, Replace: 1, Delete: 1}, changes(before, after))
}

// TestFaultsAreWhatTheRunbookDidNotAnnounce: a failed step, data lost that
// the procedure does not discard, and unreachability outside its windows.
func TestFaultsAreWhatTheRunbookDidNotAnnounce(t *testing.T) {
	down := map[string]string{"api.env.example.com": "no alias record"}
	r := &Report{
		Steps: []Step{
			{N: 1, Command: "pulumi up", OK: true},
			{N: 2, Command: "pulumi destroy", OK: true, Unreachable: down},
			{N: 3, Command: "pulumi up", OK: false, Error: "error: AlreadyExists", Unreachable: down},
		},
		Lost:     []Lost{{Type: "aws:rds/instance:Instance", Name: "env-postgres"}, {Type: "aws:cloudwatch/logGroup:LogGroup", Name: "/ecs/env"}},
		Windows:  []Window{{From: 2, To: 2, Why: "destroyed"}},
		Discards: []string{"aws:cloudwatch/logGroup:LogGroup"},
	}
	require.Equal(t, []string{
		"step 3 (pulumi up) failed: error: AlreadyExists",
		"lost: aws:rds/instance:Instance env-postgres exists nowhere any more (no resource, no snapshot, no copy)",
		"unreachable after step 3 (pulumi up), outside any announced window: api.env.example.com: no alias record",
	}, r.Faults())
}

// TestTheNewestRecordOfAHostAnswers: a record created with allowOverwrite
// over another stack's (a restore in another region) takes the record set
// over: the host goes where the newer one points.
func TestTheNewestRecordOfAHostAnswers(t *testing.T) {
	app := application()
	for i := range app {
		app[i].Serial = i + 10
	}
	older := res("aws:route53/record:Record", "api.env.example.com", map[string]any{"name": "api.env.example.com", "type": "A",
		"aliases": []any{map[string]any{"name": "gone-alb-9.ap-southeast-2.elb.amazonaws.com"}}}, nil)
	older.Serial = 1
	require.Equal(t, "", Trace(append([]simaws.Resource{older}, app...), healthy)["api.env.example.com"], "the newer record answers")
	older.Serial = 99
	require.Equal(t, "the alias record's load balancer gone-alb-9.ap-southeast-2.elb.amazonaws.com does not exist",
		Trace(append(app, older), healthy)["api.env.example.com"])
}

// TestFaultsNameWhatAnOutageKept: data of a type the procedure recovers
// that only the region that is down still holds is a fault.
func TestFaultsNameWhatAnOutageKept(t *testing.T) {
	r := &Report{
		Steps:       []Step{{N: 1, Command: "pulumi up --stack production-dr", OK: true}},
		Outage:      []string{"ap-southeast-2"},
		Unrecovered: []Lost{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres"}},
	}
	require.Equal(t, []string{"not recovered: aws:rds/instance:Instance ohmycoins-prod-postgres is held only in ap-southeast-2, which is down"}, r.Faults())
	before := []simaws.Resource{
		{Type: "aws:rds/instance:Instance", ID: "ohmycoins-prod-postgres", Region: "ap-southeast-2", Data: []simaws.Datum{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres", Serial: 3}}},
		{Type: "aws:rds/instance:Instance", ID: "ohmycoins-dr-postgres", Region: "ap-southeast-4", Data: []simaws.Datum{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres", Serial: 3}}},
		{Type: "aws:secretsmanager/secret:Secret", ID: "s", Region: "ap-southeast-2", Data: []simaws.Datum{{Type: "aws:secretsmanager/secret:Secret", Name: "s", Serial: 4}}},
	}
	down := func(region string) bool { return region == "ap-southeast-2" }
	require.Equal(t, []simaws.Datum{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres", Serial: 3}}, heldIn(before, []string{"aws:rds/instance:Instance"}, down))
	require.Equal(t, []simaws.Datum{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres", Serial: 3}}, heldIn(before, []string{"aws:rds/instance:Instance"}, func(r string) bool { return !down(r) }), "the restored instance holds it")
}

// TestNothingServesFromARegionThatIsDown: the application seeded in
// ap-southeast-2 serves until the region goes down, then its hosts stop
// at the load balancer, which is in the region that is down; global
// records stay.
func TestNothingServesFromARegionThatIsDown(t *testing.T) {
	account, err := simaws.Open(t.TempDir())
	require.NoError(t, err)
	for _, r := range application() {
		r.Region = "ap-southeast-2"
		require.NoError(t, account.Seed(r))
	}
	w := &World{Account: account}
	reach, err := w.Reach()
	require.NoError(t, err)
	require.Equal(t, Reach{"api.env.example.com": "", "dashboard.env.example.com": ""}, reach)
	require.NoError(t, account.SetOutage("ap-southeast-2"))
	reach, err = w.Reach()
	require.NoError(t, err)
	require.Equal(t, "the alias record's load balancer env-alb-1.ap-southeast-2.elb.amazonaws.com is in ap-southeast-2, which is down", reach["api.env.example.com"])
}
