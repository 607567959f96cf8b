package rehearsal

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runbook is the repository's RUNBOOK.
func runbook(t *testing.T) []Procedure {
	t.Helper()
	data, err := os.ReadFile("../../docs/RUNBOOK.md")
	require.NoError(t, err)
	procedures, err := Procedures(string(data))
	require.NoError(t, err)
	return procedures
}

// TestTheRunbooksRehearsedProceduresCanRun: each procedure with rules in
// docs/RUNBOOK.md is one the rehearsal can run for each stack it names:
// every command is runnable, every placeholder has a fill rule, and its
// text says it is rehearsed and with which command.
func TestTheRunbooksRehearsedProceduresCanRun(t *testing.T) {
	procedures := runbook(t)
	var slugs []string
	for _, p := range procedures {
		slugs = append(slugs, p.Slug)
		text := strings.Join(strings.Fields(p.Text), " ")
		require.Contains(t, text, "(rehearsed", "%s says it is rehearsed", p.Title)
		require.Regexp(t, `go run ./cmd/rehearse -stack (`+strings.Join(p.Rules.Stacks, "|")+`) -procedure `+p.Slug+"( -terraform-state [^`]+)?`", text, "%s says how an operator rehearses it", p.Title)
		for _, stack := range p.Rules.Stacks {
			q, err := p.For(stack)
			require.NoError(t, err, "%s for %s", p.Title, stack)
			require.NotEmpty(t, q.Commands, "%s has commands", p.Title)
			for _, c := range q.Commands {
				require.NoError(t, Runnable(c), "%s, %s", p.Title, c)
				for _, ph := range placeholder.FindAllString(c, -1) {
					require.True(t, slices.ContainsFunc(q.Rules.Fills, func(f Fill) bool { return f.Placeholder == ph }), "%s: %s has no fill rule", p.Title, ph)
				}
			}
		}
	}
	require.Subset(t, slugs, []string{"restoring-the-database", "destroying-staging", "tearing-production-down", "rebuilding-staging", "upgrading-postgresql-major-version"})
}

// TestRestoringTheDatabaseReadsAsWrittenForEachStack: the restore is
// written for production; for staging its stack and names are staging's,
// placeholders included, and its steps are the same twelve.
func TestRestoringTheDatabaseReadsAsWrittenForEachStack(t *testing.T) {
	p, err := Find(runbook(t), "Restoring the database")
	require.NoError(t, err)
	require.Equal(t, StartsFromRunningStack, p.Rules.StartsFrom)
	require.Len(t, p.Commands, 12)
	require.Equal(t, "pulumi up --stack production --replace '<the database URN>'", p.Commands[8])
	staging, err := p.For("staging")
	require.NoError(t, err)
	require.Equal(t, "pulumi up --stack staging --replace '<the database URN>'", staging.Commands[8])
	require.Equal(t, "pulumi config set --stack staging --path ohmycoins:database.snapshotIdentifier rds:ohmycoins-staging-postgres-2026-11-27-03-05", staging.Commands[6])
	require.Contains(t, staging.Commands[2], "aws rds describe-db-snapshots --db-snapshot-identifier rds:ohmycoins-staging-postgres-2026-11-27-03-05", "the snapshot's major version is checked first")
	require.Contains(t, staging.Rules.Fills, Fill{Placeholder: "rds:ohmycoins-staging-postgres-2026-11-27-03-05", Rule: "newest automated snapshot of ohmycoins-staging-postgres"})
	require.Equal(t, []Window{{From: 9, To: 9, Why: "the database is deleted first and restored under its identifier; the services roll onto it"}}, p.Rules.Windows)
	_, err = p.For("production-drill")
	require.EqualError(t, err, `-stack production-drill: "Restoring the database" is rehearsed for production, staging only`)
}

const sample = "# Runbook\n\n" +
	"## Doing a thing\n\n" +
	"<!-- rehearsal\nstarts from: the running stack\nstacks: production, staging\nwritten for: production\n" +
	"for staging: ohmycoins-prod => ohmycoins-staging\nskip for staging: 3-3 production only\nwindow: 2-2 a pause\nwindow for production: 3-3 production's pause\ndiscards: aws:cloudwatch/logGroup:LogGroup\n-->\n\n" +
	"```sh\npulumi up --stack production   # a comment\naws rds describe-db-instances --db-instance-identifier ohmycoins-prod-postgres \\\n  --query 'DBInstances[0].{a:B}' --output text\n" +
	"# a whole comment line\npulumi config set --stack production --path 'ohmycoins:x' '#not-a-comment'\n```\n\n" +
	"```text\nnot a command\n```\n\n" +
	"### A subsection\n\n```sh\npulumi destroy --stack production\n```\n\n" +
	"## Another\n\n<!-- rehearsal\nstarts from: nothing\nstacks: staging\nsubsections: included\n-->\n\n```sh\npulumi up --stack staging\n```\n\n### Its step\n\n```sh\npulumi preview --stack staging\n```\n"

