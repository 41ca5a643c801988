package p2pclient

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"
)

// receiver is a channel with no connection, fed frames by hand.
func receiver(files *[]File) *Channel {
	c := &Channel{p: &Peer{opts: Options{MaxFile: 1 << 20}}, closed: make(chan struct{})}
	c.OnFile(func(f File) { *files = append(*files, f) })
	return c
}

func start(name string, size uint64) []byte {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], size)
	return frame('S', n[:], []byte(name))
}

var frameTests = []struct {
	name   string
	frames [][]byte
	err    string // "" for a file received whole
}{
	{"whole", [][]byte{start("a", 3), frame('C', []byte("abc")), frame('E', sum("abc"))}, ""},
	{"empty", [][]byte{start("e", 0), frame('E', sum(""))}, ""},
	{"short", [][]byte{start("a", 4), frame('C', []byte("abc")), frame('E', sum("abc"))}, "3 of 4 bytes arrived"},
	{"long", [][]byte{start("a", 2), frame('C', []byte("abc"))}, "more than the 2 bytes announced"},
	{"bad hash", [][]byte{start("a", 3), frame('C', []byte("abc")), frame('E', sum("abd"))}, "the bytes differ"},
	{"aborted", [][]byte{start("a", 3), frame('A', []byte("cancelled"))}, "the sender gave up: cancelled"},
	{"too big", [][]byte{start("a", 2<<20)}, "over the limit"},
	{"restart", [][]byte{start("a", 3), start("b", 0)}, "a new file began before it ended"},
	{"malformed", [][]byte{start("a", 3), frame('Z')}, "a malformed frame"},
}

func sum(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func TestFrames(t *testing.T) {
	for _, tt := range frameTests {
		var files []File
		c := receiver(&files)
		for _, f := range tt.frames {
			c.frame(f)
		}
		switch {
		case len(files) == 0:
			t.Errorf("%s: no file", tt.name)
		case tt.err == "" && files[0].Err != nil:
			t.Errorf("%s: %v", tt.name, files[0].Err)
		case tt.err != "" && (files[0].Err == nil || !strings.Contains(files[0].Err.Error(), tt.err)):
			t.Errorf("%s: %v, want %q", tt.name, files[0].Err, tt.err)
		}
	}
}

// FuzzFrames feeds a receiver arbitrary frames: it never panics, and what
// it gives as received whole has the size and hash it announced.
func FuzzFrames(f *testing.F) {
	for _, tt := range frameTests {
		var all []byte
		for _, fr := range tt.frames {
			all = append(all, byte(len(fr)>>8), byte(len(fr)))
			all = append(all, fr...)
		}
		f.Add(all)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var files []File
		c := receiver(&files)
		for len(b) >= 2 {
			n := int(b[0])<<8 | int(b[1])
			b = b[2:]
			if n > len(b) {
				n = len(b)
			}
			if fr := b[:n]; isFrame(fr) {
				c.frame(fr)
			}
			b = b[n:]
		}
		for _, file := range files {
			if file.Err == nil && (int64(len(file.Data)) != file.Size || sha256.Sum256(file.Data) != file.SHA256) {
				t.Errorf("file %q received whole with %d of %d bytes", file.Name, len(file.Data), file.Size)
			}
		}
	})
}
