// Package version says which Protocol Lab this is: its release, the commit it
// was built from and when. scripts/package stamps all three at build time:
//
//	go build -ldflags "-X github.com/protocollab/protolab/internal/version.Version=0.1.0
//	  -X github.com/protocollab/protolab/internal/version.Commit=abc1234...
//	  -X github.com/protocollab/protolab/internal/version.Date=2026-12-05T15:00:00Z" ./app
//
// A build that is not stamped (go build, go run, scripts/run) still names its
// release, FyneApp.toml's Version, kept here as the default; its commit and date
// come from what Go records of the checkout (debug.ReadBuildInfo's vcs.revision
// and vcs.time, the commit's own date), or are "unknown" when Go recorded none.
package version

import (
	"runtime/debug"
	"strings"
)

// Set with -ldflags -X at build time; empty when not stamped.
var (
	// Version is the release, as in FyneApp.toml and CHANGELOG.md: "0.1.0".
	Version = "0.1.0"
	// Commit is the git commit the binary was built from.
	Commit = ""
	// Date is when it was built, in RFC 3339 (UTC).
	Date = ""
)

// Unknown stands for a commit or date that was neither stamped nor recorded.
const Unknown = "unknown"

// Info is what the running binary knows of its build.
type Info struct {
	Version string
	Commit  string // a full commit hash, "…-dirty" for a tree with changes, or Unknown
	Date    string // RFC 3339, or Unknown
}

// Get is the running binary's Info: what was stamped, else what Go recorded.
func Get() Info {
	var settings []debug.BuildSetting
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings = bi.Settings
	}
	return resolve(Version, Commit, Date, settings)
}

// resolve fills what was not stamped from the build settings Go recorded.
func resolve(version, commit, date string, settings []debug.BuildSetting) Info {
	rec := map[string]string{}
	for _, s := range settings {
		rec[s.Key] = s.Value
	}
	if commit == "" {
		commit = rec["vcs.revision"]
		if commit != "" && rec["vcs.modified"] == "true" {
			commit += "-dirty"
		}
	}
	if date == "" {
		date = rec["vcs.time"]
	}
	if commit == "" {
		commit = Unknown
	}
	if date == "" {
		date = Unknown
	}
	if version == "" {
		version = "dev"
	}
	return Info{Version: version, Commit: commit, Date: date}
}

// ShortCommit is the commit's first seven characters, with its "-dirty" kept.
func (i Info) ShortCommit() string {
	hash, dirty := strings.CutSuffix(i.Commit, "-dirty")
	if len(hash) > 7 && i.Commit != Unknown {
		hash = hash[:7]
	}
	if dirty {
		hash += "-dirty"
	}
	return hash
}

// Day is the date's day, "2026-12-05", or Unknown.
func (i Info) Day() string {
	if len(i.Date) >= 10 && i.Date[4] == '-' && i.Date[7] == '-' {
		return i.Date[:10]
	}
	return i.Date
}

// String is the one line `protolab version` prints:
// "protolab 0.1.0 (commit abc1234, built 2026-12-05)".
func (i Info) String() string {
	return "protolab " + i.Version + " (commit " + i.ShortCommit() + ", built " + i.Day() + ")"
}
