package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/migratecli"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/internal/statebackend"
	"github.com/ohmycoins/infra/internal/verify"
	"github.com/ohmycoins/infra/stacks"
)

// The documents' commands are the commands the code has: every
// `go run ./cmd/...` line of the README and the runbook uses only flags its
// command defines.
func TestDocumentedCommandsUseRealFlags(t *testing.T) {
	t.Parallel()
	mains := map[string]func(args []string) string{
		"preview": func(args []string) string {
			var out, errOut bytes.Buffer
			previewcli.Main(args, &out, &errOut)
			return errOut.String()
		},
		"migrate": func(args []string) string {
			var out, errOut bytes.Buffer
			migratecli.Main(args, &out, &errOut)
			return errOut.String()
		},
		"verify": func(args []string) string {
			var out, errOut bytes.Buffer
			verify.Main(args, strings.NewReader(""), &out, &errOut)
			return errOut.String()
		},
	}
	command := regexp.MustCompile(`go run \./cmd/(preview|migrate|verify)((?:[^\n]|\\\n)*)`)
	seen := map[string]int{}
	for _, doc := range []string{"../README.md", "../docs/RUNBOOK.md"} {
		data, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, m := range command.FindAllStringSubmatch(string(data), -1) {
			args := flagsOf(m[2])
			// -h stops the parse after the flags before it: an unknown one fails first.
			stderr := mains[m[1]](append(args, "-h"))
			require.NotContains(t, stderr, "flag provided but not defined", "%s: go run ./cmd/%s%s", doc, m[1], m[2])
			seen[m[1]]++
		}
	}
	require.Positive(t, seen["migrate"], "the documents show cmd/migrate")
	require.Positive(t, seen["preview"])
}

// flagsOf splits a documented command line into its words up to a shell
// operator (a redirection, a pipe, a comment), keeping quoted words and
// command substitutions whole.
func flagsOf(line string) []string {
	line = strings.ReplaceAll(line, "\\\n", " ")
	var words []string
	var word strings.Builder
	quote, depth := rune(0), 0
	flush := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			word.WriteRune(c)
		case c == '\'' || c == '"':
			quote = c
			word.WriteRune(c)
		case c == '$' && i+1 < len(runes) && runes[i+1] == '(':
			depth++
			word.WriteRune(c)
		case c == ')' && depth > 0:
			depth--
			word.WriteRune(c)
		case depth > 0:
			word.WriteRune(c)
		case c == ' ' || c == '\t' || c == '`':
			flush()
		case c == '>' || c == '|' || c == '#' || c == ';' || c == '&':
			flush()
			return words
		default:
			word.WriteRune(c)
		}
	}
	flush()
	return words
}

// The repository explains itself: no file cites a document that lives
// outside it, and every defect of the original it cites ("defect F2") is
// listed in docs/DEFECTS.md.
func TestCitedDocumentsAreInTheRepository(t *testing.T) {
	t.Parallel()
	defects, err := os.ReadFile(filepath.Join(projectDir, "docs", "DEFECTS.md"))
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| ([A-J][0-9]+) \|`).FindAllStringSubmatch(string(defects), -1) {
		listed[m[1]] = true
	}
	require.Greater(t, len(listed), 30)
	// The brief's ARCHITECTURE.md is outside; the repository's is docs/ARCHITECTURE.md.
	outside := regexp.MustCompile(`SPEC\.md|(?:^|[^/])ARCHITECTURE\.md|STYLE\.md|original-terraform\.md|STAGING_DEPLOYMENT_READINESS|\.\./shared`)
	citation := regexp.MustCompile(`defects? ((?:[A-J][0-9]+(?:, | and )?)+)`)
	id := regexp.MustCompile(`[A-J][0-9]+`)
	cited := 0
	require.NoError(t, filepath.WalkDir(projectDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(path)
		if d.IsDir() || (ext != ".go" && ext != ".md" && ext != ".yaml" && ext != ".yml") || strings.HasSuffix(path, "docs_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		require.Empty(t, outside.FindAllString(string(data), -1), "%s cites a document outside the repository", path)
		for _, m := range citation.FindAllStringSubmatch(string(data), -1) {
			for _, d := range id.FindAllString(m[1], -1) {
				cited++
				require.True(t, listed[d], "%s cites defect %s, which docs/DEFECTS.md does not list", path, d)
			}
		}
		return nil
	}))
	require.Greater(t, cited, 50)
}

// Every place in the code that points the operator at a section of the
// runbook names a section that exists.
func TestRunbookSectionsTheCodeCitesExist(t *testing.T) {
	t.Parallel()
	runbook, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	headings := map[string]bool{}
	for _, line := range strings.Split(string(runbook), "\n") {
		if strings.HasPrefix(line, "#") {
			headings[strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
		}
	}
	cite := regexp.MustCompile(`RUNBOOK\.md[,:]? \\?"([^"\\]+)\\?"`)
	cited := 0
	require.NoError(t, filepath.WalkDir(projectDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cite.FindAllStringSubmatch(string(data), -1) {
			cited++
			found := false
			for h := range headings {
				if strings.Contains(h, m[1]) {
					found = true
				}
			}
			require.True(t, found, "%s cites the runbook section %q, which does not exist", path, m[1])
		}
		return nil
	}))
	require.Greater(t, cited, 5)
}

