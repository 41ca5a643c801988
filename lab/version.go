package lab

// Version is Protocol Lab's release, shown by `protolab version` and Help › About;
// FyneApp.toml carries the same number for packaging.
const Version = "0.1.0"
