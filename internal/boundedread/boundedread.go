// Package boundedread reads the files and streams the commands are given (a
// plan, a Terraform state, an import file, a stack file, stack outputs) with
// a size limit and only from regular files, so that a wrong path such as
// /dev/zero or a named pipe is an error at once instead of a command that
// reads without end or waits forever.
package boundedread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The limits, far above what the repository's own inputs reach (a plan of
// production is under 0.5 MiB, a Terraform state of it under 0.2 MiB).
const (
	// DocumentLimit is for a plan, a Terraform state, an import file or
	// stack outputs.
	DocumentLimit int64 = 64 << 20
	// StackFileLimit is for Pulumi.yaml and Pulumi.<stack>.yaml.
	StackFileLimit int64 = 1 << 20
)

// ErrTooLarge and ErrNotRegular are what the errors of File and Reader wrap.
var (
	ErrTooLarge   = errors.New("larger than the limit")
	ErrNotRegular = errors.New("not a regular file")
)

// File reads path whole when it is a regular file of at most limit bytes.
// what names the input in the error (-diff, the stack file).
func File(path string, limit int64, what string) ([]byte, error) {
	// Stat, unlike Open, does not wait for a named pipe's writer.
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %s is %s, %w: give the path of a file", what, path, kind(info.Mode()), ErrNotRegular)
	}
	if info.Size() > limit {
		return nil, tooLarge(what+" "+path, limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Reader(f, limit, what+" "+path)
}

// Reader reads r to its end when it holds at most limit bytes (standard
// input, a file that grew after File looked at it).
func Reader(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(what, limit)
	}
	return data, nil
}

func tooLarge(what string, limit int64) error {
	return fmt.Errorf("%s is %w of %s: it is not the input this command reads", what, ErrTooLarge, size(limit))
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a regular file"
	}
}
