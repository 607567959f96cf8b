// Command ghsettings checks the GitHub settings the CI identity relies on
// (internal/ghsettings) and exits 1 naming each one that is missing. The
// deploy workflow runs it before any role is assumed:
//
//	GITHUB_TOKEN=... GITHUB_SETTINGS_TOKEN=... go run ./cmd/ghsettings -repository owner/name
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ohmycoins/infra/internal/ghsettings"
)

func main() {
	repository := flag.String("repository", os.Getenv("GITHUB_REPOSITORY"), "the repository, owner/name")
	api := flag.String("api", envOr("GITHUB_API_URL", "https://api.github.com"), "GitHub's REST API")
	flag.Parse()
	if *repository == "" {
		fmt.Fprintln(os.Stderr, "ghsettings: -repository owner/name is required (GITHUB_REPOSITORY in a workflow)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	findings, err := ghsettings.Client{
		BaseURL: *api, Repository: *repository,
		Token: os.Getenv("GITHUB_TOKEN"), AdminToken: os.Getenv("GITHUB_SETTINGS_TOKEN"),
	}.Check(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ghsettings:", err)
		os.Exit(1)
	}
	if len(findings) > 0 {
		fmt.Fprintf(os.Stderr, "%s lacks %d setting(s) the CI identity relies on (docs/RUNBOOK.md, \"CI identity\"):\n", *repository, len(findings))
		for _, f := range findings {
			fmt.Fprintln(os.Stderr, "  "+f)
		}
		os.Exit(1)
	}
	fmt.Printf("%s has every setting the CI identity relies on\n", *repository)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
