// Package simaws is a simulated AWS account that remembers: the resources the
// stand-in provider plugin (internal/simprovider) creates, kept in a directory
// so that several pulumi runs in a row see one account. It answers each type
// as the AWS-type catalog (internal/awstype) says AWS answers, and refuses
// what AWS refuses on day 0 and day 2: a name taken twice, deleting what is
// protected or still in use, a final snapshot whose name exists. It is a
// stand-in, not AWS: docs/ARCHITECTURE.md lists what it does not model.
package simaws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/replacement"
)

// DefaultAccountID is the account an empty directory simulates.
const DefaultAccountID = mockcloud.MockAccountID

// Account is one simulated account, in a directory. Every operation takes
// the directory's lock, so plugin processes of one run, and runs in a row,
// see one account.
type Account struct {
	dir string
}

// Settings are the account's own facts, in account.json.
type Settings struct {
	// ID is the account id the ARNs carry.
	ID string `json:"id"`
	// Zones are the Route 53 hosted zones the account has, by name.
	Zones map[string]string `json:"zones,omitempty"`
	// FailingImages are container images whose tasks never become healthy:
	// a deployment of them fails (and ECS rolls it back where the service's
	// circuit breaker says so).
	FailingImages []string `json:"failingImages,omitempty"`
	// DownRegions are regions in an outage: every regional service there
	// refuses every call, and what it holds stays there, neither deleted
	// nor reachable. Global services (IAM, Route 53, Budgets, Chatbot)
	// and what is not AWS (a Docker build) answer.
	DownRegions []string `json:"downRegions,omitempty"`
}

// HomeRegion is the region of a snapshot seeded without one: the
// environments' own.
const HomeRegion = "ap-southeast-2"

// globalServices are the services without a region: an outage of one
// region does not reach them.
var globalServices = []string{"iam", "route53", "budgets", "chatbot", "organizations", "cloudfront"}

// Down refuses a call in a region in an outage, as the SDK does when the
// endpoint does not answer. what is a resource type (aws:rds/instance:Instance)
// or a service (rds); a type outside AWS (docker:) is never refused.
func (s Settings) Down(region, what string) error {
	service := what
	if rest, ok := strings.CutPrefix(what, "aws:"); ok {
		service, _, _ = strings.Cut(rest, "/")
	} else if strings.Contains(what, ":") {
		return nil // not AWS: a Docker build
	}
	if !slices.Contains(s.DownRegions, region) || slices.Contains(globalServices, service) {
		return nil
	}
	return &Refusal{"RequestError", fmt.Sprintf("send request failed: the endpoints of %s do not answer (the region is down) (%s)", region, what)}
}

// down is Settings.Down of the account as it is.
func (a *Account) down(region, typ string) error {
	s, err := a.Settings()
	if err != nil {
		return err
	}
	return s.Down(region, typ)
}

// SetOutage puts regions into an outage (none ends it): Settings.DownRegions.
func (a *Account) SetOutage(regions ...string) error {
	s, err := a.Settings()
	if err != nil {
		return err
	}
	s.DownRegions = regions
	return writeJSON(filepath.Join(a.dir, "account.json"), s)
}

// Resource is one resource the account holds.
type Resource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	// Name is the logical name of the registration that created it; Salt
	// tells it apart from another of the same type and name (a replacement).
	Name   string `json:"name"`
	Salt   string `json:"salt,omitempty"`
	Region string `json:"region"`
	// Inputs are what the program asked for, Outputs what AWS reports.
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
	// Serial tells one incarnation of a resource from the next: a
	// resource deleted and created again under the same id (a database
	// replaced deleting first) has a new serial.
	Serial int `json:"serial,omitempty"`
	// Data is the data a data-holding resource holds: its own, or what it
	// was restored from.
	Data []Datum `json:"data,omitempty"`
}

// Datum is one body of data, named by the resource incarnation that first
// held it: a database's rows, a cache's keys, a secret's value, a log
// group's events, a repository's images, a bucket's objects. Snapshots,
// restores and copies carry it on; it is lost when nothing holds it any more.
type Datum struct {
	Type   string `json:"type"`
	Name   string `json:"name"`
	Serial int    `json:"serial"`
}

// backupReplication replicates a database's automated backups to another
// region.
const backupReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"

// dataTypes are the resource types that hold data of their own.
var dataTypes = map[string]bool{
	"aws:rds/instance:Instance":                         true,
	"aws:elasticache/replicationGroup:ReplicationGroup": true,
	"aws:secretsmanager/secret:Secret":                  true,
	"aws:cloudwatch/logGroup:LogGroup":                  true,
	"aws:ecr/repository:Repository":                     true,
	"aws:s3/bucketV2:BucketV2":                          true,
	"aws:s3/bucket:Bucket":                              true,
}

// Snapshot is a database or cache snapshot the account holds.
type Snapshot struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
	// Region is where the snapshot is: a restore or a copy finds it only
	// there.
	Region   string `json:"region,omitempty"`
	Source   string `json:"source"`
	KMSKeyID string `json:"kmsKeyId,omitempty"`
	// EngineVersion is the engine version of its source when it was taken
	// (a database's), which a restore comes back on.
	EngineVersion string `json:"engineVersion,omitempty"`
	// Data is the data the snapshot keeps (its source's).
	Data []Datum `json:"data,omitempty"`
}

// Automated reports whether RDS or ElastiCache took the snapshot on its own
// schedule (identifiers "rds:<instance>-<date>", "automatic.<group>-<date>").
func (s Snapshot) Automated() bool {
	return s.Type == "rds" && strings.HasPrefix(s.Identifier, "rds:") || s.Type == "elasticache" && strings.HasPrefix(s.Identifier, "automatic.")
}

