// Package monitoring creates the environment's alerting: the KMS-encrypted SNS
// topic <prefix>-alerts with one e-mail subscription per address, the alarms
// the runbook lists (the api service's, the load balancer's, the database's,
// the cache's, and each worker's), and the dashboard <prefix>-infrastructure.
//
// The original's alarms and dashboard never received data (defects A1-A11):
// wrong dimension values (the RDS resource id instead of the identifier, the
// replication group instead of the member clusters), dimensions written where
// CloudWatch ignores them, metrics of a namespace that was off. Here every
// dimension is a value AWS publishes the metric under, taken from the resource
// that publishes it, and a test checks each one.
package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/settings"
)

// Args configure the monitoring.
type Args struct {
	// Environment names the topic's display name: Oh My Coins <Environment> Alerts.
	Environment string
	Region      string
	// AccountID is the account of the topic's publishers and subscriber.
	AccountID pulumi.StringInput
	// SubscriberRole is the one role (by name) of the environment that may
	// subscribe to the topic: its deploy role, which applies AlertEmails.
	// Its other roles (<name>-*) may not (TopicPolicy); another
	// environment's roles hold no grant on the topic at all.
	SubscriberRole string
	// KMSKeyARN encrypts the topic; its key policy must let CloudWatch use it.
	KMSKeyARN pulumi.StringInput
	// AlertEmails each get an e-mail subscription (confirmed by the recipient).
	AlertEmails []string
	// Routes are the chat channels and the pager that get the alerts too.
	Routes Routes
	// PagingURL is the paging service's integration URL, a secret, and
	// PagingService the service it belongs to (PagingServiceOf); required
	// when Routes.Page is set.
	PagingURL     pulumi.StringInput
	PagingService string
	// PermissionsBoundary is the environment's boundary, which AWS
	// Chatbot's role carries like every role of the environment.
	PermissionsBoundary pulumi.StringInput
	// Thresholds of the alarms.
	Thresholds Thresholds

	// What the metrics are published under.
	ClusterName           string
	Services              []Service
	LoadBalancerARNSuffix pulumi.StringInput
	DBInstanceIdentifier  pulumi.StringInput
	// CacheMembers are the Redis member cluster ids (CacheNodes of them).
	CacheMembers pulumi.StringArrayInput
	CacheNodes   int
	// DatabaseLogGroup is the log group of PostgreSQL's log, which the
	// saved queries read for slow statements and failed connections.
	DatabaseLogGroup string
	// ContainerInsights says whether ECS/ContainerInsights metrics exist for the task-count widget.
	ContainerInsights bool
	// Budget is the environment's monthly budget, alerting the same topic.
	Budget Budget
	// Firewall is the web ACL in front of the load balancer; nil without one.
	Firewall *Firewall
}

// Firewall is a web ACL as its metrics are published (AWS/WAFV2).
type Firewall struct {
	// WebACLName is the WebACL dimension.
	WebACLName string
	// Counting says its rules only count: what they would have blocked is
	// CountedRequests, which the alarm then watches instead of BlockedRequests.
	Counting bool
}

// Metric is what the firewall's alarm watches: BlockedRequests, or
// CountedRequests while the rules only count.
func (f Firewall) Metric() string {
	if f.Counting {
		return "CountedRequests"
	}
	return "BlockedRequests"
}

// Service is an application service as its metrics are published.
type Service struct {
	service.Service
	// ECSName is the ECS service's name, the ServiceName dimension.
	ECSName string
	// LogGroupName is the log group its containers write to, which the
	// saved queries read (and, for the api service, the error-lines filter).
	LogGroupName string
	// TargetGroupARNSuffix is its target group's TargetGroup dimension; nil
	// for a worker, which has none.
	TargetGroupARNSuffix pulumi.StringInput
}

// Monitoring is the monitoring component.
type Monitoring struct {
	pulumi.ResourceState

	TopicARN      pulumi.StringOutput
	DashboardName string
	// DashboardURL opens the dashboard in the CloudWatch console.
	DashboardURL string
	// AlarmNames are the alarm names, in the runbook's order.
	AlarmNames []string
	// Roles are the roles the component creates for AWS services (AWS
	// Chatbot's, with a chat channel), which the deploy role may write.
	Roles []policydoc.ServiceRole
	// DeploymentAlarms are, by service name, the alarms a service's
	// deployments watch (the api service's 5xx answers and unhealthy
	// targets): ECS rolls back a deployment that trips one. Outputs of the
	// alarms, so the service waits for them.
	DeploymentAlarms map[string]pulumi.StringArrayOutput
}

