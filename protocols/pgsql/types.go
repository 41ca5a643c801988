package pgsql

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// typeNames are the built-in types a course meets, by OID (pg_type.oid,
// src/include/catalog/pg_type.dat).
var typeNames = map[uint32]string{
	16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2", 23: "int4", 24: "regproc",
	25: "text", 26: "oid", 114: "json", 142: "xml", 194: "pg_node_tree", 600: "point", 650: "cidr",
	700: "float4", 701: "float8", 705: "unknown", 790: "money", 829: "macaddr", 869: "inet",
	1000: "bool[]", 1001: "bytea[]", 1005: "int2[]", 1007: "int4[]", 1009: "text[]", 1014: "bpchar[]",
	1015: "varchar[]", 1016: "int8[]", 1021: "float4[]", 1022: "float8[]", 1042: "bpchar", 1043: "varchar",
	1082: "date", 1083: "time", 1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1266: "timetz",
	1560: "bit", 1562: "varbit", 1700: "numeric", 2205: "regclass", 2249: "record", 2278: "void",
	2950: "uuid", 3802: "jsonb", 3904: "int4range", 3926: "int8range", 4089: "regnamespace",
}

// typeName names the type of OID oid: "int4 (23)", or "OID 16384" for one the
// lab does not know (a user's type, an enum).
func typeName(oid uint32) string {
	if n, ok := typeNames[oid]; ok {
		return n
	}
	if oid == 0 {
		return "unspecified"
	}
	return "OID " + strconv.FormatUint(uint64(oid), 10)
}

// formatName names a format code: 0 text, 1 binary.
func formatName(f int16) string {
	switch f {
	case 0:
		return "text"
	case 1:
		return "binary"
	}
	return fmt.Sprintf("format %d (not 0 or 1)", f)
}

// maxShown bounds the characters of a value shown.
const maxShown = 120

// pgEpoch is where PostgreSQL's binary dates and timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// value shows one value b of type oid in format f (0 text, 1 binary).
func value(oid uint32, f int16, b []byte) string { return string(appendValue(nil, oid, f, b)) }

// appendValue appends value(oid, f, b) to dst, for a summary built in one
// allocation.
func appendValue(dst []byte, oid uint32, f int16, b []byte) []byte {
	if f != 1 {
		if oid == 17 || !printable(b) || len(b) > maxShown {
			return lab.AppendPreview(dst, b, maxShown)
		}
		switch oid {
		case 16, 20, 21, 23, 26, 700, 701, 1700:
			return append(dst, b...)
		}
		return appendQuote(dst, string(b))
	}
	if s, ok := binaryValue(oid, b); ok {
		return append(dst, s...)
	}
	return lab.AppendHexPreview(append(dst, "binary "...), b, 32)
}

// binaryValue decodes b, a value of type oid in binary format; ok is false
// for a type the lab does not decode, or a value of the wrong size.
func binaryValue(oid uint32, b []byte) (string, bool) {
	switch oid {
	case 16:
		if len(b) == 1 {
			return strconv.FormatBool(b[0] != 0), true
		}
	case 21:
		if len(b) == 2 {
			return strconv.Itoa(int(int16(binary.BigEndian.Uint16(b)))), true
		}
	case 23:
		if len(b) == 4 {
			return strconv.Itoa(int(int32(binary.BigEndian.Uint32(b)))), true
		}
	case 26:
		if len(b) == 4 {
			return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b)), 10), true
		}
	case 20:
		if len(b) == 8 {
			return strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10), true
		}
	case 700:
		if len(b) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b))), 'g', -1, 32), true
		}
	case 701:
		if len(b) == 8 {
			return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(b)), 'g', -1, 64), true
		}
	case 25, 1043, 1042, 19, 114, 142:
		return lab.Preview(b, maxShown), true
	case 3802:
		if len(b) > 0 && b[0] == 1 {
			return lab.Preview(b[1:], maxShown), true
		}
	case 17:
		return `\x` + strings.ReplaceAll(lab.HexPreview(b, 48), " ", ""), true
	case 1082:
		if len(b) == 4 {
			return dateOrInf(int64(int32(binary.BigEndian.Uint32(b))), math.MaxInt32, func(d int64) string {
				return pgEpoch.AddDate(0, 0, int(d)).Format("2006-01-02")
			}), true
		}
	case 1114, 1184:
		if len(b) == 8 {
			return dateOrInf(int64(binary.BigEndian.Uint64(b)), math.MaxInt64, func(us int64) string {
				t := pgEpoch.Add(time.Duration(us%1e6) * time.Microsecond).Add(time.Duration(us/1e6) * time.Second)
				s := t.Format("2006-01-02 15:04:05.999999")
				if oid == 1184 {
					s += "+00"
				}
				return s
			}), true
		}
	case 2950:
		if len(b) == 16 {
			return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), true
		}
	case 1700:
		return numeric(b)
	}
	return "", false
}

// dateOrInf shows v with show, or ±infinity for PostgreSQL's infinite dates
// and timestamps (the largest and smallest values of their type).
func dateOrInf(v, inf int64, show func(int64) string) string {
	switch v {
	case inf:
		return "infinity"
	case -inf - 1:
		return "-infinity"
	}
	return show(v)
}

// numeric decodes a binary numeric: ndigits, weight, sign, dscale (Int16
// each), then ndigits base-10000 digits (src/backend/utils/adt/numeric.c,
// numeric_send).
func numeric(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*n || dscale > 1000 || weight > 1000 || weight < -1000 {
		return "", false
	}
	switch sign {
	case 0xc000:
		return "NaN", true
	case 0xd000:
		return "infinity", true
	case 0xf000:
		return "-infinity", true
	}
	digit := func(i int) int {
		if i < 0 || i >= n {
			return 0
		}
		return int(binary.BigEndian.Uint16(b[8+2*i:]))
	}
	var s strings.Builder
	if sign == 0x4000 {
		s.WriteByte('-')
	}
	if weight < 0 {
		s.WriteByte('0')
	}
	for i := 0; i <= weight; i++ {
		if i == 0 {
			s.WriteString(strconv.Itoa(digit(i)))
		} else {
			fmt.Fprintf(&s, "%04d", digit(i))
		}
	}
	if dscale > 0 {
		var frac strings.Builder
		for i := weight + 1; frac.Len() < dscale; i++ {
			fmt.Fprintf(&frac, "%04d", digit(i))
		}
		s.WriteByte('.')
		s.WriteString(frac.String()[:dscale])
	}
	return s.String(), true
}

// printable reports whether b is text a person can read as it is.
func printable(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
