package migrate

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// An original and one of this program's resources are the same AWS object
// when their identities match: the values the AWS-type catalog names for the
// type (awstype.Terraform.Identity), by what AWS holds once (a name, an
// identifier, a record's zone and name) or, for the EC2 resources that have
// no name, by their Name tag. Matching goes by these values only, never by a
// Terraform address.

// pulumiTypeOf is the type of this program that a Terraform type becomes,
// with the identity both are matched by; not ok for a type the program has
// no resource of.
func pulumiTypeOf(tfType string) (string, []awstype.Key, bool) {
	e, ok := awstype.ByTerraformType(tfType)
	if !ok {
		return "", nil, false
	}
	return e.Token, e.Terraform.Identity, true
}

// matcher pairs originals with this program's resources by identity.
type matcher struct {
	originals []*original
	ours      []stackplan.Resource
	// byValue finds an original by its id or ARN, ourByValue ours.
	byValue    map[string]*original
	ourByValue map[string]string
	matched    map[string]*original // our URN -> original
}

func newMatcher(originals []*original, plan *stackplan.Plan) *matcher {
	m := &matcher{originals: originals, byValue: map[string]*original{}, ourByValue: map[string]string{}, matched: map[string]*original{}}
	// A value names the resource whose id it is before one that only
	// carries it as its arn (a secret version's arn is its secret's).
	for _, o := range originals {
		if id := o.String("id"); id != "" {
			m.byValue[id] = o
		}
	}
	for _, o := range originals {
		if a := o.ARN(); a != "" && m.byValue[a] == nil {
			m.byValue[a] = o
		}
	}
	for _, r := range plan.Resources {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		m.ours = append(m.ours, r)
		if r.ID != "" {
			m.ourByValue[r.ID] = r.URN
		}
	}
	for _, r := range m.ours {
		if a, ok := r.Outputs["arn"].(string); ok && a != "" && m.ourByValue[a] == "" {
			m.ourByValue[a] = r.URN
		}
	}
	return m
}

// match pairs every original it can. An identity that refers to another
// resource is known once that resource is matched, so it repeats until
// nothing more matches.
func (m *matcher) match() {
	for progress := true; progress; {
		progress = false
		for _, o := range m.originals {
			if o.urn != "" {
				continue
			}
			typ, identity, ok := pulumiTypeOf(o.Type)
			if !ok || len(identity) == 0 {
				continue
			}
			want, ok := m.originalIdentity(o, identity)
			if !ok {
				continue
			}
			var found []stackplan.Resource
			for _, r := range m.ours {
				if r.Type != typ || m.matched[r.URN] != nil {
					continue
				}
				if got, ok := m.ourIdentity(r, identity); ok && got == want {
					found = append(found, r)
				}
			}
			if len(found) == 1 {
				o.urn, o.pulumiType, o.identity = found[0].URN, typ, describe(identity, o)
				m.matched[found[0].URN] = o
				progress = true
			}
		}
	}
}

// originalIdentity is the original's identity as one comparable string; not
// ok while it refers to a resource not matched yet, or a value is missing.
func (m *matcher) originalIdentity(o *original, identity []awstype.Key) (string, bool) {
	parts := make([]string, len(identity))
	for i, k := range identity {
		v := fmt.Sprint(lookup(o.Values, k.Attr))
		if v == "" || v == "<nil>" {
			return "", false
		}
		switch {
		case k.Ref:
			target, ok := m.byValue[v]
			if !ok {
				parts[i] = "=" + v // outside the state: compared as it is
				continue
			}
			if target.urn == "" {
				return "", false
			}
			parts[i] = "@" + target.urn
		case k.DNS:
			parts[i] = "=" + dnsName(v)
		default:
			parts[i] = "=" + v
		}
	}
	return strings.Join(parts, "\x00"), true
}

// ourIdentity is the identity of one of this program's resources.
func (m *matcher) ourIdentity(res stackplan.Resource, identity []awstype.Key) (string, bool) {
	parts := make([]string, len(identity))
	for i, k := range identity {
		v := fmt.Sprint(lookup(res.Inputs, k.Input))
		if v == "" || v == "<nil>" || v == stackplan.Unknown {
			return "", false
		}
		switch {
		case k.Ref:
			if urn, ok := m.ourByValue[v]; ok {
				parts[i] = "@" + urn
			} else {
				parts[i] = "=" + v
			}
		case k.DNS:
			parts[i] = "=" + dnsName(v)
		default:
			parts[i] = "=" + v
		}
	}
	return strings.Join(parts, "\x00"), true
}

// describe says, for the report, what identity an original was matched by.
func describe(identity []awstype.Key, o *original) string {
	parts := make([]string, 0, len(identity))
	for _, k := range identity {
		parts = append(parts, fmt.Sprintf("%s %v", k.Attr, lookup(o.Values, k.Attr)))
	}
	return strings.Join(parts, ", ")
}

func dnsName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// lookup reads a dot-separated path of maps.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[part]
	}
	return v
}
