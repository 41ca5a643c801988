package redis

import (
	"math/rand"
	"strconv"
	"testing"
)

func TestLengthAsAtoi(t *testing.T) {
	cases := []string{"", "-", "+", "0", "-0", "+0", "1", "-1", "+7", "007", "12a", " 1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999", "1_000"}
	r := rand.New(rand.NewSource(1))
	for range 100000 {
		b := make([]byte, r.Intn(22))
		for i := range b {
			b[i] = "0123456789-+_ a9"[r.Intn(16)]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		n, ok := length([]byte(c))
		m, err := strconv.Atoi(c)
		if ok != (err == nil) || ok && n != m {
			t.Errorf("length(%q) = %d, %v; Atoi: %d, %v", c, n, ok, m, err)
		}
	}
}
