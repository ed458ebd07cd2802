package closecode

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the generated files")

// checkGenerated compares the file at path with want, or rewrites it with -update.
func checkGenerated(t *testing.T, path, want string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "%s is generated: go test ./internal/closecode -update", path)
	assert.Equal(t, want, string(got), "%s is out of date: go test ./internal/closecode -update", path)
}

func TestDocsPage(t *testing.T) {
	checkGenerated(t, "../../docs/close-codes.md", Markdown())
}

func TestTable(t *testing.T) {
	codes := make([]uint16, 0, len(Table))
	for _, in := range Table {
		codes = append(codes, in.Code)
		assert.NotEmpty(t, in.Name, "%d", in.Code)
		assert.NotEmpty(t, in.Constant, "%d", in.Code)
		got, ok := Lookup(in.Code)
		assert.True(t, ok)
		assert.Equal(t, in, got)
	}
	assert.True(t, slices.IsSorted(codes), "the table is in ascending order")
	assert.Len(t, slices.Compact(codes), len(Table), "no code twice")
	_, ok := Lookup(4321)
	assert.False(t, ok, "an application's own code is not in the table")
}

func TestSummary(t *testing.T) {
	s := Summary()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	require.Len(t, lines, len(Table)+2, "a header, a rule and one row per code")
	for i, in := range Table {
		row := lines[i+2]
		assert.True(t, strings.HasPrefix(row, fmt.Sprintf("| %d | `%s` | ", in.Code, in.Constant)), "row %d: %s", in.Code, row)
		assert.Equal(t, in.Retry, strings.Contains(row, "| yes"), "row %d: reconnect column", in.Code)
		assert.Equal(t, in.Reported, strings.Contains(row, "never sent"), "row %d: reported-only note", in.Code)
	}
}
