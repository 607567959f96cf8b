package monitoring

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/service"
)

// The CloudWatch dashboard body, as Go structs marshalled with encoding/json.
// Each metric row is [namespace, metric, dimension name, value, ..., options],
// every row written in full: no "." or "..." shorthand, and no dimensions
// inside the options, where CloudWatch ignores them (defect A5).

// Dashboard is a dashboard body.
type Dashboard struct {
	Widgets []Widget `json:"widgets"`
}

// Widget is one metric widget.
type Widget struct {
	Type       string           `json:"type"`
	X          int              `json:"x"`
	Y          int              `json:"y"`
	Width      int              `json:"width"`
	Height     int              `json:"height"`
	Properties WidgetProperties `json:"properties"`
}

// WidgetProperties are a metric widget's settings and rows.
type WidgetProperties struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	View    string  `json:"view"`
	Stacked bool    `json:"stacked"`
	Period  int     `json:"period,omitempty"`
	Metrics [][]any `json:"metrics,omitempty"`
	// Query is a log widget's Logs Insights query (SOURCE ... | ...).
	Query string `json:"query,omitempty"`
	YAxis *YAxis `json:"yAxis,omitempty"`
}

// YAxis bounds the left axis.
type YAxis struct {
	Left AxisRange `json:"left"`
}

// AxisRange is an axis's minimum and optional maximum.
type AxisRange struct {
	Min float64  `json:"min"`
	Max *float64 `json:"max,omitempty"`
}

// RowOptions are the rendering options of one metric row.
type RowOptions struct {
	Label string `json:"label"`
	Stat  string `json:"stat"`
}

// LogWidgets are the saved queries marked OnDashboard as log widgets, on
// the grid after the metric widgets: what the errors are, and where.
func LogWidgets(queries []Query, region string, after int) []Widget {
	var out []Widget
	for _, q := range queries {
		if !q.OnDashboard {
			continue
		}
		i := after + len(out)
		out = append(out, Widget{Type: "log", X: (i % 2) * 12, Y: (i / 2) * 6, Width: 12, Height: 6, Properties: WidgetProperties{
			Title: "Logs: " + q.Name, Region: region, View: "table", Query: logWidgetQuery(q),
		}})
	}
	return out
}

// row is a metric row: namespace, metric, dimension pairs, then the options.
func row(namespace, metric string, dims [][2]string, label, stat string) []any {
	r := []any{namespace, metric}
	for _, d := range dims {
		r = append(r, d[0], d[1])
	}
	return append(r, RowOptions{Label: label, Stat: stat})
}

// dashboardBody renders the widgets, in the original's order (then each
// worker's), once the dimension values are known.
func dashboardBody(name string, a Args) pulumi.StringOutput {
	inputs := []interface{}{a.LoadBalancerARNSuffix, a.DBInstanceIdentifier, a.CacheMembers}
	var behind []string
	for _, s := range a.Services {
		if s.TargetGroupARNSuffix != nil {
			behind = append(behind, s.Name)
			inputs = append(inputs, s.TargetGroupARNSuffix)
		}
	}
	return pulumi.All(inputs...).ApplyT(func(v []interface{}) (string, error) {
		lbSuffix, db := v[0].(string), v[1].(string)
		members, _ := v[2].([]string)
		targetGroups := map[string]string{}
		for i, name := range behind {
			targetGroups[name] = v[3+i].(string)
		}
		body := BuildDashboard(a, lbSuffix, targetGroups, db, members)
		body.Widgets = append(body.Widgets, LogWidgets(Queries(name, a), a.Region, len(body.Widgets))...)
		b, err := json.Marshal(body)
		return string(b), err
	}).(pulumi.StringOutput)
}

