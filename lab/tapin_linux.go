package lab

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inbound records what arrives on a tapped TCP socket in the order it arrived on
// the wire, not only when the application reads it (see "Wire order" in the
// package doc). Before the tap records a write or a close, catchUp peeks at the
// bytes waiting in the socket's receive queue and records those not yet recorded;
// read receives through the socket itself and records only what no peek did.
// recorded and received count the inbound stream: how far it was recorded, how
// far the application read it. mu makes a peek and a read's receive-and-record
// one step each, so with one reader and one writer at work every byte is recorded
// once, in order.
type inbound struct {
	raw          syscall.RawConn
	laddr, raddr net.Addr
	record       func([]byte)

	mu                 sync.Mutex
	recorded, received int64
	scratch            []byte // peek buffer, kept while small

	// The reader's: the buffer and outcome of the read in progress, and the
	// callback given to raw.Read (made once: a closure per read would
	// allocate), guarded by rmu: net.Conn lets several goroutines read at once.
	rmu    sync.Mutex
	rb     []byte
	rn     int
	rerr   error
	recvFn func(uintptr) bool
	peekFn func(uintptr) // raw.Control's callback for catchUp, made once

	// The writer's, as the reader's, guarded by wmu (a STARTTLS client writes
	// its command, then its handshake from its reading goroutine).
	wmu    sync.Mutex
	wb     []byte
	wn     int
	werr   error
	sendFn func(uintptr) bool
}

// maxPeek bounds how far into the receive queue one peek looks, past what was
// recorded already; the rest is recorded as it is read. keptScratch is the
// largest peek buffer a connection keeps between peeks. Variables only so
// that a test can make them small.
var (
	maxPeek     = peekBuf
	keptScratch = 64 << 10
)

// peekBuf is maxPeek's value, and the size of the buffers bigPeeks lends.
const peekBuf = 1 << 20

func newInbound(c net.Conn, record func([]byte)) *inbound {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	in := &inbound{raw: raw, laddr: c.LocalAddr(), raddr: c.RemoteAddr(), record: record}
	in.recvFn, in.peekFn, in.sendFn = in.recv, in.peek, in.send
	return in
}

// catchUp records the bytes that arrived and are not recorded yet. in.mu must be
// held.
func (in *inbound) catchUp() { _ = in.raw.Control(in.peekFn) }