// state is the account's content, state.json.
type state struct {
	Resources []Resource `json:"resources"`
	Snapshots []Snapshot `json:"snapshots,omitempty"`
	// Used are ids once given out: AWS does not give an id twice.
	Used []string `json:"used,omitempty"`
	// Revisions are the last revision of each task definition family.
	Revisions map[string]int `json:"revisions,omitempty"`
	// PendingDeletion are deleted resources AWS keeps through a waiting
	// period: a secret in its recovery window (its name stays taken), a KMS
	// key scheduled for deletion (unusable, and never given back).
	PendingDeletion []Resource `json:"pendingDeletion,omitempty"`
	// Serial is the last serial given to a resource.
	Serial int `json:"serial,omitempty"`
	// Inactive are task definition revisions no stack holds any more,
	// deregistered or left ACTIVE (skipDestroy): ECS keeps them,
	// and a service that runs one (a rolled-back deployment) keeps running it.
	Inactive []Resource `json:"inactive,omitempty"`
	// Rollouts are each ECS service's deployments, oldest first (by region
	// and service id), as describe-services reports them.
	Rollouts map[string][]Rollout `json:"rollouts,omitempty"`
	// Images are the images pushed to each ECR repository (by region and
	// name) with the AWS CLI or crane; what a pulumi-docker build pushes is
	// its Image resource.
	Images map[string][]Image `json:"images,omitempty"`
	// Rotations are the secrets (by ARN) whose current value rotated.
	Rotations map[string]Rotation `json:"rotations,omitempty"`
	// Executions are each state machine's runs (by ARN), oldest first.
	Executions map[string][]Execution `json:"executions,omitempty"`
}

// Rollout is one deployment of an ECS service: the task definition it
// rolled out, how it ended (COMPLETED, FAILED) and why.
type Rollout struct {
	TaskDefinition string `json:"taskDefinition"`
	State          string `json:"state"`
	Reason         string `json:"reason"`
	// Secrets are the rotations of the secrets its tasks read when they
	// started, by secret ARN (rotation.go).
	Secrets map[string]int `json:"secrets,omitempty"`
}

// Image is an image in an ECR repository: its digest and tags.
type Image struct {
	Digest string   `json:"digest"`
	Tags   []string `json:"tags,omitempty"`
}

// born gives a resource its serial and, if it holds data and was not
// restored from a snapshot, data of its own.
func (st *state) born(r *Resource) {
	st.Serial++
	r.Serial = st.Serial
	if dataTypes[r.Type] && len(r.Data) == 0 {
		r.Data = []Datum{{Type: r.Type, Name: r.ID, Serial: r.Serial}}
	}
}

// Refusal is an error AWS answers with: its code and message.
type Refusal struct {
	Code, Message string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

// Open opens (creating) the account in dir.
func Open(dir string) (*Account, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	a := &Account{dir: dir}
	if _, err := os.Stat(filepath.Join(dir, "account.json")); errors.Is(err, os.ErrNotExist) {
		if err := writeJSON(filepath.Join(dir, "account.json"), Settings{ID: DefaultAccountID}); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Settings reads account.json.
func (a *Account) Settings() (Settings, error) {
	var s Settings
	err := readJSON(filepath.Join(a.dir, "account.json"), &s)
	if s.ID == "" {
		s.ID = DefaultAccountID
	}
	return s, err
}

// Env is what an answer needs to know of the account in a region.
func (a *Account) Env(region string) (mockcloud.Env, error) {
	s, err := a.Settings()
	return mockcloud.Env{Region: region, Account: s.ID, Zones: s.Zones}, err
}

// Resources lists what the account holds, by type and id.
func (a *Account) Resources() ([]Resource, error) {
	var out []Resource
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Resources)
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// Snapshots lists the snapshots the account holds.
func (a *Account) Snapshots() ([]Snapshot, error) {
	var out []Snapshot
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Snapshots)
		return nil
	})
	return out, err
}

// Create creates a resource of a type from its inputs, as AWS would answer
// it, or refuses as AWS would.
func (a *Account) Create(typ, name, region string, inputs resource.PropertyMap) (Resource, error) {
	entry, ok := awstype.Lookup(typ)
	if !ok || entry.Answer == nil {
		return Resource{}, fmt.Errorf("simulated account: no answer for resource type %s; add its entry to the AWS-type catalog, internal/awstype", typ)
	}
	env, err := a.Env(region)
	if err != nil {
		return Resource{}, err
	}
	settings, err := a.Settings()
	if err != nil {
		return Resource{}, err
	}
	if err := settings.Down(region, typ); err != nil {
		return Resource{}, err
	}
	in := plain(inputs)
	var created Resource
	err = a.locked(func(st *state) error {
		if err := st.unique(typ, region, in, ""); err != nil {
			return err
		}
		add := func(r Resource) error {
			if err := st.behave(settings, &r, nil); err != nil {
				return err
			}
			st.born(&r)
			created = r
			st.Resources = append(st.Resources, r)
			return nil
		}
		if err := st.usable(in); err != nil {
			return err
		}
		if typ == taskDefinition {
			// A family holds many revisions at once: each registration is the
			// next one, under the family's id (pulumi-aws's id is the family).
			r := &mockcloud.Request{Type: typ, Name: name, In: inputs, Out: inputs.Copy()}
			family := entry.Answer(env, r)
			if st.Revisions == nil {
				st.Revisions = map[string]int{}
			}
			st.Revisions[region+"\x00"+family]++
			rev := st.Revisions[region+"\x00"+family]
			out := plain(r.Out)
			out["revision"] = float64(rev)
			out["arn"] = str(out["arnWithoutRevision"]) + ":" + strconv.Itoa(rev)
			return add(Resource{Type: typ, ID: family, Name: name, Region: region, Inputs: in, Outputs: out})
		}
		// An id made from the name comes back after a deletion, as AWS gives
		// a name again; an id AWS generates is never given twice, nor to a
		// replacement created beside its original (the salt tells them apart).
		var first string
		for n := 0; n < 16; n++ {
			salt := ""
			if n > 0 {
				salt = strconv.Itoa(n)
			}
			r := &mockcloud.Request{Type: typ, Name: name, Salt: salt, In: inputs, Out: inputs.Copy()}
			id := entry.Answer(env, r)
			key := region + "\x00" + typ + "\x00" + id
			live := st.find(region, typ, id) >= 0
			if n == 0 {
				first = id
			} else if id == first {
				break // the id is the name: salting cannot change it
			}
			if live || slices.Contains(st.Used, key) {
				continue
			}
			if err := add(Resource{Type: typ, ID: id, Name: name, Salt: salt, Region: region, Inputs: in, Outputs: plain(r.Out)}); err != nil {
				return err
			}
			st.Used = append(st.Used, key)
			return nil
		}
		if st.find(region, typ, first) < 0 {
			r := &mockcloud.Request{Type: typ, Name: name, In: inputs, Out: inputs.Copy()}
			entry.Answer(env, r)
			return add(Resource{Type: typ, ID: first, Name: name, Region: region, Inputs: in, Outputs: plain(r.Out)})
		}
		return &Refusal{"AlreadyExists", fmt.Sprintf("%s %s: the id it would get is taken", typ, name)}
	})
	return created, err
}

