package monitoring

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/service"
)

// Query is a CloudWatch Logs Insights query the stack saves, under the
// folder of its name prefix in the console (<prefix>/<name>): the first
// questions of an on-call engineer, written down once.
type Query struct {
	// Name is the query's name in its folder.
	Name string
	// LogGroups are the log groups it runs over.
	LogGroups []string
	// QueryString is the query, in the Logs Insights query language.
	QueryString string
	// OnDashboard puts its results on the dashboard's last row.
	OnDashboard bool
}

// Patterns the queries and the metric filter match in the services' logs:
// Python's and uvicorn's error lines, and what psycopg, SQLAlchemy and
// PostgreSQL say when a connection fails.
const (
	errorLines      = `/ERROR|CRITICAL|Traceback|Exception/`
	connectionLines = `/(?i)could not connect|connection refused|connection reset|too many connections|remaining connection slots|password authentication failed|OperationalError|server closed the connection|timeout expired/`
	// accessLine parses uvicorn's access log: "GET /api/v1/x HTTP/1.1" 500.
	accessLine = `/"(?<method>[A-Z]+) (?<path>[^ ?"]+)[^"]*" (?<status>\d{3})/`
)

// ErrorLinePattern is the metric filter's pattern over the api service's
// log: any line with one of these terms (CloudWatch's filter syntax, where
// ?term means "or").
const ErrorLinePattern = `?ERROR ?CRITICAL ?Traceback`

// Queries are the saved queries of a stack: errors by message, 5xx answers
// by path, slow database statements, a task's last lines before it stopped,
// database connection errors.
func Queries(name string, a Args) []Query {
	var all, api, dataClients []string
	for _, s := range a.Services {
		all = append(all, s.LogGroupName)
		if s.Role == service.API {
			api = append(api, s.LogGroupName)
		}
		if s.DataAccess {
			dataClients = append(dataClients, s.LogGroupName)
		}
	}
	return []Query{
		{Name: "errors-by-message", LogGroups: all, OnDashboard: true, QueryString: strings.Join([]string{
			"fields @timestamp, @log, @message",
			"filter @message like " + errorLines,
			"stats count(*) as lines, latest(@timestamp) as last by @log, @message",
			"sort lines desc",
			"limit 50",
		}, "\n| ")},
		{Name: "5xx-by-path", LogGroups: api, OnDashboard: true, QueryString: strings.Join([]string{
			"parse @message " + accessLine,
			"filter status >= 500",
			"stats count(*) as answers by status, method, path",
			"sort answers desc",
			"limit 50",
		}, "\n| ")},
		// PostgreSQL logs every statement over a second (the parameter
		// group's log_min_duration_statement = 1000): the slow requests'
		// usual cause. Request latency by path is the load balancer's
		// (the dashboard's response times, the access logs).
		{Name: "slow-database-statements", LogGroups: []string{a.DatabaseLogGroup}, QueryString: strings.Join([]string{
			"parse @message /duration: (?<ms>[0-9.]+) ms\\s+(statement|execute [^:]*): (?<statement>.*)/",
			"filter ispresent(ms)",
			"sort ms desc",
			"limit 50",
		}, "\n| ")},
		// Replace TASK_ID with the stopped task's id (aws ecs
		// list-tasks --desired-status STOPPED): its log stream is
		// ecs/<container>/<task id>.
		{Name: "task-last-lines", LogGroups: all, QueryString: strings.Join([]string{
			"fields @timestamp, @logStream, @message",
			"filter @logStream like /TASK_ID/",
			"sort @timestamp desc",
			"limit 100",
		}, "\n| ")},
		{Name: "database-connection-errors", LogGroups: append(dataClients, a.DatabaseLogGroup), QueryString: strings.Join([]string{
			"fields @timestamp, @log, @message",
			"filter @message like " + connectionLines,
			"sort @timestamp desc",
			"limit 100",
		}, "\n| ")},
	}
}

// QueryPath is a saved query's name in the console: <prefix>/<name>.
func QueryPath(prefix, name string) string { return prefix + "/" + name }

// ErrorMetricNamespace is where a stack's metric filters publish: one
// namespace per stack, so staging's error lines never count as production's.
func ErrorMetricNamespace(prefix string) string { return "OhMyCoins/" + prefix }

// ErrorLinesMetric is the metric of the api service's error lines.
const ErrorLinesMetric = "ErrorLines"

// saveQueries saves the queries and creates the metric filter on the api
// service's error lines; the error-lines alarm watches its metric.
func saveQueries(ctx *pulumi.Context, name string, a Args, queries []Query, parent pulumi.ResourceOption) error {
	for _, q := range queries {
		if _, err := cloudwatch.NewQueryDefinition(ctx, name+"-query-"+q.Name, &cloudwatch.QueryDefinitionArgs{
			Name:          pulumi.String(QueryPath(name, q.Name)),
			LogGroupNames: pulumi.ToStringArray(q.LogGroups),
			QueryString:   pulumi.String(q.QueryString),
		}, parent); err != nil {
			return err
		}
	}
	api, _ := apiService(a.Services)
	_, err := cloudwatch.NewLogMetricFilter(ctx, name+"-ecs-error-lines", &cloudwatch.LogMetricFilterArgs{
		Name:         pulumi.String(name + "-ecs-error-lines"),
		LogGroupName: pulumi.String(api.LogGroupName),
		Pattern:      pulumi.String(ErrorLinePattern),
		MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
			Namespace:    pulumi.String(ErrorMetricNamespace(name)),
			Name:         pulumi.String(ErrorLinesMetric),
			Value:        pulumi.String("1"),
			DefaultValue: pulumi.String("0"),
			Unit:         pulumi.String("Count"),
		},
	}, parent)
	return err
}

// apiService is the api service among services.
func apiService(services []Service) (Service, bool) {
	for _, s := range services {
		if s.Role == service.API {
			return s, true
		}
	}
	return Service{}, false
}

// logWidgetQuery is a saved query as a dashboard log widget runs it:
// SOURCE of each log group, then the query.
func logWidgetQuery(q Query) string {
	var sources []string
	for _, g := range q.LogGroups {
		sources = append(sources, fmt.Sprintf("SOURCE '%s'", g))
	}
	return strings.Join(sources, " | ") + " | " + strings.ReplaceAll(q.QueryString, "\n", " ")
}
