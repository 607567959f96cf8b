package boundedread

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFileReadsOnlyRegularFilesWithinTheLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "plan.json")
	require.NoError(t, os.WriteFile(small, []byte(`{"resources": []}`), 0o644))
	data, err := File(small, 100, "-diff")
	require.NoError(t, err)
	require.Equal(t, `{"resources": []}`, string(data))

	_, err = File(small, 10, "-diff")
	require.ErrorIs(t, err, ErrTooLarge)
	require.EqualError(t, err, "-diff "+small+" is larger than the limit of 10 bytes: it is not the input this command reads")

	_, err = File("/dev/zero", DocumentLimit, "-terraform-state")
	require.ErrorIs(t, err, ErrNotRegular)
	require.EqualError(t, err, "-terraform-state /dev/zero is a device, not a regular file: give the path of a file")

	_, err = File(dir, DocumentLimit, "-import")
	require.EqualError(t, err, "-import "+dir+" is a directory, not a regular file: give the path of a file")

	pipe := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	_, err = File(pipe, DocumentLimit, "-outputs")
	require.EqualError(t, err, "-outputs "+pipe+" is a named pipe, not a regular file: give the path of a file", "no writer: Open would wait forever")

	_, err = File(filepath.Join(dir, "missing.json"), DocumentLimit, "-diff")
	require.True(t, errors.Is(err, os.ErrNotExist))
}

func TestReaderStopsAtTheLimit(t *testing.T) {
	t.Parallel()
	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	_, err = Reader(zero, 1<<20, "standard input")
	require.EqualError(t, err, "standard input is larger than the limit of 1 MiB: it is not the input this command reads")

	data, err := Reader(strings.NewReader("exactly10!"), 10, "standard input")
	require.NoError(t, err)
	require.Equal(t, "exactly10!", string(data))
}