// RestoreFromReplicatedBackups creates the DB instance id in region from the
// automated backups another region's database replicates there (aws rds
// restore-db-instance-to-point-in-time
// --source-db-instance-automated-backups-arn): it holds that database's
// data, encrypted with the replication's key, at the source's engine version.
func (a *Account) RestoreFromReplicatedBackups(region, backupsARN, id, class string) (Resource, error) {
	var source, replication Resource
	if err := a.down(region, backupReplication); err != nil {
		return Resource{}, err
	}
	err := a.locked(func(st *state) error {
		i := slices.IndexFunc(st.Resources, func(r Resource) bool {
			return r.Type == backupReplication && r.Region == region && r.ID == backupsARN
		})
		if i < 0 {
			return &Refusal{"DBInstanceAutomatedBackupNotFound", fmt.Sprintf("No automated backup with ARN %s found in %s.", backupsARN, region)}
		}
		replication = st.Resources[i]
		j := slices.IndexFunc(st.Resources, func(r Resource) bool {
			return r.Type == "aws:rds/instance:Instance" && str(r.Outputs["arn"]) == str(replication.Inputs["sourceDbInstanceArn"])
		})
		if j < 0 {
			return &Refusal{"DBInstanceAutomatedBackupNotFound", "the source of " + backupsARN + " is gone"}
		}
		source = st.Resources[j]
		return nil
	})
	if err != nil {
		return Resource{}, err
	}
	restored, err := a.Create("aws:rds/instance:Instance", id, region, resource.NewPropertyMapFromMap(map[string]any{
		"identifier": id, "instanceClass": class, "engine": "postgres", "engineVersion": source.Inputs["engineVersion"],
		"kmsKeyId": replication.Inputs["kmsKeyId"], "storageEncrypted": true,
	}))
	if err != nil {
		return Resource{}, err
	}
	err = a.locked(func(st *state) error {
		i := st.find(region, "aws:rds/instance:Instance", restored.ID)
		st.Resources[i].Data = slices.Clone(source.Data)
		restored = st.Resources[i]
		return nil
	})
	return restored, err
}

// Update changes a resource's inputs in place; its id and what AWS computed
// at the creation stay.
func (a *Account) Update(region, typ, id, arn string, inputs resource.PropertyMap) (Resource, error) {
	entry, _ := awstype.Lookup(typ)
	settings, err := a.Settings()
	if err != nil {
		return Resource{}, err
	}
	if err := settings.Down(region, typ); err != nil {
		return Resource{}, err
	}
	var updated Resource
	err = a.locked(func(st *state) error {
		i := st.findARN(region, typ, id, arn)
		if i < 0 {
			return &Refusal{"NotFound", fmt.Sprintf("%s %s does not exist", typ, id)}
		}
		old := st.Resources[i]
		in := plain(inputs)
		if err := st.unique(typ, old.Region, in, id); err != nil {
			return err
		}
		env, err := a.Env(old.Region)
		if err != nil {
			return err
		}
		r := &mockcloud.Request{Type: typ, Name: old.Name, Salt: old.Salt, In: inputs, Out: inputs.Copy()}
		entry.Answer(env, r)
		out := plain(r.Out)
		for k, v := range old.Outputs {
			if _, isInput := in[k]; !isInput {
				out[k] = v // what AWS computed at the creation (an ARN, an endpoint) stays
			}
		}
		updated = Resource{Type: typ, ID: id, Name: old.Name, Salt: old.Salt, Region: old.Region, Inputs: in, Outputs: out, Serial: old.Serial, Data: old.Data}
		if err := st.behave(settings, &updated, &old); err != nil {
			return err
		}
		st.Resources[i] = updated
		return nil
	})
	return updated, err
}

// Get returns the resource of a type with an id in a region (and an ARN,
// where one id names several).
func (a *Account) Get(region, typ, id, arn string) (Resource, bool, error) {
	var found Resource
	var ok bool
	if err := a.down(region, typ); err != nil {
		return found, false, err
	}
	err := a.read(func(st *state) error {
		if i := st.findARN(region, typ, id, arn); i >= 0 {
			found, ok = st.Resources[i], true
		}
		return nil
	})
	return found, ok, err
}

