package redis

import (
	"errors"
	"testing"
)

// valueTests are replies with what redis-cli shows of them.
var valueTests = []struct{ resp, shown, typ string }{
	{"+OK\r\n", "OK", "simple string (RESP2)"},
	{"$5\r\nhe\"l\n\r\n", `"he\"l\n"`, "bulk string (RESP2)"},
	{"$-1\r\n", "(nil)", "bulk string (RESP2)"},
	{":7\r\n", "(integer) 7", "integer (RESP2)"},
	{"-ERR no\r\n", "(error) ERR no", "simple error (RESP2)"},
	{"*0\r\n", "(empty array)", "array (RESP2)"},
	{"*2\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n", "1) \"a\"\n2) 1) (integer) 1\n   2) (integer) 2", "array (RESP2)"},
	{"%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n:1\r\n", "1# \"f\" => \"v\"\n2# \"g\" => (integer) 1", "map (RESP3)"},
	{"~1\r\n$1\r\nx\r\n", "1~ \"x\"", "set (RESP3)"},
	{",1.5\r\n", "(double) 1.5", "double (RESP3)"},
	{"#t\r\n", "(true)", "boolean (RESP3)"},
	{"_\r\n", "(nil)", "null (RESP3)"},
	{"=7\r\ntxt:a b\r\n", "a b", "verbatim string (RESP3)"},
}

func TestValue(t *testing.T) {
	for _, tt := range valueTests {
		v, n, err := ReadValue([]byte(tt.resp + "+next\r\n"))
		if err != nil || n != len(tt.resp) || v.String() != tt.shown || v.TypeName() != tt.typ {
			t.Errorf("%q: %q %q (%d bytes, %v), want %q %q", tt.resp, v.String(), v.TypeName(), n, err, tt.shown, tt.typ)
		}
	}
	if _, _, err := ReadValue([]byte("*2\r\n:1\r\n")); !errors.Is(err, ErrIncomplete) {
		t.Errorf("an unfinished array: %v", err)
	}
	if _, _, err := ReadValue([]byte("?\r\n")); err == nil || errors.Is(err, ErrIncomplete) {
		t.Errorf("an unknown type: %v", err)
	}
}
