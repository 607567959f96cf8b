package monitoring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/chatbot"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/settings"
)

// Routes are where the alerts go besides the e-mail addresses, the config
// key ohmycoins:alerts of a stack: a chat channel through AWS Chatbot (Slack,
// or Microsoft Teams), and a pager. The presets give the values, Validate
// holds the rules; the stacks keep the one between environments (only
// production pages).
type Routes struct {
	// Slack is the Slack channel that receives every alert; off when empty.
	Slack SlackChannel `json:"slack"`
	// Teams is the Microsoft Teams channel that receives every alert; off
	// when empty.
	Teams TeamsChannel `json:"teams"`
	// Page sends every alert over HTTPS to a paging service (PagerDuty or
	// Opsgenie): to the integration URL of the stack secret
	// ohmycoins:pagingUrl, which says which service it is. Production only.
	Page bool `json:"page"`
}

// SlackChannel is a channel of a Slack workspace that AWS Chatbot is
// authorised for (once, in the AWS Chatbot console: docs/RUNBOOK.md,
// "Alerts in chat and on the pager").
type SlackChannel struct {
	// WorkspaceID is the workspace's team id (T0123ABCD).
	WorkspaceID string `json:"workspaceId"`
	// ChannelID is the channel's id (C0123ABCD), not its name.
	ChannelID string `json:"channelId"`
}

// TeamsChannel is a channel of a Microsoft Teams team that AWS Chatbot is
// authorised for.
type TeamsChannel struct {
	TenantID string `json:"tenantId"`
	TeamID   string `json:"teamId"`
	// ChannelID is the channel's id as the Teams link gives it, URL-encoded
	// (19%3a...%40thread.tacv2).
	ChannelID string `json:"channelId"`
}

// On reports whether the channel is configured.
func (s SlackChannel) On() bool { return s.WorkspaceID != "" || s.ChannelID != "" }

// On reports whether the channel is configured.
func (t TeamsChannel) On() bool { return t.TenantID != "" || t.TeamID != "" || t.ChannelID != "" }

// PagingServices are the paging services an alert can page through, each
// with the URL prefixes of its SNS integrations: the topic admits an HTTPS
// subscription to nothing else.
var PagingServices = map[string][]string{
	"pagerduty": {"https://events.pagerduty.com/"},
	"opsgenie":  {"https://api.opsgenie.com/", "https://api.eu.opsgenie.com/"},
}

// ChatbotEndpoint is the endpoint AWS Chatbot subscribes to a topic with.
const ChatbotEndpoint = "https://global.sns-api.chatbot.amazonaws.com"

// ChatbotGuardrail caps what anyone in the channel can do through AWS
// Chatbot, whatever the role allows: read CloudWatch, nothing else (AWS's
// default guardrail is AdministratorAccess).
const ChatbotGuardrail = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"

var (
	slackID  = regexp.MustCompile(`^[0-9A-Z]{1,255}$`)
	uuid     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	teamsURL = regexp.MustCompile(`^[a-zA-Z0-9\-_=+/.,]*%3[aA][a-zA-Z0-9\-_=+/.,]*%40[a-zA-Z0-9\-_=+/.,]*$`)
)

// Validate records every rule the routes break.
func (r Routes) Validate(p settings.Problems) {
	if r.Slack.On() {
		if !slackID.MatchString(r.Slack.WorkspaceID) {
			p.Add("slack.workspaceId", r.Slack.WorkspaceID, "must be the Slack workspace's team id, upper-case letters and digits (T0123ABCD): Slack's workspace settings, or the AWS Chatbot console once the workspace is authorised")
		}
		if !slackID.MatchString(r.Slack.ChannelID) {
			p.Add("slack.channelId", r.Slack.ChannelID, "must be the channel's id, upper-case letters and digits (C0123ABCD), not its name: the channel's details in Slack show it")
		}
	}
	if r.Teams.On() {
		if !uuid.MatchString(r.Teams.TenantID) {
			p.Add("teams.tenantId", r.Teams.TenantID, "must be the Microsoft Entra tenant id, a lower-case UUID")
		}
		if !uuid.MatchString(r.Teams.TeamID) {
			p.Add("teams.teamId", r.Teams.TeamID, "must be the team's id, a lower-case UUID (groupId= in the channel's link)")
		}
		if !teamsURL.MatchString(r.Teams.ChannelID) {
			p.Add("teams.channelId", r.Teams.ChannelID, "must be the channel's id as its link gives it, URL-encoded (19%3a...%40thread.tacv2)")
		}
	}
}

// PagingServiceOf is the paging service an integration URL belongs to, and
// what is wrong with it when it belongs to none (it names none of the URL:
// the URL is secret).
func PagingServiceOf(url string) (service, problem string) {
	var all []string
	for _, name := range slices.Sorted(maps.Keys(PagingServices)) {
		for _, p := range PagingServices[name] {
			if strings.HasPrefix(url, p) && len(url) > len(p) && !strings.ContainsAny(url, " \t\n") {
				return name, ""
			}
			all = append(all, p)
		}
	}
	return "", "is not an integration URL of PagerDuty or Opsgenie: it must start with " + strings.Join(all, ", ") + " (the service's Amazon CloudWatch or SNS integration gives it)"
}

// Endpoints are what the topic admits a subscription to: the stack file's
// addresses, AWS Chatbot's endpoint with a chat channel, and the paging
// service's URLs (by prefix: the URL itself is secret).
func (a Args) Endpoints() []string {
	out := append([]string{}, a.AlertEmails...)
	if a.Routes.Slack.On() || a.Routes.Teams.On() {
		out = append(out, ChatbotEndpoint)
	}
	for _, p := range PagingServices[a.PagingService] {
		out = append(out, p+"*")
	}
	return out
}