// Delete deletes a resource, or refuses as AWS refuses: a deletion-protected
// database or load balancer, something still in use, a final snapshot whose
// name is taken.
func (a *Account) Delete(region, typ, id, arn string) error {
	if err := a.down(region, typ); err != nil {
		return err
	}
	return a.locked(func(st *state) error {
		i := st.findARN(region, typ, id, arn)
		if i < 0 {
			return nil // already gone: the provider treats it as deleted
		}
		r := st.Resources[i]
		if err := protected(r); err != nil {
			return err
		}
		if use, ok := inUseRefusals[typ]; ok {
			for _, other := range st.Resources {
				if other.ID == r.ID && other.Type == r.Type || len(use.by) > 0 && !slices.Contains(use.by, other.Type) {
					continue
				}
				if mentions(other.Inputs, r.ID, str(r.Outputs["arn"])) {
					return &Refusal{use.code, fmt.Sprintf("%s %s is in use by %s %s", typ, id, other.Type, other.ID)}
				}
			}
		}
		if typ == "aws:rds/instance:Instance" && !boolean(r.Inputs["skipFinalSnapshot"]) {
			name := str(r.Inputs["finalSnapshotIdentifier"])
			if name == "" {
				return &Refusal{"InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified"}
			}
			if st.snapshot(region, name) >= 0 {
				return &Refusal{"DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier " + name + " already exists."}
			}
			st.Snapshots = append(st.Snapshots, Snapshot{Type: "rds", Identifier: name, Region: region, Source: id, KMSKeyID: str(r.Inputs["kmsKeyId"]), EngineVersion: str(r.Inputs["engineVersion"]), Data: r.Data})
		}
		if typ == "aws:rds/instance:Instance" {
			if keep, set := r.Inputs["deleteAutomatedBackups"].(bool); !set || keep {
				// RDS deletes the automated backups with the instance unless told to retain them.
				st.Snapshots = slices.DeleteFunc(st.Snapshots, func(s Snapshot) bool { return s.Automated() && s.Source == id && s.Region == region })
			}
			// The replication of its backups to another region stops: the
			// backups already there are RETAINED until they expire, which
			// the provider reads as gone (FindDBInstanceAutomatedBackupByARN).
			arn := str(r.Outputs["arn"])
			st.Resources = slices.DeleteFunc(st.Resources, func(o Resource) bool {
				return o.Type == backupReplication && arn != "" && str(o.Inputs["sourceDbInstanceArn"]) == arn
			})
			i = st.findARN(region, typ, id, arn)
		}
		if typ == "aws:elasticache/replicationGroup:ReplicationGroup" {
			// ElastiCache deletes a group's automatic snapshots with it.
			st.Snapshots = slices.DeleteFunc(st.Snapshots, func(s Snapshot) bool { return s.Automated() && s.Source == id && s.Region == region })
			if name := str(r.Inputs["finalSnapshotIdentifier"]); name != "" {
				if st.snapshot(region, name) >= 0 {
					return &Refusal{"SnapshotAlreadyExistsFault", "Snapshot " + name + " already exists."}
				}
				st.Snapshots = append(st.Snapshots, Snapshot{Type: "elasticache", Identifier: name, Region: region, Source: id, KMSKeyID: str(r.Inputs["kmsKeyId"]), Data: r.Data})
			}
		}
		if typ == repository {
			key := region + "/" + id
			if len(st.Images[key]) > 0 && !boolean(r.Inputs["forceDelete"]) {
				return &Refusal{"RepositoryNotEmptyException", fmt.Sprintf("The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", id, str(r.Outputs["registryId"]))}
			}
			delete(st.Images, key)
		}
		if pendingDeletion(r) {
			st.PendingDeletion = append(st.PendingDeletion, r)
		}
		if typ == taskDefinition {
			st.Inactive = append(st.Inactive, r)
		}
		st.Resources = slices.Delete(st.Resources, i, i+1)
		return nil
	})
}

// pendingDeletion reports whether AWS keeps a deleted resource through a
// waiting period: a secret deleted with a recovery window (30 days unless
// recoveryWindowInDays says otherwise; 0 deletes it at once), a KMS key
// (always scheduled, 7 to 30 days).
func pendingDeletion(r Resource) bool {
	switch r.Type {
	case "aws:secretsmanager/secret:Secret":
		days, set := r.Inputs["recoveryWindowInDays"].(float64)
		return !set || days > 0
	case "aws:kms/key:Key":
		return true
	}
	return false
}

// usable refuses inputs that name a KMS key pending deletion, as KMS does
// for every use of such a key.
func (st *state) usable(inputs map[string]any) error {
	for _, key := range st.PendingDeletion {
		if key.Type == "aws:kms/key:Key" && mentions(inputs, key.ID, str(key.Outputs["arn"])) {
			return &Refusal{"KMSInvalidStateException", fmt.Sprintf("%s is pending deletion.", str(key.Outputs["arn"]))}
		}
	}
	return nil
}

// protected refuses the deletion of a resource whose own setting protects it.
func protected(r Resource) error {
	switch r.Type {
	case "aws:rds/instance:Instance":
		if boolean(r.Inputs["deletionProtection"]) {
			return &Refusal{"InvalidParameterCombination", "Cannot delete protected DB Instance, please disable deletion protection and try again."}
		}
	case "aws:lb/loadBalancer:LoadBalancer":
		if boolean(r.Inputs["enableDeletionProtection"]) {
			return &Refusal{"OperationNotPermitted", fmt.Sprintf("Load balancer '%s' cannot be deleted because deletion protection is enabled", r.ID)}
		}
	}
	return nil
}

