package stacks

import (
	"github.com/ohmycoins/infra/internal/settings"
)

// The value sets AWS accepts for settings whose rules are not a simple range.
// Each is checked before anything is created, so a preview fails where an apply
// would have failed twenty minutes in.

// ValidLogRetention reports whether CloudWatch Logs accepts a retention in days.
func ValidLogRetention(days int) bool { return settings.ValidLogRetention(days) }

// AWSRegions are the commercial regions, as of 2026-11: a region outside them
// is a typo, and the provider would only fail at the first API call.
var AWSRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
	"eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2",
}

// Redis AUTH token rules (ElastiCache CreateReplicationGroup AuthToken).
const (
	redisAuthTokenMin       = 16
	redisAuthTokenMax       = 128
	redisAuthTokenForbidden = `@"/`
	redisAuthTokenSpecials  = "!&#$^<>-"
	minSecretKeyLength      = 32
	maxNamePrefixLength     = 18 // target group names "<prefix>-frontend-<4 hex>" must fit in 32 characters
)
