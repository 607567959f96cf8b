package previewcli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ohmycoins/infra/internal/stackplan"
)

// TestAlarm is the alarm an alert test puts into ALARM: the database's low
// storage, which no deployment watches (the load balancer's alarms roll the
// api service's deployments back) and whose next evaluation, within five
// minutes, puts it back to OK, so the test sends the OK notification too.
const TestAlarm = "rds-low-storage"

// alertTest prints where the stack's alerts arrive, read from its plan: each
// e-mail address, chat channel and pager subscribed to its alert topic; and
// the command that sends a real one through CloudWatch, which -publish runs
// with the AWS CLI.
func alertTest(o options, stdout, stderr io.Writer) int {
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	s := result.Settings
	if s == nil {
		fmt.Fprintln(stderr, "preview alerts: the alerts are the main program's (-program main)")
		return 2
	}
	routes := AlertRoutes(result.Plan)
	alarm := s.NamePrefix + "-" + TestAlarm
	command := []string{"aws", "cloudwatch", "set-alarm-state", "--alarm-name", alarm, "--state-value", "ALARM",
		"--state-reason", "Alert test of " + s.NamePrefix + ": no action needed", "--region", s.Region}
	fmt.Fprintf(stdout, "An alert of %s goes through its topic %s-alerts to:\n", o.stack, s.NamePrefix)
	for _, r := range routes {
		fmt.Fprintf(stdout, "  %-7s %s\n", r.Kind, r.Where)
	}
	fmt.Fprintf(stdout, "The test puts %s into ALARM: each of these gets it within a minute, then OK when the alarm next evaluates (within five minutes):\n  %s\n",
		alarm, shellJoin(command))
	if !o.publish {
		return 0
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdout, cmd.Stderr, cmd.Env = stdout, stderr, os.Environ()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(stderr, "preview alerts: %s: %v\n", shellJoin(command), err)
		return 1
	}
	fmt.Fprintf(stdout, "Sent: %s is in ALARM.\n", alarm)
	return 0
}

// Route is one place an alert arrives.
type Route struct {
	Kind, Where string
}

// AlertRoutes are the routes of the plan's alert topic: its e-mail and HTTPS
// subscriptions (the pager, whose URL is secret and named by its service)
// and its AWS Chatbot channels.
func AlertRoutes(plan *stackplan.Plan) []Route {
	var out []Route
	for _, sub := range plan.OfType("aws:sns/topicSubscription:TopicSubscription") {
		switch protocol, _ := sub.Inputs["protocol"].(string); protocol {
		case "email":
			endpoint, _ := sub.Inputs["endpoint"].(string)
			out = append(out, Route{"e-mail", endpoint + " (once its recipient has confirmed the subscription)"})
		case "https":
			out = append(out, Route{"pager", "the integration URL of ohmycoins:pagingUrl (PagerDuty or Opsgenie), which opens an incident and resolves it on OK"})
		}
	}
	for _, c := range plan.OfType("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration") {
		out = append(out, Route{"Slack", fmt.Sprintf("channel %v of workspace %v (AWS Chatbot %v)", c.Inputs["slackChannelId"], c.Inputs["slackTeamId"], c.Inputs["configurationName"])})
	}
	for _, c := range plan.OfType("aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration") {
		out = append(out, Route{"Teams", fmt.Sprintf("channel %v of team %v (AWS Chatbot %v)", c.Inputs["channelId"], c.Inputs["teamId"], c.Inputs["configurationName"])})
	}
	if len(out) == 0 {
		out = append(out, Route{"nowhere", "no address, channel or pager is subscribed (ohmycoins:alertEmails, ohmycoins:alerts)"})
	}
	return out
}

// shellJoin quotes words for a shell where they need it.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if strings.ContainsAny(w, " '\"$:;&|") {
			w = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		out[i] = w
	}
	return strings.Join(out, " ")
}
