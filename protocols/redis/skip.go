package redis

import (
	"bytes"
	"fmt"
	"strconv"
)

// skipper counts a frame too big to hold through to its end, reading only
// its header lines: a stack of the elements each open aggregate still has to
// come, and the bytes of a bulk string still to drop.
type skipper struct {
	stack []int
	rest  int // bytes of a blob and its CR LF still to drop
}

// active reports whether a frame is being counted.
func (s *skipper) active() bool { return s.rest > 0 || len(s.stack) > 0 }

// start begins counting a frame whose first byte is the next one fed.
func (s *skipper) start() { *s = skipper{stack: []int{1}} }

// feed counts what it can of data and returns how many bytes it used; it
// stops before a header line that has not all come. An error says the frame
// breaks RESP and counting stopped.
func (s *skipper) feed(data []byte) (int, error) {
	at := 0
	for s.active() {
		if s.rest > 0 {
			k := min(s.rest, len(data)-at)
			s.rest -= k
			at += k
			if s.rest > 0 {
				return at, nil
			}
			s.pop()
			continue
		}
		i := bytes.IndexByte(data[at:], '\n')
		if i < 0 {
			if len(data)-at > MaxInline {
				return at, &malformed{at: at, what: fmt.Sprintf("a line longer than %d bytes", MaxInline), ref: ref + "RESP protocol description"}
			}
			return at, nil
		}
		line := data[at : at+i+1]
		k, ok := known(line[0])
		if !ok {
			return at, &malformed{at: at, what: fmt.Sprintf("an unknown type byte %s", quoteByte(line[0])), ref: ref + "RESP protocol description"}
		}
		at += i + 1
		if line[0] != '|' { // an attribute belongs to the value after it, which counts
			s.stack[len(s.stack)-1]--
		}
		if !k.agg && !k.blob {
			s.pop()
			continue
		}
		n, err := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
		if err != nil || n < -1 {
			return at, &malformed{at: at - i - 1, what: fmt.Sprintf("a bad %s length", k.name), ref: ref + k.name + "s"}
		}
		switch {
		case n <= 0:
			s.pop()
		case k.blob:
			s.rest = n + 2
		default:
			if line[0] == '%' || line[0] == '|' {
				n *= 2
			}
			if len(s.stack) >= maxDepth {
				return at, &malformed{at: at - i - 1, what: fmt.Sprintf("aggregates nested more than %d deep", maxDepth), ref: ref + "RESP protocol description"}
			}
			s.stack = append(s.stack, n)
		}
	}
	return at, nil
}

// pop closes the aggregates that have all their elements.
func (s *skipper) pop() {
	for len(s.stack) > 0 && s.stack[len(s.stack)-1] == 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
}
