package migrate

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/preview"
)

// A rule says how a resource type of this program and the Terraform type of
// the original name the same AWS object: by what AWS holds once (a name, an
// identifier, a record's zone and name) or, for the EC2 resources that have
// no name, by their Name tag. Matching goes by these values only, never by a
// Terraform address.
type rule struct {
	tfType string
	keys   []key
}

// A key is one value of an identity, under its Pulumi input path and its
// Terraform attribute path ("tags.Name" reads a tag).
type key struct {
	input, attr string
	// ref marks the id or ARN of another resource: two such values match when
	// they point at resources that match.
	ref bool
	// dns marks a DNS name: compared without case or a trailing dot.
	dns bool
}

var nameTag = key{input: "tags.Name", attr: "tags.Name"}

func named(attr string) key { return key{input: camel(attr), attr: attr} }

func ref(attr string) key { return key{input: camel(attr), attr: attr, ref: true} }

// rules are the identities of every type the original environments have and
// this program registers.
var rules = map[string]rule{
	"aws:ec2/vpc:Vpc":                                     {"aws_vpc", []key{nameTag}},
	"aws:ec2/internetGateway:InternetGateway":             {"aws_internet_gateway", []key{nameTag}},
	"aws:ec2/subnet:Subnet":                               {"aws_subnet", []key{nameTag}},
	"aws:ec2/eip:Eip":                                     {"aws_eip", []key{nameTag}},
	"aws:ec2/natGateway:NatGateway":                       {"aws_nat_gateway", []key{nameTag}},
	"aws:ec2/routeTable:RouteTable":                       {"aws_route_table", []key{nameTag}},
	"aws:ec2/route:Route":                                 {"aws_route", []key{ref("route_table_id"), named("destination_cidr_block")}},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {"aws_route_table_association", []key{ref("route_table_id"), ref("subnet_id")}},
	"aws:ec2/flowLog:FlowLog":                             {"aws_flow_log", []key{ref("vpc_id"), named("traffic_type")}},
	"aws:ec2/securityGroup:SecurityGroup":                 {"aws_security_group", []key{ref("vpc_id"), named("name")}},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                     {"aws_vpc_endpoint", []key{ref("vpc_id"), named("service_name")}},
	"aws:cloudwatch/logGroup:LogGroup":                    {"aws_cloudwatch_log_group", []key{named("name")}},
	"aws:cloudwatch/metricAlarm:MetricAlarm":              {"aws_cloudwatch_metric_alarm", []key{{input: "name", attr: "alarm_name"}}},
	"aws:iam/role:Role":                                   {"aws_iam_role", []key{named("name")}},
	"aws:iam/rolePolicy:RolePolicy":                       {"aws_iam_role_policy", []key{named("role"), named("name")}},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":   {"aws_iam_role_policy_attachment", []key{named("role"), named("policy_arn")}},
	"aws:rds/subnetGroup:SubnetGroup":                     {"aws_db_subnet_group", []key{named("name")}},
	"aws:rds/parameterGroup:ParameterGroup":               {"aws_db_parameter_group", []key{named("name")}},
	"aws:rds/instance:Instance":                           {"aws_db_instance", []key{named("identifier")}},
	"aws:elasticache/subnetGroup:SubnetGroup":             {"aws_elasticache_subnet_group", []key{named("name")}},
	"aws:elasticache/parameterGroup:ParameterGroup":       {"aws_elasticache_parameter_group", []key{named("name")}},
	"aws:elasticache/replicationGroup:ReplicationGroup":   {"aws_elasticache_replication_group", []key{named("replication_group_id")}},
	"aws:lb/loadBalancer:LoadBalancer":                    {"aws_lb", []key{named("name")}},
	"aws:lb/targetGroup:TargetGroup":                      {"aws_lb_target_group", []key{named("name")}},
	"aws:lb/listener:Listener":                            {"aws_lb_listener", []key{ref("load_balancer_arn"), named("port")}},
	"aws:lb/listenerRule:ListenerRule":                    {"aws_lb_listener_rule", []key{ref("listener_arn"), named("priority")}},
	"aws:ecs/cluster:Cluster":                             {"aws_ecs_cluster", []key{named("name")}},
	"aws:ecs/service:Service":                             {"aws_ecs_service", []key{ref("cluster"), named("name")}},
	"aws:ecs/taskDefinition:TaskDefinition":               {"aws_ecs_task_definition", []key{named("family")}},
	"aws:appautoscaling/target:Target":                    {"aws_appautoscaling_target", []key{named("resource_id"), named("scalable_dimension")}},
	"aws:appautoscaling/policy:Policy":                    {"aws_appautoscaling_policy", []key{named("resource_id"), named("name")}},
	"aws:secretsmanager/secret:Secret":                    {"aws_secretsmanager_secret", []key{named("name")}},
	"aws:secretsmanager/secretVersion:SecretVersion":      {"aws_secretsmanager_secret_version", []key{ref("secret_id")}},
	"aws:route53/record:Record": {"aws_route53_record", []key{named("zone_id"),
		{input: "name", attr: "name", dns: true}, named("type")}},
}

