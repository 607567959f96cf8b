package previewcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// adoption prints what `pulumi import` of the original Terraform environment
// and the first `pulumi up` after it would do: the adopted resources as
// "= import", and what the update then changes or replaces. Exit codes as
// Main's: 2 for a state or import file that is not one of this stack.
func adoption(dir, stack, statePath, importPath string, asJSON, check bool, stdout, stderr io.Writer) int {
	data, err := boundedread.File(statePath, boundedread.DocumentLimit, "-terraform-state")
	if err != nil {
		fmt.Fprintf(stderr, "preview: %v\n", withFlag("-terraform-state", statePath, err))
		return 2
	}
	state, err := tfstate.Parse(statePath, data)
	if err != nil {
		return failed(stderr, err)
	}
	opts := migrate.Options{Dir: dir, Stack: stack, State: state, StateName: statePath}
	if importPath != "" {
		urns, err := importedURNs(dir, stack, importPath)
		if err != nil {
			return failed(stderr, err)
		}
		opts.Adopt = urns
	}
	result, err := migrate.Run(opts)
	if err != nil {
		return failed(stderr, err)
	}
	return writeDiff(result.Diff, asJSON, check, stdout, stderr, " after the import")
}

// importedURNs are the URNs an import file's resources get in the stack.
func importedURNs(dir, stack, path string) ([]string, error) {
	data, err := boundedread.File(path, boundedread.DocumentLimit, "-import")
	if err != nil {
		return nil, tfstate.NewInputError(withFlag("-import", path, err).Error())
	}
	var file migrate.ImportFile
	if err := json.Unmarshal(data, &file); err != nil || len(file.Resources) == 0 {
		return nil, tfstate.NewInputError(fmt.Sprintf("-import %s is not a pulumi import file with resources (cmd/migrate writes one)", path))
	}
	result, err := preview.Preview(preview.Options{Dir: dir, Stack: stack})
	if err != nil {
		return nil, err
	}
	return file.URNs(result.Plan), nil
}

// failed reports an error: 2 for input that is not the stack's, 1 otherwise.
func failed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "preview: %v\n", err)
	var input *tfstate.InputError
	if errors.As(err, &input) {
		return 2
	}
	return 1
}

// withFlag names the flag and the path in a read error that does not name
// them yet (a missing file's), and leaves the bounded reads' own as they are.
func withFlag(flag, path string, err error) error {
	if errors.Is(err, boundedread.ErrTooLarge) || errors.Is(err, boundedread.ErrNotRegular) {
		return err
	}
	return fmt.Errorf("%s %s: %w", flag, path, err)
}
