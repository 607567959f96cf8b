package awstype

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/awsread"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// TestEveryEntryIsWhole: each type says how AWS answers, what it costs (or
// why nothing), how the original Terraform names it and how it is imported,
// and has replacement rules; a type missing any of them fails here, so none
// is priced at $0 or imported by a guessed id through silence.
func TestEveryEntryIsWhole(t *testing.T) {
	t.Parallel()
	require.GreaterOrEqual(t, len(Tokens()), 63)
	for _, token := range Tokens() {
		require.Empty(t, Missing(token), token)
	}
	require.Equal(t, []string{"an entry in internal/awstype"}, Missing("aws:sqs/queue:Queue"))
}

// TestCatalogAndReplacementTableListTheSameTypes: the replacement table holds
// rules of exactly the catalog's types, no stale row, no type without rules.
func TestCatalogAndReplacementTableListTheSameTypes(t *testing.T) {
	t.Parallel()
	table, err := replacement.Load()
	require.NoError(t, err)
	var ruled []string
	for typ := range table.Types {
		ruled = append(ruled, typ)
	}
	require.ElementsMatch(t, Tokens(), ruled)
}

// TestMissingNamesWhatAnEntryLacks: a half-written entry is reported by each
// part it lacks, in words that say where to add it.
func TestMissingNamesWhatAnEntryLacks(t *testing.T) {
	catalog["aws:test/half:Half"] = Entry{Token: "aws:test/half:Half", Price: flat("x", "y"), Free: "both"}
	defer delete(catalog, "aws:test/half:Half")
	require.Equal(t, []string{
		"the mock cloud's answer (Answer)",
		"a price (Price) or the reason it costs nothing (Free), one of the two",
		"its Terraform resource type (the source.resource of its replacement rules)",
		"its import id (Terraform.ImportID) or why it cannot be imported (Terraform.NoImport), one of the two",
		"its replacement rules in internal/replacement/replacements.json",
		"the IAM actions reading it back calls, in internal/awsread (the CI roles may call nothing else)",
	}, Missing("aws:test/half:Half"))
}

// TestTheReadTableListsTheCatalogsTypes: internal/awsread holds the reads of
// exactly the catalog's AWS types, no stale row.
func TestTheReadTableListsTheCatalogsTypes(t *testing.T) {
	t.Parallel()
	var aws []string
	for _, token := range Tokens() {
		if strings.HasPrefix(token, "aws:") {
			aws = append(aws, token)
		}
	}
	require.Equal(t, aws, awsread.Tokens())
}

// TestEntriesNameRealInputs: every input an entry or its rules name (a
// forcing input, a conditional one, the unique key, the physical name, an
// identity key) is an argument of the type in the SDK go.mod pins, nested
// paths included: the SDK's own <type>Args struct, read from its source.
func TestEntriesNameRealInputs(t *testing.T) {
	t.Parallel()
	sdk := newSDKSource(t)
	for _, token := range Tokens() {
		t.Run(token, func(t *testing.T) {
			t.Parallel()
			args := sdk.args(t, token)
			e, _ := Lookup(token)
			rules, _ := e.Rules()
			paths := append([]string(nil), rules.ReplaceOnChanges...)
			for _, c := range rules.Conditional {
				paths = append(paths, c.Property)
			}
			paths = append(paths, rules.UniqueKey...)
			if rules.NameProperty != "" {
				paths = append(paths, rules.NameProperty)
			}
			for _, k := range e.Terraform.Identity {
				paths = append(paths, k.Input)
			}
			for input := range e.Terraform.Renamed {
				paths = append(paths, input)
			}
			for _, path := range paths {
				if strings.HasPrefix(path, "tags.") {
					path = "tags" // a tag is a key of the free-form tags map
				}
				require.True(t, args.has(strings.Split(path, ".")), "%s: %q is not an argument of the SDK's %s", token, path, args.name)
			}
		})
	}
}

