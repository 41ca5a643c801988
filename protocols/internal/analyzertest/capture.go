package analyzertest

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// A capture file holds the chunks a recording proxy (Proxy, or any other) saw
// cross one connection, in order, one a line: "> hex" from the client, "< hex"
// from the server. Lines starting with # say how it was made.

// ReadCapture reads the capture file at path.
func ReadCapture(t testing.TB, path string) []Step {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []Step
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dir := lab.ClientToServer
		if line[0] == '<' {
			dir = lab.ServerToClient
		}
		b, err := hex.DecodeString(strings.TrimSpace(line[1:]))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		steps = append(steps, Step{dir, string(b)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// WriteCapture writes steps to a capture file at path, about saying how they were made.
func WriteCapture(t testing.TB, path, about string, steps []Step) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", about)
	for _, s := range steps {
		mark := ">"
		if s.Dir == lab.ServerToClient {
			mark = "<"
		}
		fmt.Fprintf(&b, "%s %x\n", mark, s.Data)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
