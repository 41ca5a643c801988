package pgserver

// The type OIDs of PostgreSQL's pg_type the server uses.
const (
	oidBool      uint32 = 16
	oidBytea     uint32 = 17
	oidInt8      uint32 = 20
	oidInt2      uint32 = 21
	oidInt4      uint32 = 23
	oidText      uint32 = 25
	oidFloat4    uint32 = 700
	oidFloat8    uint32 = 701
	oidVarchar   uint32 = 1043
	oidTimestamp uint32 = 1114
)
