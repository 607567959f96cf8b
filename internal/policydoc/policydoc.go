// Package policydoc is the one shape of IAM and KMS policy documents the
// components build: Go structs marshalled with encoding/json, never strings
// pieced together, so a document is always valid JSON and tests can parse it
// back into the same types to assert on principals, actions, resources and
// conditions.
package policydoc

import (
	"encoding/json"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the IAM policy language version every document uses.
const Version = "2012-10-17"

// Document is an IAM policy, trust policy or KMS key policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	// NotResource applies a statement to every resource except these: a Deny
	// with it fences a role in whatever else grants it.
	NotResource []string `json:"NotResource,omitempty"`
	// Condition maps an operator (StringEquals, ArnLike, ...) to condition keys and their values.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Principal names who a resource policy or trust policy applies to.
type Principal struct {
	AWS       []string `json:"AWS,omitempty"`
	Service   []string `json:"Service,omitempty"`
	Federated []string `json:"Federated,omitempty"`
}

// Allow is a statement that allows actions on resources.
func Allow(sid string, actions []string, resources ...string) Statement {
	return Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// Deny is a statement that denies actions on resources, whatever else allows them.
func Deny(sid string, actions []string, resources ...string) Statement {
	return Statement{Sid: sid, Effect: "Deny", Action: actions, Resource: resources}
}

// New is a document of the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON renders the document.
func (d Document) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // only strings, slices and maps of strings: cannot fail
	}
	return string(b)
}

// Parse reads a document back, for tests and checks.
func Parse(s string) (Document, error) {
	var d Document
	err := json.Unmarshal([]byte(s), &d)
	return d, err
}

// Output renders a document that needs resource outputs: build is called with
// the resolved values of the inputs, in order, once they are known.
func Output(build func(values []string) Document, inputs ...pulumi.StringInput) pulumi.StringOutput {
	arr := make([]interface{}, len(inputs))
	for i, in := range inputs {
		arr[i] = in
	}
	return pulumi.All(arr...).ApplyT(func(resolved []interface{}) string {
		values := make([]string, len(resolved))
		for i, v := range resolved {
			values[i], _ = v.(string)
		}
		return build(values).JSON()
	}).(pulumi.StringOutput)
}

// DenyInsecureTransport refuses every request to a bucket that is not made over
// TLS (Security Hub S3.5).
func DenyInsecureTransport(bucketARN string) Statement {
	return Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: &Principal{AWS: []string{"*"}},
		Action:    []string{"s3:*"},
		Resource:  []string{bucketARN, bucketARN + "/*"},
		Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// Of renders a document that needs one output, named in build's parameter.
func Of(in pulumi.StringInput, build func(string) Document) pulumi.StringOutput {
	return in.ToStringOutput().ApplyT(func(v string) string { return build(v).JSON() }).(pulumi.StringOutput)
}

// Of2 renders a document that needs two outputs, named in build's parameters.
func Of2(a, b pulumi.StringInput, build func(string, string) Document) pulumi.StringOutput {
	return pulumi.All(a, b).ApplyT(func(v []interface{}) string {
		x, _ := v[0].(string)
		y, _ := v[1].(string)
		return build(x, y).JSON()
	}).(pulumi.StringOutput)
}

// ServiceRole is a role an AWS service assumes on the program's behalf (ECS
// tasks, Step Functions, RDS monitoring): the component that creates it names
// the service, and whoever passes the role may pass it to that service only
// (iam:PassedToService).
type ServiceRole struct {
	Name    string
	Service string
}

// The services the program's roles are passed to.
const (
	ECSTasks      = "ecs-tasks.amazonaws.com"
	StepFunctions = "states.amazonaws.com"
	EventBridge   = "events.amazonaws.com"
	FlowLogs      = "vpc-flow-logs.amazonaws.com"
	RDSMonitoring = "monitoring.rds.amazonaws.com"
	Chatbot       = "chatbot.amazonaws.com"
)
