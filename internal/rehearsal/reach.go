package rehearsal

import (
	"encoding/json"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/simaws"
)

// Reach is what a request from the internet to each of the account's
// application host names finds: "" where it reaches running tasks, else
// where it stops.
type Reach map[string]string

// Reachable lists the hosts a request reaches tasks of.
func (r Reach) Reachable() []string {
	var out []string
	for host, stop := range r {
		if stop == "" {
			out = append(out, host)
		}
	}
	sort.Strings(out)
	return out
}

// Trace follows, for each alias record of the account that points at a
// load balancer, a request for https://<host>/ as AWS routes it: the load
// balancer's security groups must admit it on 443, its HTTPS listener
// (with a certificate the account holds) picks a rule by host and path or
// its default action, the target group's ECS services must run tasks (a
// desired count above zero) that serve (taskProblem says why not, given the
// service and its image: the image fails its health checks, the pull fails,
// the tasks hold a rotated password), and the services' security groups must
// admit the load balancer's on the target group's port.
func Trace(resources []simaws.Resource, taskProblem func(service simaws.Resource, image string) string) Reach {
	byType := map[string][]simaws.Resource{}
	for _, r := range resources {
		byType[r.Type] = append(byType[r.Type], r)
	}
	out := Reach{}
	// A record that allows overwriting takes over the record set of its
	// name (an UPSERT): of two records of a host, the newer answers.
	records := slices.Clone(byType["aws:route53/record:Record"])
	sort.SliceStable(records, func(i, j int) bool { return records[i].Serial < records[j].Serial })
	for _, record := range records {
		aliases, _ := record.Inputs["aliases"].([]any)
		if len(aliases) == 0 {
			continue
		}
		target := strings.TrimSuffix(str(field(aliases[0], "name")), ".")
		if !strings.Contains(target, ".elb.") {
			continue
		}
		host := strings.TrimSuffix(str(record.Inputs["name"]), ".")
		out[host] = traceHost(byType, host, target, taskProblem)
	}
	return out
}

func traceHost(byType map[string][]simaws.Resource, host, albDNS string, taskProblem func(simaws.Resource, string) string) string {
	i := slices.IndexFunc(byType["aws:lb/loadBalancer:LoadBalancer"], func(r simaws.Resource) bool {
		return strings.EqualFold(strings.TrimSuffix(str(r.Outputs["dnsName"]), "."), albDNS)
	})
	if i < 0 {
		return "the alias record's load balancer " + albDNS + " does not exist"
	}
	alb := byType["aws:lb/loadBalancer:LoadBalancer"][i]
	albGroups := strings2(alb.Inputs["securityGroups"])
	if !admits(byType, albGroups, 443, func(rule map[string]any) bool {
		return str(rule["cidrIpv4"]) == "0.0.0.0/0" || slices.Contains(strings2(rule["cidrBlocks"]), "0.0.0.0/0")
	}) {
		return "the load balancer " + alb.ID + "'s security groups do not admit HTTPS from the internet"
	}
	var listener *simaws.Resource
	for _, l := range byType["aws:lb/listener:Listener"] {
		if str(l.Inputs["loadBalancerArn"]) == str(alb.Outputs["arn"]) && num(l.Inputs["port"]) == 443 {
			listener = &l
			break
		}
	}
	if listener == nil {
		return "the load balancer " + alb.ID + " has no listener on 443"
	}
	if cert := str(listener.Inputs["certificateArn"]); !slices.ContainsFunc(byType["aws:acm/certificate:Certificate"], func(r simaws.Resource) bool { return str(r.Outputs["arn"]) == cert }) {
		return "the HTTPS listener's certificate " + cert + " does not exist"
	}
	actions, _ := listener.Inputs["defaultActions"].([]any)
	rules := slices.Clone(byType["aws:lb/listenerRule:ListenerRule"])
	sort.Slice(rules, func(i, j int) bool { return num(rules[i].Inputs["priority"]) < num(rules[j].Inputs["priority"]) })
	for _, rule := range rules {
		if str(rule.Inputs["listenerArn"]) == str(listener.Outputs["arn"]) && matches(rule.Inputs["conditions"], host, "/") {
			actions, _ = rule.Inputs["actions"].([]any)
			break
		}
	}
	groupARN := ""
	for _, a := range actions {
		if str(field(a, "type")) == "forward" {
			groupARN = str(field(a, "targetGroupArn"))
			if groupARN == "" {
				if groups, _ := field(field(a, "forward"), "targetGroups").([]any); len(groups) > 0 {
					groupARN = str(field(groups[0], "arn"))
				}
			}
		}
	}
	if groupARN == "" {
		return "the HTTPS listener forwards " + host + " to no target group"
	}
	i = slices.IndexFunc(byType["aws:lb/targetGroup:TargetGroup"], func(r simaws.Resource) bool { return str(r.Outputs["arn"]) == groupARN })
	if i < 0 {
		return "the target group " + groupARN + " does not exist"
	}
	group := byType["aws:lb/targetGroup:TargetGroup"][i]
	port := num(group.Inputs["port"])
	why := "no ECS service registers tasks in the target group " + group.ID
	for _, svc := range byType["aws:ecs/service:Service"] {
		lbs, _ := svc.Inputs["loadBalancers"].([]any)
		if !slices.ContainsFunc(lbs, func(lb any) bool { return str(field(lb, "targetGroupArn")) == groupARN }) {
			continue
		}
		if num(svc.Inputs["desiredCount"]) < 1 {
			why = "the service " + svc.ID + " runs no task"
			continue
		}
		image := taskImage(byType, str(svc.Inputs["taskDefinition"]))
		if image == "" {
			why = "the service " + svc.ID + "'s task definition does not exist"
			continue
		}
		if problem := taskProblem(svc, image); problem != "" {
			why = "the service " + svc.ID + " runs no healthy task: " + problem
			continue
		}
		groups := strings2(field(svc.Inputs["networkConfiguration"], "securityGroups"))
		if !admits(byType, groups, port, func(rule map[string]any) bool {
			return slices.ContainsFunc(albGroups, func(g string) bool {
				return str(rule["referencedSecurityGroupId"]) == g || slices.Contains(strings2(rule["securityGroups"]), g) || str(rule["sourceSecurityGroupId"]) == g
			})
		}) {
			why = "the service " + svc.ID + "'s security groups do not admit the load balancer on port " + jsonNumber(port)
			continue
		}
		return ""
	}
	return why
}