// ChatConfigurationName is the AWS Chatbot configuration of a name prefix
// for a chat service's workspace or team: <prefix>-slack-<workspace id>,
// <prefix>-teams-<team id>.
func ChatConfigurationName(prefix, service, workspace string) string {
	return prefix + "-" + service + "-" + strings.ToLower(workspace)
}

// ChatbotRoleName is the role AWS Chatbot assumes for a name prefix.
func ChatbotRoleName(prefix string) string { return prefix + "-chatbot" }

// ChatbotTrustPolicy lets AWS Chatbot assume the role for this account only.
func ChatbotTrustPolicy(account string) policydoc.Document {
	s := policydoc.Allow("ChatbotAssumeRole", []string{"sts:AssumeRole"})
	s.Principal = &policydoc.Principal{Service: []string{policydoc.Chatbot}}
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {account}}}
	return policydoc.New(s)
}

// ChatbotPolicy is what the role may do: show the environment's alarms and
// the graphs of their metrics in the channel.
func ChatbotPolicy(region, account, prefix string) policydoc.Document {
	alarms := policydoc.Allow("ShowTheEnvironmentsAlarms", []string{"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"},
		fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s-*", region, account, prefix))
	graphs := policydoc.Allow("DrawTheirMetrics", []string{"cloudwatch:GetMetricData", "cloudwatch:GetMetricWidgetImage"}, "*")
	graphs.Condition = map[string]map[string][]string{"StringEquals": {"aws:RequestedRegion": {region}}}
	return policydoc.New(alarms, graphs)
}

// routeAlerts subscribes the pager and the chat channels to the topic; each
// waits for the topic's policy, which admits their endpoints.
func routeAlerts(ctx *pulumi.Context, name string, args Args, topic *sns.Topic, policy pulumi.Resource, c *Monitoring, parent pulumi.ResourceOption) error {
	afterPolicy := pulumi.DependsOn([]pulumi.Resource{policy})
	if args.Routes.Page {
		if _, err := sns.NewTopicSubscription(ctx, name+"-alerts-paging", &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("https"),
			Endpoint: args.PagingURL,
			// PagerDuty and Opsgenie confirm the subscription themselves.
			EndpointAutoConfirms: pulumi.Bool(true),
		}, parent, afterPolicy); err != nil {
			return err
		}
	}
	if !args.Routes.Slack.On() && !args.Routes.Teams.On() {
		return nil
	}
	roleName := ChatbotRoleName(name)
	role, err := iam.NewRole(ctx, roleName, &iam.RoleArgs{
		Name:                pulumi.String(roleName),
		PermissionsBoundary: args.PermissionsBoundary,
		Description:         pulumi.String("AWS Chatbot posting " + name + "'s alerts"),
		AssumeRolePolicy:    policydoc.Of(args.AccountID, ChatbotTrustPolicy),
	}, parent)
	if err != nil {
		return err
	}
	c.Roles = append(c.Roles, policydoc.ServiceRole{Name: roleName, Service: policydoc.Chatbot})
	rolePolicy, err := iam.NewRolePolicy(ctx, roleName+"-policy", &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: policydoc.Of(args.AccountID, func(account string) policydoc.Document {
			return ChatbotPolicy(args.Region, account, name)
		}),
	}, parent)
	if err != nil {
		return err
	}
	after := pulumi.DependsOn([]pulumi.Resource{policy, rolePolicy})
	topics := pulumi.StringArray{topic.Arn}
	guardrails := pulumi.ToStringArray([]string{ChatbotGuardrail})
	// A configuration's workspace (team) cannot change in place, and a
	// Teams team holds one configuration: each is named after its
	// workspace or team, so another one is a new configuration, created
	// before the old one is deleted.
	if s := args.Routes.Slack; s.On() {
		config := ChatConfigurationName(name, "slack", s.WorkspaceID)
		if _, err := chatbot.NewSlackChannelConfiguration(ctx, config, &chatbot.SlackChannelConfigurationArgs{
			ConfigurationName:         pulumi.String(config),
			SlackTeamId:               pulumi.String(s.WorkspaceID),
			SlackChannelId:            pulumi.String(s.ChannelID),
			IamRoleArn:                role.Arn,
			SnsTopicArns:              topics,
			GuardrailPolicyArns:       guardrails,
			UserAuthorizationRequired: pulumi.Bool(true),
			LoggingLevel:              pulumi.String("ERROR"),
		}, parent, after); err != nil {
			return err
		}
	}
	if t := args.Routes.Teams; t.On() {
		config := ChatConfigurationName(name, "teams", t.TeamID)
		if _, err := chatbot.NewTeamsChannelConfiguration(ctx, config, &chatbot.TeamsChannelConfigurationArgs{
			ConfigurationName:         pulumi.String(config),
			TenantId:                  pulumi.String(t.TenantID),
			TeamId:                    pulumi.String(t.TeamID),
			ChannelId:                 pulumi.String(t.ChannelID),
			IamRoleArn:                role.Arn,
			SnsTopicArns:              topics,
			GuardrailPolicyArns:       guardrails,
			UserAuthorizationRequired: pulumi.Bool(true),
			LoggingLevel:              pulumi.String("ERROR"),
		}, parent, after); err != nil {
			return err
		}
	}
	return nil
}
