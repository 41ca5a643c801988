package labtls

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
)

var hostsTests = []struct {
	addr  string
	extra string // the address added to labca.LabHosts, or ""
}{
	{"127.0.0.1:0", ""},
	{"0.0.0.0:993", ""},
	{"192.168.1.20:993", "192.168.1.20"},
	{"8.8.8.8:993", ""},
	{"no port", ""},
}

func TestHosts(t *testing.T) {
	for _, tt := range hostsTests {
		want := slices.Clone(labca.LabHosts)
		if tt.extra != "" {
			want = append(want, tt.extra)
		}
		if got := Hosts(tt.addr); !slices.Equal(got, want) {
			t.Errorf("Hosts(%q) = %q, want %q", tt.addr, got, want)
		}
	}
}

func TestWithKeyLog(t *testing.T) {
	if got := WithKeyLog(nil, nil); got != nil {
		t.Errorf("WithKeyLog(nil, nil) = %v, want nil", got)
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	got := WithKeyLog(c, nil)
	if got == c || got.MinVersion != c.MinVersion || got.KeyLogWriter != nil {
		t.Errorf("WithKeyLog(c, nil) = %p (KeyLogWriter %v), want a copy of %p without a key log", got, got.KeyLogWriter, c)
	}
}
