package mockcloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// An Answer is what AWS replies to the creation of one resource type: it
// returns the id AWS assigns and adds the computed outputs the program reads
// (ARNs, ARN suffixes, endpoints, member ids) to r.Out. Values derive from
// the type and logical name only, so two runs give the same bytes.
type Answer func(e Env, r *Request) string

// Env is the account and region a resource is created in, and the hosted
// zones the account has (nil: any zone asked for exists, with a mock id).
type Env struct {
	Region, Account string
	Zones           map[string]string
}

// ARN builds arn:aws:<service>:<region>:<account>:<resource>.
func (e Env) ARN(service, res string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.Region, e.Account, res)
}

// GlobalARN builds an ARN of a global service (IAM, CloudWatch dashboards): no region.
func (e Env) GlobalARN(service, res string) string {
	return fmt.Sprintf("arn:aws:%s::%s:%s", service, e.Account, res)
}

// Request is one registration being answered: its inputs, and the outputs
// built so far (the inputs, as AWS echoes them, plus what the answer adds).
type Request struct {
	Type, Name string
	In, Out    resource.PropertyMap
	// Salt tells apart two resources of one type and logical name that live
	// at once (a replacement created beside its original, in the simulated
	// account): it enters Hash and UUID when set, and changes nothing when empty.
	Salt string
}

// Str returns the input key as a string, or "" when unset or not a known string.
func (r *Request) Str(key string) string {
	v, ok := r.In[resource.PropertyKey(key)]
	for ok && (v.IsSecret() || v.IsOutput()) {
		if v.IsSecret() {
			v = v.SecretValue().Element
		} else {
			v, ok = v.OutputValue().Element, v.OutputValue().Known
		}
	}
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Num returns the input key as an int, or def.
func (r *Request) Num(key string, def int) int {
	if v, ok := r.In[resource.PropertyKey(key)]; ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}

// Bool reports whether the input key is true.
func (r *Request) Bool(key string) bool {
	v, ok := r.In[resource.PropertyKey(key)]
	return ok && v.IsBool() && v.BoolValue()
}

// Physical is the resource's physical name: the named input, or the logical name.
func (r *Request) Physical(key string) string {
	if v := r.Str(key); v != "" {
		return v
	}
	return r.Name
}

// Set adds a computed output.
func (r *Request) Set(key string, v any) {
	r.Out[resource.PropertyKey(key)] = resource.NewPropertyValue(v)
}

// Hash is a deterministic hex string of n characters for this resource.
func (r *Request) Hash(n int) string {
	if r.Salt != "" {
		return HashOf(n, r.Type, r.Name, r.Salt)
	}
	return HashOf(n, r.Type, r.Name)
}

// UUID formats a deterministic UUID for this resource.
func (r *Request) UUID() string {
	h := r.Hash(32)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// HashOf is a deterministic hex string of n characters for the parts.
func HashOf(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:])
	for len(h) < n {
		h += h
	}
	return h[:n]
}
