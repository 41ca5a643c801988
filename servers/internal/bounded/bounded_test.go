package bounded

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestLinger: the client reads the whole answer, then the end of data, while
// it still has bytes the server will never read.
func TestLinger(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		lines := NewLines(c, 64)
		if _, err := lines.ReadLine(); errors.Is(err, ErrTooLong) {
			io.WriteString(c, "500 too long\r\n")
			Linger(c)
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write(make([]byte, 1<<20)) // never read past the bound
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if got, err := io.ReadAll(c); string(got) != "500 too long\r\n" || err != nil {
		t.Errorf("read %q, %v; want the answer, then the end", got, err)
	}
	Linger(nil) // not a connection that half-closes: returns at once
}
