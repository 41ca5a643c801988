package pgsql

// sqlstate is what a SQLSTATE code means: its condition name (as PL/pgSQL
// spells it) and what usually causes it, in plain words (PostgreSQL
// documentation, Appendix A, "PostgreSQL Error Codes").
type sqlstate struct {
	name, meaning string
}

// sqlstates are the codes a course meets most.
var sqlstates = map[string]sqlstate{
	"00000": {"successful_completion", "no error"},
	"01000": {"warning", "a warning"},
	"01P01": {"deprecated_feature", "a feature that will go away"},
	"02000": {"no_data", "no row was found"},
	"08000": {"connection_exception", "the connection failed"},
	"08003": {"connection_does_not_exist", "there is no such connection"},
	"08006": {"connection_failure", "the connection broke"},
	"08P01": {"protocol_violation", "the client broke the protocol: a message the server did not expect, or a malformed one"},
	"0A000": {"feature_not_supported", "the server does not support what was asked (an unknown protocol version, a command it lacks)"},
	"21000": {"cardinality_violation", "a subquery used as a value returned more than one row"},
	"22001": {"string_data_right_truncation", "a value too long for its column (varchar(n))"},
	"22003": {"numeric_value_out_of_range", "a number too big for its type"},
	"22007": {"invalid_datetime_format", "a date or time that cannot be read"},
	"22008": {"datetime_field_overflow", "a date or time field out of range"},
	"22012": {"division_by_zero", "a division by zero"},
	"22023": {"invalid_parameter_value", "a parameter with a value it cannot take"},
	"22P02": {"invalid_text_representation", "text that cannot be read as the type wanted ('abc' as an integer)"},
	"22P04": {"bad_copy_file_format", "COPY data that does not match the table's columns"},
	"23000": {"integrity_constraint_violation", "a constraint would be broken"},
	"23502": {"not_null_violation", "a NULL in a column that is NOT NULL"},
	"23503": {"foreign_key_violation", "a row refers to one that does not exist (or is still referred to)"},
	"23505": {"unique_violation", "a duplicate value in a column that must be unique (a primary key already taken)"},
	"23514": {"check_violation", "a value a CHECK constraint refuses"},
	"25001": {"active_sql_transaction", "a command that cannot run inside a transaction block"},
	"25P01": {"no_active_sql_transaction", "COMMIT or ROLLBACK with no transaction open (a warning)"},
	"25P02": {"in_failed_sql_transaction", "the transaction failed earlier: every command is refused until ROLLBACK"},
	"26000": {"invalid_sql_statement_name", "no prepared statement of that name"},
	"28000": {"invalid_authorization_specification", "the login is not allowed (no such user, no pg_hba.conf entry)"},
	"28P01": {"invalid_password", "the password is wrong"},
	"34000": {"invalid_cursor_name", "no portal (cursor) of that name"},
	"3D000": {"invalid_catalog_name", "no database of that name"},
	"3F000": {"invalid_schema_name", "no schema of that name"},
	"40001": {"serialization_failure", "concurrent transactions clashed: retry the transaction"},
	"40P01": {"deadlock_detected", "two transactions waited for each other: one was aborted"},
	"42000": {"syntax_error_or_access_rule_violation", "the statement is wrong or not allowed"},
	"42501": {"insufficient_privilege", "permission denied"},
	"42601": {"syntax_error", "the SQL does not parse: a typo or a missing keyword near the position given"},
	"42703": {"undefined_column", "no column of that name"},
	"42704": {"undefined_object", "no object (type, index …) of that name"},
	"42710": {"duplicate_object", "an object of that name exists already"},
	"42712": {"duplicate_alias", "a table alias used twice"},
	"42723": {"duplicate_function", "a function of that name and arguments exists already"},
	"42725": {"ambiguous_function", "several functions could be meant"},
	"42803": {"grouping_error", "a column neither in GROUP BY nor in an aggregate"},
	"42804": {"datatype_mismatch", "a value of the wrong type"},
	"42809": {"wrong_object_type", "the object is not of the kind the command works on"},
	"42830": {"invalid_foreign_key", "a foreign key that cannot be"},
	"42846": {"cannot_coerce", "a cast that cannot be made"},
	"42883": {"undefined_function", "no function of that name and argument types"},
	"42P01": {"undefined_table", "no table (relation) of that name"},
	"42P02": {"undefined_parameter", "a $n parameter that was not given"},
	"42P03": {"duplicate_cursor", "a portal (cursor) of that name exists already"},
	"42P04": {"duplicate_database", "a database of that name exists already"},
	"42P05": {"duplicate_prepared_statement", "a prepared statement of that name exists already"},
	"42P06": {"duplicate_schema", "a schema of that name exists already"},
	"42P07": {"duplicate_table", "a table of that name exists already"},
	"42P18": {"indeterminate_datatype", "the type of a parameter could not be told"},
	"53000": {"insufficient_resources", "the server lacks resources"},
	"53300": {"too_many_connections", "the server has as many connections as it allows"},
	"54000": {"program_limit_exceeded", "a limit of the server was reached"},
	"55000": {"object_not_in_prerequisite_state", "the object is not in the state the command needs"},
	"55P03": {"lock_not_available", "a lock could not be taken"},
	"57014": {"query_canceled", "the query was cancelled: by a CancelRequest, or by statement_timeout"},
	"57P01": {"admin_shutdown", "the server is shutting down"},
	"57P03": {"cannot_connect_now", "the server is starting up or shutting down"},
	"58000": {"system_error", "an error of the operating system"},
	"XX000": {"internal_error", "an internal error of the server"},
}

