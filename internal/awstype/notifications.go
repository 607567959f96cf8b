package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// Alerts and the rotation redeploy: the alert topic, its policy and
// subscriptions (aws:sns/*), and the state machine that redeploys (aws:sfn/*).
func init() {
	register(
		Entry{
			Token: "aws:sns/topic:Topic",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.ARN("sns", r.Physical("name"))
				r.Set("name", r.Physical("name"))
				r.Set("arn", arn)
				return arn
			},
			Free:      "a topic costs nothing by itself; alert deliveries by e-mail fall within SNS's free tier",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:sns/topicPolicy:TopicPolicy",
			// A topic holds one policy; its ID is the topic's ARN.
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("arn")
			},
			Free:      "policies cost nothing",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:sns/topicSubscription:TopicSubscription",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				arn := r.Str("topic") + ":" + r.UUID()
				r.Set("arn", arn)
				return arn
			},
			Free:      "subscriptions cost nothing; deliveries are priced per message, and alerts fall within the free tier",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:sfn/stateMachine:StateMachine",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.ARN("states", "stateMachine:"+r.Physical("name"))
				r.Set("name", r.Physical("name"))
				r.Set("arn", arn)
				r.Set("status", "ACTIVE")
				return arn
			},
			Free:      "a state machine costs nothing idle; a redeploy's few state transitions fall within the free tier",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
	)
}
