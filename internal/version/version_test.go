package version

import (
	"os"
	"regexp"
	"runtime/debug"
	"testing"
)

// The unstamped default is the release FyneApp.toml packages.
func TestDefaultIsFyneAppVersion(t *testing.T) {
	toml, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version = "([^"]*)"$`).FindSubmatch(toml)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version line")
	}
	if got, want := Version, string(m[1]); got != want {
		t.Errorf("Version = %q, FyneApp.toml's Version is %q: change both", got, want)
	}
}

var vcs = []debug.BuildSetting{
	{Key: "-trimpath", Value: "true"},
	{Key: "vcs", Value: "git"},
	{Key: "vcs.revision", Value: "2ac3b7d0c0ffee00112233445566778899aabbcc"},
	{Key: "vcs.time", Value: "2026-12-04T18:20:00Z"},
	{Key: "vcs.modified", Value: "false"},
}

var resolveTests = []struct {
	name                  string
	version, commit, date string
	settings              []debug.BuildSetting
	want                  Info
	line                  string
}{
	{"stamped", "0.2.0", "abcdef0123456789abcdef0123456789abcdef01", "2026-12-05T15:00:00Z", vcs,
		Info{"0.2.0", "abcdef0123456789abcdef0123456789abcdef01", "2026-12-05T15:00:00Z"},
		"protolab 0.2.0 (commit abcdef0, built 2026-12-05)"},
	{"from the checkout", "0.1.0", "", "", vcs,
		Info{"0.1.0", "2ac3b7d0c0ffee00112233445566778899aabbcc", "2026-12-04T18:20:00Z"},
		"protolab 0.1.0 (commit 2ac3b7d, built 2026-12-04)"},
	{"a checkout with changes", "0.1.0", "", "",
		append(vcs[:len(vcs)-1:len(vcs)-1], debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
		Info{"0.1.0", "2ac3b7d0c0ffee00112233445566778899aabbcc-dirty", "2026-12-04T18:20:00Z"},
		"protolab 0.1.0 (commit 2ac3b7d-dirty, built 2026-12-04)"},
	{"nothing recorded", "0.1.0", "", "", nil,
		Info{"0.1.0", Unknown, Unknown},
		"protolab 0.1.0 (commit unknown, built unknown)"},
	{"no version", "", "", "", nil,
		Info{"dev", Unknown, Unknown},
		"protolab dev (commit unknown, built unknown)"},
	{"a short commit stamped", "1.0.0", "abc12", "2026-12-05", nil,
		Info{"1.0.0", "abc12", "2026-12-05"},
		"protolab 1.0.0 (commit abc12, built 2026-12-05)"},
}

func TestResolve(t *testing.T) {
	for _, tt := range resolveTests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.version, tt.commit, tt.date, tt.settings)
			if got != tt.want {
				t.Errorf("resolve = %+v, want %+v", got, tt.want)
			}
			if line := got.String(); line != tt.line {
				t.Errorf("String = %q, want %q", line, tt.line)
			}
		})
	}
}

// Get gives what was stamped over what Go recorded.
func TestGetStamped(t *testing.T) {
	defer func(v, c, d string) { Version, Commit, Date = v, c, d }(Version, Commit, Date)
	Version, Commit, Date = "9.8.7", "feedfacecafebeef", "2027-01-02T03:04:05Z"
	want := Info{"9.8.7", "feedfacecafebeef", "2027-01-02T03:04:05Z"}
	if got := Get(); got != want {
		t.Errorf("Get = %+v, want %+v", got, want)
	}
}
