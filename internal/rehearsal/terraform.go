package rehearsal

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/ohmycoins/infra/internal/awscli"
	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// SeedTerraform puts into the account, before any program ran, the
// original environment of a Terraform state as it runs today: every
// resource the state holds (the ones the migration adopts under the ids it
// imports them by, with the values its import reads; the others with the
// state's values in pulumi-aws's shape), its hosted zones, and what the
// original made by hand outside the state and its resources name: the ECR
// repositories holding the images its task definitions run, its listeners'
// certificates, and its secret's value where the state holds no version.
// It also writes, for the terraform stand-in, the state and where each of
// its resources is in the account. It returns the migration's result.
func (w *World) SeedTerraform(project, stack string, state *tfstate.State, stateName string) (*migrate.Result, error) {
	result, err := migrate.Run(migrate.Options{Dir: project, Stack: stack, State: state, StateName: stateName})
	if err != nil {
		return nil, err
	}
	region := result.Settings.Region
	settings := simaws.Settings{ID: result.Settings.AccountID, Zones: map[string]string{}}
	for _, z := range state.Data("aws_route53_zone") {
		settings.Zones[strings.ToLower(strings.TrimSuffix(z.String("name"), "."))] = z.String("zone_id")
	}
	data, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(w.AccountDir, "account.json"), data, 0o644); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	adopted := map[string]bool{}
	for _, e := range result.Entries {
		if e.Verdict == migrate.Adopt {
			ids[e.URN] = e.ImportID
			adopted[e.Address+"\x00"+e.TFType] = true
		}
	}
	for _, r := range result.Imported.Resources {
		id, ok := ids[r.URN]
		if !ok {
			continue
		}
		if err := w.Account.Seed(simaws.Resource{Type: r.Type, ID: id, Name: r.Name, Region: region, Inputs: r.Inputs, Outputs: r.Outputs}); err != nil {
			return nil, fmt.Errorf("seeding %s: %w", r.URN, err)
		}
	}
	where := map[string]awscli.TerraformResource{}
	for _, r := range result.Imported.Resources {
		for _, e := range result.Entries {
			if e.Verdict == migrate.Adopt && e.Outside == "" && e.URN == r.URN {
				where[e.Address] = awscli.TerraformResource{Type: e.Type, ID: e.ImportID, Region: region, Name: r.Name, Values: r.Inputs}
			}
		}
	}
	for _, r := range state.Managed() {
		if adopted[r.Address+"\x00"+r.Type] {
			continue
		}
		typ, id, err := originalType(r)
		if err != nil {
			return nil, err
		}
		values := pulumiShape(r.Values, r.Sensitive)
		if err := w.Account.Seed(simaws.Resource{Type: typ, ID: id, Name: r.Address, Region: region, Inputs: values, Outputs: values}); err != nil {
			return nil, fmt.Errorf("seeding %s: %w", r.Address, err)
		}
		where[r.Address] = awscli.TerraformResource{Type: typ, ID: id, Region: region, ARN: r.String("arn"), Name: r.Address, Values: values}
	}
	if w.TerraformDir != "" {
		// What the terraform stand-in acts on: the state, and where its
		// resources are in the account.
		document, err := os.ReadFile(stateName)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(w.TerraformDir, "state.json"), document, 0o600); err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(where, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(w.TerraformDir, "resources.json"), data, 0o600); err != nil {
			return nil, err
		}
	}
	if err := w.seedOutsideTheState(state, settings.ID, region); err != nil {
		return nil, err
	}
	if w.Seeded, err = w.Account.Resources(); err != nil {
		return nil, err
	}
	return result, nil
}

// seedOutsideTheState puts into the account what the original's resources
// name but its state does not hold: the ECR repositories and images of its
// task definitions (pushed by its workflow), the certificates of its
// HTTPS listeners (requested by hand), and the value of a secret put by hand.
func (w *World) seedOutsideTheState(state *tfstate.State, account, region string) error {
	registry := account + ".dkr.ecr." + region + ".amazonaws.com/"
	seeded := map[string]bool{}
	for _, r := range state.Managed() {
		switch r.Type {
		case "aws_ecs_task_definition":
			var containers []struct {
				Image string `json:"image"`
			}
			if err := json.Unmarshal([]byte(r.String("container_definitions")), &containers); err != nil {
				return fmt.Errorf("%s: container_definitions: %w", r.Address, err)
			}
			for _, c := range containers {
				ref, ours := strings.CutPrefix(c.Image, registry)
				if !ours {
					continue // another registry: outside the account
				}
				repo, tag, _ := strings.Cut(ref, ":")
				if !seeded[repo] {
					seeded[repo] = true
					values := map[string]any{
						"name": repo, "arn": "arn:aws:ecr:" + region + ":" + account + ":repository/" + repo,
						"registryId": account, "repositoryUrl": registry + repo, "imageTagMutability": "MUTABLE",
					}
					if err := w.Account.Seed(simaws.Resource{Type: "aws:ecr/repository:Repository", ID: repo, Name: repo, Region: region, Inputs: values, Outputs: values}); err != nil {
						return fmt.Errorf("seeding the repository %s of %s: %w", repo, r.Address, err)
					}
				}
				if err := w.Account.PushImage(region, repo, originalDigest(c.Image), tag); err != nil {
					return fmt.Errorf("seeding the image %s of %s: %w", c.Image, r.Address, err)
				}
			}
		case "aws_secretsmanager_secret":
			arn := r.String("arn")
			if slices.ContainsFunc(state.Managed(), func(o tfstate.Resource) bool {
				return o.Type == "aws_secretsmanager_secret_version" && o.String("secret_id") == arn
			}) {
				continue
			}
			// Its value was put by hand (the original's "Configure
			// Application Secrets" phase): a current version outside the state.
			values := map[string]any{"secretId": arn, "secretString": notCopied, "versionId": "outside-the-state"}
			if err := w.Account.Seed(simaws.Resource{Type: "aws:secretsmanager/secretVersion:SecretVersion", ID: arn + "|outside-the-state", Name: "put by hand: the value of " + r.Address, Region: region, Inputs: values, Outputs: values}); err != nil {
				return fmt.Errorf("seeding the value of %s: %w", r.Address, err)
			}
		case "aws_lb_listener":
			arn := r.String("certificate_arn")
			if arn == "" || seeded[arn] || slices.ContainsFunc(state.Managed(), func(o tfstate.Resource) bool { return o.ARN() == arn }) {
				continue
			}
			seeded[arn] = true
			values := map[string]any{"arn": arn, "status": "ISSUED"}
			if err := w.Account.Seed(simaws.Resource{Type: "aws:acm/certificate:Certificate", ID: arn, Name: arn, Region: region, Inputs: values, Outputs: values}); err != nil {
				return fmt.Errorf("seeding the certificate of %s: %w", r.Address, err)
			}
		}
	}
	return nil
}