// TestTheReadmeConfigTableNamesEverySetting: the README's configuration table
// is checked against the settings' json tags, so a setting added, renamed or
// retired in the code is one the table says.
func TestTheReadmeConfigTableNamesEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(projectDir, "README.md"))
	require.NoError(t, err)
	rows := map[string]string{} // top-level key → its row
	keyCell := regexp.MustCompile("`ohmycoins:([A-Za-z]+)`")
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "| `ohmycoins:") {
			continue
		}
		cells := strings.SplitN(line, "|", 3)
		for _, m := range keyCell.FindAllStringSubmatch(cells[1], -1) {
			rows[m[1]] = cells[2]
		}
	}
	secrets := map[string]bool{}
	for _, s := range stacks.StackSecrets {
		secrets[s.Key] = true
	}
	for _, key := range stacks.SettableKeys() {
		if secrets[key] || key == "policy.waivers" || strings.HasPrefix(key, "alarms.") {
			continue // the secrets have their commands; waivers their own section; thresholds the runbook's alarm table
		}
		parts := strings.Split(key, ".")
		row, ok := rows[parts[0]]
		require.True(t, ok, "README.md's configuration table has no row for ohmycoins:%s", parts[0])
		for _, part := range parts[1:] {
			require.Regexp(t, `\b`+regexp.QuoteMeta(part)+`\b`, row, "README.md's row for ohmycoins:%s does not name %s", parts[0], key)
		}
	}
	for area := range rows {
		require.True(t, slices.ContainsFunc(stacks.SettableKeys(), func(k string) bool { return k == area || strings.HasPrefix(k, area+".") }),
			"README.md's configuration table names ohmycoins:%s, which is not a setting", area)
	}
}

// TestTheRunbookQuotesTheEstimates: the figures the runbook explains
// (docs/RUNBOOK.md, "What it costs") are the ones the estimate gives.
func TestTheRunbookQuotesTheEstimates(t *testing.T) {
	t.Parallel()
	runbook, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	money := func(v float64) string {
		s := fmt.Sprintf("%.2f", v)
		if len(s) > 6 {
			s = s[:len(s)-6] + "," + s[len(s)-6:]
		}
		return "$" + s
	}
	staging, awaiting := previewtest.Estimate(t, "staging", previewtest.WithImages()), previewtest.Estimate(t, "staging")
	production := previewtest.Estimate(t, "production", previewtest.WithImages())
	quotes := []struct{ what, figure string }{
		{"staging's monthly estimate", money(staging.Monthly)},
		{"staging's estimate awaiting its first images", money(awaiting.Monthly)},
		{"production's monthly estimate", money(production.Monthly)},
		{"production's estimate at its autoscaling maximum", money(production.MonthlyMax)},
		{"the budgets the estimates suggest", fmt.Sprintf("staging $%d, production $%d", cost.Budget(staging, 20), cost.Budget(production, 20))},
	}
	for _, q := range quotes {
		if !strings.Contains(string(runbook), q.figure) {
			t.Errorf("docs/RUNBOOK.md (\"What it costs\") does not quote %s: %q (go run ./cmd/preview cost -stack ... prints the figures)", q.what, q.figure)
		}
	}
}