// peek is catchUp on the socket fd. in.mu must be held.
func (in *inbound) peek(fd uintptr) {
	n, err := inq(fd)
	skip := int(in.recorded - in.received)
	if err != nil || n <= skip {
		return
	}
	want := min(n, skip+maxPeek)
	buf := in.scratch
	if cap(buf) < want {
		if want <= keptScratch {
			buf = make([]byte, want)
			in.scratch = buf
		} else {
			// The record copies what it keeps: the buffer is free again
			// once the look is over.
			buf = bigPeeks.get(want)
			defer bigPeeks.put(buf)
		}
	}
	got, _, err := unix.Recvfrom(int(fd), buf[:want], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	if err != nil || got <= skip {
		return
	}
	in.record(buf[skip:got])
	in.recorded = in.received + int64(got)
}

// bigPeeks lends the buffers of looks past keptScratch: a transfer's peer
// writing requests while the transfer fills its receive queue looks at up to
// maxPeek bytes before each write. It keeps buffers of peekBuf bytes; a look
// further into the queue, past bytes already recorded and not yet read, gets
// one its size.
var bigPeeks = bufPool{c: make(chan []byte, 4), min: peekBuf, max: peekBuf}

// read receives into b like net.TCPConn.Read, recording what no peek recorded.
func (in *inbound) read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	in.rmu.Lock()
	defer in.rmu.Unlock()
	in.rb, in.rn, in.rerr = b, 0, nil
	err := in.raw.Read(in.recvFn)
	n, rerr := in.rn, in.rerr
	in.rb, in.rerr = nil, nil
	if err := in.ioError("read", err, rerr); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// ioError is the error of a read or a write (op) that raw.Read or raw.Write
// ended with err, or that the system failed with sysErr; nil with neither.
// raw.Read names its operation "raw-read"; a read says "read". Its error is
// this read's own, made for it: renamed, not wrapped again (an HTTP server's
// background read ends so after every request). Any other error (a
// connection it cannot use) is wrapped as the operation's.
func (in *inbound) ioError(op string, err, sysErr error) error {
	switch {
	case err != nil:
		if oe, ok := err.(*net.OpError); ok {
			oe.Op = op
			return oe
		}
		return &net.OpError{Op: op, Net: "tcp", Source: in.laddr, Addr: in.raddr, Err: err}
	case sysErr != nil:
		return &net.OpError{Op: op, Net: "tcp", Source: in.laddr, Addr: in.raddr, Err: os.NewSyscallError(op, sysErr)}
	}
	return nil
}

// write sends all of b (len(b) > 0) like net.TCPConn.Write, with raw system
// calls as read does: it waits for room in the send queue as Write does, and
// fails as Write would (the operation named "write", a deadline's error,
// the system's error wrapped in os.SyscallError).
func (in *inbound) write(b []byte) (int, error) {
	in.wmu.Lock()
	defer in.wmu.Unlock()
	in.wb, in.wn, in.werr = b, 0, nil
	err := in.raw.Write(in.sendFn)
	n, werr := in.wn, in.werr
	in.wb, in.werr = nil, nil
	return n, in.ioError("write", err, werr)
}

// send is raw.Write's callback: non-blocking writes of what is left of the
// bytes, until all are sent (true), the send queue is full (false: wait for
// room) or the system fails it (true, with the error kept).
func (in *inbound) send(fd uintptr) bool {
	for in.wn < len(in.wb) {
		n, err := writeRaw(fd, in.wb[in.wn:])
		switch err {
		case nil:
			in.wn += n
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			in.werr = err
			return true
		}
	}
	return true
}

// recv is raw.Read's callback: one non-blocking receive, and the recording of
// its bytes not yet recorded, as one step under in.mu. It returns false to wait
// for the socket to become readable.
func (in *inbound) recv(fd uintptr) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for {
		n, err := readRaw(fd, in.rb)
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		default:
			in.rerr = err
			return true
		}
		in.rn = n
		skip := in.recorded - in.received
		in.received += int64(n)
		if skip < int64(n) {
			in.record(in.rb[skip:n])
			in.recorded = in.received
		}
		return true
	}
}

// inq returns how many bytes wait in socket fd's receive queue (SIOCINQ).
// The call never blocks, so it is made raw, without telling the scheduler:
// that costs about a fifth of a call this short, made before every write.
func inq(fd uintptr) (int, error) {
	var n int32
	if _, _, e := unix.RawSyscall(unix.SYS_IOCTL, fd, unix.SIOCINQ, uintptr(unsafe.Pointer(&n))); e != 0 {
		return 0, e
	}
	return int(n), nil
}

// readRaw is read(2) on fd, non-blocking, made raw as inq is: it takes what
// the receive queue holds, or fails with EAGAIN.
func readRaw(fd uintptr, b []byte) (int, error) { return rawIO(unix.SYS_READ, fd, b) }

// writeRaw is write(2) on fd, non-blocking and raw: it puts what fits in the
// send queue, or fails with EAGAIN.
func writeRaw(fd uintptr, b []byte) (int, error) { return rawIO(unix.SYS_WRITE, fd, b) }

// maxRawIO is the most bytes a read or write moves in a raw call: a longer
// copy is a call that takes long, for which the scheduler is told (it may
// run the goroutine's other work meanwhile, and a collection need not wait).
const maxRawIO = 64 << 10

func rawIO(call, fd uintptr, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	var n uintptr
	var e syscall.Errno
	if len(b) <= maxRawIO {
		n, _, e = unix.RawSyscall(call, fd, uintptr(p), uintptr(len(b)))
	} else {
		n, _, e = unix.Syscall(call, fd, uintptr(p), uintptr(len(b)))
	}
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
