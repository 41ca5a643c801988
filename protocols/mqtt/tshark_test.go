package mqtt

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestWireshark reads the captures in testdata with Wireshark's MQTT
// dissector (text2pcap makes a capture file of each, tshark dissects them all
// at once) and checks that both read the same packet types, topics and
// filters, and packet identifiers, in the same order.
func TestWireshark(t *testing.T) {
	if testing.Short() {
		t.Skip("tshark takes seconds")
	}
	for _, tool := range []string{"tshark", "text2pcap", "mergecap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	var convs [][]analyzertest.Step
	var want [][3][]string
	for _, tt := range captureTests {
		steps := capture(t, tt.file)
		convs = append(convs, steps)
		var w [3][]string // packet types, topics, packet identifiers
		for _, m := range analyzertest.Feed(NewAnalyzer(), steps, 0) {
			w[0] = append(w[0], strconv.Itoa(int(m.Raw[0]>>4)))
			for _, f := range m.Fields {
				switch {
				case f.Name == "topic name" || strings.HasPrefix(f.Name, "topic filter") && !strings.HasSuffix(f.Name, "length"):
					w[1] = append(w[1], string(f.Bytes(m.Raw)))
				case f.Name == "packet identifier":
					w[2] = append(w[2], f.Value)
				}
			}
		}
		want = append(want, w)
	}
	got := tshark(t, convs)
	for i, tt := range captureTests {
		for j, what := range []string{"packet types", "topics", "packet identifiers"} {
			if !slices.Equal(got[i][j], want[i][j]) {
				t.Errorf("%s: Wireshark reads the %s\n%q, the analyzer\n%q", tt.file, what, got[i][j], want[i][j])
			}
		}
	}
}

// tshark dissects each of convs as an MQTT connection to port 1883 and
// returns for each, in order, the packet types, the topics (of PUBLISH,
// SUBSCRIBE and UNSUBSCRIBE) and the packet identifiers Wireshark reads.
func tshark(t *testing.T, convs [][]analyzertest.Step) [][3][]string {
	pcap := analyzertest.Pcap(t, convs, 1883)
	out, err := exec.Command("tshark", "-r", pcap, "-Y", "mqtt", "-T", "fields",
		"-e", "tcp.stream", "-e", "mqtt.msgtype", "-e", "mqtt.topic", "-e", "mqtt.msgid").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	got := make([][3][]string, len(convs))
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		cols := strings.Split(line, "\t")
		n, err := strconv.Atoi(cols[0])
		if err != nil || n >= len(got) {
			t.Fatalf("tshark: %q", line)
		}
		for i, col := range cols[1:] {
			if col != "" && i < 3 {
				got[n][i] = append(got[n][i], strings.Split(col, ",")...)
			}
		}
	}
	return got
}
