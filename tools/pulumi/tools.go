//go:build tools

// Package tools pins the real Pulumi CLI, v3.274.1, which .ci/run builds from
// the Go module proxy (go build -C tools/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
// for the doc test: every offline-runnable pulumi config, stack and login
// command of README.md and docs/RUNBOOK.md runs against it.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
