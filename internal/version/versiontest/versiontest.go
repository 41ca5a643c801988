// Package versiontest stamps a version into the running test binary, as
// scripts/package stamps one into the lab at build time.
package versiontest

import (
	"testing"

	"github.com/protocollab/protolab/internal/version"
)

// Stamp sets version.Version, Commit and Date for the test's length. Tests that
// stamp must not run in parallel with tests that read the version.
func Stamp(t testing.TB, v, commit, date string) {
	t.Helper()
	oldV, oldC, oldD := version.Version, version.Commit, version.Date
	version.Version, version.Commit, version.Date = v, commit, date
	t.Cleanup(func() { version.Version, version.Commit, version.Date = oldV, oldC, oldD })
}
