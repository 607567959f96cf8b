package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// statements reads the inline role policies' statements.
func (p Plan) statements() []struct {
	policy string
	s      policydoc.Statement
} {
	var out []struct {
		policy string
		s      policydoc.Statement
	}
	for _, r := range p.OfType(tRolePolicy) {
		doc, err := policydoc.Parse(str(in(r, "policy")))
		if err != nil {
			continue
		}
		for _, s := range doc.Statement {
			out = append(out, struct {
				policy string
				s      policydoc.Statement
			}{r.Name, s})
		}
	}
	return out
}

func iamNoFullAdmin(p Plan) []Violation {
	var out []Violation
	for _, st := range p.statements() {
		if st.s.Effect == "Allow" && (slices.Contains(st.s.Action, "*") || slices.Contains(st.s.Action, "*:*")) {
			out = append(out, Violation{Resource: st.policy, Message: st.s.Sid + " allows every action"})
		}
	}
	return out
}

// noResourceLevel are actions AWS offers no resource-level permission for.
var noResourceLevel = []string{"ssmmessages:"}

func iamScopedWildcards(p Plan) []Violation {
	var out []Violation
	for _, st := range p.statements() {
		if st.s.Effect != "Allow" || !slices.Contains(st.s.Resource, "*") {
			continue
		}
		if len(st.s.Condition["StringEquals"]["aws:RequestedRegion"]) > 0 {
			continue
		}
		for _, a := range st.s.Action {
			if !hasPrefixAny(a, noResourceLevel...) {
				out = append(out, Violation{Resource: st.policy, Message: fmt.Sprintf("%s allows %s on every resource in every region", st.s.Sid, a)})
			}
		}
	}
	return out
}

func iamPassRoleScoped(p Plan) []Violation {
	var out []Violation
	for _, st := range p.statements() {
		if st.s.Effect != "Allow" || !(slices.Contains(st.s.Action, "iam:PassRole") || slices.Contains(st.s.Action, "iam:*")) {
			continue
		}
		for _, r := range st.s.Resource {
			if strings.Contains(r, "*") {
				out = append(out, Violation{Resource: st.policy, Message: st.s.Sid + " passes roles matching " + r})
			}
		}
	}
	return out
}

func iamTrustExact(p Plan) []Violation {
	return p.each(tRole, func(r stackplan.Resource) []string {
		doc, err := policydoc.Parse(str(in(r, "assumeRolePolicy")))
		if err != nil {
			return []string{"the trust policy does not parse"}
		}
		var out []string
		for _, s := range doc.Statement {
			if s.Principal == nil {
				out = append(out, s.Sid+": no principal")
				continue
			}
			if slices.Contains(s.Principal.AWS, "*") {
				out = append(out, s.Sid+": any AWS principal may assume the role")
			}
			if len(s.Principal.Federated) > 0 {
				subjects := s.Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]
				audiences := s.Condition["StringEquals"]["token.actions.githubusercontent.com:aud"]
				if len(subjects) == 0 || len(audiences) == 0 || len(s.Condition["StringLike"]) > 0 {
					out = append(out, s.Sid+": a web identity without an exact subject and audience")
				}
				for _, sub := range subjects {
					if strings.Contains(sub, "*") {
						out = append(out, s.Sid+": subject "+sub+" has a wildcard")
					}
				}
			}
		}
		return out
	})
}
