package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeFlag is a flag of a size in bytes: a whole number, with K, M, G or T
// (powers of 1024; KB, KiB, ... alike) or none.
type sizeFlag struct {
	n    int64
	text string
	set  bool
}

func (f *sizeFlag) String() string { return f.text }

func (f *sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	f.n, f.text, f.set = n, s, true
	return nil
}

// parseSize reads a size such as 500M, 2GiB or 1048576.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	shift := 0
	if t != "" {
		if i := strings.IndexByte("KMGT", t[len(t)-1]); i >= 0 {
			shift = 10 * (i + 1)
			t = t[:len(t)-1]
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)>>shift {
		return 0, fmt.Errorf("%q is not a size: want a whole number of bytes, or one with K, M, G or T, e.g. 500M", s)
	}
	return n << shift, nil
}

// lostWhy says why a recording left events out.
func lostWhy(limit sizeFlag) string {
	if limit.set {
		return "to keep within --record-limit " + limit.text
	}
	return "it fell behind the capture"
}
