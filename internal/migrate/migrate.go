// Package migrate moves an original Terraform environment into a stack of
// this program without losing what it holds. From the environment's state
// (internal/tfstate) and the program's own plan it decides, for every
// original resource, one of four verdicts:
//
//   - adopt: this program has a resource of the same identity (a name, an
//     identifier, a record), and `pulumi import` followed by the first
//     `pulumi up` updates it in place; the import file lists it.
//   - recreate: this program has its counterpart, but adopting it would
//     replace it, and it holds nothing: the program builds its own beside it
//     and Terraform destroys the original after the cutover.
//   - retire: no resource of this program has its identity; Terraform
//     destroys it after the cutover (or forgets it, where it holds logs).
//   - conflict: adopting it would replace or move it, and it holds data or a
//     name this program's resource needs. Never resolved by a replacement: the
//     report says how to adapt (a snapshot restore, a deletion in the cutover
//     window) and which resources to leave out of the first `pulumi up`.
//
// What the first `pulumi up` would do to the adopted resources is worked out
// as the offline diff does (internal/stackplan, internal/replacement), with the
// adopted resources answering the mock cloud with their real ids and outputs.
package migrate

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/internal/tfstate"
	"github.com/ohmycoins/infra/stacks"
)

// Verdict is what happens to one original resource.
type Verdict string

// The verdicts, in the order the report lists them.
const (
	Conflict Verdict = "conflict"
	Adopt    Verdict = "adopt"
	Recreate Verdict = "recreate"
	Retire   Verdict = "retire"
)

var verdictOrder = map[Verdict]int{Conflict: 0, Adopt: 1, Recreate: 2, Retire: 3}

// Entry is the report's line for one original resource.
type Entry struct {
	// Address is the resource's Terraform address; for a resource that exists
	// outside the state, the address of what made it.
	Address string `json:"address"`
	TFType  string `json:"tfType"`
	// ID is the original's id in the state.
	ID      string  `json:"id"`
	Verdict Verdict `json:"verdict"`
	// URN, Type and Name are this program's counterpart, "" for a retired one.
	URN  string `json:"urn,omitempty"`
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
	// Identity is what the two were matched by.
	Identity string `json:"identity,omitempty"`
	// ImportID is the id `pulumi import` adopts it with.
	ImportID string `json:"importId,omitempty"`
	// Changes are what the first `pulumi up` changes on an adopted resource:
	// input names, and "option <name>" for resource options.
	Changes []string `json:"changes,omitempty"`
	// Why explains a recreate, retire or conflict.
	Why string `json:"why,omitempty"`
	// Adapt says how to resolve a conflict.
	Adapt string `json:"adapt,omitempty"`
	// HoldsData is what the resource holds ("the database"), if anything.
	HoldsData string `json:"holdsData,omitempty"`
	// Outside says why a resource exists that the state does not hold.
	Outside string `json:"outside,omitempty"`
}

// Options are one migration's inputs.
type Options struct {
	// Dir is the project directory (or one below it); Stack the stack to move into.
	Dir, Stack string
	// State is the original environment's state, read from StateName.
	State     *tfstate.State
	StateName string
	// Adopt, when not nil, is the operator's choice of what to adopt, by URN
	// (the resources of an import file). Otherwise everything adoption would
	// not replace or move is adopted.
	Adopt []string
	// Set and Unset override the stack's config, as the offline preview's
	// options do (tests).
	Set   map[string]string
	Unset []string
}

// preview runs the program for the migration's stack in a world.
func (o Options) preview(world mockcloud.World) (*preview.Result, error) {
	return preview.Preview(preview.Options{Dir: o.Dir, Stack: o.Stack, Set: o.Set, Unset: o.Unset, World: world})
}