// TestProceduresAreReadFromTheirSectionsAndRules: a procedure's commands
// are its section's sh blocks (continuations joined, comments cut, quotes
// kept), its subsections' only when its rules include them; for another
// stack its names are renamed and its skipped steps left out.
func TestProceduresAreReadFromTheirSectionsAndRules(t *testing.T) {
	procedures, err := Procedures(sample)
	require.NoError(t, err)
	require.Len(t, procedures, 2)
	p := procedures[0]
	require.Equal(t, "doing-a-thing", p.Slug)
	require.Equal(t, []string{
		"pulumi up --stack production",
		"aws rds describe-db-instances --db-instance-identifier ohmycoins-prod-postgres --query 'DBInstances[0].{a:B}' --output text",
		"pulumi config set --stack production --path 'ohmycoins:x' '#not-a-comment'",
	}, p.Commands, "the subsection's destroy is not the section's")
	require.Equal(t, []string{"aws:cloudwatch/logGroup:LogGroup"}, p.Rules.Discards)
	staging, err := p.For("staging")
	require.NoError(t, err)
	require.Equal(t, []string{
		"pulumi up --stack staging",
		"aws rds describe-db-instances --db-instance-identifier ohmycoins-staging-postgres --query 'DBInstances[0].{a:B}' --output text",
	}, staging.Commands)
	require.Equal(t, []Window{{From: 2, To: 2, Why: "a pause"}}, staging.Rules.Windows, "production's window is production's")
	production, err := p.For("production")
	require.NoError(t, err)
	require.Equal(t, []Window{{From: 2, To: 2, Why: "a pause"}, {From: 3, To: 3, Why: "production's pause", Stack: "production"}}, production.Rules.Windows)
	require.Equal(t, []int{0, 0}, staging.Blocks, "its third command, skipped, was the block's last")
	require.Equal(t, []string{"pulumi up --stack staging", "pulumi preview --stack staging"}, procedures[1].Commands)
	require.Equal(t, []int{0, 1}, procedures[1].Blocks, "a subsection's block is a block of its own: it starts in the repository's root")
	_, err = Find(procedures, "Doing a thing")
	require.NoError(t, err)
	_, err = Find(procedures, "doing-another-thing")
	require.EqualError(t, err, `-procedure "doing-another-thing": docs/RUNBOOK.md has no rehearsed procedure of that title or slug; the rehearsed ones are doing-a-thing, another`)
}

// TestAnOutageAndWhatItRecoversAreRules: "outage:" names the regions
// down, "recovers:" the data types brought back out of them.
func TestAnOutageAndWhatItRecoversAreRules(t *testing.T) {
	procedures, err := Procedures("## P\n\n<!-- rehearsal\nstarts from: the running stack\nstacks: production\noutage: ap-southeast-2\nrecovers: aws:rds/instance:Instance, aws:secretsmanager/secret:Secret\n-->\n\n```sh\npulumi up --stack production-dr\n```\n")
	require.NoError(t, err)
	require.Equal(t, []string{"ap-southeast-2"}, procedures[0].Rules.Outage)
	require.Equal(t, []string{"aws:rds/instance:Instance", "aws:secretsmanager/secret:Secret"}, procedures[0].Rules.Recovers)
}