// BuildDashboard lays out the dashboard for known dimension values: the
// target groups' TargetGroup dimensions are by service name.
func BuildDashboard(a Args, lbSuffix string, targetGroups map[string]string, db string, members []string) Dashboard {
	hundred := 100.0
	lb := [][2]string{{"LoadBalancer", lbSuffix}}
	rds := [][2]string{{"DBInstanceIdentifier", db}}
	ecsDims := func(s Service) [][2]string {
		return [][2]string{{"ClusterName", a.ClusterName}, {"ServiceName", s.ECSName}}
	}
	cpuAndMemory := func(s Service) [][]any {
		return [][]any{
			row("AWS/ECS", "CPUUtilization", ecsDims(s), s.Title()+" CPU", "Average"),
			row("AWS/ECS", "MemoryUtilization", ecsDims(s), s.Title()+" Memory", "Average"),
		}
	}
	var api Service
	var workers []Service
	for _, s := range a.Services {
		switch s.Role {
		case service.API:
			api = s
		case service.Worker:
			workers = append(workers, s)
		}
	}

	var redis [][]any
	for _, m := range []struct{ metric, label string }{
		{"CacheHitRate", "Cache Hit Rate"}, {"EngineCPUUtilization", "CPU %"}, {"CurrConnections", "Connections"},
	} {
		for _, member := range members {
			label := m.label
			if len(members) > 1 {
				label = fmt.Sprintf("%s (%s)", m.label, member)
			}
			redis = append(redis, row("AWS/ElastiCache", m.metric, [][2]string{{"CacheClusterId", member}}, label, "Average"))
		}
	}

	tasksTitle := "Healthy Targets per Target Group"
	var tasks [][]any
	for _, s := range a.Services {
		if tg, ok := targetGroups[s.Name]; ok {
			tasks = append(tasks, row("AWS/ApplicationELB", "HealthyHostCount", [][2]string{{"TargetGroup", tg}, {"LoadBalancer", lbSuffix}}, s.Title()+" healthy targets", "Minimum"))
		}
	}
	if a.ContainerInsights {
		// Task counts exist only in the Container Insights namespace (defect A6).
		tasksTitle = "ECS Task Counts"
		tasks = nil
		for _, s := range a.Services {
			tasks = append(tasks,
				row("ECS/ContainerInsights", "RunningTaskCount", ecsDims(s), s.Title()+" running", "Average"),
				row("ECS/ContainerInsights", "DesiredTaskCount", ecsDims(s), s.Title()+" desired", "Average"))
		}
	}

	widget := func(i int, title string, metrics [][]any, y *YAxis) Widget {
		return Widget{Type: "metric", X: (i % 2) * 12, Y: (i / 2) * 6, Width: 12, Height: 6, Properties: WidgetProperties{
			Title: title, Region: a.Region, View: "timeSeries", Stacked: false, Period: 300, Metrics: metrics, YAxis: y,
		}}
	}
	percent := &YAxis{Left: AxisRange{Min: 0, Max: &hundred}}
	widgets := []Widget{
		widget(0, "ECS "+api.Title()+" Service - CPU & Memory", cpuAndMemory(api), percent),
		widget(1, "ALB Response Times", [][]any{
			row("AWS/ApplicationELB", "TargetResponseTime", lb, "Avg Response Time", "Average"),
			row("AWS/ApplicationELB", "TargetResponseTime", lb, "P95 Response Time", "p95"),
			row("AWS/ApplicationELB", "TargetResponseTime", lb, "P99 Response Time", "p99"),
		}, &YAxis{Left: AxisRange{Min: 0}}),
		widget(2, "ALB HTTP Status Codes", [][]any{
			row("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lb, "2xx Success", "Sum"),
			row("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lb, "4xx Client Error", "Sum"),
			row("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "5xx Server Error", "Sum"),
		}, nil),
		widget(3, "RDS Metrics", [][]any{
			row("AWS/RDS", "DatabaseConnections", rds, "Active Connections", "Average"),
			row("AWS/RDS", "CPUUtilization", rds, "CPU %", "Average"),
			row("AWS/RDS", "FreeableMemory", rds, "Free Memory", "Average"),
		}, nil),
		widget(4, "Redis Cache Metrics", redis, nil),
		widget(5, tasksTitle, tasks, nil),
	}
	for i, w := range workers {
		widgets = append(widgets, widget(6+i, "ECS "+w.Title()+" Service - CPU & Memory", cpuAndMemory(w), percent))
	}
	if f := a.Firewall; f != nil {
		acl := [][2]string{{"WebACL", f.WebACLName}, {"Region", a.Region}, {"Rule", "ALL"}}
		widgets = append(widgets, widget(len(widgets), "Web ACL Requests", [][]any{
			row("AWS/WAFV2", "AllowedRequests", acl, "Allowed", "Sum"),
			row("AWS/WAFV2", "BlockedRequests", acl, "Blocked", "Sum"),
			row("AWS/WAFV2", "CountedRequests", acl, "Counted (would be blocked)", "Sum"),
		}, nil))
	}
	return Dashboard{Widgets: widgets}
}
