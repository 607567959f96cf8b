package awscli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
)

// CraneMain is the stand-in for crane (go-containerregistry) in rehearsals:
// `crane copy SRC DST` between repositories of the simulated account's ECR,
// keeping the digest as crane does. Any other registry or subcommand is an
// error that names it.
func CraneMain(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || args[0] != "copy" || len(args) != 3 {
		fmt.Fprintf(stderr, "crane %s: the rehearsal's crane stand-in knows only crane copy SRC DST\n", strings.Join(args, " "))
		return 1
	}
	dir := os.Getenv(simprovider.AccountEnv)
	if dir == "" {
		fmt.Fprintf(stderr, "crane (the rehearsal's stand-in): %s is not set: it acts only on a simulated account\n", simprovider.AccountEnv)
		return 1
	}
	account, err := simaws.Open(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	settings, err := account.Settings()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	src, err := parseRef(settings.ID, args[1])
	if err == nil {
		var dst ref
		if dst, err = parseRef(settings.ID, args[2]); err == nil {
			err = craneCopy(account, src, dst)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "Copying from %s to %s\n", args[1], args[2])
	return 0
}

// ref is an image reference in the account's ECR: by digest or by tag.
type ref struct {
	region, repo, digest, tag string
}

func parseRef(accountID, s string) (ref, error) {
	host, path, ok := strings.Cut(s, "/")
	region, isECR := strings.CutSuffix(strings.TrimPrefix(host, accountID+".dkr.ecr."), ".amazonaws.com")
	if !ok || !isECR || !strings.HasPrefix(host, accountID+".dkr.ecr.") {
		return ref{}, fmt.Errorf("%s: the rehearsal's crane reaches only the simulated account's registry, %s.dkr.ecr.<region>.amazonaws.com", s, accountID)
	}
	if repo, digest, ok := strings.Cut(path, "@"); ok {
		return ref{region: region, repo: repo, digest: digest}, nil
	}
	repo, tag, _ := strings.Cut(path, ":")
	if tag == "" {
		tag = "latest"
	}
	return ref{region: region, repo: repo, tag: tag}, nil
}

// craneCopy copies an image: the source must be in its repository; the
// destination repository gets the same digest, under its tag if it has one.
func craneCopy(account *simaws.Account, src, dst ref) error {
	images, err := account.Images(src.region, src.repo)
	if err != nil {
		return err
	}
	digest := ""
	for _, im := range images {
		if src.digest != "" && im.Digest == src.digest || src.tag != "" && slices.Contains(im.Tags, src.tag) {
			digest = im.Digest
		}
	}
	if digest == "" {
		return fmt.Errorf("GET %s: MANIFEST_UNKNOWN: Requested image not found", src.repo+"@"+src.digest+src.tag)
	}
	if dst.digest != "" && dst.digest != digest {
		return fmt.Errorf("%s: the destination's digest is not the source's", dst.repo)
	}
	var tags []string
	if dst.tag != "" {
		tags = append(tags, dst.tag)
	}
	return account.PushImage(dst.region, dst.repo, digest, tags...)
}