// admits reports whether one of the security groups admits TCP on a port
// from a source: by a rule resource of either kind or by an inline rule.
func admits(byType map[string][]simaws.Resource, groups []string, port float64, source func(map[string]any) bool) bool {
	covers := func(rule map[string]any) bool {
		from, to := num(rule["fromPort"]), num(rule["toPort"])
		proto := str(rule["ipProtocol"]) + str(rule["protocol"])
		return (proto == "-1" || proto == "tcp" || proto == "6") && (proto == "-1" || from <= port && port <= to) && source(rule)
	}
	for _, r := range byType["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"] {
		if slices.Contains(groups, str(r.Inputs["securityGroupId"])) && covers(r.Inputs) {
			return true
		}
	}
	for _, r := range byType["aws:ec2/securityGroupRule:SecurityGroupRule"] {
		if str(r.Inputs["type"]) == "ingress" && slices.Contains(groups, str(r.Inputs["securityGroupId"])) && covers(r.Inputs) {
			return true
		}
	}
	for _, g := range byType["aws:ec2/securityGroup:SecurityGroup"] {
		if !slices.Contains(groups, g.ID) {
			continue
		}
		ingress, _ := g.Inputs["ingress"].([]any)
		for _, rule := range ingress {
			if m, ok := rule.(map[string]any); ok && covers(m) {
				return true
			}
		}
	}
	return false
}

// matches reports whether a listener rule's conditions match a request.
func matches(conditions any, host, requestPath string) bool {
	list, _ := conditions.([]any)
	if len(list) == 0 {
		return false
	}
	for _, c := range list {
		if values := strings2(field(field(c, "hostHeader"), "values")); len(values) > 0 && !slices.ContainsFunc(values, func(v string) bool { ok, _ := path.Match(v, host); return ok }) {
			return false
		}
		if values := strings2(field(field(c, "pathPattern"), "values")); len(values) > 0 && !slices.ContainsFunc(values, func(v string) bool { ok, _ := path.Match(v, requestPath); return ok || v == "/*" }) {
			return false
		}
	}
	return true
}

// taskImage is the first container image of a task definition, by ARN.
func taskImage(byType map[string][]simaws.Resource, arn string) string {
	for _, td := range byType["aws:ecs/taskDefinition:TaskDefinition"] {
		if str(td.Outputs["arn"]) != arn {
			continue
		}
		var containers []struct {
			Image string `json:"image"`
		}
		if json.Unmarshal([]byte(str(td.Inputs["containerDefinitions"])), &containers) == nil && len(containers) > 0 {
			return containers[0].Image
		}
	}
	return ""
}

func field(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) float64 { f, _ := v.(float64); return f }

func strings2(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		out = append(out, str(e))
	}
	return out
}

func jsonNumber(f float64) string {
	data, _ := json.Marshal(f)
	return string(data)
}