// TestTheChecksOutputIsIgnored: what the README's commands write into the
// checkout (a plan as JSON, a binary) is not a change to commit.
func TestTheChecksOutputIsIgnored(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(projectDir, ".gitignore"))
	require.NoError(t, err)
	for _, pattern := range []string{"/*.json", "/preview", "/verify", "/migrate"} {
		require.Contains(t, strings.Split(string(data), "\n"), pattern)
	}
}

// TestStackFilesUseTheBootstrappedBackend: the stacks' secrets provider and the
// project's backend are the ones the bootstrap program creates.
func TestStackFilesUseTheBootstrappedBackend(t *testing.T) {
	t.Parallel()
	var project struct {
		Backend struct{ URL string } `yaml:"backend"`
	}
	data, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &project))
	require.Equal(t, statebackend.LoginURL(), project.Backend.URL)
	for _, stack := range allStacks {
		var file struct {
			SecretsProvider string `yaml:"secretsprovider"`
		}
		data, err := os.ReadFile(filepath.Join(projectDir, "Pulumi."+stack+".yaml"))
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(data, &file))
		require.Equal(t, statebackend.SecretsProvider(stack), file.SecretsProvider, stack)
		require.Equal(t, "awskms://alias/ohmycoins-pulumi-"+stack+"?region=ap-southeast-2", file.SecretsProvider, "one key per stack")
	}
}

// TestTheRunbooksAlarmTableIsThePlans: the runbook's table of alarms names
// every alarm a stack has, and no other, with each stack's threshold as its
// plan has it: a new alarm or a new threshold that the table lacks fails here.
func TestTheRunbooksAlarmTableIsThePlans(t *testing.T) {
	t.Parallel()
	runbook, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	_, table, ok := strings.Cut(string(runbook), "| alarm | fires when | setting `ohmycoins:alarms.` | staging | production |\n|---|---|---|---|---|\n")
	require.True(t, ok, "docs/RUNBOOK.md has the alarm table")
	table, _, _ = strings.Cut(table, "\n\n")
	number := regexp.MustCompile(`[0-9.]+`)
	rows := map[string][2]float64{}
	var keys []string
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		require.Len(t, cells, 7, line)
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		name = strings.TrimPrefix(strings.TrimPrefix(name, "ohmycoins-staging-"), "...-")
		keys = append(keys, "alarms."+strings.Trim(strings.TrimSpace(cells[3]), "`"))
		var values [2]float64
		for i, cell := range cells[4:6] {
			v, err := strconv.ParseFloat(number.FindString(cell), 64)
			require.NoError(t, err, line)
			if strings.Contains(cell, "GiB") {
				v *= 1 << 30
			}
			values[i] = v
		}
		rows[name] = values
	}
	var settable []string
	for _, key := range stacks.SettableKeys() {
		if strings.HasPrefix(key, "alarms.") {
			settable = append(settable, key)
		}
	}
	require.ElementsMatch(t, settable, keys, "docs/RUNBOOK.md's alarm table names each threshold's setting (README.md points there)")
	for i, stack := range allStacks {
		result := previewtest.Stack(t, stack)
		plan := result.Plan
		prefix := result.Settings.NamePrefix + "-"
		names := map[string]bool{}
		for _, a := range plan.OfType("aws:cloudwatch/metricAlarm:MetricAlarm") {
			name := strings.TrimPrefix(a.Name, prefix)
			for _, w := range service.Only(result.Settings.ServiceList(), service.Worker) {
				name = strings.Replace(name, w.Name+"-ecs-", "ecs-", 1) // the table's "...-<name>-ecs-high-cpu"
			}
			names[name] = true
			require.Contains(t, rows, name, "docs/RUNBOOK.md's alarm table lacks %s", a.Name)
			require.Equal(t, rows[name][i], a.Inputs["threshold"], "docs/RUNBOOK.md's threshold of %s in %s", name, stack)
		}
		require.ElementsMatch(t, slices.Collect(maps.Keys(rows)), slices.Collect(maps.Keys(names)), "the table lists the %s plan's alarms", stack)
	}
}