// Result is a migration: the report, the import file, and what the import
// and the first `pulumi up` would do.
type Result struct {
	Stack    string
	Settings stacks.Settings
	// Entries are the report, one per original resource.
	Entries []Entry
	// DataSources counts the state's data sources, which nothing moves.
	DataSources int
	// Import is the file for `pulumi import --file`.
	Import ImportFile
	// Diff is what `pulumi import` and then `pulumi up` would do.
	Diff stackplan.PlanDiff
	// Imported is the stack as `pulumi import` leaves it: the adopted
	// resources with the ids, inputs and outputs they have in AWS, under the
	// program's names (what tests/engine seeds its simulated account with).
	Imported *stackplan.Plan
	// Exclude are the URNs to leave out of the `pulumi up` that runs before
	// the cutover window: the resources whose originals must go first.
	Exclude []string
}

// original is one resource of the original environment.
type original struct {
	tfstate.Resource
	// outside is why a resource exists that the state does not hold; "" for
	// the state's own.
	outside string
	// urn, pulumiType and identity are set once it is matched.
	urn, pulumiType, identity string
}

// Run works out the migration of one stack.
func Run(opts Options) (*Result, error) {
	base, err := opts.preview(mockcloud.World{})
	if err != nil {
		return nil, err
	}
	s := *base.Settings
	if s.AccountID == "" {
		return nil, inputErrorf("ohmycoins:accountId is not set for stack %s: cmd/migrate checks that %s belongs to the stack's account (pulumi config set --stack %s ohmycoins:accountId <12 digits>)",
			opts.Stack, opts.StateName, opts.Stack)
	}
	if err := opts.State.Check(opts.StateName, tfstate.Environment{AccountID: s.AccountID, Region: s.Region, NamePrefix: s.NamePrefix}); err != nil {
		return nil, err
	}
	world := mockcloud.World{AccountID: s.AccountID, Zones: zones(opts.State)}
	first, err := opts.preview(world)
	if err != nil {
		return nil, err
	}
	originals := originalsOf(opts.State)
	m := newMatcher(originals, first.Plan)
	m.match()

	adopt := map[string]*original{}
	if opts.Adopt != nil {
		for _, urn := range opts.Adopt {
			o, ok := m.matched[urn]
			if !ok {
				return nil, inputErrorf("the import file adopts %s, which no resource of %s matches", urn, opts.StateName)
			}
			adopt[urn] = o
		}
	} else {
		maps.Copy(adopt, m.matched)
	}

	// Adopt what would be updated in place; drop what adoption would replace
	// or move, which may in turn change what its dependents see.
	demoted := map[string]string{}
	var ev *evaluation
	for {
		ev, err = evaluate(opts, world, adopt, first.Plan)
		if err != nil {
			return nil, err
		}
		if opts.Adopt != nil {
			break
		}
		dropped := false
		for _, urn := range slices.Sorted(maps.Keys(adopt)) {
			if why := ev.refusal(urn, adopt[urn], adopt, originals); why != "" {
				demoted[urn] = why
				delete(adopt, urn)
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	for urn := range m.matched {
		if _, ok := adopt[urn]; !ok && demoted[urn] == "" {
			demoted[urn] = "the import file does not adopt it"
			if why := ev.refusal(urn, m.matched[urn], adopt, originals); why != "" {
				demoted[urn] = why
			}
		}
	}

	r := &Result{Stack: opts.Stack, Settings: s, Diff: ev.diff, Imported: ev.imported, DataSources: len(opts.State.Resources) - len(opts.State.Managed())}
	r.classify(originals, adopt, demoted, ev)
	r.Import = importFile(ev.plan, adopt)
	return r, nil
}

// zones are the hosted zones the state looks up.
func zones(state *tfstate.State) map[string]string {
	out := map[string]string{}
	for _, z := range state.Data("aws_route53_zone") {
		out[dnsName(z.String("name"))] = z.String("zone_id")
	}
	return out
}

// originalsOf are the state's managed resources and the resources that exist
// beside them: the log groups RDS creates for the logs an instance exports.
func originalsOf(state *tfstate.State) []*original {
	var out []*original
	for _, r := range state.Managed() {
		out = append(out, &original{Resource: r})
		if r.Type != "aws_db_instance" {
			continue
		}
		exports, _ := r.Values["enabled_cloudwatch_logs_exports"].([]any)
		for _, e := range exports {
			name := fmt.Sprintf("/aws/rds/instance/%s/%v", r.String("identifier"), e)
			out = append(out, &original{
				Resource: tfstate.Resource{Address: r.Address, Mode: "managed", Type: "aws_cloudwatch_log_group",
					// RDS creates the group without retention (logs never expire) and without a key.
					Values: map[string]any{"id": name, "name": name, "arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", r.Region(), r.Account(), name), "retention_in_days": 0.0, "kms_key_id": ""}},
				outside: fmt.Sprintf("RDS created it for the %v logs %s exports; the state does not hold it", e, r.String("identifier")),
			})
		}
	}
	return out
}

// evaluation is the program run with a set of adopted resources.
type evaluation struct {
	plan, imported *stackplan.Plan
	diff           stackplan.PlanDiff
}

// evaluate runs the program with the adopted resources existing, and diffs
// what `pulumi import` leaves against it.
func evaluate(opts Options, world mockcloud.World, adopt map[string]*original, example *stackplan.Plan) (*evaluation, error) {
	world.Existing = map[string]mockcloud.Existing{}
	for urn, o := range adopt {
		ex, _ := example.ByURN(urn)
		world.Existing[urn] = mockcloud.Existing{ID: o.String("id"), Outputs: withoutZeroes(shaped(o.Type, o.Values, o.Sensitive, ex.Outputs))}
	}
	res, err := opts.preview(world)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for urn, o := range adopt {
		ids[urn] = importID(o.pulumiType, o)
	}
	was := imported(res.Plan, adopt)
	return &evaluation{plan: res.Plan, imported: was, diff: stackplan.Adoption(was, withUnknowns(res.Plan, adopt), ids)}, nil
}

// withoutZeroes drops the empty values Terraform writes for what is not set:
// the mock's own answer stands for them.
func withoutZeroes(m map[string]any) map[string]any {
	for k, v := range m {
		switch x := v.(type) {
		case string:
			if x == "" {
				delete(m, k)
			}
		case []any:
			if len(x) == 0 {
				delete(m, k)
			}
		case map[string]any:
			if len(x) == 0 {
				delete(m, k)
			}
		}
	}
	return m
}

// imported is the stack's state right after `pulumi import`: the stack, the
// provider, the components on the way to each adopted resource, and the
// adopted resources with the values they have (under the program's names),
// protected, as `pulumi import` leaves them by default.
func imported(plan *stackplan.Plan, adopt map[string]*original) *stackplan.Plan {
	keep := map[string]bool{plan.Root().URN: true}
	for urn := range adopt {
		r, _ := plan.ByURN(urn)
		keep[r.ProviderURN] = true
		for p := r.Parent; p != "" && !keep[p]; {
			keep[p] = true
			parent, _ := plan.ByURN(p)
			p = parent.Parent
		}
		keep[urn] = true
	}
	out := &stackplan.Plan{Project: plan.Project, Stack: plan.Stack, Outputs: map[string]any{}}
	for _, r := range plan.Resources {
		if !keep[r.URN] {
			continue
		}
		if o, ok := adopt[r.URN]; ok {
			was := r
			was.ID = o.String("id")
			was.Inputs = shaped(o.Type, o.Values, o.Sensitive, r.Inputs)
			was.SecretDigests = map[string]string{}
			for k, v := range r.Inputs {
				if !isSecret(v) {
					continue
				}
				if attr, ok := attrFor(o.Type, k, o.Values); ok && o.Values[attr] != nil {
					was.Inputs[k] = stackplan.Secret
					was.SecretDigests[k] = "terraform-state"
				}
			}
			was.Protect, was.RetainOnDelete, was.DeleteBeforeReplace, was.IgnoreChanges = true, false, nil, nil
			r = was
		}
		out.Resources = append(out.Resources, r)
	}
	return out
}

// withUnknowns is the plan as `pulumi preview` sees it before the apply: an
// input of an adopted resource built from a computed output of a resource
// still to be created is unknown.
func withUnknowns(plan *stackplan.Plan, adopt map[string]*original) *stackplan.Plan {
	out := *plan
	out.Resources = slices.Clone(plan.Resources)
	for i, r := range out.Resources {
		if _, ok := adopt[r.URN]; !ok {
			continue
		}
		inputs := maps.Clone(r.Inputs)
		for k, deps := range r.PropertyDependencies {
			for _, dep := range deps {
				d, ok := plan.ByURN(dep)
				if _, adopted := adopt[dep]; adopted || !ok || !d.Custom || strings.HasPrefix(d.Type, "pulumi:providers:") {
					continue
				}
				if stackplan.Mentions(inputs[k], stackplan.Computed(d)) {
					inputs[k] = stackplan.Unknown
					break
				}
			}
		}
		out.Resources[i].Inputs = inputs
	}
	return &out
}

// refusal says why a resource cannot be adopted: the first `pulumi up` would
// replace it, or move it to a VPC AWS cannot move it to.
func (ev *evaluation) refusal(urn string, o *original, adopt map[string]*original, originals []*original) string {
	for _, c := range ev.diff.Changes {
		if c.URN != urn || c.Op != stackplan.OpReplace {
			continue
		}
		var parts []string
		for _, k := range c.ReplaceBecause {
			top, _, _ := strings.Cut(k, ".")
			if vc, ok := c.Inputs[top]; ok {
				parts = append(parts, fmt.Sprintf("%s %s → %s", k, show(vc.Old), show(vc.New)))
			} else {
				parts = append(parts, k)
			}
		}
		return "adopting it would replace it: " + strings.Join(parts, "; ")
	}
	consequence, bound := vpcBound[o.pulumiType]
	if !bound {
		return ""
	}
	vpc := o.String("vpc_id")
	for _, other := range originals {
		if other.Type == "aws_vpc" && other.String("id") == vpc {
			if _, ok := adopt[other.urn]; !ok || other.urn == "" {
				return fmt.Sprintf("it belongs to VPC %s, which this program does not adopt, and %s", vpc, consequence)
			}
		}
	}
	return ""
}

// vpcBound are the types whose VPC changes in place, where the provider sees
// nothing to replace, but AWS refuses the move or it breaks the original
// environment: adopting them is for an adopted VPC only.
var vpcBound = map[string]string{
	"aws:lb/loadBalancer:LoadBalancer":        "AWS cannot move a load balancer to another VPC",
	"aws:rds/subnetGroup:SubnetGroup":         "AWS cannot move a DB subnet group in use to another VPC",
	"aws:elasticache/subnetGroup:SubnetGroup": "AWS cannot move a cache subnet group in use to another VPC",
	"aws:ec2/internetGateway:InternetGateway": "moving it to this program's VPC would cut the original environment off the internet",
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

// classify writes the report's entries.
func (r *Result) classify(originals []*original, adopt map[string]*original, demoted map[string]string, ev *evaluation) {
	rules := replacement.MustLoad()
	changes := map[string]stackplan.Change{}
	for _, c := range ev.diff.Changes {
		changes[c.URN] = c
	}
	for _, o := range originals {
		e := Entry{Address: o.Address, TFType: o.Type, ID: o.String("id"), Outside: o.outside, Identity: o.identity}
		if o.urn == "" {
			e.Verdict = Retire
			e.Why = retireWhy(o)
			if typ, _, ok := pulumiTypeOf(o.Type); ok {
				if ty, ok := rules.Lookup(typ); ok {
					e.HoldsData = ty.HoldsData
				}
			}
			r.Entries = append(r.Entries, e)
			continue
		}
		res, _ := ev.plan.ByURN(o.urn)
		e.URN, e.Type, e.Name = res.URN, res.Type, res.Name
		ty, _ := rules.Lookup(res.Type)
		e.HoldsData = ty.HoldsData
		if _, ok := adopt[o.urn]; ok {
			e.Verdict, e.ImportID = Adopt, importID(o.pulumiType, o)
			c := changes[o.urn]
			e.Changes = slices.Sorted(maps.Keys(c.Inputs))
			for _, opt := range slices.Sorted(maps.Keys(c.Options)) {
				e.Changes = append(e.Changes, "option "+opt)
			}
			if res.Type == "aws:secretsmanager/secret:Secret" && slices.Contains(e.Changes, "kmsKeyId") {
				// The original's tasks read it when they start, through a
				// grant on the AWS-managed key: it moves to the environment
				// key in the window, together with the program's grant on
				// that key (which waits for the database it also names).
				e.Why = "it moves to the environment key in the cutover window, together with the execution role's grant to decrypt it"
				r.Exclude = append(r.Exclude, res.URN)
			}
			if why := takesTraffic(res.Type, e.Changes); why != "" {
				e.Why = why
				r.Exclude = append(r.Exclude, res.URN)
			}
			r.Entries = append(r.Entries, e)
			continue
		}
		e.Why = demoted[o.urn]
		collides := collides(ty, o, res)
		if e.HoldsData != "" || collides {
			e.Verdict = Conflict
			e.Adapt = adapt(r.Settings, o, res, originals, adopt)
			r.Exclude = append(r.Exclude, res.URN)
		} else {
			e.Verdict = Recreate
		}
		r.Entries = append(r.Entries, e)
	}
	sort.SliceStable(r.Entries, func(i, j int) bool {
		a, b := r.Entries[i], r.Entries[j]
		if verdictOrder[a.Verdict] != verdictOrder[b.Verdict] {
			return verdictOrder[a.Verdict] < verdictOrder[b.Verdict]
		}
		return a.Address < b.Address
	})
	slices.Sort(r.Exclude)
	r.Exclude = slices.Compact(r.Exclude)
}

// takesTraffic says why an adopted resource whose update would move the
// original's traffic to the program's services waits for the cutover
// window: until then those services run no task (they wait for the
// database), and the original must keep serving. "" when it need not wait.
func takesTraffic(typ string, changes []string) string {
	switch {
	case typ == "aws:lb/loadBalancer:LoadBalancer" && slices.Contains(changes, "securityGroups"):
		return "its new security groups admit no traffic to the original's tasks: it serves the original until the window"
	case typ == "aws:lb/listener:Listener" && slices.Contains(changes, "defaultActions"):
		return "its new default action forwards to the program's target groups, which have no tasks before the window: it serves the original until then"
	}
	return ""
}

// collides reports whether this program's resource would take what AWS holds
// once (a name, an identifier) while the original still holds it.
func collides(ty replacement.Type, o *original, res stackplan.Resource) bool {
	if len(ty.UniqueKey) == 0 || ty.OnCollision != replacement.Fails {
		return false
	}
	unknown := func(v any) bool { return v == stackplan.Unknown }
	mine, ok := ty.KeyValues(res.Inputs, unknown)
	if !ok {
		return false
	}
	theirs, ok := ty.KeyValues(shaped(o.Type, o.Values, o.Sensitive, res.Inputs), unknown)
	return ok && fmt.Sprint(mine) == fmt.Sprint(theirs)
}

func retireWhy(o *original) string {
	typ, identity, ok := pulumiTypeOf(o.Type)
	if !ok {
		return "this program has no " + o.Type + ": what it did is done by the program's own resources"
	}
	if len(identity) == 0 {
		return fmt.Sprintf("this program never adopts an original %s: its own %s take its place", o.Type, typeNoun(typ))
	}
	return fmt.Sprintf("no resource of this program has its identity (%s): the program's own %s take its place", describe(identity, o), typeNoun(typ))
}

// typeNoun is the short name of a type for messages: "rds/instance" of aws:rds/instance:Instance.
func typeNoun(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) == 3 {
		return parts[1]
	}
	return typ
}

func inputErrorf(format string, args ...any) error {
	return tfstate.NewInputError(fmt.Sprintf(format, args...))
}
