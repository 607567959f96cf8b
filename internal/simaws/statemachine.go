package simaws

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The account's Step Functions: a state machine that an EventBridge rule
// starts runs its definition (Amazon States Language) against the account:
// Task, Wait, Choice, Pass, Succeed and Fail; JSONPath $, .key and [n];
// States.ArrayLength; the AWS SDK integrations ECS UpdateService and
// DescribeServices (rotation.go). Waits take no time, and the role's
// permissions and the Retry rules are not evaluated.

// execute runs a state machine on an input and records the execution.
func (st *state) execute(settings Settings, region, machineARN string, input any) {
	if st.Executions == nil {
		st.Executions = map[string][]Execution{}
	}
	run := Execution{Name: fmt.Sprintf("rotation-%d", len(st.Executions[machineARN])+1), Started: now(), Status: "SUCCEEDED"}
	if err := st.run(settings, region, machineARN, input); err != nil {
		run.Status, run.Error, run.Cause = "FAILED", "States.TaskFailed", err.Error()
		var refusal *Refusal
		if errors.As(err, &refusal) {
			run.Error, run.Cause = refusal.Code, refusal.Message
		}
	}
	st.Executions[machineARN] = append(st.Executions[machineARN], run)
}

// aslState is the part of a state (Amazon States Language) the account runs.
type aslState struct {
	Type           string          `json:"Type"`
	Resource       string          `json:"Resource"`
	Parameters     map[string]any  `json:"Parameters"`
	ResultSelector map[string]any  `json:"ResultSelector"`
	ResultPath     json.RawMessage `json:"ResultPath"`
	Choices        []aslChoice     `json:"Choices"`
	Default        string          `json:"Default"`
	Next           string          `json:"Next"`
	End            bool            `json:"End"`
	Error          string          `json:"Error"`
	Cause          string          `json:"Cause"`
}

// aslChoice is a rule of a Choice state: a variable and one comparison.
type aslChoice struct {
	Variable           string   `json:"Variable"`
	NumericGreaterThan *float64 `json:"NumericGreaterThan"`
	NumericEquals      *float64 `json:"NumericEquals"`
	NumericLessThan    *float64 `json:"NumericLessThan"`
	StringEquals       *string  `json:"StringEquals"`
	BooleanEquals      *bool    `json:"BooleanEquals"`
	Next               string   `json:"Next"`
}

// run interprets the definition of a state machine.
func (st *state) run(settings Settings, region, machineARN string, input any) error {
	i := slices.IndexFunc(st.Resources, func(r Resource) bool { return r.Type == typeStateMachine && str(r.Outputs["arn"]) == machineARN })
	if i < 0 {
		return &Refusal{"StateMachineDoesNotExist", "State Machine Does Not Exist: '" + machineARN + "'"}
	}
	var definition struct {
		StartAt string              `json:"StartAt"`
		States  map[string]aslState `json:"States"`
	}
	if err := json.Unmarshal([]byte(str(st.Resources[i].Inputs["definition"])), &definition); err != nil {
		return &Refusal{"States.Runtime", "the definition is no JSON: " + err.Error()}
	}
	name := definition.StartAt
	for steps := 0; ; steps++ {
		if steps > 1000 {
			return &Refusal{"States.Runtime", "more than 1000 transitions: the stand-in's deployments are over at once, so a loop this long never ends"}
		}
		s, ok := definition.States[name]
		if !ok {
			return &Refusal{"States.Runtime", "no state " + name}
		}
		switch s.Type {
		case "Task":
			params, err := resolve(s.Parameters, input)
			if err != nil {
				return err
			}
			result, err := st.call(settings, region, s.Resource, params.(map[string]any))
			if err != nil {
				return err
			}
			if s.ResultSelector != nil {
				if result, err = resolve(s.ResultSelector, result); err != nil {
					return err
				}
			}
			if input, err = place(input, s.ResultPath, result); err != nil {
				return err
			}
		case "Wait", "Pass":
		case "Choice":
			next, err := choose(s, input)
			if err != nil {
				return err
			}
			name = next
			continue
		case "Succeed":
			return nil
		case "Fail":
			return &Refusal{s.Error, s.Cause}
		default:
			return &Refusal{"States.Runtime", "the stand-in does not run states of type " + s.Type}
		}
		if s.End {
			return nil
		}
		name = s.Next
	}
}