// TestBadRulesAreRefusedWithTheirLine: a rule that cannot be read is an
// error naming the section, the line and what is wanted.
func TestBadRulesAreRefusedWithTheirLine(t *testing.T) {
	for rules, want := range map[string]string{
		"starts from: somewhere\nstacks: staging":                                 `docs/RUNBOOK.md, "P": rehearsal rule "starts from: somewhere": starts from "nothing", "the running stack", "the terraform state", "the stack holding the oidc provider" or "the account-level program in a local backend"`,
		"starts from: nothing\nstacks: staging\nwindow: 3-1 backwards":            `docs/RUNBOOK.md, "P": rehearsal rule "window: 3-1 backwards": want window: <first step>-<last step> <why>`,
		"starts from: nothing\nstacks: staging\ncolour: blue":                     `docs/RUNBOOK.md, "P": rehearsal rule "colour: blue": unknown key "colour" (starts from, stacks, written for, for <stack>, fill, window)`,
		"starts from: nothing\nstacks: staging, production\nwritten for: staging": `docs/RUNBOOK.md, "P": rehearsal rules: written for staging, rehearsed for production too, but no "for production:" rule says what its names are`,
		"stacks: staging": `docs/RUNBOOK.md, "P": rehearsal rules need "starts from" and "stacks"`,
		"starts from: the running stack\nstacks: production\nrecovers: aws:rds/instance:Instance": `docs/RUNBOOK.md, "P": rehearsal rules: recovers aws:rds/instance:Instance from an outage, but no "outage:" rule names the regions down`,
	} {
		_, err := Procedures("## P\n\n<!-- rehearsal\n" + rules + "\n-->\n")
		require.EqualError(t, err, want)
	}
}

// TestOnlyWhatTheRehearsalRunsIsRunnable: pulumi, the aws, crane and
// terraform stand-ins, git, the repository's go run ./cmd/... and jq, xargs
// and less on their output are runnable (inside loops and xargs too);
// anything else is named.
func TestOnlyWhatTheRehearsalRunsIsRunnable(t *testing.T) {
	for _, c := range []string{
		"pulumi up --stack staging",
		`digest=$(pulumi config get --stack staging --path 'ohmycoins:backend.imageDigest')`,
		"go run ./cmd/preview diff -stack staging tests/testdata/staging.json",
		`git commit -am "staging: backend"`,
		"aws rds describe-db-instances --query 'DBInstances[0].{version:EngineVersion}'",
		`go run github.com/google/go-containerregistry/cmd/crane@v0.22.1 copy "$src" "$dst"`, // its stand-in
		"terraform show -json > /tmp/production.tfstate.json",
		`for nat in $(jq -r '.entries[].id' /tmp/m.json); do aws ec2 delete-nat-gateway --nat-gateway-id "$nat"; done`,
		"go run ./cmd/migrate -stack production -report json 2>&1 >/dev/null | jq -r '.entries[].address' | xargs -n1 terraform state rm",
		// the word around a substitution goes on after it
		`aws stepfunctions list-executions --state-machine-arn "arn:aws:states:r:$(aws sts get-caller-identity --query Account --output text):stateMachine:m"`,
	} {
		require.NoError(t, Runnable(c), c)
	}
	for c, want := range map[string]string{
		"aws ecr get-login-password --region ap-southeast-2 | docker login --username AWS --password-stdin x": "the rehearsal cannot run docker: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
		"go run github.com/google/go-containerregistry/cmd/crane@v0.21.0 copy a b":                            "the rehearsal runs go only as go run ./cmd/<command>, the repository's own commands",
		"curl -fsS https://api.staging.ohmycoins.com/":                                                        "the rehearsal cannot run curl: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
		"go build ./...":                     "the rehearsal runs go only as go run ./cmd/<command>",
		"for f in a; do shred -u $f; done":   "the rehearsal cannot run shred: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
		"jq -r .id x | xargs -n1 -P2 shred":  "the rehearsal cannot run shred: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
		`echo "$(curl -s x)"`:                "the rehearsal cannot run curl: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
		`aws x --arn "a:$(aws y):$(curl z)"`: "the rehearsal cannot run curl: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm",
	} {
		require.EqualError(t, Runnable(c), want, c)
	}
}

// TestAKMSSecretsProviderBecomesThePassphrase: the rehearsal cannot reach
// the real account's KMS, so a command's awskms:// secrets provider, quoted
// or not, becomes the passphrase, and nothing else of the command changes.
func TestAKMSSecretsProviderBecomesThePassphrase(t *testing.T) {
	for command, want := range map[string]string{
		"pulumi stack init production-dr --copy-config-from production --secrets-provider 'awskms://alias/ohmycoins-prod-dr?region=ap-southeast-4'": "pulumi stack init production-dr --copy-config-from production --secrets-provider passphrase",
		"pulumi stack change-secrets-provider --stack s --secrets-provider=awskms://alias/k?region=ap-southeast-2 --yes":                            "pulumi stack change-secrets-provider --stack s --secrets-provider=passphrase --yes",
		"pulumi stack init s --secrets-provider passphrase":                                                                                         "pulumi stack init s --secrets-provider passphrase",
	} {
		require.Equal(t, want, kmsSecretsProvider.ReplaceAllString(command, "${1}passphrase"))
	}
}