// inUseRefusals are the types AWS will not delete while another resource
// uses them: the error code it answers, and the types whose use counts (none
// listed: any resource that names it).
var inUseRefusals = map[string]inUse{
	"aws:ec2/securityGroup:SecurityGroup":           {code: "DependencyViolation"},
	"aws:ec2/subnet:Subnet":                         {code: "DependencyViolation"},
	"aws:ec2/vpc:Vpc":                               {code: "DependencyViolation"},
	"aws:ec2/internetGateway:InternetGateway":       {code: "DependencyViolation", by: []string{"aws:ec2/route:Route"}},
	"aws:lb/targetGroup:TargetGroup":                {code: "ResourceInUse", by: []string{"aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"}},
	"aws:rds/subnetGroup:SubnetGroup":               {code: "InvalidDBSubnetGroupStateFault", by: []string{"aws:rds/instance:Instance"}},
	"aws:elasticache/subnetGroup:SubnetGroup":       {code: "SubnetGroupInUse", by: []string{"aws:elasticache/replicationGroup:ReplicationGroup"}},
	"aws:rds/parameterGroup:ParameterGroup":         {code: "InvalidDBParameterGroupState", by: []string{"aws:rds/instance:Instance"}},
	"aws:elasticache/parameterGroup:ParameterGroup": {code: "InvalidCacheParameterGroupState", by: []string{"aws:elasticache/replicationGroup:ReplicationGroup"}},
	"aws:iam/role:Role":                             {code: "DeleteConflict", by: []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"}},
	"aws:ecs/cluster:Cluster":                       {code: "ClusterContainsServicesException", by: []string{"aws:ecs/service:Service"}},
	"aws:acm/certificate:Certificate":               {code: "ResourceInUseException", by: []string{"aws:lb/listener:Listener"}},
}

type inUse struct {
	code string
	by   []string
}

// unique refuses a resource whose unique key another one of its type holds
// where AWS refuses it; except is the id of the resource itself.
func (st *state) unique(typ, region string, inputs map[string]any, except string) error {
	ty, ok := replacement.MustLoad().Lookup(typ)
	if !ok || len(ty.UniqueKey) == 0 || ty.OnCollision != replacement.Fails {
		return nil
	}
	key, known := ty.KeyValues(inputs, func(any) bool { return false })
	if !known || slices.ContainsFunc(key, func(v any) bool { return v == nil || v == "" }) {
		return nil
	}
	for _, other := range st.Resources {
		if other.Type != typ || other.ID == except || (ty.KeyScope != "global" && other.Region != region) {
			continue
		}
		if k, _ := ty.KeyValues(other.Inputs, func(any) bool { return false }); reflect.DeepEqual(k, key) {
			return &Refusal{"AlreadyExists", fmt.Sprintf("%s %v already exists (%s): %s", typ, key, other.ID, ty.CollisionReason)}
		}
	}
	for _, other := range st.PendingDeletion {
		if other.Type != typ || other.Region != region && ty.KeyScope != "global" {
			continue
		}
		if k, _ := ty.KeyValues(other.Inputs, func(any) bool { return false }); reflect.DeepEqual(k, key) {
			return &Refusal{"InvalidRequestException", fmt.Sprintf("You can't create this %s because one with the name %v is already scheduled for deletion (%s).", typ, key, other.ID)}
		}
	}
	return nil
}

// find is the index of the resource of a type and id in a region, or -1;
// where one id names several (a task definition's revisions), the newest.
func (st *state) find(region, typ, id string) int {
	found := -1
	for i, r := range st.Resources {
		if r.Type == typ && r.ID == id && r.Region == region {
			found = i
		}
	}
	return found
}

// findARN is find for the resource with an ARN, where the ARN is known.
func (st *state) findARN(region, typ, id, arn string) int {
	if arn == "" {
		return st.find(region, typ, id)
	}
	return slices.IndexFunc(st.Resources, func(r Resource) bool {
		return r.Type == typ && r.ID == id && r.Region == region && str(r.Outputs["arn"]) == arn
	})
}

// taskDefinition is the type whose id (the family) names all its revisions.
const taskDefinition = "aws:ecs/taskDefinition:TaskDefinition"

// locked runs f on the account's state under the directory's lock and
// writes the state back when f succeeds.
func (a *Account) locked(f func(*state) error) error {
	return a.withState(syscall.LOCK_EX, f)
}

// read runs f on the account's state under a shared lock, for a call that
// only looks: nothing is written.
func (a *Account) read(f func(*state) error) error {
	return a.withState(syscall.LOCK_SH, f)
}

// withState runs f on the state under the lock of the kind given, and
// writes what an exclusive f changed.
func (a *Account) withState(how int, f func(*state) error) error {
	lock, err := os.OpenFile(filepath.Join(a.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), how); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
	var st state
	path := filepath.Join(a.dir, "state.json")
	before, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(before) > 0 {
		if err := json.Unmarshal(before, &st); err != nil {
			return err
		}
	}
	if err := f(&st); err != nil || how != syscall.LOCK_EX {
		return err
	}
	// The file is what writeJSON wrote, so the same state encodes to the
	// same bytes: a call that changed nothing writes nothing.
	after, err := encode(st)
	if err != nil || bytes.Equal(after, before) {
		return err
	}
	return writeFile(path, after)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSON(path string, v any) error {
	data, err := encode(v)
	if err != nil {
		return err
	}
	return writeFile(path, data)
}

// encode is a value as the account's files hold it.
func encode(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	return append(data, '\n'), err
}

// writeFile replaces a file at once: a reader sees the old or the new.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// plain is a property map as JSON values: secrets unwrapped (the account
// holds the values; the engine keeps them secret in its state), computed
// values dropped.
func plain(m resource.PropertyMap) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if x, ok := plainValue(v); ok {
			out[string(k)] = x
		}
	}
	return out
}

func plainValue(v resource.PropertyValue) (any, bool) {
	switch {
	case v.IsSecret():
		return plainValue(v.SecretValue().Element)
	case v.IsOutput():
		if !v.OutputValue().Known {
			return nil, false
		}
		return plainValue(v.OutputValue().Element)
	case v.IsComputed():
		return nil, false
	case v.IsArray():
		var out []any
		for _, e := range v.ArrayValue() {
			if x, ok := plainValue(e); ok {
				out = append(out, x)
			}
		}
		if out == nil {
			out = []any{}
		}
		return out, true
	case v.IsObject():
		return plain(v.ObjectValue()), true
	case v.IsNull():
		return nil, true
	}
	return v.V, true
}