// originalDigest is the digest the rehearsal gives an image of the
// original environment, by its reference: stable, so that a copy can be
// checked against it.
func originalDigest(image string) string {
	return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(image)))
}

// originalTypes are the Terraform types of the original that this program
// has no resource of (so the AWS-type catalog does not name them), under
// the pulumi-aws type the account keeps them as.
var originalTypes = map[string]string{
	"aws_security_group_rule": "aws:ec2/securityGroupRule:SecurityGroupRule",
}

// accountIDs are the Terraform types whose id in the simulated account is
// not the state's id but an attribute: the AWS-type catalog's answer names
// a database instance by its identifier (the state by its resource id); a
// scaling policy's id is its name, which AWS keeps apart per scalable
// target while the simulated account keys by id alone, so the original's
// is kept under its ARN, beside the program's of the same name.
var accountIDs = map[string]string{"aws_db_instance": "identifier", "aws_appautoscaling_policy": "arn"}

// originalType is the pulumi-aws type and the id of an original resource:
// the provider's id, which the state records.
func originalType(r tfstate.Resource) (string, string, error) {
	id := r.String("id")
	if attr, ok := accountIDs[r.Type]; ok {
		id = r.String(attr)
	}
	if e, ok := awstype.ByTerraformType(r.Type); ok {
		return e.Token, id, nil
	}
	if typ, ok := originalTypes[r.Type]; ok {
		return typ, id, nil
	}
	return "", "", fmt.Errorf("the rehearsal cannot seed %s: the AWS-type catalog (internal/awstype) has no entry for %s, and internal/rehearsal's originalTypes none either", r.Address, r.Type)
}

// blockObjects are the Terraform blocks of at most one element that
// pulumi-aws makes an object (MaxItems 1); every other block is a list
// under a plural name.
var blockObjects = map[string]bool{
	"access_logs": true, "connection_logs": true, "deployment_circuit_breaker": true, "deployment_controller": true,
	"health_check": true, "host_header": true, "path_pattern": true, "http_header": true, "query_string": true,
	"source_ip": true, "network_configuration": true, "predefined_metric_specification": true, "redirect": true,
	"forward": true, "fixed_response": true, "stickiness": true, "target_tracking_scaling_policy_configuration": true,
}

// notCopied stands, in the simulated account, for a value the state marks
// sensitive.
const notCopied = "[sensitive: not copied into the rehearsal]"

// pulumiShape reads a Terraform resource's values in pulumi-aws's shape:
// camelCase names, blocks as objects or plural lists. Sensitive values are
// notCopied.
func pulumiShape(values map[string]any, sensitive map[string]bool) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		if v == nil {
			continue
		}
		if sensitive[k] {
			out[camel(k)] = notCopied // the rehearsal never copies a secret value
			continue
		}
		list, isList := v.([]any)
		isBlock := isList && len(list) > 0 && isMap(list[0])
		switch {
		case k == "tags" || k == "tags_all":
			out[camel(k)] = v
		case isBlock && blockObjects[k]:
			out[camel(k)] = pulumiShape(list[0].(map[string]any), nil)
		case isBlock:
			var elems []any
			for _, e := range list {
				elems = append(elems, pulumiShape(e.(map[string]any), nil))
			}
			out[camel(plural(k))] = elems
		case isList && len(list) == 0 && blockObjects[k]:
		default:
			out[camel(k)] = v
		}
	}
	return out
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

func camel(snake string) string {
	var b strings.Builder
	up := false
	for _, r := range snake {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteRune(unicode.ToUpper(r))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func plural(s string) string {
	switch {
	case s == "ingress" || s == "egress":
		return s
	case strings.HasSuffix(s, "s"):
		return s + "es" // alias: aliases
	case strings.HasSuffix(s, "y"):
		return strings.TrimSuffix(s, "y") + "ies" // policy: policies
	}
	return s + "s"
}
