package redis

import (
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// tsharkFields are what Wireshark's RESP dissector and the analyzer are
// compared on, in order: simple strings, errors, integers, bulk strings'
// values (in hex) and arrays' lengths.
var tsharkFields = []string{"resp.string", "resp.error", "resp.integer", "resp.bulk_string.value", "resp.array.length"}

// TestWireshark reads the RESP2 captures in testdata with Wireshark's RESP
// dissector (text2pcap makes a capture file of each, tshark dissects them all
// at once) and checks that both read the same values of each type in the same
// order. Wireshark 4.0's dissector reads RESP2 only, and no inline commands.
func TestWireshark(t *testing.T) {
	if testing.Short() {
		t.Skip("tshark takes seconds")
	}
	for _, tool := range []string{"tshark", "text2pcap", "mergecap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	files := []string{"goredis-resp2.txt", "goredis-resp2-pipeline.txt", "subscriber.txt"}
	var convs [][]analyzertest.Step
	var want [][]([]string)
	for _, f := range files {
		steps := capture(t, f)
		convs = append(convs, steps)
		w := make([][]string, len(tsharkFields))
		for _, m := range analyzertest.Feed(NewAnalyzer(), steps, 0) {
			if len(m.Raw) == 0 {
				continue
			}
			nd, _, err := parseValue(m.Raw, 0, 0)
			if err != nil {
				t.Fatalf("%s: %q: %v", f, m.Summary, err)
			}
			collect(w, &nd, m.Raw)
		}
		want = append(want, w)
	}
	got := tshark(t, convs)
	for i, f := range files {
		if len(got[i][3]) == 0 || len(got[i][4]) == 0 {
			t.Errorf("%s: Wireshark reads no bulk strings or arrays: %q", f, got[i])
		}
		for j, what := range tsharkFields {
			if !slices.Equal(got[i][j], want[i][j]) {
				t.Errorf("%s: Wireshark reads the %s\n%q, the analyzer\n%q", f, what, got[i][j], want[i][j])
			}
		}
	}
}

// collect adds nd's values to w, by tsharkFields, in the order Wireshark shows them.
func collect(w [][]string, nd *node, frame []byte) {
	v := string(nd.val(frame))
	switch nd.typ {
	case '+':
		w[0] = append(w[0], v)
	case '-':
		w[1] = append(w[1], v)
	case ':':
		w[2] = append(w[2], v)
	case '$':
		if nd.n > 0 {
			w[3] = append(w[3], fmt.Sprintf("%x", v))
		}
	case '*':
		w[4] = append(w[4], strconv.Itoa(nd.n))
		for i := range nd.kids {
			collect(w, &nd.kids[i], frame)
		}
	}
}

// tshark dissects each of convs as a RESP connection to port 6379 and
// returns for each the values of tsharkFields Wireshark reads, in order.
func tshark(t *testing.T, convs [][]analyzertest.Step) [][][]string {
	pcap := analyzertest.Pcap(t, convs, 6379)
	args := []string{"-r", pcap, "-Y", "resp", "-T", "fields", "-E", "aggregator=^", "-e", "tcp.stream"}
	for _, f := range tsharkFields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	got := make([][][]string, len(convs))
	for i := range got {
		got[i] = make([][]string, len(tsharkFields))
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		cols := strings.Split(line, "\t")
		n, err := strconv.Atoi(cols[0])
		if err != nil || n >= len(got) {
			t.Fatalf("tshark: %q", line)
		}
		for i, col := range cols[1:] {
			if col != "" && i < len(tsharkFields) {
				got[n][i] = append(got[n][i], strings.Split(col, "^")...)
			}
		}
	}
	return got
}