// mentions reports whether a value holds one of the strings, anywhere.
func mentions(v any, needles ...string) bool {
	switch x := v.(type) {
	case string:
		for _, n := range needles {
			if n != "" && (x == n || strings.Contains(x, n) && strings.HasPrefix(n, "arn:")) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(x, func(e any) bool { return mentions(e, needles...) })
	case map[string]any:
		for _, e := range x {
			if mentions(e, needles...) {
				return true
			}
		}
	}
	return false
}

func str(v any) string { s, _ := v.(string); return s }

// field is a key of a JSON object, nil when v is none.
func field(v any, key string) any { m, _ := v.(map[string]any); return m[key] }

func boolean(v any) bool { b, _ := v.(bool); return b }

// Seed puts a resource into the account as it exists before any program ran
// (the original environments, a provider made by hand); its id must be free.
func (a *Account) Seed(r Resource) error {
	return a.locked(func(st *state) error {
		if st.find(r.Region, r.Type, r.ID) >= 0 {
			return &Refusal{"AlreadyExists", fmt.Sprintf("%s %s is in the account already", r.Type, r.ID)}
		}
		st.born(&r)
		st.Resources = append(st.Resources, r)
		st.Used = append(st.Used, r.Region+"\x00"+r.Type+"\x00"+r.ID)
		if rev, ok := r.Outputs["revision"].(float64); ok && r.Type == taskDefinition {
			// The family's next registration comes after the seeded revision.
			if st.Revisions == nil {
				st.Revisions = map[string]int{}
			}
			st.Revisions[r.Region+"\x00"+r.ID] = max(st.Revisions[r.Region+"\x00"+r.ID], int(rev))
		}
		return nil
	})
}

// behave applies what AWS does beyond what it was asked, to a resource
// created (previous nil) or updated:
//   - an RDS instance restored from a snapshot needs the snapshot, and comes
//     back under the snapshot's KMS key, whatever key it was given;
//   - a scalable target of an ECS service's desired count moves the count
//     into its range;
//   - an ECS service whose new task definition runs an image that fails
//     (the account's failingImages) or that its repository does not hold
//     does not reach a steady state: with the circuit breaker's rollback it stays on
//     its previous task definition (and the provider reports success, as
//     pulumi-aws 6.83.4's waiter does), without it the deployment fails.
func (st *state) behave(settings Settings, r *Resource, previous *Resource) error {
	set := func(k string, v any) { r.Inputs[k], r.Outputs[k] = v, v }
	switch r.Type {
	case "aws:rds/instance:Instance":
		name := str(r.Inputs["snapshotIdentifier"])
		if previous != nil || name == "" {
			return nil
		}
		i := slices.IndexFunc(st.Snapshots, func(s Snapshot) bool {
			return s.Type == "rds" && s.Region == r.Region && (s.Identifier == name || strings.HasSuffix(name, ":snapshot:"+s.Identifier))
		})
		if i < 0 {
			return &Refusal{"DBSnapshotNotFound", fmt.Sprintf("DBSnapshot %s not found.", name)}
		}
		if key := st.Snapshots[i].KMSKeyID; key != "" {
			set("kmsKeyId", key)
			set("storageEncrypted", true)
		}
		if version := st.Snapshots[i].EngineVersion; version != "" && str(r.Inputs["engineVersion"]) == "" {
			set("engineVersion", version) // restored on the snapshot's version where none is asked for
		}
		r.Data = slices.Clone(st.Snapshots[i].Data)
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		name := str(r.Inputs["snapshotName"])
		if previous != nil || name == "" {
			return nil
		}
		i := slices.IndexFunc(st.Snapshots, func(s Snapshot) bool { return s.Type == "elasticache" && s.Region == r.Region && s.Identifier == name })
		if i < 0 {
			return &Refusal{"SnapshotNotFoundFault", fmt.Sprintf("Snapshot %s not found.", name)}
		}
		r.Data = slices.Clone(st.Snapshots[i].Data)
	case "aws:appautoscaling/target:Target":
		st.scaleInto(*r)
	case "aws:ecs/service:Service":
		taskDef := str(r.Inputs["taskDefinition"])
		if previous != nil && str(previous.Inputs["taskDefinition"]) == taskDef {
			return nil // no new deployment
		}
		if count, set := r.Inputs["desiredCount"].(float64); set && count == 0 {
			return nil // no task to start
		}
		key := r.Region + "/" + r.ID
		if st.Rollouts == nil {
			st.Rollouts = map[string][]Rollout{}
		}
		problem := st.taskProblem(settings, r.Region, taskDef)
		if problem == "" {
			st.Rollouts[key] = append(st.Rollouts[key], Rollout{TaskDefinition: taskDef, State: "COMPLETED", Reason: "ECS deployment completed.", Secrets: st.secretsRead(r.Region, taskDef)})
			return nil
		}
		breaker, _ := r.Inputs["deploymentCircuitBreaker"].(map[string]any)
		if previous == nil || !boolean(breaker["enable"]) || !boolean(breaker["rollback"]) {
			return &Refusal{"ServiceNotStable", fmt.Sprintf("service %s: %s; the deployment never reaches a steady state", r.ID, problem)}
		}
		set("taskDefinition", previous.Inputs["taskDefinition"])
		serving, _ := st.serving(key)
		st.rollBack(key, Rollout{TaskDefinition: taskDef, Reason: "ECS deployment circuit breaker: " + problem},
			Rollout{TaskDefinition: str(previous.Inputs["taskDefinition"]), Reason: "ECS deployment circuit breaker: rolled back to the previous task definition.", Secrets: serving.Secrets})
	}
	return nil
}

// Rollouts are a service's deployments, oldest first.
func (a *Account) Rollouts(region, serviceID string) ([]Rollout, error) {
	var out []Rollout
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Rollouts[region+"/"+serviceID])
		return nil
	})
	return out, err
}

