package lab

import "github.com/protocollab/protolab/internal/version"

// Version is Protocol Lab's release, shown by `protolab version` and Help › About
// and written into saved sessions and exports. It is internal/version's, stamped at
// build time by scripts/package; FyneApp.toml carries the same number for packaging.
var Version = version.Version
