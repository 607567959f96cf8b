// Package physicalname derives the AWS names of resources that AWS cannot hold
// twice at once: security groups, target groups, final snapshots. Pulumi
// replaces a resource by creating the new one before deleting the old; with a
// fixed name that create fails ("already exists"). A name that carries a digest
// of every input that forces a replacement changes exactly when the resource is
// replaced, so the replacement can be created beside the resource it replaces,
// and stays the same, with no diff, as long as it is not.
package physicalname

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// digest is n hex digits of a digest over the parts, in order; n is 1-64.
func digest(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:n]
}

// Unique is base-<n hex digits of the digest of the forcing inputs>: the name
// of a resource whose forcing inputs are the given values.
func Unique(base string, n int, forcing ...string) string {
	return base + "-" + digest(n, forcing...)
}
