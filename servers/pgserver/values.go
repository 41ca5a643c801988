package pgserver

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// column is one column of a result as the client sees it.
type column struct {
	name string
	oid  uint32
}

// declOID maps a SQLite column's declared type, upper-cased, to the
// PostgreSQL type the client sees: 0 when there is none (an expression).
// NUMERIC and VARCHAR are text, SQLite keeps them so.
func declOID(decl string) uint32 {
	base, _, _ := strings.Cut(decl, "(")
	switch strings.TrimSpace(base) {
	case "":
		return 0
	case "INTEGER", "BIGINT", "INT8":
		return oidInt8
	case "INT", "INT4":
		return oidInt4
	case "SMALLINT", "INT2":
		return oidInt2
	case "REAL", "FLOAT8", "DOUBLE", "DOUBLE PRECISION", "FLOAT":
		return oidFloat8
	case "FLOAT4":
		return oidFloat4
	case "BOOLEAN", "BOOL":
		return oidBool
	case "BLOB", "BYTEA":
		return oidBytea
	case "TIMESTAMP", "DATETIME", "TIMESTAMP WITHOUT TIME ZONE":
		return oidTimestamp
	}
	return oidText
}

// valueOID is the type of a value SQLite gave for a column without a
// declared type.
func valueOID(v any) uint32 {
	switch v.(type) {
	case int64:
		return oidInt8
	case float64:
		return oidFloat8
	case []byte:
		return oidBytea
	case bool:
		return oidBool
	case time.Time:
		return oidTimestamp
	}
	return oidText
}

// typeSize is pg_type.typlen of oid, RowDescription's data type size.
func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool:
		return 1
	case oidInt2:
		return 2
	case oidInt4, oidFloat4:
		return 4
	case oidInt8, oidFloat8, oidTimestamp:
		return 8
	}
	return -1
}

const timestampLayout = "2006-01-02 15:04:05.999999"

// textValue is v in PostgreSQL's text format for oid; nil for NULL.
func textValue(v any, oid uint32) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		if oid == oidBool {
			return boolText(x != 0)
		}
		return strconv.AppendInt(nil, x, 10)
	case float64:
		if oid == oidBool {
			return boolText(x != 0)
		}
		return []byte(floatText(x))
	case bool:
		return boolText(x)
	case time.Time:
		return []byte(x.Format(timestampLayout))
	case []byte:
		if oid == oidBytea {
			return []byte(`\x` + hex.EncodeToString(x))
		}
		return x
	case string:
		switch oid {
		case oidBool:
			if b, ok := parseBool(x); ok {
				return boolText(b)
			}
		case oidBytea:
			return []byte(`\x` + hex.EncodeToString(byteaOf(x)))
		}
		return []byte(x)
	}
	return fmt.Append(nil, v)
}

func boolText(b bool) []byte {
	if b {
		return []byte{'t'}
	}
	return []byte{'f'}
}

// floatText spells f as PostgreSQL does.
func floatText(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// binaryValue is v in PostgreSQL's binary format for oid, encoded by pgtype.
func binaryValue(m *pgtype.Map, v any, oid uint32) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	var val any
	switch oid {
	case oidInt8, oidInt4, oidInt2:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		switch {
		case oid == oidInt4 && (n < math.MinInt32 || n > math.MaxInt32):
			return nil, &pgError{code: "22003", msg: "integer out of range"}
		case oid == oidInt2 && (n < math.MinInt16 || n > math.MaxInt16):
			return nil, &pgError{code: "22003", msg: "smallint out of range"}
		}
		val = n
	case oidFloat8, oidFloat4:
		f, err := toFloat(v)
		if err != nil {
			return nil, err
		}
		val = f
	case oidBool:
		b, ok := parseBool(string(textValue(v, oidBool)))
		if !ok {
			return nil, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type boolean: %q", textValue(v, oidText))}
		}
		val = b
	case oidTimestamp:
		t, err := toTime(v)
		if err != nil {
			return nil, err
		}
		val = t
	case oidBytea:
		switch x := v.(type) {
		case []byte:
			val = x
		case string:
			val = byteaOf(x)
		default:
			val = textValue(v, oidText)
		}
	default:
		val = string(textValue(v, oid))
	}
	return m.Encode(oid, pgtype.BinaryFormatCode, val, nil)
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(textValue(v, oidText))), 10, 64)
	if err != nil {
		return 0, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type bigint: %q", textValue(v, oidText))}
	}
	return n, nil
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(textValue(v, oidText))), 64)
	if err != nil {
		return 0, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type double precision: %q", textValue(v, oidText))}
	}
	return f, nil
}

// timeLayouts are the spellings of a timestamp SQLite may hold.
var timeLayouts = []string{timestampLayout, "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05", "2006-01-02"}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	}
	s := strings.TrimSpace(string(textValue(v, oidText)))
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &pgError{code: "22007", msg: fmt.Sprintf("invalid input syntax for type timestamp: %q", s)}
}

// decodeParam turns a Bind parameter of type oid, in format (0 text, 1
// binary), into the value SQLite is given.
func decodeParam(m *pgtype.Map, oid uint32, format int16, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	if format == pgtype.TextFormatCode {
		s := string(b)
		switch oid {
		case oidBool:
			v, ok := parseBool(s)
			if !ok {
				return nil, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type boolean: %q", s)}
			}
			return boolInt(v), nil
		case oidInt2, oidInt4, oidInt8:
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				return n, nil
			}
			return nil, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type integer: %q", s)}
		case oidFloat4, oidFloat8:
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return f, nil
			}
			return nil, &pgError{code: "22P02", msg: fmt.Sprintf("invalid input syntax for type double precision: %q", s)}
		case oidBytea:
			if h, ok := strings.CutPrefix(s, `\x`); ok {
				raw, err := hex.DecodeString(h)
				if err != nil {
					return nil, &pgError{code: "22P02", msg: "invalid hexadecimal data"}
				}
				return raw, nil
			}
			return b, nil
		}
		return s, nil
	}
	var err error
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		var n int64
		if err = m.Scan(oid, format, b, &n); err == nil {
			return n, nil
		}
	case oidFloat4, oidFloat8:
		var f float64
		if err = m.Scan(oid, format, b, &f); err == nil {
			return f, nil
		}
	case oidBool:
		var v bool
		if err = m.Scan(oid, format, b, &v); err == nil {
			return boolInt(v), nil
		}
	case oidTimestamp:
		var t time.Time
		if err = m.Scan(oid, format, b, &t); err == nil {
			return t.Format(timestampLayout), nil
		}
	case oidBytea:
		return append([]byte{}, b...), nil
	default:
		return string(b), nil
	}
	return nil, &pgError{code: "22P03", msg: fmt.Sprintf("invalid binary value for type %d: %v", oid, err)}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// byteaOf is the bytes a bytea column holds as text: a literal in
// PostgreSQL's hex format ('\x0001fe', as clients interpolate bytea into
// SQL) stands for its bytes; anything else for itself.
func byteaOf(s string) []byte {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		if b, err := hex.DecodeString(h); err == nil {
			return b
		}
	}
	return []byte(s)
}