// call makes an AWS SDK integration's call.
func (st *state) call(settings Settings, region, resource string, params map[string]any) (any, error) {
	switch resource {
	case "arn:aws:states:::aws-sdk:ecs:updateService":
		return st.updateService(settings, region, params)
	case "arn:aws:states:::aws-sdk:ecs:describeServices":
		return st.describeServices(region, params)
	}
	return nil, &Refusal{"States.Runtime", "the stand-in does not call " + resource}
}

// resolve fills a Parameters or ResultSelector template from a document:
// a field whose name ends in ".$" takes the value of its path (or of
// States.ArrayLength(path)).
func resolve(template any, doc any) (any, error) {
	switch t := template.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, v := range t {
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				value, err := evaluate(str(v), doc)
				if err != nil {
					return nil, err
				}
				out[name] = value
				continue
			}
			value, err := resolve(v, doc)
			if err != nil {
				return nil, err
			}
			out[k] = value
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			value, err := resolve(v, doc)
			if err != nil {
				return nil, err
			}
			out[i] = value
		}
		return out, nil
	}
	return template, nil
}

// evaluate is a path or the intrinsic function States.ArrayLength of one.
func evaluate(expression string, doc any) (any, error) {
	if inner, ok := strings.CutPrefix(expression, "States.ArrayLength("); ok {
		value, err := path(strings.TrimSuffix(inner, ")"), doc)
		if err != nil {
			return nil, err
		}
		list, ok := value.([]any)
		if !ok {
			return nil, &Refusal{"States.IntrinsicFailure", expression + ": not an array"}
		}
		return float64(len(list)), nil
	}
	return path(expression, doc)
}

// path reads a JSONPath of the forms $, $.a.b and $.a[0].b.
func path(p string, doc any) (any, error) {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok {
		return nil, &Refusal{"States.Runtime", "not a path: " + p}
	}
	value := doc
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			m, ok := value.(map[string]any)
			if !ok {
				return nil, &Refusal{"States.Runtime", "path " + p + ": no object at " + rest}
			}
			if value, ok = m[rest[:end]]; !ok {
				return nil, &Refusal{"States.Runtime", "path " + p + ": no field " + rest[:end]}
			}
			rest = rest[end:]
		case strings.HasPrefix(rest, "["):
			end := strings.Index(rest, "]")
			var n int
			if _, err := fmt.Sscan(rest[1:max(end, 1)], &n); err != nil || end < 0 {
				return nil, &Refusal{"States.Runtime", "path " + p + ": bad index"}
			}
			list, ok := value.([]any)
			if !ok || n >= len(list) {
				return nil, &Refusal{"States.Runtime", "path " + p + ": no element " + rest[:end+1]}
			}
			value, rest = list[n], rest[end+1:]
		default:
			return nil, &Refusal{"States.Runtime", "path " + p + ": unexpected " + rest}
		}
	}
	return value, nil
}

// place puts a task's result into its input by the state's ResultPath:
// absent, the result replaces the input; null, it is discarded; $.name, it
// becomes that field.
func place(input any, resultPath json.RawMessage, result any) (any, error) {
	switch raw := strings.TrimSpace(string(resultPath)); raw {
	case "", `"$"`:
		return result, nil
	case "null":
		return input, nil
	default:
		var p string
		if err := json.Unmarshal(resultPath, &p); err != nil {
			return nil, &Refusal{"States.Runtime", "ResultPath " + raw}
		}
		field, ok := strings.CutPrefix(p, "$.")
		if !ok || strings.ContainsAny(field, ".[") {
			return nil, &Refusal{"States.Runtime", "the stand-in places results in one top-level field, not " + p}
		}
		m, _ := input.(map[string]any)
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		out[field] = result
		return out, nil
	}
}

// choose picks a Choice state's next state.
func choose(s aslState, input any) (string, error) {
	for _, c := range s.Choices {
		value, err := path(c.Variable, input)
		if err != nil {
			return "", err
		}
		n, isNumber := value.(float64)
		text, isText := value.(string)
		b, isBool := value.(bool)
		switch {
		case c.NumericGreaterThan != nil && isNumber && n > *c.NumericGreaterThan,
			c.NumericEquals != nil && isNumber && n == *c.NumericEquals,
			c.NumericLessThan != nil && isNumber && n < *c.NumericLessThan,
			c.StringEquals != nil && isText && text == *c.StringEquals,
			c.BooleanEquals != nil && isBool && b == *c.BooleanEquals:
			return c.Next, nil
		}
	}
	if s.Default == "" {
		return "", &Refusal{"States.NoChoiceMatched", "no choice matched and there is no Default"}
	}
	return s.Default, nil
}
