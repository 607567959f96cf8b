// Package engine runs the real Pulumi engine over the programs: the Pulumi
// CLI that tools/pulumi builds (v3.274.1), with the stand-in plugins of
// internal/standin on PATH, against a simulated AWS account
// (internal/simaws) in a temporary directory. Pulumi itself decides what an
// up, a replacement, a deletion or an import does; only AWS is simulated.
//
// The tests run when OHMYCOINS_ENGINE=1 and OHMYCOINS_PULUMI_CLI names the
// CLI (.ci/run sets both, in a step of its own); otherwise they skip.
package engine