// layoutExtras are the entries of the layout that are not Go packages of
// the module, with what they hold; each must exist.
var layoutExtras = [][2]string{
	{"Pulumi.yaml", "project ohmycoins (runtime go, S3 state backend)"},
	{"Pulumi.<stack>.yaml", "stack config: the environment and its site values (Pulumi.staging.yaml, Pulumi.production.yaml)"},
	{"layouts/two-accounts/", "the recommended layout: staging in an AWS account of its own (its project and stack files, and one bootstrap stack per account; docs/RUNBOOK.md, \"One account or two\")"},
	{"tests/", "the whole-program scenarios: golden plans and the update matrix (testdata/), day 0, day 2, a worker, isolation, the documents and workflows, the layers"},
	{"docs/ARCHITECTURE.md", "this layout, the component pattern, the component diagram and the JSON contracts of the plan, the diff and the cost"},
	{"docs/RUNBOOK.md", "operator tasks, with their Pulumi-era commands"},
	{"docs/DEFECTS.md", "the original Terraform deployment's defects the code cites (\"defect F2\"), and their fixes"},
	{".github/workflows/", "pull-request checks and diffs, PR comments, deployments, drift (actions pinned by commit)"},
	{".github/dependabot.yml", "updates of the pinned actions, the Go modules and the pinned Pulumi CLI"},
	{"tools/pulumi/", "a Go module pinning the real Pulumi CLI (v3.274.1), which .ci/run builds for the doc test"},
	{".ci/run", "what CI runs: gofmt, go mod tidy, go vet, staticcheck, actionlint, the real CLI, go test, previews"},
}

// layout is the Layout block of docs/ARCHITECTURE.md as the tree has it:
// every package of the module with the first clause of its doc comment, and
// the extras.
func layout(t *testing.T) string {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Doc}}", "../...").Output()
	require.NoError(t, err)
	var entries [][2]string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, doc, _ := strings.Cut(line, "\t")
		dir := strings.TrimPrefix(strings.TrimPrefix(path, "github.com/ohmycoins/infra"), "/")
		if dir == "tests" {
			continue // its doc is in a test file: an extra
		}
		if dir == "" {
			dir = "main.go"
		} else {
			dir += "/"
		}
		require.NotEmpty(t, doc, "%s has no package doc comment", dir)
		words := strings.SplitN(doc, " ", 3) // "Package x ..." or "Command x ..."
		require.Len(t, words, 3, "%s: %q", dir, doc)
		entries = append(entries, [2]string{dir, firstClause(strings.TrimPrefix(words[2], "is "))})
	}
	for _, e := range layoutExtras {
		_, err := os.Stat(filepath.Join(projectDir, strings.Replace(e[0], "<stack>", "staging", 1)))
		require.NoError(t, err, "the layout names %s", e[0])
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var b strings.Builder
	for _, e := range entries {
		lines := wrap(e[1], 86)
		fmt.Fprintf(&b, "%-30s%s\n", e[0], lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "%-30s%s\n", "", l)
		}
	}
	return b.String()
}

