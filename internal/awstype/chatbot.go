package awstype

import (
	"github.com/ohmycoins/infra/internal/mockcloud"
)

// Alerts in chat: AWS Chatbot's channel configurations (aws:chatbot/*). Their
// ARNs hold no region: a configuration's name is the account's once.
func init() {
	register(
		Entry{
			Token: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
			// Terraform's id is the configuration's ARN.
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.GlobalARN("chatbot", "chat-configuration/slack-channel/"+r.Str("configurationName"))
				r.Set("chatConfigurationArn", arn)
				r.Set("slackChannelName", "alerts")
				r.Set("slackTeamName", "Oh My Coins")
				return arn
			},
			Free:      "AWS Chatbot costs nothing; the topic's deliveries to it fall within SNS's free tier",
			Terraform: Terraform{Identity: []Key{byName("configuration_name")}, ImportID: importBy("chat_configuration_arn")},
		},
		Entry{
			Token: "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration",
			// Terraform's id is the team's id: a team holds one configuration.
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				r.Set("chatConfigurationArn", e.GlobalARN("chatbot", "chat-configuration/microsoft-teams-channel/"+r.Str("configurationName")))
				return r.Str("teamId")
			},
			Free:      "AWS Chatbot costs nothing; the topic's deliveries to it fall within SNS's free tier",
			Terraform: Terraform{Identity: []Key{byName("team_id")}, ImportID: importBy("team_id")},
		},
	)
}