// TestSDKSourceRefusesWhatItDoesNotKnow: the SDK reader names an argument
// struct only for a token the SDK registers, and finds nested arguments.
func TestSDKSourceRefusesWhatItDoesNotKnow(t *testing.T) {
	t.Parallel()
	sdk := newSDKSource(t)
	service := sdk.args(t, "aws:ecs/service:Service")
	require.True(t, service.has([]string{"loadBalancers", "containerPort"}))
	require.False(t, service.has([]string{"loadBalancers", "nope"}))
	require.False(t, service.has([]string{"arn"}), "an output, not an argument")
	_, err := sdk.find("aws:ecs/nope:Nope")
	require.ErrorContains(t, err, "registers no aws:ecs/nope:Nope")
}

// TestAnswersAreDeterministicAndShapedLikeAWS: each answer gives the same id
// and outputs twice, and an id in the form its import documents where the
// program reads it as such.
func TestAnswersAreDeterministicAndShapedLikeAWS(t *testing.T) {
	t.Parallel()
	env := mockcloud.Env{Region: "ap-southeast-2", Account: mockcloud.MockAccountID}
	sdk := newSDKSource(t)
	for _, token := range Tokens() {
		e, _ := Lookup(token)
		// Values shaped as AWS has them where an answer parses one; "n" for
		// every other string argument of the type.
		inputs := map[string]any{"cluster": "arn:aws:ecs:ap-southeast-2:123456789012:cluster/c",
			"certificateArn": "arn:c", "secretId": "arn:s", "resourceId": "service/c/s", "topic": "arn:t", "arn": "arn:t",
			"tagKey": "Environment", "zoneId": "Z1", "type": "A", "imageName": "r:tag"}
		for _, arg := range sdk.args(t, token).strings() {
			if _, ok := inputs[arg]; !ok {
				inputs[arg] = "n"
			}
		}
		a := answer(e, env, inputs)
		b := answer(e, env, inputs)
		require.Equal(t, a, b, token)
		require.NotEmpty(t, a.id, token)
	}
	vpc := answer(catalog["aws:ec2/vpc:Vpc"], env, nil)
	require.Regexp(t, `^vpc-[0-9a-f]{17}$`, vpc.id)
	require.Equal(t, "arn:aws:ec2:ap-southeast-2:123456789012:vpc/"+vpc.id, vpc.out["arn"])
	service := answer(catalog["aws:ecs/service:Service"], env, map[string]any{"name": "s", "cluster": "arn:aws:ecs:ap-southeast-2:123456789012:cluster/c"})
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:service/c/s", service.id)
}

type answered struct {
	id  string
	out map[string]any
}

func answer(e Entry, env mockcloud.Env, inputs map[string]any) answered {
	in := resource.NewPropertyMapFromMap(inputs)
	r := &mockcloud.Request{Type: e.Token, Name: "logical", In: in, Out: in.Copy()}
	id := e.Answer(env, r)
	return answered{id: id, out: r.Out.Mappable()}
}

// TestImportIDsFollowTheDocumentedForms: the ids pulumi import takes, built
// from Terraform attributes, in the forms pulumi-aws documents.
func TestImportIDsFollowTheDocumentedForms(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{
		"id": "the-id", "arn": "arn:aws:x", "name": "n", "identifier": "db", "replication_group_id": "rg",
		"route_table_id": "rtb-1", "destination_cidr_block": "0.0.0.0/0", "subnet_id": "subnet-1",
		"role": "r", "policy_arn": "arn:aws:iam::1:policy/p", "cluster": "arn:aws:ecs:r:1:cluster/c",
		"service_namespace": "ecs", "resource_id": "service/c/s", "scalable_dimension": "ecs:service:DesiredCount",
		"alarm_name": "a", "account_id": "123456789012", "event_bus_name": "default", "rule": "rule", "target_id": "t",
	}
	get := func(k string) string { return attrs[k] }
	for token, want := range map[string]string{
		"aws:ec2/route:Route": "rtb-1_0.0.0.0/0",
		"aws:ec2/routeTableAssociation:RouteTableAssociation": "subnet-1/rtb-1",
		"aws:iam/rolePolicy:RolePolicy":                       "r:n",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment":   "r/arn:aws:iam::1:policy/p",
		"aws:rds/instance:Instance":                           "db",
		"aws:elasticache/replicationGroup:ReplicationGroup":   "rg",
		"aws:ecs/service:Service":                             "c/n",
		"aws:ecs/taskDefinition:TaskDefinition":               "arn:aws:x",
		"aws:appautoscaling/target:Target":                    "ecs/service/c/s/ecs:service:DesiredCount",
		"aws:appautoscaling/policy:Policy":                    "ecs/service/c/s/ecs:service:DesiredCount/n",
		"aws:cloudwatch/metricAlarm:MetricAlarm":              "a",
		"aws:budgets/budget:Budget":                           "123456789012:n",
		"aws:cloudwatch/eventTarget:EventTarget":              "rule/t",
		"aws:ec2/vpc:Vpc":                                     "the-id",
	} {
		e, _ := Lookup(token)
		require.Equal(t, want, e.Terraform.ImportID(get), token)
	}
	attrs["event_bus_name"] = "bus"
	e, _ := Lookup("aws:cloudwatch/eventRule:EventRule")
	require.Equal(t, "bus/n", e.Terraform.ImportID(get))
}

