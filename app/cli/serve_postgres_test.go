package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestServeOnlyDatabases: `serve --only postgres,redis` prints a listening
// line for each, in the rail's order, and psql runs a query on the first.
func TestServeOnlyDatabases(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed (Debian package postgresql-client)")
	}
	tempLabDirs(t)
	r := startServe(t, "--only", "postgres,redis", "--json", "--port", "postgres=0,redis=0")
	addrs := map[string]string{}
	var order []string
	for range 2 {
		var rec lab.Record
		l := r.next(t)
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		if want := `{"event":"listening","protocol":"` + rec.Protocol + `","addr":"` + rec.Addr + `"}`; l != want {
			t.Errorf("listening line = %s, want %s", l, want)
		}
		addrs[rec.Protocol] = rec.Addr
		order = append(order, rec.Protocol)
	}
	if got := strings.Join(order, ","); got != "postgres,redis" {
		t.Errorf("listening lines for %s, want postgres,redis", got)
	}
	host, port, err := net.SplitHostPort(addrs["postgres"])
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(psql, fmt.Sprintf("host=%s port=%s user=lab password=lab dbname=lab sslmode=disable", host, port),
		"-At", "-c", "SELECT code FROM courses ORDER BY id LIMIT 1").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "NET101" {
		t.Errorf("psql: %v: %s", err, out)
	}
}
