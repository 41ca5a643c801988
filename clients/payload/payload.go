// Package payload turns what a person types in a client pane into the bytes to
// send: text as it is, or hex in the usual spellings.
package payload

import (
	"fmt"
	"strings"
)

// Parse turns what a person typed into the bytes to send. As text (hex
// false), s is sent as it is, UTF-8 encoded. As hex, s is hex digits in any of the
// usual spellings: "48 65 6c 6c 6f", "48656c6c6f", "0x48,0x65", "48:65" (spaces,
// commas, colons and dashes separate bytes; "0x" prefixes are optional; case does
// not matter). An error names the token it could not read.
func Parse(s string, hex bool) ([]byte, error) {
	if !hex {
		return []byte(s), nil
	}
	tokens := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', ',', ':', '-', ';':
			return true
		}
		return false
	})
	var out []byte
	for i, tok := range tokens {
		digits := tok
		if len(digits) >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') {
			digits = digits[2:]
			if len(digits) == 1 {
				digits = "0" + digits // "0x5" is one byte
			}
		}
		if digits == "" {
			return nil, fmt.Errorf("tcpclient: hex token %d %q has no digits", i+1, tok)
		}
		for _, r := range digits {
			if r >= 0x80 || unhex(byte(r)) < 0 {
				return nil, fmt.Errorf("tcpclient: hex token %d %q: %q is not a hex digit (use 0-9 and a-f)", i+1, tok, r)
			}
		}
		if len(digits)%2 != 0 {
			return nil, fmt.Errorf("tcpclient: hex token %d %q has an odd number of digits: each byte is two digits, e.g. %q", i+1, tok, "0"+digits[len(digits)-1:])
		}
		for j := 0; j < len(digits); j += 2 {
			out = append(out, byte(unhex(digits[j])<<4|unhex(digits[j+1])))
		}
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}