// scaleInto does what RegisterScalableTarget does to an ECS service: its
// desired count moves into the target's [minCapacity, maxCapacity].
func (st *state) scaleInto(target Resource) {
	parts := strings.Split(str(target.Inputs["resourceId"]), "/")
	if str(target.Inputs["scalableDimension"]) != "ecs:service:DesiredCount" || len(parts) != 3 {
		return
	}
	low, _ := target.Inputs["minCapacity"].(float64)
	high, _ := target.Inputs["maxCapacity"].(float64)
	for i, svc := range st.Resources {
		if svc.Type != "aws:ecs/service:Service" || str(svc.Inputs["name"]) != parts[2] || !strings.HasSuffix(str(svc.Inputs["cluster"]), "/"+parts[1]) {
			continue
		}
		count, _ := svc.Inputs["desiredCount"].(float64)
		count = min(max(count, low), high)
		st.Resources[i].Inputs["desiredCount"], st.Resources[i].Outputs["desiredCount"] = count, count
	}
}

// repository is the ECR repository type.
const repository = "aws:ecr/repository:Repository"

// taskProblem says why the tasks of a task definition (by ARN) do not run,
// or "": an image that fails its health checks (the account's
// failingImages), or one of this account's ECR that its repository does not
// hold (the pull fails).
func (st *state) taskProblem(settings Settings, region, taskDefinitionARN string) string {
	for _, td := range append(slices.Clone(st.Resources), st.Inactive...) {
		if td.Type != taskDefinition || str(td.Outputs["arn"]) != taskDefinitionARN {
			continue
		}
		var containers []struct {
			Image string `json:"image"`
		}
		_ = json.Unmarshal([]byte(str(td.Inputs["containerDefinitions"])), &containers)
		for _, c := range containers {
			if problem := st.imageProblem(settings, region, c.Image); problem != "" {
				return problem
			}
		}
	}
	return ""
}

// imageProblem says why tasks of an image do not run, or "".
func (st *state) imageProblem(settings Settings, region, image string) string {
	for _, failing := range settings.FailingImages {
		if strings.Contains(image, failing) {
			return "tasks of " + image + " fail their health checks"
		}
	}
	registry := settings.ID + ".dkr.ecr." + region + ".amazonaws.com/"
	ref, ours := strings.CutPrefix(image, registry)
	if !ours {
		return "" // another registry: outside the account
	}
	repo, digest, byDigest := strings.Cut(ref, "@")
	tag := ""
	if !byDigest {
		repo, tag, _ = strings.Cut(ref, ":")
	}
	if st.find(region, repository, repo) < 0 {
		return "CannotPullContainerError: " + image + ": the repository " + repo + " does not exist"
	}
	for _, im := range st.Images[region+"/"+repo] {
		if byDigest && im.Digest == digest || !byDigest && slices.Contains(im.Tags, tag) {
			return ""
		}
	}
	for _, r := range st.Resources {
		if r.Type == "docker:index/image:Image" && (r.ID == image || str(r.Outputs["imageName"]) == image) {
			return "" // pushed by the program's own build
		}
	}
	return "CannotPullContainerError: " + image + " not found in " + repo
}

// PushImage puts an image into a repository (docker push, crane copy): a
// digest once, with its tags; a tag moves to the new digest unless the
// repository's tags are immutable.
func (a *Account) PushImage(region, repo, digest string, tags ...string) error {
	if err := a.down(region, repository); err != nil {
		return err
	}
	return a.locked(func(st *state) error {
		i := st.find(region, repository, repo)
		if i < 0 {
			return &Refusal{"RepositoryNotFoundException", fmt.Sprintf("The repository with name '%s' does not exist in the registry", repo)}
		}
		immutable := str(st.Resources[i].Inputs["imageTagMutability"]) == "IMMUTABLE"
		key := region + "/" + repo
		if st.Images == nil {
			st.Images = map[string][]Image{}
		}
		images := st.Images[key]
		for _, tag := range tags {
			for j := range images {
				if images[j].Digest != digest && slices.Contains(images[j].Tags, tag) {
					if immutable {
						return &Refusal{"ImageTagAlreadyExistsException", fmt.Sprintf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the tag is immutable.", tag, repo)}
					}
					images[j].Tags = slices.DeleteFunc(images[j].Tags, func(t string) bool { return t == tag })
				}
			}
		}
		j := slices.IndexFunc(images, func(im Image) bool { return im.Digest == digest })
		if j < 0 {
			images = append(images, Image{Digest: digest})
			j = len(images) - 1
		}
		for _, tag := range tags {
			if !slices.Contains(images[j].Tags, tag) {
				images[j].Tags = append(images[j].Tags, tag)
			}
		}
		st.Images[key] = images
		return nil
	})
}

// Inactive lists the deregistered task definition revisions ECS keeps.
func (a *Account) Inactive() ([]Resource, error) {
	var out []Resource
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Inactive)
		return nil
	})
	return out, err
}

// Images are the images of a repository.
func (a *Account) Images(region, repo string) ([]Image, error) {
	var out []Image
	err := a.read(func(st *state) error {
		out = slices.Clone(st.Images[region+"/"+repo])
		return nil
	})
	return out, err
}

// ImageProblem says why tasks of an image would not run in the account, or "".
func (a *Account) ImageProblem(region, image string) (string, error) {
	settings, err := a.Settings()
	if err != nil {
		return "", err
	}
	var problem string
	err = a.read(func(st *state) error {
		problem = st.imageProblem(settings, region, image)
		return nil
	})
	return problem, err
}