// TestPricesReadTheirResource: a price reads the resource's inputs and the
// table; the pricing context records the keys it was asked for.
func TestPricesReadTheirResource(t *testing.T) {
	t.Parallel()
	p := &fakePricing{prices: map[string]float64{"rds.db.t3.micro": 0.028, "rds.storage.gp3": 0.138, "secretsmanager.secret-month": 0.4}, hours: 730}
	e, _ := Lookup("aws:rds/instance:Instance")
	c, ok := e.Price(p, stackplan.Resource{Type: e.Token, Inputs: map[string]any{
		"instanceClass": "db.t3.micro", "multiAz": true, "storageType": "gp3", "allocatedStorage": 20.0, "manageMasterUserPassword": true}})
	require.True(t, ok)
	require.InDelta(t, 2*(730*0.028+20*0.138)+0.4, c.Monthly, 1e-9)
	require.Equal(t, "db.t3.micro Multi-AZ (two copies): 2 instances × (730 h × $0.028 + 20 GB gp3 × $0.138) + the master password's secret $0.4", c.Basis)

	gateway, _ := Lookup("aws:ec2/vpcEndpoint:VpcEndpoint")
	_, priced := gateway.Price(p, stackplan.Resource{Type: gateway.Token, Inputs: map[string]any{"vpcEndpointType": "Gateway"}})
	require.False(t, priced, "gateway endpoints are free")
}

type fakePricing struct {
	prices map[string]float64
	hours  float64
}

func (f *fakePricing) Price(key string) float64                      { return f.prices[key] }
func (f *fakePricing) Assume(string) float64                         { return 0 }
func (f *fakePricing) Hours() float64                                { return f.hours }
func (f *fakePricing) Plan() *stackplan.Plan                         { return &stackplan.Plan{} }
func (f *fakePricing) AwaitingImage(string) (float64, float64, bool) { return 0, 0, false }
func (f *fakePricing) Date() string                                  { return "2026-11-27" }
func (f *fakePricing) NotPriced(string)                              {}

// sdkSource reads the argument structs of the pulumi-aws and pulumi-docker
// SDKs that go.mod pins, from their source in the module cache.
type sdkSource struct {
	modules map[string]string // token prefix -> module directory
	mu      sync.Mutex
	pkgs    map[string]*sdkPackage
}

type sdkPackage struct {
	files   map[string][]byte
	structs map[string]*ast.StructType
}

func newSDKSource(t *testing.T) *sdkSource {
	t.Helper()
	dir := func(module string) string {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
		require.NoError(t, err, "go list -m %s", module)
		return strings.TrimSpace(string(out))
	}
	return &sdkSource{
		modules: map[string]string{
			"aws":    filepath.Join(dir("github.com/pulumi/pulumi-aws/sdk/v6"), "go", "aws"),
			"docker": filepath.Join(dir("github.com/pulumi/pulumi-docker/sdk/v4"), "go", "docker"),
		},
		pkgs: map[string]*sdkPackage{},
	}
}

