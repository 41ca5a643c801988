package pgsql

// ExplainSQLState says what SQLSTATE code means in plain words, as the
// inspector does: "undefined_table: no table (relation) of that name", or
// its class for a code the lab's table lacks.
func ExplainSQLState(code string) string { return explainState(code) }
