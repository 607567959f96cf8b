package migrate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ohmycoins/infra/stacks"
)

// Count returns how many entries have a verdict.
func (r *Result) Count(v Verdict) int {
	n := 0
	for _, e := range r.Entries {
		if e.Verdict == v {
			n++
		}
	}
	return n
}

// Find returns the entry of a Terraform address.
func (r *Result) Find(address string) (Entry, bool) {
	for _, e := range r.Entries {
		if e.Address == address && e.Outside == "" {
			return e, true
		}
	}
	return Entry{}, false
}

// WriteReport prints the report an operator reviews before `pulumi import`:
// every original resource with its verdict and why, conflicts first with how
// to resolve them, then the commands of the move in order.
func (r *Result) WriteReport(w io.Writer, stateName string) {
	s := r.Settings
	fmt.Fprintf(w, "Moving %s into stack %s (account %s, %s, prefix %s)\n", stateName, r.Stack, s.AccountID, s.Region, s.NamePrefix)
	fmt.Fprintf(w, "%d original resources: %d to adopt, %d to recreate, %d to retire, %d in conflict; %d data sources are only read\n",
		len(r.Entries), r.Count(Adopt), r.Count(Recreate), r.Count(Retire), r.Count(Conflict), r.DataSources)
	for _, e := range r.Entries {
		fmt.Fprintf(w, "\n%-9s %s (%s)\n", e.Verdict, e.Address, e.TFType)
		if e.Outside != "" {
			fmt.Fprintf(w, "          not in the state: %s\n", e.Outside)
		}
		switch e.Verdict {
		case Adopt:
			fmt.Fprintf(w, "          = %s %s, import id %s (matched by %s)\n", e.Type, e.Name, e.ImportID, e.Identity)
			if len(e.Changes) > 0 {
				fmt.Fprintf(w, "          the first pulumi up then changes: %s\n", strings.Join(e.Changes, ", "))
			}
			if e.Why != "" {
				fmt.Fprintf(w, "          waits for the cutover window: %s\n", e.Why)
			}
		case Recreate, Conflict:
			fmt.Fprintf(w, "          ≠ %s %s (matched by %s): %s\n", e.Type, e.Name, e.Identity, e.Why)
		case Retire:
			fmt.Fprintf(w, "          %s\n", e.Why)
		}
		if e.HoldsData != "" && e.Verdict != Adopt {
			fmt.Fprintf(w, "          holds %s\n", e.HoldsData)
			if e.Verdict == Retire {
				fmt.Fprintf(w, "          keep it: terraform state rm '%s' before terraform destroy\n", e.Address)
			}
		}
		if e.Adapt != "" {
			fmt.Fprintf(w, "          adapt: %s\n", e.Adapt)
		}
	}
	fmt.Fprintf(w, "\nNext (docs/RUNBOOK.md, \"Moving from Terraform\"):\n")
	fmt.Fprintf(w, "  pulumi import --stack %s --file import.json --generate-code=false --yes\n", r.Stack)
	aliases := ""
	if glob := r.AliasRecords(); glob != "" {
		aliases = fmt.Sprintf(" --exclude '%s'", glob)
	}
	if len(r.Exclude) > 0 {
		fmt.Fprintf(w, "  pulumi up --stack %s --exclude-dependents%s", r.Stack, aliases)
		for _, urn := range r.Exclude {
			fmt.Fprintf(w, " \\\n      --exclude '%s'", urn)
		}
		fmt.Fprintf(w, "\n  then, in the cutover window, the adapt steps of the %d conflicts and pulumi up --stack %s%s\n", r.Count(Conflict), r.Stack, aliases)
		fmt.Fprintf(w, "  (each --exclude is a conflict's counterpart, an adopted secret that moves to the environment key, or an adopted load balancer or listener that serves the original until the window)\n")
	} else {
		fmt.Fprintf(w, "  pulumi up --stack %s%s\n", r.Stack, aliases)
	}
	if aliases != "" {
		fmt.Fprintf(w, "  then, once the new environment is verified, pulumi up --stack %s: the adopted alias records move to the new load balancer\n", r.Stack)
	}
}

// AliasRecords is the URN pattern of the stack's DNS alias records when the
// migration adopts any (the original's names, which its users reach): every
// pulumi up before the switch leaves them out, so that DNS moves only once
// the new environment is verified (docs/RUNBOOK.md, step 7); "" when none is
// adopted.
func (r *Result) AliasRecords() string {
	prefix := r.Settings.NamePrefix + "-alias-"
	for _, e := range r.Entries {
		if e.Verdict == Adopt && e.Type == "aws:route53/record:Record" && strings.HasPrefix(e.Name, prefix) {
			return fmt.Sprintf("urn:pulumi:%s::%s::**::%s*", r.Stack, stacks.Project, prefix)
		}
	}
	return ""
}

// ReportJSON is the report for tools: the entries and the resources to leave
// out of the first `pulumi up`.
func (r *Result) ReportJSON() ([]byte, error) {
	b, err := json.MarshalIndent(struct {
		Stack   string   `json:"stack"`
		Entries []Entry  `json:"entries"`
		Exclude []string `json:"exclude"`
	}{r.Stack, r.Entries, r.Exclude}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
