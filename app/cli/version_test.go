package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/protocollab/protolab/internal/version/versiontest"
)

// `protolab version` (and its flag spellings) prints the stamped version,
// commit and build date on one line.
func TestVersionCommand(t *testing.T) {
	versiontest.Stamp(t, "1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-05T15:04:05Z")
	for _, arg := range []string{"version", "--version", "-version"} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), []string{arg}, &stdout, &stderr); code != 0 {
			t.Fatalf("protolab %s: exit %d, stderr %q", arg, code, stderr.String())
		}
		if got, want := stdout.String(), "protolab 1.2.3 (commit 0123456, built 2026-12-05)\n"; got != want {
			t.Errorf("protolab %s = %q, want %q", arg, got, want)
		}
	}
}
