// Package cost estimates what a stack costs per month from its offline plan:
// each priced resource's inputs (instance class, node type, task size and
// count, storage) times the On-Demand prices of ap-southeast-2 in prices.json,
// a dated table in which every price names its source; usage the plan cannot
// know (NAT and endpoint data, load balancer capacity, logs, stored images)
// comes from the stack's ohmycoins:cost assumptions. It answers, offline and
// for every pull request, the question Infracost answers for Terraform plans:
// what does this change cost? (The original shipped a static estimate that
// queried nothing: defect H5.)
package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

//go:embed prices.json
var pricesJSON []byte

// Price is one published price.
type Price struct {
	USD  float64 `json:"usd"`
	Unit string  `json:"unit"`
	// Source is where AWS publishes it: a pricing page or a Price List offer file.
	Source string `json:"source"`
	// Checked is the date it was compared with Source; "" when it could not be.
	Checked string `json:"checked"`
	// SKU is the Price List product a price refreshed from an offer file
	// was read from (internal/pricelist).
	SKU  string `json:"sku,omitempty"`
	Note string `json:"note,omitempty"`
}

// Table is prices.json.
type Table struct {
	About         string           `json:"about"`
	PricedAt      string           `json:"pricedAt"`
	Region        string           `json:"region"`
	Currency      string           `json:"currency"`
	HoursPerMonth float64          `json:"hoursPerMonth"`
	Prices        map[string]Price `json:"prices"`
}

// Prices is the embedded price table.
func Prices() (Table, error) {
	var t Table
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		return Table{}, fmt.Errorf("internal/cost/prices.json: %w", err)
	}
	return t, nil
}

// JSON is the table as prices.json holds it: two-space indents, keys sorted.
func (t Table) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Item is one priced resource.
type Item struct {
	URN       string `json:"urn"`
	Type      string `json:"type"`
	Name      string `json:"name"`
	Component string `json:"component"`
	// Monthly is the cost at the desired count (or the autoscaling minimum).
	Monthly float64 `json:"monthly"`
	// MonthlyMax is the cost at the autoscaling maximum, for autoscaled services.
	MonthlyMax float64 `json:"monthlyMax,omitempty"`
	// AwaitingImage marks a service that runs no task until its image is
	// set: Monthly and MonthlyMax are what it will cost then.
	AwaitingImage bool `json:"awaitingImage,omitempty"`
	// Basis says how Monthly was reached: quantities, hours and prices.
	Basis string `json:"basis"`
}

// Unpriced is a resource the estimate cannot price, and why.
type Unpriced = stackplan.UnpricedItem

