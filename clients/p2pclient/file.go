package p2pclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode/utf8"
)

// The file framing: a file crosses a channel as binary messages, each
// beginning with frameMagic and a kind byte:
//
//	S size(8, big-endian) name   the file starts: its size and name (UTF-8)
//	C bytes                      a chunk (ChunkSize bytes but the last)
//	E sha256(32)                 the file ends: the SHA-256 of its bytes
//	A reason                     the sender gave up (text)
//
// One file at a time on a channel; text and other binary messages may come
// between its frames.
const frameMagic = "\x00PLF"

// ChunkSize is the size of a file's chunks: small enough for every WebRTC
// stack's message size (RFC 8831 §6.6 advises 16 KiB for interoperation).
const ChunkSize = 16 << 10

// File is a file received on a channel.
type File struct {
	Name   string
	Size   int64
	Data   []byte   // its bytes, Size of them
	SHA256 [32]byte // checked against the sender's
	// Err, if non-nil, says why the file did not arrive whole (Data then
	// holds what did): the sender gave up, the peer vanished, the hash or
	// size differ.
	Err error
}

func isFrame(b []byte) bool {
	return len(b) > len(frameMagic) && string(b[:len(frameMagic)]) == frameMagic
}

func frame(kind byte, body ...[]byte) []byte {
	b := append([]byte(frameMagic), kind)
	for _, x := range body {
		b = append(b, x...)
	}
	return b
}

// SendFile sends size bytes read from r as the file name, and returns once
// the last frame is queued. It fails if r does not yield exactly size bytes
// (the receiver is told: A), the channel closes or ctx ends.
func (c *Channel) SendFile(ctx context.Context, name string, r io.Reader, size int64) error {
	if !utf8.ValidString(name) || name == "" {
		return fmt.Errorf("p2pclient: file name %q: give a non-empty UTF-8 name", name)
	}
	c.sending.Lock()
	defer c.sending.Unlock()
	if err := c.ready(); err != nil {
		return err
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(size))
	if err := c.Send(frame('S', n[:], []byte(name))); err != nil {
		return err
	}
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	var sent int64
	for sent < size {
		want := min(int64(len(buf)), size-sent)
		k, err := io.ReadFull(r, buf[:want])
		if err != nil {
			c.Send(frame('A', []byte("the sender could not read the file")))
			return fmt.Errorf("p2pclient: send %s: read at byte %d of %d: %w", name, sent+int64(k), size, err)
		}
		if err := c.drain(ctx); err != nil {
			if ctx.Err() != nil {
				c.Send(frame('A', []byte("the sender cancelled")))
			}
			return fmt.Errorf("p2pclient: send %s: %d of %d bytes sent: %w", name, sent, size, err)
		}
		h.Write(buf[:k])
		if err := c.Send(frame('C', buf[:k])); err != nil {
			return fmt.Errorf("p2pclient: send %s: %d of %d bytes sent: %w", name, sent, size, err)
		}
		sent += int64(k)
	}
	return c.Send(frame('E', h.Sum(nil)))
}

// Flush waits until everything sent on the channel has left the peer (its
// send buffer is empty), or the channel ends.
func (c *Channel) Flush(ctx context.Context) error {
	for c.dc.BufferedAmount() > 0 {
		select {
		case <-c.closed:
			return c.Err()
		case <-ctx.Done():
			return ctx.Err()
		case <-c.low:
		case <-afterTick():
		}
	}
	return nil
}

// incoming is a file being received.
type incoming struct {
	name string
	size int64
	buf  bytes.Buffer
	h    hash.Hash
}

// frame handles one file frame.
func (c *Channel) frame(b []byte) {
	kind, body := b[len(frameMagic)], b[len(frameMagic)+1:]
	c.mu.Lock()
	in := c.recv
	var done *File
	switch {
	case kind == 'S' && len(body) >= 8:
		if in != nil {
			done = in.failed(errors.New("a new file began before it ended"))
		}
		size := int64(binary.BigEndian.Uint64(body))
		c.recv = &incoming{name: string(body[8:]), size: size, h: sha256.New()}
		if size < 0 || size > c.p.opts.MaxFile {
			done = c.recv.failed(fmt.Errorf("%d bytes is over the limit of %d (Options.MaxFile)", size, c.p.opts.MaxFile))
			c.recv = nil
		} else {
			c.recv.buf.Grow(int(min(size, 64<<20))) // one allocation, not one per doubling; bounded, as the size is the sender's word
		}
	case in == nil:
		// a chunk or end of a file refused or already failed: dropped
	case kind == 'C':
		if in.buf.Len()+len(body) > int(in.size) {
			done, c.recv = in.failed(fmt.Errorf("more than the %d bytes announced", in.size)), nil
			break
		}
		in.buf.Write(body)
		in.h.Write(body)
	case kind == 'E' && len(body) == 32:
		c.recv = nil
		f := &File{Name: in.name, Size: in.size, Data: in.buf.Bytes()}
		copy(f.SHA256[:], in.h.Sum(nil))
		switch {
		case int64(in.buf.Len()) != in.size:
			f.Err = fmt.Errorf("p2pclient: file %s: %d of %d bytes arrived (an unreliable channel drops messages)", in.name, in.buf.Len(), in.size)
		case !bytes.Equal(f.SHA256[:], body):
			f.Err = fmt.Errorf("p2pclient: file %s: SHA-256 %x, the sender's %x: the bytes differ", in.name, f.SHA256, body)
		}
		done = f
	case kind == 'A':
		done, c.recv = in.failed(fmt.Errorf("the sender gave up: %s", body)), nil
	default:
		done, c.recv = in.failed(fmt.Errorf("a malformed frame %q", kind)), nil
	}
	f, prog := c.onFile, c.onProg
	var got, size int64
	if kind == 'C' && c.recv != nil {
		got, size = int64(c.recv.buf.Len()), c.recv.size
	}
	c.mu.Unlock()
	if prog != nil && size > 0 {
		prog(in.name, got, size)
	}
	if done != nil && f != nil {
		f(*done)
	}
}

func (in *incoming) failed(why error) *File {
	f := &File{Name: in.name, Size: in.size, Data: in.buf.Bytes()}
	f.Err = fmt.Errorf("p2pclient: file %s: %d of %d bytes received: %w", in.name, in.buf.Len(), in.size, why)
	return f
}

// abortReceive fails the file being received, if any, with why.
func (c *Channel) abortReceive(why error) {
	c.mu.Lock()
	in, f := c.recv, c.onFile
	c.recv = nil
	c.mu.Unlock()
	if in != nil && f != nil {
		f(*in.failed(why))
	}
}
