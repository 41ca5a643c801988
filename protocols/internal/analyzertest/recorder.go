package analyzertest

import (
	"net"
	"slices"
	"sync"

	"github.com/protocollab/protolab/lab"
)

// Recorder keeps the bytes the ends of a connection write, in the order
// written, as the steps an analyzer is fed. It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	steps []Step
}

// Conn returns c whose writes r records as going in direction dir.
func (r *Recorder) Conn(c net.Conn, dir lab.Dir) net.Conn { return recConn{c, r, dir} }

// Steps returns what was written so far.
func (r *Recorder) Steps() []Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.steps)
}

type recConn struct {
	net.Conn
	r   *Recorder
	dir lab.Dir
}

func (c recConn) Write(b []byte) (int, error) {
	c.r.mu.Lock()
	c.r.steps = append(c.r.steps, Step{c.dir, string(b)})
	c.r.mu.Unlock()
	return c.Conn.Write(b)
}

// Field returns the value of m's field name, "" if it has none.
func Field(m lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