// firstClause is a sentence up to its first colon or semicolon outside
// parentheses, without a final period.
func firstClause(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ':', ';':
			if depth == 0 {
				return s[:i]
			}
		}
	}
	return strings.TrimSuffix(s, ".")
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// TestArchitectureLayoutIsTheTree: the Layout block of docs/ARCHITECTURE.md
// lists every package with its doc comment's first clause and nothing that
// is gone; `go test ./tests -run TestArchitectureLayoutIsTheTree -update`
// rewrites it.
func TestArchitectureLayoutIsTheTree(t *testing.T) {
	t.Parallel()
	path := filepath.Join(projectDir, "docs", "ARCHITECTURE.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	const open, end = "## Layout\n\n```\n", "```\n"
	start := strings.Index(string(doc), open)
	require.GreaterOrEqual(t, start, 0, "docs/ARCHITECTURE.md has a Layout block")
	start += len(open)
	stop := start + strings.Index(string(doc[start:]), end)
	want := layout(t)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(string(doc[:start])+want+string(doc[stop:])), 0o644))
		return
	}
	require.Equal(t, want, string(doc[start:stop]), "go test ./tests -run TestArchitectureLayoutIsTheTree -update")
}

// TestCitedFilesExist: every file of the repository a document or a comment
// names (a test, a fixture, a document) is there: a move updates its citations.
func TestCitedFilesExist(t *testing.T) {
	t.Parallel()
	cited := regexp.MustCompile(`(?:^|[^/\w."])((?:tests|internal|components|stacks|cmd|docs|bootstrap)/[A-Za-z0-9_./-]+\.(?:go|md|json|txt|yaml))\b`)
	err := filepath.WalkDir(projectDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "tools" || d.Name() == "testdata" && !strings.Contains(path, "migrate")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cited.FindAllStringSubmatch(string(data), -1) {
			if strings.Contains(m[1], "<") || strings.Contains(m[1], "*") {
				continue
			}
			_, err := os.Stat(filepath.Join(projectDir, m[1]))
			require.NoError(t, err, "%s cites %s, which is not there", path, m[1])
		}
		return nil
	})
	require.NoError(t, err)
}

// TestTheReadmeDiffExampleIsWhatTheDiffPrints: the README shows a pull
// request that upgrades production's PostgreSQL and moves a public subnet
// as the reviewer sees it; it is what `preview diff` prints for that change
// against tests/testdata/production.json today (go test ./tests -run
// TestTheReadmeDiffExample -update rewrites it).
func TestTheReadmeDiffExampleIsWhatTheDiffPrints(t *testing.T) {
	readmePath := filepath.Join(projectDir, "README.md")
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	const intro = "(`preview diff -stack production tests/testdata/production.json`):\n\n```\n"
	start := bytes.Index(readme, []byte(intro))
	require.GreaterOrEqual(t, start, 0, "README.md introduces the example with %q", intro)
	start += len(intro)
	end := bytes.Index(readme[start:], []byte("```\n"))
	require.Greater(t, end, 0)
	shown := string(readme[start : start+end])

	old, err := os.ReadFile(filepath.Join(projectDir, "tests", "testdata", "production.json"))
	require.NoError(t, err)
	oldPlan, err := stackplan.ReadPlanOf(old, "ohmycoins", "production")
	require.NoError(t, err)
	network := stacks.Production().Network
	public := slices.Clone(network.PublicSubnetCIDRs)
	public[2] = "10.1.4.0/24"
	subnets, err := json.Marshal(public)
	require.NoError(t, err)
	result := previewtest.Stack(t, "production", previewtest.Set(
		"ohmycoins:database", `{"engineVersion": "18"}`,
		"ohmycoins:network", `{"publicSubnetCidrs": `+string(subnets)+`}`))
	d := stackplan.Diff(oldPlan, result.Plan)
	d.Cost = cost.Delta(oldPlan, result.Plan) // as cmd/preview diff prints it
	text := previewtest.DiffText(d)
	if *update {
		updated := append(append(slices.Clone(readme[:start]), text...), readme[start+end:]...)
		require.NoError(t, os.WriteFile(readmePath, updated, 0o644))
		return
	}
	require.Equal(t, text, shown, "README.md's diff example; run go test ./tests -run TestTheReadmeDiffExample -update")
	require.Contains(t, shown, `engineVersion: "17" → "18"`, "the example shows the upgrade")
	require.Contains(t, shown, `cidrBlock: "10.1.3.0/24" → "10.1.4.0/24"`, "and the subnet's move")
}
