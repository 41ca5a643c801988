package bounded

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// counting counts the bytes read from it.
type counting struct {
	r io.Reader
	n int
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestLines(t *testing.T) {
	src := &counting{r: strings.NewReader("NOOP\r\n" + strings.Repeat("x", 31) + "\n" + strings.Repeat("y", 100) + "\nQUIT")}
	l := NewLines(src, 32)
	for _, want := range []string{"NOOP\r\n", strings.Repeat("x", 31) + "\n"} {
		if got, err := l.ReadLine(); string(got) != want || err != nil {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	line, err := l.ReadLine()
	var tl *TooLongError
	if !errors.As(err, &tl) || !errors.Is(err, ErrTooLong) || line != nil || tl.Limit != 32 || tl.Unit != "line" {
		t.Fatalf("ReadLine = %q, %v; want a line too long (32 bytes)", line, err)
	}
	if src.n > 6+32+32 {
		t.Errorf("read %d bytes, want at most %d: nothing past the bound", src.n, 6+32+32)
	}
	l.Reset(strings.NewReader("QUIT"))
	if got, err := l.ReadLine(); string(got) != "QUIT" || err != nil {
		t.Errorf("last line without LF = %q, %v", got, err)
	}
	if _, err := l.ReadLine(); err != io.EOF {
		t.Errorf("after the last line: %v, want EOF", err)
	}
	if got := NewLines(src, 1).Max(); got != minLine {
		t.Errorf("Max of a bound of 1 = %d, want %d", got, minLine)
	}
}

func TestReader(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int64
		want  string
		long  bool
	}{
		{"hello", 5, "hello", false},
		{"hello", 10, "hello", false},
		{"hello!", 5, "hello", true},
		{strings.Repeat("z", 100000), 70000, strings.Repeat("z", 70000), true},
	} {
		src := &counting{r: strings.NewReader(tt.in)}
		got, err := io.ReadAll(NewReader(src, tt.limit, "upload"))
		if string(got) != tt.want || errors.Is(err, ErrTooLong) != tt.long || err != nil && !tt.long {
			t.Errorf("%d bytes, limit %d: read %d bytes, %v; want %d, too long %v", len(tt.in), tt.limit, len(got), err, len(tt.want), tt.long)
		}
		if int64(src.n) > tt.limit+1 {
			t.Errorf("%d bytes, limit %d: %d read from the source", len(tt.in), tt.limit, src.n)
		}
		if tt.long && err.Error() != "bounded: upload longer than "+strconv.FormatInt(tt.limit, 10)+" bytes" {
			t.Errorf("error %q", err)
		}
	}
}
