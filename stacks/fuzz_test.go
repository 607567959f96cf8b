package stacks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/stacks"
)

// loadWith loads a real stack file's config with one key replaced, and checks
// the properties every outcome must have: no panic; an error is a
// ValidationError whose every line names a key of the ohmycoins namespace; a
// success validates again to nothing.
func loadWith(t *testing.T, stack, key, value string) {
	cfg, err := preview.ReadStackConfig("..", stack)
	require.NoError(t, err)
	values := map[string]string{}
	for k, v := range cfg.Values {
		values[k] = v
	}
	values[key] = value
	s, err := stacks.LoadFromMap(stack, values, cfg.SecretKeys)
	if err == nil {
		require.NoError(t, s.Validate())
		return
	}
	var verr *stacks.ValidationError
	require.True(t, errors.As(err, &verr), "want a ValidationError, got %v", err)
	require.NotEmpty(t, verr.Problems)
	for _, line := range verr.Problems {
		require.True(t, strings.HasPrefix(line, stacks.Project+":"), "%q names no key", line)
	}
}

// FuzzStackConfigValue replaces any key of a stack file with any value.
// Seeds: every key and value of both stack files.
func FuzzStackConfigValue(f *testing.F) {
	for _, stack := range []string{"staging", "production"} {
		cfg, err := preview.ReadStackConfig("..", stack)
		require.NoError(f, err)
		for _, k := range cfg.Keys() {
			f.Add(stack == "production", k, cfg.Values[k])
		}
	}
	f.Fuzz(func(t *testing.T, production bool, key, value string) {
		stack := "staging"
		if production {
			stack = "production"
		}
		loadWith(t, stack, key, value)
	})
}

// FuzzStructuredArea feeds any JSON to each structured config key. Seeds: the
// stack files' objects and a few shapes that once needed care (nested
// objects, wrong types, null).
func FuzzStructuredArea(f *testing.F) {
	areas := []string{}
	for _, k := range stacks.ConfigKeys() {
		areas = append(areas, stacks.Project+":"+k)
	}
	for _, seed := range []string{
		`{"allocatedStorage": 30}`, `{"autoscaling": {"minCount": 3, "maxCount": 1}}`, `{"waivers": {"RDS.5": ""}}`,
		`{"vpcCidr": "10.0.0.0/8", "availabilityZones": []}`, `null`, `[]`, `{"image": 5}`, `{"build": {"context": ""}}`,
		`{"nodes": -1, "multiAz": true}`, `"text"`, `{"appSubnetCidrs": ["10.0.11.0/24", null]}`,
	} {
		for i := range areas {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, area uint8, value string) {
		loadWith(t, "production", areas[int(area)%len(areas)], value)
	})
}
