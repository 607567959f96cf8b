package migrate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Terraform names attributes in snake_case, Pulumi in camelCase, and Pulumi
// makes a list's name plural and a one-element block an object. The values of
// an original are read into this program's shape with its own plan as the
// example: only what the program sets is compared, under the names it uses.

// freeForm are maps whose keys are data, not attribute names.
var freeForm = map[string]bool{"tags": true, "tagsAll": true, "dimensions": true}

func snake(camel string) string {
	var b strings.Builder
	for i, r := range camel {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// attrFor finds the Terraform attribute of a Pulumi input in an object.
func attrFor(tfType, input string, object map[string]any) (string, bool) {
	var renamed string
	if e, ok := awstype.ByTerraformType(tfType); ok {
		renamed = e.Terraform.Renamed[input]
	}
	candidates := []string{renamed, input, snake(input)}
	s := snake(input)
	switch {
	case strings.HasSuffix(s, "ies"):
		candidates = append(candidates, strings.TrimSuffix(s, "ies")+"y")
	case strings.HasSuffix(s, "es"):
		candidates = append(candidates, strings.TrimSuffix(s, "es"), strings.TrimSuffix(s, "s"))
	case strings.HasSuffix(s, "s"):
		candidates = append(candidates, strings.TrimSuffix(s, "s"))
	}
	for _, c := range candidates {
		if _, ok := object[c]; ok && c != "" {
			return c, true
		}
	}
	return "", false
}

// shaped reads the original's values as this program's inputs (or outputs):
// the keys of example, from the Terraform values, shaped like example's
// values. Keys the original lacks are left out; sensitive ones are not read.
func shaped(tfType string, values map[string]any, sensitive map[string]bool, example map[string]any) map[string]any {
	out := map[string]any{}
	for input, ex := range example {
		attr, ok := attrFor(tfType, input, values)
		if !ok || sensitive[attr] || values[attr] == nil {
			continue
		}
		if freeForm[input] {
			out[input] = values[attr]
			continue
		}
		if v, ok := shape(tfType, values[attr], ex); ok {
			out[input] = v
		}
	}
	return out
}

// shape converts one Terraform value to the shape of the example.
func shape(tfType string, v, example any) (any, bool) {
	switch ex := example.(type) {
	case map[string]any:
		if list, ok := v.([]any); ok { // a block of at most one element
			if len(list) == 0 {
				return nil, false
			}
			v = list[0]
		}
		object, ok := v.(map[string]any)
		if !ok {
			return v, true
		}
		return shaped(tfType, object, nil, ex), true
	case []any:
		list, ok := v.([]any)
		if !ok {
			return v, true
		}
		if len(ex) > 0 {
			if _, ok := ex[0].(map[string]any); ok {
				union := map[string]any{}
				for _, e := range ex {
					if m, ok := e.(map[string]any); ok {
						for k, x := range m {
							union[k] = x
						}
					}
				}
				out := make([]any, 0, len(list))
				for _, item := range list {
					if m, ok := item.(map[string]any); ok {
						out = append(out, shaped(tfType, m, nil, union))
					} else {
						out = append(out, item)
					}
				}
				return out, true
			}
		}
		return sameSetInExampleOrder(list, ex), true
	case float64:
		if s, ok := v.(string); ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f, true
			}
		}
	case bool:
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(s); err == nil {
				return b, true
			}
		}
	case string:
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), true
		case string:
			if ex != x && sameJSON(ex, x) {
				return ex, true // the same document, written another way
			}
		}
	}
	return v, true
}

// sameSetInExampleOrder returns list in the example's order when both hold
// the same scalars: Terraform keeps sets in an order of its own.
func sameSetInExampleOrder(list, example []any) []any {
	key := func(l []any) []string {
		out := make([]string, len(l))
		for i, x := range l {
			out[i] = fmt.Sprint(x)
		}
		sort.Strings(out)
		return out
	}
	if slices.Equal(key(list), key(example)) {
		return example
	}
	return list
}

// sameJSON reports whether two strings are the same JSON document.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	switch x.(type) {
	case map[string]any, []any:
		return reflect.DeepEqual(x, y)
	}
	return false
}

// importID is the id `pulumi import` takes for a type, in the form the
// pulumi-aws documentation gives (the catalog's Terraform.ImportID).
func importID(pulumiType string, o *original) string {
	e, _ := awstype.Lookup(pulumiType)
	if e.Terraform.ImportID == nil {
		return o.String("id")
	}
	return e.Terraform.ImportID(o.String)
}

// isSecret reports a value the plan shows as a secret.
func isSecret(v any) bool { return v == stackplan.Secret }