// CopySnapshot copies a snapshot (RDS or ElastiCache) of a region under
// another name in that region, encrypted with kmsKeyID where given (aws rds
// copy-db-snapshot --kms-key-id): the way a snapshot under another key
// becomes one a restore can take the environment's key from, and an
// automatic snapshot one that outlives its source.
func (a *Account) CopySnapshot(region, source, target, kmsKeyID string) error {
	if err := a.down(region, "snapshot"); err != nil {
		return err
	}
	return a.locked(func(st *state) error {
		i := st.snapshot(region, source)
		if i < 0 {
			return &Refusal{"DBSnapshotNotFound", fmt.Sprintf("DBSnapshot %s not found.", source)}
		}
		copied := st.Snapshots[i]
		if st.snapshot(region, target) >= 0 {
			if copied.Type == "elasticache" {
				return &Refusal{"SnapshotAlreadyExistsFault", "Snapshot " + target + " already exists."}
			}
			return &Refusal{"DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier " + target + " already exists."}
		}
		copied.Identifier = target
		if kmsKeyID != "" {
			copied.KMSKeyID = kmsKeyID
		}
		st.Snapshots = append(st.Snapshots, copied)
		return nil
	})
}

// snapshot is the index of a region's snapshot of an identifier, or -1.
func (st *state) snapshot(region, identifier string) int {
	return slices.IndexFunc(st.Snapshots, func(s Snapshot) bool { return s.Region == region && s.Identifier == identifier })
}

// SeedSnapshot puts a snapshot into the account (one the original
// environment took, an automated one, one taken by aws rds
// create-db-snapshot); without a region it is HomeRegion's.
func (a *Account) SeedSnapshot(s Snapshot) error {
	if s.Region == "" {
		s.Region = HomeRegion
	}
	if err := a.down(s.Region, "aws:"+s.Type+"/snapshot"); err != nil {
		return err
	}
	return a.locked(func(st *state) error {
		if st.snapshot(s.Region, s.Identifier) >= 0 {
			return &Refusal{"DBSnapshotAlreadyExists", "a snapshot " + s.Identifier + " exists already"}
		}
		for _, r := range st.Resources {
			if r.ID != s.Source || !dataTypes[r.Type] || r.Region != s.Region {
				continue
			}
			if len(s.Data) == 0 {
				s.Data = slices.Clone(r.Data) // a snapshot of a live resource keeps its data
			}
			if s.EngineVersion == "" && r.Type == "aws:rds/instance:Instance" {
				s.EngineVersion = str(r.Inputs["engineVersion"])
			}
		}
		st.Snapshots = append(st.Snapshots, s)
		return nil
	})
}

// Data lists every body of data the account still holds somewhere: in a
// resource, in a resource waiting out its deletion window (a secret that can
// be restored), or in a snapshot.
func (a *Account) Data() ([]Datum, error) {
	seen := map[Datum]bool{}
	var out []Datum
	err := a.read(func(st *state) error {
		keep := func(ds []Datum) {
			for _, d := range ds {
				if !seen[d] {
					seen[d] = true
					out = append(out, d)
				}
			}
		}
		for _, r := range st.Resources {
			keep(r.Data)
		}
		for _, r := range st.PendingDeletion {
			if r.Type != "aws:kms/key:Key" {
				keep(r.Data)
			}
		}
		for _, s := range st.Snapshots {
			keep(s.Data)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Serial < out[j].Serial
	})
	return out, err
}

// Rename gives a database instance a new identifier (aws rds
// modify-db-instance --new-db-instance-identifier): the same instance, its
// data and its serial, under the new id; the old identifier is free again.
func (a *Account) Rename(region, typ, id, newID string) error {
	return a.locked(func(st *state) error {
		i := st.find(region, typ, id)
		if i < 0 {
			return &Refusal{"DBInstanceNotFound", fmt.Sprintf("DBInstance %s not found.", id)}
		}
		if st.find(region, typ, newID) >= 0 {
			return &Refusal{"DBInstanceAlreadyExists", fmt.Sprintf("DB instance already exists: %s", newID)}
		}
		r := &st.Resources[i]
		r.ID = newID
		for _, m := range []map[string]any{r.Inputs, r.Outputs} {
			if _, ok := m["identifier"]; ok {
				m["identifier"] = newID
			}
			if arn, ok := m["arn"].(string); ok {
				m["arn"] = strings.TrimSuffix(arn, ":"+id) + ":" + newID
			}
		}
		return nil
	})
}

// Drift changes a resource behind the program's back (a console edit, an
// operator's CLI call): the values are what AWS then reports, to a refresh
// and to the provider's next diff.
func (a *Account) Drift(region, typ, id string, values map[string]any) error {
	return a.locked(func(st *state) error {
		i := st.find(region, typ, id)
		if i < 0 {
			return &Refusal{"NotFound", fmt.Sprintf("%s %s does not exist", typ, id)}
		}
		for k, v := range values {
			st.Resources[i].Inputs[k], st.Resources[i].Outputs[k] = v, v
		}
		return nil
	})
}

// DeleteDBInstance deletes a database instance as aws rds
// delete-db-instance does: with a final snapshot of the name given, or
// none when skip says so; RDS refuses neither given.
func (a *Account) DeleteDBInstance(region, id, finalSnapshot string, skip bool) error {
	const typ = "aws:rds/instance:Instance"
	if !skip && finalSnapshot == "" {
		return &Refusal{"InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified"}
	}
	if err := a.down(region, typ); err != nil {
		return err
	}
	var old map[string]any
	err := a.locked(func(st *state) error {
		i := st.find(region, typ, id)
		if i < 0 {
			return &Refusal{"DBInstanceNotFound", "DBInstance " + id + " not found."}
		}
		old = maps.Clone(st.Resources[i].Inputs)
		st.Resources[i].Inputs = maps.Clone(old)
		st.Resources[i].Inputs["skipFinalSnapshot"] = skip
		st.Resources[i].Inputs["finalSnapshotIdentifier"] = finalSnapshot
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.Delete(region, typ, id, ""); err != nil {
		_ = a.locked(func(st *state) error {
			if i := st.find(region, typ, id); i >= 0 {
				st.Resources[i].Inputs = old // refused: the instance is as it was
			}
			return nil
		})
		return err
	}
	return nil
}
