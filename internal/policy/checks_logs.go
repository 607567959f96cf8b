package policy

import (
	"strings"

	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// logsCovered checks, across components, that every log group encrypted with
// a key of the stack is one that key's policy lets CloudWatch Logs use, and
// one the stack's deploy role may manage: the log groups are named in their
// components, the patterns that must cover them in the key and the role, and
// a rename in one place would otherwise show only when pulumi up fails.
func logsCovered(p Plan) []Violation {
	var deploy []policydoc.Document
	for _, r := range p.OfType(tPolicy) {
		if strings.HasSuffix(r.Name, "-github-deploy-services") {
			if doc, err := policydoc.Parse(str(in(r, "policy"))); err == nil {
				deploy = append(deploy, doc)
			}
		}
	}
	return p.each(tLogGroup, func(r stackplan.Resource) []string {
		keyARN := str(in(r, "kmsKeyId"))
		if keyARN == "" {
			return nil
		}
		name := str(in(r, "name"))
		arn := str(out(r, "arn"))
		if arn == "" {
			return nil
		}
		groupARN := strings.TrimSuffix(arn, ":*")
		var problems []string
		key, ok := p.keyByARN(keyARN)
		if !ok {
			return []string{"encrypted with " + keyARN + ", which is not a key of this stack"}
		}
		doc, err := policydoc.Parse(str(in(key, "policy")))
		if err != nil || !logsMayUse(doc, groupARN) {
			problems = append(problems, "the key "+key.Name+"'s policy does not let CloudWatch Logs encrypt "+name+": its kms:EncryptionContext:aws:logs:arn patterns do not cover "+groupARN)
		}
		if len(deploy) > 0 && iamsim.Evaluate(iamsim.Request{Action: "logs:PutRetentionPolicy", Resource: groupARN}, deploy...) != iamsim.Allowed {
			problems = append(problems, "the deploy role may not manage "+name+" ("+groupARN+"): its Logs statement does not cover it")
		}
		return problems
	})
}

// keyByARN finds a KMS key of the plan by its ARN.
func (p Plan) keyByARN(arn string) (stackplan.Resource, bool) {
	for _, k := range p.OfType(tKey) {
		if str(out(k, "arn")) == arn {
			return k, true
		}
	}
	return stackplan.Resource{}, false
}

// logsMayUse reports whether a key policy lets CloudWatch Logs use the key
// for the log group.
func logsMayUse(doc policydoc.Document, groupARN string) bool {
	for _, s := range doc.Statement {
		if s.Principal == nil || len(s.Principal.Service) == 0 || !strings.HasPrefix(s.Principal.Service[0], "logs.") {
			continue
		}
		req := iamsim.Request{Action: "kms:GenerateDataKey", Resource: "*",
			Context: map[string][]string{"kms:EncryptionContext:aws:logs:arn": {groupARN}}}
		if iamsim.Evaluate(req, policydoc.New(s)) == iamsim.Allowed {
			return true
		}
	}
	return false
}

// out reads an output of a resource.
func out(r stackplan.Resource, key string) any { return r.Outputs[key] }