// sqlclasses are the classes of SQLSTATE, by their first two characters: what
// a code not in sqlstates is about.
var sqlclasses = map[string]string{
	"00": "successful completion", "01": "a warning", "02": "no data", "03": "SQL statement not yet complete",
	"08": "a connection exception", "09": "a triggered action exception", "0A": "a feature not supported",
	"0B": "an invalid transaction initiation", "0F": "a locator exception", "0L": "an invalid grantor",
	"0P": "an invalid role specification", "0Z": "a diagnostics exception", "20": "case not found",
	"21": "a cardinality violation", "22": "a data exception (a value that does not fit its type)",
	"23": "an integrity constraint violation", "24": "an invalid cursor state", "25": "an invalid transaction state",
	"26": "an invalid SQL statement name", "27": "a triggered data change violation",
	"28": "an invalid authorization specification (login refused)", "2B": "dependent privilege descriptors still exist",
	"2D": "an invalid transaction termination", "2F": "an SQL routine exception", "34": "an invalid cursor name",
	"38": "an external routine exception", "39": "an external routine invocation exception",
	"3B": "a savepoint exception", "3D": "an invalid catalog (database) name", "3F": "an invalid schema name",
	"40": "a transaction rollback", "42": "a syntax error or an access rule violation", "44": "a WITH CHECK OPTION violation",
	"53": "insufficient resources", "54": "a program limit exceeded", "55": "an object not in prerequisite state",
	"57": "an operator intervention", "58": "a system error (outside PostgreSQL)", "72": "a snapshot failure",
	"F0": "a configuration file error", "HV": "a foreign data wrapper error", "P0": "a PL/pgSQL error",
	"XX": "an internal error",
}

// explainState says what SQLSTATE code means: "undefined_table: no table
// (relation) of that name", or its class for a code not in the table.
func explainState(code string) string {
	if s, ok := sqlstates[code]; ok {
		return s.name + ": " + s.meaning
	}
	if len(code) == 5 {
		if c, ok := sqlclasses[code[:2]]; ok {
			return "class " + code[:2] + ", " + c
		}
	}
	return "a code the lab does not know"
}
