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
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

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
	Note    string `json:"note,omitempty"`
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
	// Basis says how Monthly was reached: quantities, hours and prices.
	Basis string `json:"basis"`
}

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
	MonthlyMax  float64      `json:"monthlyMax"`
	Items       []Item       `json:"items"`
	Assumptions []Assumption `json:"assumptions"`
	// UncheckedPrices are the keys of the prices used that carry no date checked.
	UncheckedPrices []string `json:"uncheckedPrices"`
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
	}
}

// calc prices one plan: it is the awstype.Pricing the catalog's prices read.
type calc struct {
	plan  *stackplan.Plan
	table Table
	usage map[string]float64 // ohmycoins:cost, by key
	used  map[string]bool    // price keys
	uses  map[string]bool    // assumption keys
	err   error
}

var _ awstype.Pricing = (*calc)(nil)

func (c *calc) Price(key string) float64 {
	p, ok := c.table.Prices[key]
	if !ok {
		if c.err == nil {
			c.err = fmt.Errorf("internal/cost/prices.json has no price %q: add it, with its source, to price this plan", key)
		}
		return 0
	}
	c.used[key] = true
	return p.USD
}

func (c *calc) Assume(key string) float64 {
	value, ok := c.usage[key]
	if !ok && c.err == nil {
		c.err = fmt.Errorf("internal/cost has no usage assumption %q (ohmycoins:cost)", key)
	}
	c.uses[key] = true
	return value
}

func (c *calc) Hours() float64 { return c.table.HoursPerMonth }

func (c *calc) Plan() *stackplan.Plan { return c.plan }

// Of estimates the plan's monthly cost with the stack's usage assumptions,
// each resource by its type's price in the catalog (internal/awstype).
func Of(plan *stackplan.Plan, usage stacks.UsageSettings) (Estimate, error) {
	table, err := Prices()
	if err != nil {
		return Estimate{}, err
	}
	c := &calc{plan: plan, table: table, usage: map[string]float64{}, used: map[string]bool{}, uses: map[string]bool{}}
	for _, a := range assumptions(usage) {
		c.usage[a.Key] = a.Value
	}
	e := Estimate{Stack: plan.Stack, Currency: table.Currency, PricedAt: table.PricedAt}
	for _, r := range plan.Resources {
		if !r.Custom {
			continue
		}
		entry, ok := awstype.Lookup(r.Type)
		if !ok {
			return Estimate{}, fmt.Errorf("%s %s: its type has no entry in the AWS-type catalog (internal/awstype), so it cannot be priced", r.Type, r.Name)
		}
		if entry.Price == nil {
			continue // entry.Free says why
		}
		priced, ok := entry.Price(c, r)
		if !ok {
			continue
		}
		item := Item{URN: r.URN, Type: r.Type, Name: r.Name, Component: component(plan, r),
			Monthly: round(priced.Monthly), MonthlyMax: round(priced.MonthlyMax), Basis: priced.Basis}
		e.Items = append(e.Items, item)
		e.Monthly += item.Monthly
		e.MonthlyMax += max(item.MonthlyMax, item.Monthly)
	}
	if c.err != nil {
		return Estimate{}, c.err
	}
	e.Monthly, e.MonthlyMax = round(e.Monthly), round(e.MonthlyMax)
	for _, a := range assumptions(usage) {
		a.Used = c.uses[a.Key]
		e.Assumptions = append(e.Assumptions, a)
	}
	for key := range c.used {
		if table.Prices[key].Checked == "" {
			e.UncheckedPrices = append(e.UncheckedPrices, key)
		}
	}
	sort.Strings(e.UncheckedPrices)
	sort.Slice(e.Items, func(i, j int) bool {
		if e.Items[i].Component != e.Items[j].Component {
			return e.Items[i].Component < e.Items[j].Component
		}
		return e.Items[i].URN < e.Items[j].URN
	})
	return e, nil
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
// never alerts. Between the two it may be set for the services' images (a
// stack still awaiting them is estimated without their tasks).
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
// total, the assumptions and the prices not checked against their source.
func (e Estimate) Write(w io.Writer) {
	fmt.Fprintf(w, "Monthly cost of stack %s: On-Demand, ap-southeast-2, %s, prices of %s\n\n", e.Stack, e.Currency, e.PricedAt)
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
	fmt.Fprintf(w, "\n\nAssumptions (ohmycoins:cost; a stack overrides them in its file):\n")
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

// Delta is what going from before to after does to the monthly cost, per
// resource whose cost changes (created, deleted or repriced) and in total.
func Delta(before, after Estimate) *stackplan.CostDelta {
	d := &stackplan.CostDelta{Currency: after.Currency, PricedAt: after.PricedAt, Before: before.Monthly, After: after.Monthly,
		Delta: round(after.Monthly - before.Monthly)}
	old := map[string]Item{}
	for _, it := range before.Items {
		old[it.URN] = it
	}
	seen := map[string]bool{}
	add := func(urn, typ, name string, b, a float64) {
		if round(a-b) != 0 {
			d.Items = append(d.Items, stackplan.CostDeltaItem{URN: urn, Type: typ, Name: name, Before: b, After: a, Delta: round(a - b)})
		}
	}
	for _, it := range after.Items {
		seen[it.URN] = true
		add(it.URN, it.Type, it.Name, old[it.URN].Monthly, it.Monthly)
	}
	for _, it := range before.Items {
		if !seen[it.URN] {
			add(it.URN, it.Type, it.Name, it.Monthly, 0)
		}
	}
	sort.Slice(d.Items, func(i, j int) bool { return d.Items[i].URN < d.Items[j].URN })
	return d
}