// New creates the topic, the alarms and the dashboard. The component's name is
// the environment's name prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	problems := settings.NewProblems()
	args.Thresholds.Validate(problems)
	args.Routes.Validate(problems.In("alerts"))
	if err := problems.Err("monitoring"); err != nil {
		return nil, err
	}
	if args.CacheNodes < 1 || args.CacheMembers == nil {
		return nil, fmt.Errorf("monitoring: CacheNodes = %d: needs the Redis member ids (1 or more)", args.CacheNodes)
	}
	if args.KMSKeyARN == nil || args.LoadBalancerARNSuffix == nil || args.DBInstanceIdentifier == nil || args.AccountID == nil || args.SubscriberRole == "" {
		return nil, fmt.Errorf("monitoring: KMSKeyARN, the load balancer's ARN suffix, DBInstanceIdentifier, AccountID and SubscriberRole are required")
	}
	services := make([]service.Service, len(args.Services))
	for i, s := range args.Services {
		services[i] = s.Service
		if s.ECSName == "" || s.LogGroupName == "" || (s.TargetGroupARNSuffix == nil) == s.BehindLoadBalancer() {
			return nil, fmt.Errorf("monitoring: service %s needs its ECS name and log group, and a target group ARN suffix exactly when it is behind the load balancer", s.Name)
		}
	}
	if why := service.Check(services); why != "" {
		return nil, fmt.Errorf("monitoring: Services: %s", why)
	}
	if _, known := PagingServices[args.PagingService]; args.Routes.Page && (args.PagingURL == nil || !known) {
		return nil, fmt.Errorf("monitoring: Routes.Page needs PagingURL, the integration URL, and PagingService, its service (%q is none of PagerDuty's or Opsgenie's)", args.PagingService)
	}
	if (args.Routes.Slack.On() || args.Routes.Teams.On()) && args.PermissionsBoundary == nil {
		return nil, fmt.Errorf("monitoring: a chat channel needs PermissionsBoundary for AWS Chatbot's role")
	}
	if args.DatabaseLogGroup == "" {
		return nil, fmt.Errorf("monitoring: DatabaseLogGroup is required: the saved queries read PostgreSQL's log")
	}
	c := &Monitoring{DashboardName: name + "-infrastructure", DeploymentAlarms: map[string]pulumi.StringArrayOutput{}}
	c.DashboardURL = fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s", args.Region, args.Region, c.DashboardName)
	if err := ctx.RegisterComponentResource("ohmycoins:monitoring:Monitoring", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	topic, err := sns.NewTopic(ctx, name+"-alerts", &sns.TopicArgs{
		Name:           pulumi.String(name + "-alerts"),
		DisplayName:    pulumi.String("Oh My Coins " + args.Environment + " Alerts"),
		KmsMasterKeyId: args.KMSKeyARN,
	}, parent)
	if err != nil {
		return nil, err
	}
	policy, err := topicPolicy(ctx, name, args, topic, parent)
	if err != nil {
		return nil, err
	}
	for i, email := range args.AlertEmails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-alerts-email-%d", name, i+1), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(email),
		}, parent, pulumi.DependsOn([]pulumi.Resource{policy})); err != nil {
			return nil, err
		}
	}
	if err := routeAlerts(ctx, name, args, topic, policy, c, parent); err != nil {
		return nil, err
	}
	if err := budget(ctx, name, args.Budget, topic, parent); err != nil {
		return nil, err
	}
	queries := Queries(name, args)
	if err := saveQueries(ctx, name, args, queries, parent); err != nil {
		return nil, err
	}

	deployment := map[string]pulumi.StringArray{}
	for _, a := range alarms(name, args) {
		alarm, err := createAlarm(ctx, a, args, topic.Arn, parent)
		if err != nil {
			return nil, err
		}
		c.AlarmNames = append(c.AlarmNames, a.name)
		if a.rollsBack != "" {
			deployment[a.rollsBack] = append(deployment[a.rollsBack], alarm.Name)
		}
	}
	for name, alarms := range deployment {
		c.DeploymentAlarms[name] = alarms.ToStringArrayOutput()
	}

	if _, err := cloudwatch.NewDashboard(ctx, c.DashboardName, &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(c.DashboardName),
		DashboardBody: dashboardBody(name, args),
	}, parent); err != nil {
		return nil, err
	}

	c.TopicARN = topic.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"topicArn":      c.TopicARN,
		"dashboardName": pulumi.String(c.DashboardName),
		"dashboardUrl":  pulumi.String(c.DashboardURL),
		"alarmNames":    pulumi.ToStringArray(c.AlarmNames),
	})
}