// sdkArgs is one argument struct, within its package.
type sdkArgs struct {
	name string
	pkg  *sdkPackage
	root *ast.StructType
}

func (s *sdkSource) args(t *testing.T, token string) sdkArgs {
	t.Helper()
	a, err := s.find(token)
	require.NoError(t, err)
	return a
}

// find locates the <resource>Args struct of the file that registers token.
func (s *sdkSource) find(token string) (sdkArgs, error) {
	provider, module, name, ok := splitToken(token)
	if !ok {
		return sdkArgs{}, os.ErrInvalid
	}
	dir := s.modules[provider]
	if module != "index" && module != "" {
		dir = filepath.Join(dir, module)
	}
	pkg, err := s.pkg(dir)
	if err != nil {
		return sdkArgs{}, err
	}
	call := []byte(`RegisterResource("` + token + `"`)
	for _, src := range pkg.files {
		if bytes.Contains(src, call) {
			structName := strings.ToLower(name[:1]) + name[1:] + "Args"
			if st, ok := pkg.structs[structName]; ok {
				return sdkArgs{name: structName, pkg: pkg, root: st}, nil
			}
		}
	}
	return sdkArgs{}, &os.PathError{Op: "the SDK registers no " + token + " in", Path: dir, Err: os.ErrNotExist}
}

// splitToken splits aws:ec2/subnet:Subnet into aws, ec2, Subnet, and a
// provider token pulumi:providers:aws into aws, index, Provider.
func splitToken(token string) (provider, module, name string, ok bool) {
	parts := strings.Split(token, ":")
	if len(parts) != 3 {
		return "", "", "", false
	}
	if parts[0] == "pulumi" && parts[1] == "providers" {
		return parts[2], "index", "Provider", true
	}
	module, _, _ = strings.Cut(parts[1], "/")
	return parts[0], module, parts[2], true
}

func (s *sdkSource) pkg(dir string) (*sdkPackage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pkgs[dir]; ok {
		return p, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &sdkPackage{files: map[string][]byte{}, structs: map[string]*ast.StructType{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		p.files[e.Name()] = src
		// Argument structs live in the resource's file and, for nested
		// blocks, in pulumiTypes*.go: only those are parsed.
		if !bytes.Contains(src, []byte("RegisterResource(")) && !strings.HasPrefix(e.Name(), "pulumiTypes") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, spec := range g.Specs {
				ts := spec.(*ast.TypeSpec)
				if st, ok := ts.Type.(*ast.StructType); ok {
					p.structs[ts.Name.Name] = st
				}
			}
		}
	}
	s.pkgs[dir] = p
	return p, nil
}

// has walks a path of `pulumi` tags through the struct and the nested
// argument structs of its package.
func (a sdkArgs) has(path []string) bool {
	st := a.root
	for i, part := range path {
		var next ast.Expr
		for _, f := range st.Fields.List {
			if f.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(f.Tag.Value)
			name, _, _ := strings.Cut(reflect.StructTag(tag).Get("pulumi"), ",")
			if name == part {
				next = f.Type
			}
		}
		if next == nil {
			return false
		}
		if i == len(path)-1 {
			return true
		}
		nested, ok := a.pkg.structs[elementName(next)]
		if !ok {
			return false
		}
		st = nested
	}
	return true
}

// strings are the top-level arguments that take a string.
func (a sdkArgs) strings() []string {
	var out []string
	for _, f := range a.root.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		name, _, _ := strings.Cut(reflect.StructTag(tag).Get("pulumi"), ",")
		if t := f.Type; name != "" && (isIdent(t, "string") || isIdent(t, "*string")) {
			out = append(out, name)
		}
	}
	return out
}

func isIdent(e ast.Expr, want string) bool {
	if s, ok := e.(*ast.StarExpr); ok {
		return strings.HasPrefix(want, "*") && isIdent(s.X, want[1:])
	}
	id, ok := e.(*ast.Ident)
	return ok && id.Name == want
}

// elementName is the named type under pointers, slices and maps.
func elementName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.ArrayType:
			e = x.Elt
		case *ast.MapType:
			e = x.Value
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
