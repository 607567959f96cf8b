package awscli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
)

// TerraformEnv names the directory that holds, for the terraform
// stand-in, the original environment's state (state.json, what `terraform
// show -json` prints) and where each of its resources is in the simulated
// account (resources.json).
const TerraformEnv = "OHMYCOINS_REHEARSAL_TERRAFORM"

// TerraformResource is where one resource of the original's state is in
// the simulated account.
type TerraformResource struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Region string `json:"region"`
	// ARN tells one of several under an id apart: Terraform deregisters a
	// task definition by its revision's ARN, not by its family.
	ARN string `json:"arn,omitempty"`
	// Name is its logical name in the account; Values are what the state
	// records, as the account holds them: what an apply puts back.
	Name   string         `json:"name"`
	Values map[string]any `json:"values"`
}

// TerraformMain is the stand-in for Terraform 1.5 in the original's
// environment directory, in rehearsals of "Moving from Terraform": it
// knows the state it was given, not the original's configuration, which
// the state matched when the move began (its step 2). init; plan
// -detailed-exitcode (exit 2 when a resource of the state is gone from the
// account); show -json; state rm; plan -destroy; destroy (deletes what the
// state still holds from the account, last first); apply (puts back what
// the state records: the values of each resource, and the resources that
// are gone; -target limits it to the addresses named). Anything else is an
// error that names it.
func TerraformMain(args []string, stdout, stderr io.Writer) int {
	dir := os.Getenv(TerraformEnv)
	accountDir := os.Getenv(simprovider.AccountEnv)
	if dir == "" || accountDir == "" {
		fmt.Fprintf(stderr, "terraform (the rehearsal's stand-in): %s and %s must be set: it acts only on a rehearsal's state and account\n", TerraformEnv, simprovider.AccountEnv)
		return 1
	}
	if wd, err := os.Getwd(); err != nil || !environmentDir.MatchString(filepath.ToSlash(wd)) {
		fmt.Fprintf(stderr, "terraform %s: no configuration here (%s): the original's configuration is in its repository's infrastructure/terraform/environments/<environment>\n", strings.Join(args, " "), wd)
		return 1
	}
	t := terraform{statePath: filepath.Join(dir, "state.json")}
	if err := readJSONFile(filepath.Join(dir, "resources.json"), &t.where); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	account, err := simaws.Open(accountDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	t.account = account
	command := strings.Join(args, " ")
	switch {
	case command == "init":
		fmt.Fprintln(stdout, "Terraform has been successfully initialized!")
		return 0
	case command == "plan -detailed-exitcode":
		return t.plan(stdout, stderr)
	case command == "show -json":
		data, err := os.ReadFile(t.statePath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, err = stdout.Write(data)
		return exitOf(err, stderr)
	case len(args) >= 3 && args[0] == "state" && args[1] == "rm":
		return t.stateRm(args[2:], stdout, stderr)
	case command == "plan -destroy":
		return t.planDestroy(stdout, stderr)
	case command == "destroy" || command == "destroy -auto-approve":
		return t.destroy(stdout, stderr)
	case len(args) >= 1 && args[0] == "apply":
		var targets []string
		for i := 1; i < len(args); i++ {
			switch a := args[i]; {
			case a == "-auto-approve":
			case strings.HasPrefix(a, "-target="):
				targets = append(targets, strings.TrimPrefix(a, "-target="))
			case a == "-target" && i+1 < len(args):
				targets = append(targets, args[i+1])
				i++
			default:
				fmt.Fprintf(stderr, "terraform apply %s: the rehearsal's terraform stand-in takes -auto-approve and -target only\n", a)
				return 1
			}
		}
		return t.apply(targets, stdout, stderr)
	}
	fmt.Fprintf(stderr, "terraform %s: the rehearsal's terraform stand-in does not know this command; it knows init, plan -detailed-exitcode, show -json, state rm, plan -destroy, destroy and apply (it has the state, not the original's configuration)\n", command)
	return 1
}

// environmentDir is where the original keeps an environment's
// configuration, and so where Terraform runs.
var environmentDir = regexp.MustCompile(`/infrastructure/terraform/environments/[^/]+$`)

type terraform struct {
	statePath string
	where     map[string]TerraformResource
	account   *simaws.Account
}

// managed are the addresses of the state's managed resources, in its order.
func (t terraform) managed() ([]string, map[string]any, error) {
	var doc map[string]any
	if err := readJSONFile(t.statePath, &doc); err != nil {
		return nil, nil, err
	}
	var out []string
	walkModules(doc, func(resources []any) []any {
		for _, r := range resources {
			m, _ := r.(map[string]any)
			if m["mode"] == "managed" {
				out = append(out, fmt.Sprint(m["address"]))
			}
		}
		return resources
	})
	return out, doc, nil
}

// walkModules calls f on the resources of every module of a state
// document, keeping what it returns.
func walkModules(doc map[string]any, f func([]any) []any) {
	values, _ := doc["values"].(map[string]any)
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		if m == nil {
			return
		}
		if resources, ok := m["resources"].([]any); ok {
			m["resources"] = f(resources)
		}
		children, _ := m["child_modules"].([]any)
		for _, c := range children {
			child, _ := c.(map[string]any)
			walk(child)
		}
	}
	root, _ := values["root_module"].(map[string]any)
	walk(root)
}

// forget takes resources out of a state document by their addresses.
func forget(doc map[string]any, addresses []string) {
	walkModules(doc, func(resources []any) []any {
		return slices.DeleteFunc(resources, func(r any) bool {
			m, _ := r.(map[string]any)
			return slices.Contains(addresses, fmt.Sprint(m["address"]))
		})
	})
}

func (t terraform) exists(address string) (bool, error) {
	w, ok := t.where[address]
	if !ok {
		return false, fmt.Errorf("%s: the rehearsal did not seed it", address)
	}
	_, found, err := t.account.Get(w.Region, w.Type, w.ID, w.ARN)
	return found, err
}

func (t terraform) plan(stdout, stderr io.Writer) int {
	addresses, _, err := t.managed()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var gone []string
	for _, a := range addresses {
		ok, err := t.exists(a)
		if err != nil {
			fmt.Fprintln(stderr, "Error:", err)
			return 1
		}
		if !ok {
			gone = append(gone, a)
		}
	}
	if len(gone) == 0 {
		fmt.Fprintln(stdout, "No changes. Your infrastructure matches the configuration.")
		return 0
	}
	for _, a := range gone {
		fmt.Fprintf(stdout, "  # %s will be created (it is gone from AWS)\n", a)
	}
	fmt.Fprintf(stdout, "Plan: %d to add, 0 to change, 0 to destroy.\n", len(gone))
	return 2
}

func (t terraform) stateRm(addresses []string, stdout, stderr io.Writer) int {
	held, doc, err := t.managed()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, a := range addresses {
		if !slices.Contains(held, a) {
			fmt.Fprintf(stderr, "Error: Invalid target address\n\nNo matching objects found. To view the available instances, use \"terraform state list\". Please modify the address to reference a specific instance. (%s)\n", a)
			return 1
		}
	}
	forget(doc, addresses)
	for _, a := range addresses {
		fmt.Fprintf(stdout, "Removed %s\n", a)
	}
	fmt.Fprintf(stdout, "Successfully removed %d resource instance(s).\n", len(addresses))
	return exitOf(writeJSONFile(t.statePath, doc), stderr)
}

func (t terraform) planDestroy(stdout, stderr io.Writer) int {
	addresses, _, err := t.managed()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, a := range addresses {
		fmt.Fprintf(stdout, "  # %s will be destroyed\n", a)
	}
	fmt.Fprintf(stdout, "Plan: 0 to add, 0 to change, %d to destroy.\n", len(addresses))
	return 0
}

// destroy deletes, last first, what the state holds; a resource already
// gone is forgotten, as Terraform's refresh would; the first refusal stops
// it, leaving in the state what it did not delete.
func (t terraform) destroy(stdout, stderr io.Writer) int {
	addresses, doc, err := t.managed()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var done []string
	var failed error
	for i := len(addresses) - 1; i >= 0; i-- {
		a := addresses[i]
		w, ok := t.where[a]
		if !ok {
			failed = fmt.Errorf("%s: the rehearsal did not seed it", a)
			break
		}
		if err := t.account.Delete(w.Region, w.Type, w.ID, w.ARN); err != nil {
			failed = fmt.Errorf("deleting %s (%s): %w", a, w.ID, err)
			break
		}
		fmt.Fprintf(stdout, "%s: Destruction complete\n", a)
		done = append(done, a)
	}
	forget(doc, done)
	if err := writeJSONFile(t.statePath, doc); err != nil {
		failed = err
	}
	if failed != nil {
		fmt.Fprintf(stderr, "Error: %v\n", failed)
		return 1
	}
	fmt.Fprintf(stdout, "Destroy complete! Resources: %d destroyed.\n", len(done))
	return 0
}

// apply puts back, first to last, what the state records: a resource's
// values where it exists, the resource where it is gone; with targets, only
// theirs (addresses of the state).
func (t terraform) apply(targets []string, stdout, stderr io.Writer) int {
	addresses, _, err := t.managed()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(targets) > 0 {
		for _, a := range targets {
			if !slices.Contains(addresses, a) {
				fmt.Fprintf(stderr, "Error: Invalid target address\n\nNo matching objects found for %s. To view the available instances, use \"terraform state list\".\n", a)
				return 1
			}
		}
		addresses = targets
	}
	changed, added := 0, 0
	for _, a := range addresses {
		w, ok := t.where[a]
		if !ok {
			fmt.Fprintf(stderr, "Error: %s: the rehearsal did not seed it\n", a)
			return 1
		}
		found, exists, err := t.account.Get(w.Region, w.Type, w.ID, w.ARN)
		if err != nil {
			fmt.Fprintln(stderr, "Error:", err)
			return 1
		}
		if !exists {
			if err := t.account.Seed(simaws.Resource{Type: w.Type, ID: w.ID, Name: w.Name, Region: w.Region, Inputs: maps.Clone(w.Values), Outputs: maps.Clone(w.Values)}); err != nil {
				fmt.Fprintf(stderr, "Error: creating %s: %v\n", a, err)
				return 1
			}
			fmt.Fprintf(stdout, "%s: Creation complete [id=%s]\n", a, w.ID)
			added++
			continue
		}
		differs := map[string]any{}
		for k, v := range w.Values {
			if fmt.Sprint(found.Inputs[k]) != fmt.Sprint(v) {
				differs[k] = v
			}
		}
		if len(differs) == 0 {
			continue
		}
		if err := t.account.Drift(w.Region, w.Type, w.ID, differs); err != nil {
			fmt.Fprintf(stderr, "Error: updating %s: %v\n", a, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: Modifications complete [id=%s]\n", a, w.ID)
		changed++
	}
	fmt.Fprintf(stdout, "Apply complete! Resources: %d added, %d changed, 0 destroyed.\n", added, changed)
	return 0
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func exitOf(err error, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