// Assumption is one usage assumption and whether the estimate used it.
type Assumption struct {
	Key   string  `json:"key"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Used  bool    `json:"used"`
}

// Estimate is a stack's monthly cost.
type Estimate struct {
	Stack    string  `json:"stack"`
	Currency string  `json:"currency"`
	PricedAt string  `json:"pricedAt"`
	Monthly  float64 `json:"monthly"`
	// MonthlyMax is Monthly with every autoscaled service at its maximum.
	MonthlyMax float64 `json:"monthlyMax"`
	// AwaitingImage is the part of Monthly that services awaiting their
	// first image will cost once it is set (they run no task until then).
	AwaitingImage float64 `json:"awaitingImage"`
	Items         []Item  `json:"items"`
	// Unpriced are the resources it could not price, each with the reason;
	// the totals leave them out.
	Unpriced    []Unpriced   `json:"unpriced"`
	Assumptions []Assumption `json:"assumptions"`
	// PricesUsed are the keys of the table's prices the estimate used.
	PricesUsed []string `json:"pricesUsed"`
	// UncheckedPrices are those of PricesUsed that carry no date checked.
	UncheckedPrices []string `json:"uncheckedPrices"`
	// NotIncluded says what the totals leave out: usage this estimate does
	// not model, and the free tiers it does not subtract.
	NotIncluded []string `json:"notIncluded"`
}

// Components sums the items per component, sorted by name.
func (e Estimate) Components() []Item {
	sums := map[string]*Item{}
	for _, it := range e.Items {
		s, ok := sums[it.Component]
		if !ok {
			s = &Item{Component: it.Component}
			sums[it.Component] = s
		}
		s.Monthly += it.Monthly
		s.MonthlyMax += max(it.MonthlyMax, it.Monthly)
	}
	var out []Item
	for _, k := range slices.Sorted(maps.Keys(sums)) {
		out = append(out, *sums[k])
	}
	return out
}

// assumptions names each usage assumption as ohmycoins:cost spells it.
func assumptions(u stacks.UsageSettings) []Assumption {
	return []Assumption{
		{Key: "natGatewayGbPerMonth", Value: u.NATGatewayGBPerMonth, Unit: "GB through the NAT gateways per month"},
		{Key: "loadBalancerLcus", Value: u.LoadBalancerLCUs, Unit: "load balancer capacity units, average per hour"},
		{Key: "appLogGbPerMonth", Value: u.AppLogGBPerMonth, Unit: "GB logged per month by the services, the database and the cache"},
		{Key: "flowLogGbPerMonth", Value: u.FlowLogGBPerMonth, Unit: "GB of VPC flow logs per month"},
		{Key: "endpointGbPerMonth", Value: u.EndpointGBPerMonth, Unit: "GB through the interface endpoints per month"},
		{Key: "imageGbPerRepository", Value: u.ImageGBPerRepository, Unit: "GB of images kept per ECR repository"},
		{Key: "accessLogGbStored", Value: u.AccessLogGBStored, Unit: "GB of load balancer access logs stored"},
		{Key: "databaseBackupGb", Value: u.DatabaseBackupGB, Unit: "GB of database backups and snapshots kept (RDS charges what exceeds the database's storage)"},
		{Key: "cacheSnapshotGb", Value: u.CacheSnapshotGB, Unit: "GB of one cache snapshot (ElastiCache charges every kept snapshot but the first)"},
		{Key: "drBackupGb", Value: u.DRBackupGB, Unit: "GB of database backups replicated to the DR region (all of it billed there)"},
		{Key: "drTransferGbPerMonth", Value: u.DRTransferGBPerMonth, Unit: "GB the backup replication sends to the DR region per month"},
		{Key: "wafRequestsMillionsPerMonth", Value: u.WAFRequestsMillionsPerMonth, Unit: "million requests the web ACL inspects per month"},
		{Key: "wafLogGbPerMonth", Value: u.WAFLogGBPerMonth, Unit: "GB the web ACL logs per month (what its rules blocked or counted)"},
		{Key: "logStorageCompression", Value: u.LogStorageCompression, Unit: "GB stored per GB of logs ingested (CloudWatch Logs bills storage on compressed size)"},
	}
}

// Basis is what a stack's plan is priced with besides its resources: the
// embedded price table, the stack's usage assumptions, and the tasks each
// service awaiting its first image starts once it is set.
func Basis(s *stacks.Settings) (stackplan.CostBasis, error) {
	table, err := Prices()
	if err != nil {
		return stackplan.CostBasis{}, err
	}
	b := stackplan.CostBasis{PricedAt: table.PricedAt, Prices: map[string]float64{}, Assumptions: map[string]float64{}}
	for key, p := range table.Prices {
		b.Prices[key] = p.USD
	}
	for _, a := range assumptions(s.Cost) {
		b.Assumptions[a.Key] = a.Value
	}
	for name, svc := range s.Services {
		if !s.AwaitsImage(name) {
			continue
		}
		tasks := stackplan.Tasks{Count: svc.DesiredCount}
		if svc.Autoscaling.Enabled {
			tasks = stackplan.Tasks{Count: svc.Autoscaling.MinCount, Max: svc.Autoscaling.MaxCount}
		}
		if b.AwaitingImage == nil {
			b.AwaitingImage = map[string]stackplan.Tasks{}
		}
		b.AwaitingImage[ecs.ServiceName(s.NamePrefix, name)] = tasks
	}
	return b, nil
}

// calc prices one plan: it is the awstype.Pricing the catalog's prices read.
type calc struct {
	plan      *stackplan.Plan
	basis     stackplan.CostBasis
	hours     float64
	used      map[string]bool // price keys
	uses      map[string]bool // assumption keys
	missing   []string        // price keys the resource being priced lacks
	notPriced []string        // what the pricers left out (NotPriced)
	unknown   []string        // assumption keys the resource being priced lacks
}

var _ awstype.Pricing = (*calc)(nil)

func (c *calc) Price(key string) float64 {
	p, ok := c.basis.Prices[key]
	if !ok {
		if !slices.Contains(c.missing, key) {
			c.missing = append(c.missing, key)
		}
		return 0
	}
	c.used[key] = true
	return p
}

func (c *calc) Assume(key string) float64 {
	value, ok := c.basis.Assumptions[key]
	if !ok && !slices.Contains(c.unknown, key) {
		c.unknown = append(c.unknown, key)
	}
	c.uses[key] = true
	return value
}

func (c *calc) Hours() float64 { return c.hours }

func (c *calc) Plan() *stackplan.Plan { return c.plan }

func (c *calc) Date() string { return c.basis.PricedAt }

func (c *calc) NotPriced(what string) {
	if !slices.Contains(c.notPriced, what) {
		c.notPriced = append(c.notPriced, what)
	}
}

func (c *calc) AwaitingImage(service string) (count, max float64, ok bool) {
	t, ok := c.basis.AwaitingImage[service]
	return float64(t.Count), float64(t.Max), ok
}

// Of estimates the plan's monthly cost with a basis (the plan's own, or the
// stack's Basis), each resource by its type's price in the catalog
// (internal/awstype). A resource it cannot price (a type the catalog lacks,
// a price the table lacks) is listed in Unpriced with the reason, and the
// rest is priced in full.
func Of(plan *stackplan.Plan, basis stackplan.CostBasis) Estimate {
	table, _ := Prices() // the embedded table, parsed by Basis before: only its units and dates are read here
	hours := table.HoursPerMonth
	if hours == 0 {
		hours = 730
	}
	c := &calc{plan: plan, basis: basis, hours: hours, used: map[string]bool{}, uses: map[string]bool{}}
	e := Estimate{Stack: plan.Stack, Currency: "USD", PricedAt: basis.PricedAt}
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		entry, ok := awstype.Lookup(r.Type)
		if !ok {
			e.Unpriced = append(e.Unpriced, Unpriced{URN: r.URN, Type: r.Type, Name: r.Name,
				Reason: "its type has no entry in the AWS-type catalog (internal/awstype): add one, with its price or the reason it is free"})
			continue
		}
		if entry.Price == nil {
			continue // entry.Free says why
		}
		c.missing, c.unknown = nil, nil
		priced, ok := entry.Price(c, r)
		if len(c.missing) > 0 || len(c.unknown) > 0 {
			e.Unpriced = append(e.Unpriced, unpriced(r, c.missing, c.unknown, table))
			continue
		}
		if !ok {
			continue
		}
		item := Item{URN: r.URN, Type: r.Type, Name: r.Name, Component: component(plan, r),
			Monthly: round(priced.Monthly), MonthlyMax: round(priced.MonthlyMax), AwaitingImage: priced.AwaitingImage, Basis: priced.Basis}
		e.Items = append(e.Items, item)
		e.Monthly += item.Monthly
		e.MonthlyMax += max(item.MonthlyMax, item.Monthly)
		if item.AwaitingImage {
			e.AwaitingImage += item.Monthly
		}
	}
	e.Monthly, e.MonthlyMax, e.AwaitingImage = round(e.Monthly), round(e.MonthlyMax), round(e.AwaitingImage)
	for _, a := range assumptions(stacks.UsageSettings{}) {
		a.Value = basis.Assumptions[a.Key]
		a.Used = c.uses[a.Key]
		e.Assumptions = append(e.Assumptions, a)
	}
	e.PricesUsed = slices.Sorted(maps.Keys(c.used))
	for _, key := range e.PricesUsed {
		if p, ok := table.Prices[key]; !ok || p.Checked == "" {
			e.UncheckedPrices = append(e.UncheckedPrices, key)
		}
	}
	e.NotIncluded = notIncluded(plan, c.notPriced)
	sort.Slice(e.Items, func(i, j int) bool {
		if e.Items[i].Component != e.Items[j].Component {
			return e.Items[i].Component < e.Items[j].Component
		}
		return e.Items[i].URN < e.Items[j].URN
	})
	return e
}

// unpriced says why a resource could not be priced, naming every key the
// table lacks and the unit its price would be in, where a like price says.
func unpriced(r stackplan.Resource, prices, usage []string, table Table) Unpriced {
	u := Unpriced{URN: r.URN, Type: r.Type, Name: r.Name, Missing: prices}
	var why []string
	for _, key := range prices {
		hint := ""
		if unit := likeUnit(key, table); unit != "" {
			hint = fmt.Sprintf(" (USD per %s, from %s)", unit, likeSource(key, table))
		}
		why = append(why, fmt.Sprintf("internal/cost/prices.json has no price %q%s", key, hint))
	}
	for _, key := range usage {
		why = append(why, fmt.Sprintf("internal/cost has no usage assumption %q (ohmycoins:cost)", key))
	}
	u.Reason = strings.Join(why, "; ")
	return u
}

// like returns the table's price whose key shares the longest prefix with
// key: what a missing instance class is priced like (rds.db.m7g.large is an
// rds.db.* price).
func like(key string, table Table) (Price, bool) {
	best, bestLen := Price{}, 0
	for k, p := range table.Prices {
		n := 0
		for n < len(k) && n < len(key) && k[n] == key[n] {
			n++
		}
		if n > bestLen || (n == bestLen && n > 0 && k < key) {
			best, bestLen = p, n
		}
	}
	dot := strings.Index(key, ".")
	return best, dot > 0 && bestLen > dot
}

func likeUnit(key string, table Table) string {
	if p, ok := like(key, table); ok {
		return p.Unit
	}
	return ""
}

func likeSource(key string, table Table) string {
	p, _ := like(key, table)
	src, _, _ := strings.Cut(p.Source, " ")
	return src
}

// notIncluded lists what the totals leave out: always data transfer, free
// tiers and per-request charges; Container Insights and Performance Insights
// beyond 7 days where the plan enables them; what the pricers said they left
// out.
func notIncluded(plan *stackplan.Plan, left []string) []string {
	out := []string{
		"data transfer out to the internet and between Availability Zones",
		"free tiers and allowances (the account's first 3 dashboards, 10 alarms and 5 GB of logs, Fargate's first 20 GB of ephemeral storage): not subtracted",
		"per-request charges: KMS and Secrets Manager API calls, S3 requests, Route 53 queries, CloudWatch API calls and custom metrics",
	}
	for _, c := range plan.OfType("aws:ecs/cluster:Cluster") {
		for _, s := range list(c.Inputs["settings"]) {
			if m, _ := s.(map[string]any); m["name"] == "containerInsights" && m["value"] != "disabled" {
				out = append(out, fmt.Sprintf("Container Insights of cluster %s: its metrics are billed as custom metrics per task, service and cluster", c.Name))
			}
		}
	}
	for _, db := range plan.OfType("aws:rds/instance:Instance") {
		if db.Inputs["performanceInsightsEnabled"] == true && num(db.Inputs["performanceInsightsRetentionPeriod"]) > 7 {
			out = append(out, fmt.Sprintf("Performance Insights of %s beyond the free 7 days", db.Name))
		}
		if num(db.Inputs["monitoringInterval"]) > 0 {
			out = append(out, fmt.Sprintf("Enhanced Monitoring of %s: its metrics are CloudWatch Logs ingested into RDSOSMetrics", db.Name))
		}
	}
	out = append(out, left...)
	out = append(out, "taxes and AWS Support")
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// component names the top-level component a resource belongs to by its tier
// (rds, ecs, dns/Certificate), or "stack" for resources outside components.
func component(plan *stackplan.Plan, r stackplan.Resource) string {
	root := plan.Root().URN
	cur := r
	top := ""
	for cur.Parent != "" && cur.Parent != root {
		parent, ok := plan.ByURN(cur.Parent)
		if !ok {
			break
		}
		cur = parent
		top = parent.Type
	}
	if top == "" {
		return "stack"
	}
	parts := strings.Split(top, ":")
	if len(parts) != 3 {
		return top
	}
	tiers := 0
	for _, res := range plan.Resources {
		if !res.Custom && strings.HasPrefix(res.Type, parts[0]+":"+parts[1]+":") && res.Parent == root {
			tiers++
		}
	}
	if tiers > 1 {
		return parts[1] + "/" + parts[2]
	}
	return parts[1]
}

// Budget is the limit the environment's budget must have: the estimate plus
// the margin, rounded up to a multiple of 10 USD.
func Budget(e Estimate, marginPercent int) int {
	return int(math.Ceil(e.Monthly*(1+float64(marginPercent)/100)/10) * 10)
}

// BudgetProblem says what is wrong with the budget setting, or "". A budget
// below the estimate plus its margin alerts every month; one above twice that
// never alerts. Between the two it leaves room for growth the estimate does
// not model (data transfer, scaling above the minimum).
func BudgetProblem(e Estimate, b stacks.BudgetSettings) string {
	if b.MonthlyUSD == 0 {
		return ""
	}
	low := Budget(e, b.MarginPercent)
	if b.MonthlyUSD < low || b.MonthlyUSD > 2*low {
		return fmt.Sprintf("%s:budget.monthlyUsd = %d: must be %d-%d: at least the estimate $%.2f plus budget.marginPercent %d %%, rounded up to 10, and at most twice that (pulumi config set --stack %s --path '%s:budget.monthlyUsd' %d)",
			stacks.Project, b.MonthlyUSD, low, 2*low, e.Monthly, b.MarginPercent, e.Stack, stacks.Project, low)
	}
	return ""
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

// Write prints the estimate: each priced resource, the components, the
// total, what could not be priced, the assumptions, the prices not checked
// against their source and what the total leaves out.
func (e Estimate) Write(w io.Writer) {
	fmt.Fprintf(w, "Monthly cost of stack %s: On-Demand, ap-southeast-2, %s, prices of %s (%d of the %d prices used checked against their source, %d as last known)\n\n",
		e.Stack, e.Currency, e.PricedAt, len(e.PricesUsed)-len(e.UncheckedPrices), len(e.PricesUsed), len(e.UncheckedPrices))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tRESOURCE\tMONTHLY\tBASIS")
	for _, it := range e.Items {
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\n", it.Component, shortType(it.Type), it.Name, money(it.Monthly, it.MonthlyMax), it.Basis)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nPer component:\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range e.Components() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Component, money(c.Monthly, c.MonthlyMax))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nTotal: %s per month", usd(e.Monthly))
	if e.MonthlyMax > e.Monthly {
		fmt.Fprintf(w, " (up to %s with every autoscaled service at its maximum)", usd(e.MonthlyMax))
	}
	fmt.Fprintln(w)
	if e.AwaitingImage > 0 {
		fmt.Fprintf(w, "  of which %s are services awaiting their first image, priced as what they will cost once it is set\n", usd(e.AwaitingImage))
	}
	if len(e.Unpriced) > 0 {
		fmt.Fprintln(w)
		e.WriteUnpriced(w, "")
	}
	fmt.Fprintf(w, "\nAssumptions (ohmycoins:cost; a stack overrides them in its file):\n")
	for _, a := range e.Assumptions {
		used := ""
		if !a.Used {
			used = " (not used: nothing in the plan it prices)"
		}
		fmt.Fprintf(w, "  %s = %g: %s%s\n", a.Key, a.Value, a.Unit, used)
	}
	if len(e.UncheckedPrices) > 0 {
		fmt.Fprintf(w, "\n%d of the prices used carry no date checked against their source (internal/cost/prices.json): %s\n",
			len(e.UncheckedPrices), strings.Join(e.UncheckedPrices, ", "))
	}
	fmt.Fprintf(w, "\nNot in the total:\n")
	for _, n := range e.NotIncluded {
		fmt.Fprintf(w, "  - %s\n", n)
	}
}

// WriteUnpriced prints the resources the estimate could not price, each
// line after prefix, and the price keys to add to the table.
func (e Estimate) WriteUnpriced(w io.Writer, prefix string) {
	fmt.Fprintf(w, "%sNot priced (%d, left out of the total):\n", prefix, len(e.Unpriced))
	var keys []string
	for _, u := range e.Unpriced {
		fmt.Fprintf(w, "%s  %s %s: %s\n", prefix, shortType(u.Type), u.Name, u.Reason)
		keys = append(keys, u.Missing...)
	}
	if keys = slices.Compact(slices.Sorted(slices.Values(keys))); len(keys) > 0 {
		fmt.Fprintf(w, "%sTo price them, add to internal/cost/prices.json (each with its unit, source and date checked): %s\n",
			prefix, strings.Join(quoted(keys), ", "))
	}
}

func quoted(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strconv.Quote(k)
	}
	return out
}

// JSON is the estimate as cmd/preview -cost -json prints it (docs/ARCHITECTURE.md).
func (e Estimate) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func shortType(t string) string {
	if parts := strings.Split(t, ":"); len(parts) == 3 {
		return parts[1]
	}
	return t
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }

func money(v, max float64) string {
	if max > v {
		return usd(v) + "-" + usd(max)
	}
	return usd(v)
}

// Delta is what going from the old plan to the new does to the monthly
// cost. Each side is priced with its own basis: the old plan's as it
// recorded it (or, for a plan made before plans carried one, the new side's,
// which BasisNote then says). Delta splits into the part the resources make
// (the old plan priced with the new basis, against the new plan) and the
// part the changed assumptions and prices make, and names those. Nil when the
// new plan carries no basis (the bootstrap program's).
func Delta(old, new *stackplan.Plan) *stackplan.CostDelta {
	if new.CostBasis == nil {
		return nil
	}
	current := *new.CostBasis
	previous, note := current, ""
	if old.CostBasis != nil {
		// What an older plan's basis does not record (a price or an
		// assumption added since) it is priced with as today.
		previous = *old.CostBasis
		previous.Prices = withDefaults(previous.Prices, current.Prices)
		previous.Assumptions = withDefaults(previous.Assumptions, current.Assumptions)
	} else {
		note = "the old plan records no cost basis (made before 2026-12-04): both sides are priced with today's prices and assumptions"
	}
	repricedBasis := current
	repricedBasis.AwaitingImage = previous.AwaitingImage
	before, repriced, after := Of(old, previous), Of(old, repricedBasis), Of(new, current)

	d := &stackplan.CostDelta{Currency: after.Currency, PricedAt: after.PricedAt, BasisNote: note,
		Before: before.Monthly, After: after.Monthly, Delta: round(after.Monthly - before.Monthly),
		BeforeMax: before.MonthlyMax, AfterMax: after.MonthlyMax, DeltaMax: round(after.MonthlyMax - before.MonthlyMax),
		FromResources: round(after.Monthly - repriced.Monthly), FromBasis: round(repriced.Monthly - before.Monthly),
		Assumptions: []stackplan.BasisChange{}, Prices: []stackplan.BasisChange{}, Items: []stackplan.CostDeltaItem{},
		Unpriced: after.Unpriced}
	if previous.PricedAt != current.PricedAt {
		d.PricedAtBefore = previous.PricedAt
	}
	if d.Unpriced == nil {
		d.Unpriced = []Unpriced{}
	}
	used := map[string]bool{}
	for _, e := range []Estimate{before, after} {
		for _, a := range e.Assumptions {
			used[a.Key] = used[a.Key] || a.Used
		}
	}
	for _, a := range after.Assumptions {
		if was := previous.Assumptions[a.Key]; used[a.Key] && was != a.Value {
			d.Assumptions = append(d.Assumptions, stackplan.BasisChange{Key: a.Key, Before: was, After: a.Value})
		}
	}
	for _, key := range slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(before.PricesUsed), after.PricesUsed...)))) {
		if was, now := previous.Prices[key], current.Prices[key]; was != now {
			d.Prices = append(d.Prices, stackplan.BasisChange{Key: key, Before: was, After: now})
		}
	}

	unpriced := map[string]bool{}
	for _, u := range append(slices.Clone(before.Unpriced), after.Unpriced...) {
		unpriced[u.URN] = true
	}
	was := map[string]Item{}
	for _, it := range before.Items {
		was[it.URN] = it
	}
	// add lists a resource whose cost at its count, or at its maximum, moves.
	add := func(of, a, b Item) {
		it := stackplan.CostDeltaItem{URN: of.URN, Type: of.Type, Name: of.Name,
			Before: a.Monthly, After: b.Monthly, Delta: round(b.Monthly - a.Monthly), AwaitingImage: b.AwaitingImage}
		if a.MonthlyMax > 0 || b.MonthlyMax > 0 {
			it.BeforeMax, it.AfterMax = max(a.MonthlyMax, a.Monthly), max(b.MonthlyMax, b.Monthly)
		}
		if !unpriced[it.URN] && (it.Delta != 0 || round(it.AfterMax-it.BeforeMax) != 0) {
			d.Items = append(d.Items, it)
		}
	}
	for _, it := range after.Items {
		add(it, was[it.URN], it)
		delete(was, it.URN)
	}
	for _, it := range was {
		add(it, it, Item{})
	}
	sort.Slice(d.Items, func(i, j int) bool { return d.Items[i].URN < d.Items[j].URN })
	return d
}

// withDefaults is recorded with the keys it lacks taken from today.
func withDefaults(recorded, today map[string]float64) map[string]float64 {
	out := maps.Clone(today)
	maps.Copy(out, recorded)
	return out
}