// pulumiTypeOf is the type of this program that a Terraform type becomes.
func pulumiTypeOf(tfType string) (string, bool) {
	for typ, r := range rules {
		if r.tfType == tfType {
			return typ, true
		}
	}
	return "", false
}

// matcher pairs originals with this program's resources by identity.
type matcher struct {
	originals []*original
	ours      []preview.Resource
	// byValue finds an original by its id or ARN, ourByValue ours.
	byValue    map[string]*original
	ourByValue map[string]string
	matched    map[string]*original // our URN -> original
}

func newMatcher(originals []*original, plan *preview.Plan) *matcher {
	m := &matcher{originals: originals, byValue: map[string]*original{}, ourByValue: map[string]string{}, matched: map[string]*original{}}
	// A value names the resource whose id it is before one that only
	// carries it as its arn (a secret version's arn is its secret's).
	for _, o := range originals {
		if id := o.String("id"); id != "" {
			m.byValue[id] = o
		}
	}
	for _, o := range originals {
		if a := o.ARN(); a != "" && m.byValue[a] == nil {
			m.byValue[a] = o
		}
	}
	for _, r := range plan.Resources {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		m.ours = append(m.ours, r)
		if r.ID != "" {
			m.ourByValue[r.ID] = r.URN
		}
	}
	for _, r := range m.ours {
		if a, ok := r.Outputs["arn"].(string); ok && a != "" && m.ourByValue[a] == "" {
			m.ourByValue[a] = r.URN
		}
	}
	return m
}

// match pairs every original it can. An identity that refers to another
// resource is known once that resource is matched, so it repeats until
// nothing more matches.
func (m *matcher) match() {
	for progress := true; progress; {
		progress = false
		for _, o := range m.originals {
			if o.urn != "" {
				continue
			}
			typ, ok := pulumiTypeOf(o.Type)
			if !ok {
				continue
			}
			want, ok := m.originalIdentity(o, rules[typ])
			if !ok {
				continue
			}
			var found []preview.Resource
			for _, r := range m.ours {
				if r.Type != typ || m.matched[r.URN] != nil {
					continue
				}
				if got, ok := m.ourIdentity(r, rules[typ]); ok && got == want {
					found = append(found, r)
				}
			}
			if len(found) == 1 {
				o.urn, o.pulumiType, o.identity = found[0].URN, typ, describe(rules[typ], o)
				m.matched[found[0].URN] = o
				progress = true
			}
		}
	}
}

// originalIdentity is the original's identity as one comparable string; not
// ok while it refers to a resource not matched yet, or a value is missing.
func (m *matcher) originalIdentity(o *original, r rule) (string, bool) {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		v := fmt.Sprint(lookup(o.Values, k.attr))
		if v == "" || v == "<nil>" {
			return "", false
		}
		switch {
		case k.ref:
			target, ok := m.byValue[v]
			if !ok {
				parts[i] = "=" + v // outside the state: compared as it is
				continue
			}
			if target.urn == "" {
				return "", false
			}
			parts[i] = "@" + target.urn
		case k.dns:
			parts[i] = "=" + dnsName(v)
		default:
			parts[i] = "=" + v
		}
	}
	return strings.Join(parts, "\x00"), true
}

// ourIdentity is the identity of one of this program's resources.
func (m *matcher) ourIdentity(res preview.Resource, r rule) (string, bool) {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		v := fmt.Sprint(lookup(res.Inputs, k.input))
		if v == "" || v == "<nil>" || v == preview.Unknown {
			return "", false
		}
		switch {
		case k.ref:
			if urn, ok := m.ourByValue[v]; ok {
				parts[i] = "@" + urn
			} else {
				parts[i] = "=" + v
			}
		case k.dns:
			parts[i] = "=" + dnsName(v)
		default:
			parts[i] = "=" + v
		}
	}
	return strings.Join(parts, "\x00"), true
}

// describe says, for the report, what identity an original was matched by.
func describe(r rule, o *original) string {
	parts := make([]string, 0, len(r.keys))
	for _, k := range r.keys {
		parts = append(parts, fmt.Sprintf("%s %v", k.attr, lookup(o.Values, k.attr)))
	}
	return strings.Join(parts, ", ")
}

func dnsName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// lookup reads a dot-separated path of maps.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[part]
	}
	return v
}
