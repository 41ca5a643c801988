package ftpclient_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/protocollab/protolab/clients/ftpclient"
)

var modes = []ftpclient.Mode{ftpclient.Passive, ftpclient.Active}

func dialVsftpd(t *testing.T, srv *vsftpd, opts ftpclient.Options) *ftpclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	c, err := ftpclient.Dial(ctx, srv.Addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("anonymous", ""); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}

func find(entries []ftpclient.Entry, name string) (ftpclient.Entry, bool) {
	i := slices.IndexFunc(entries, func(e ftpclient.Entry) bool { return e.Name == name })
	if i < 0 {
		return ftpclient.Entry{}, false
	}
	return entries[i], true
}

func names(entries []ftpclient.Entry) []string {
	var s []string
	for _, e := range entries {
		s = append(s, e.Name)
	}
	return s
}

// progressLog records the calls of a progress callback.
type progressLog struct {
	calls       int
	done, total int64
	backwards   bool
}

func (p *progressLog) f(done, total int64) {
	if done < p.done {
		p.backwards = true
	}
	p.calls++
	p.done, p.total = done, total
}

// TestVsftpd does what a person does in the client pane, against vsftpd, in both modes.
func TestVsftpd(t *testing.T) {
	srv := startVsftpd(t)
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := dialVsftpd(t, srv, ftpclient.Options{Mode: mode})
			if got := c.Mode(); got != mode {
				t.Errorf("Mode() = %v, want %v", got, mode)
			}

			if dir, err := c.Pwd(); err != nil || dir != "/" {
				t.Errorf("Pwd = %q, %v, want /", dir, err)
			}
			entries, err := c.List("")
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if e, ok := find(entries, "a.txt"); !ok || e.Size != 6 || e.IsDir || e.Time.IsZero() {
				t.Errorf("List: a.txt = %+v (found %v), want a 6-byte file with a time; all: %q", e, ok, names(entries))
			}
			if e, ok := find(entries, "pub"); !ok || !e.IsDir {
				t.Errorf("List: pub = %+v (found %v), want a folder", e, ok)
			}

			if err := c.Cwd("pub"); err != nil {
				t.Fatalf("Cwd: %v", err)
			}
			if dir, err := c.Pwd(); err != nil || dir != "/pub" {
				t.Errorf("Pwd after Cwd = %q, %v, want /pub", dir, err)
			}

			// Upload.
			want := make([]byte, 3<<20+17)
			rand.Read(want)
			name := "up-" + mode.String() + ".bin"
			var up progressLog
			if err := c.Stor(name, bytes.NewReader(want), int64(len(want)), up.f); err != nil {
				t.Fatalf("Stor: %v", err)
			}
			if up.calls < 2 || up.done != int64(len(want)) || up.total != int64(len(want)) || up.backwards {
				t.Errorf("Stor progress: %d calls, last (%d, %d), backwards %v; want several, ending (%d, %d)", up.calls, up.done, up.total, up.backwards, len(want), len(want))
			}
			if got, err := os.ReadFile(filepath.Join(srv.Pub, name)); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the uploaded file on the server's disk: %d bytes, %v; want the %d bytes sent", len(got), err, len(want))
			}

			// Download.
			var got bytes.Buffer
			var down progressLog
			if err := c.Retr(name, &got, down.f); err != nil {
				t.Fatalf("Retr: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Retr: got %d bytes, want the %d uploaded", got.Len(), len(want))
			}
			if down.calls < 2 || down.done != int64(len(want)) || down.total != int64(len(want)) || down.backwards {
				t.Errorf("Retr progress: %d calls, last (%d, %d), backwards %v; want several, ending (%d, %d)", down.calls, down.done, down.total, down.backwards, len(want), len(want))
			}

			// Rename, make and remove a folder, delete.
			renamed := "renamed-" + name
			if err := c.Rename(name, renamed); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			if err := c.MakeDir("folder"); err != nil {
				t.Fatalf("MakeDir: %v", err)
			}
			entries, err = c.List("")
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if e, ok := find(entries, renamed); !ok || e.Size != int64(len(want)) {
				t.Errorf("List after Rename: %s = %+v (found %v), want %d bytes; all: %q", renamed, e, ok, len(want), names(entries))
			}
			if _, ok := find(entries, name); ok {
				t.Errorf("List after Rename still has %s", name)
			}
			if e, ok := find(entries, "folder"); !ok || !e.IsDir {
				t.Errorf("List after MakeDir: folder = %+v (found %v), want a folder", e, ok)
			}
			if err := c.RemoveDir("folder"); err != nil {
				t.Fatalf("RemoveDir: %v", err)
			}
			if err := c.Delete(renamed); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := os.Stat(filepath.Join(srv.Pub, renamed)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after Delete the file is still on disk: %v", err)
			}
			if _, err := os.Stat(filepath.Join(srv.Pub, "folder")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after RemoveDir the folder is still on disk: %v", err)
			}

			// A missing file is a 550 that says so.
			err = c.Retr("nothing.txt", io.Discard, nil)
			var fe *ftpclient.Error
			if !errors.As(err, &fe) || fe.Code != 550 || fe.Command != "RETR nothing.txt" || fe.Temporary() {
				t.Errorf("Retr of a missing file: %v, want a permanent 550 naming RETR nothing.txt", err)
			}
			// The session goes on after the error.
			if err := c.Cwd(".."); err != nil {
				t.Errorf("Cwd(..) after an error: %v", err)
			}
			if err := c.Quit(); err != nil {
				t.Errorf("Quit: %v", err)
			}
			if err := c.Noop(); !errors.Is(err, ftpclient.ErrClosed) {
				t.Errorf("Noop after Quit = %v, want ErrClosed", err)
			}
		})
	}
}

// TestSwitchModes switches between modes within one session, and checks what
// this client uploaded with another client, jlaffaye/ftp.
func TestSwitchModes(t *testing.T) {
	srv := startVsftpd(t)
	c := dialVsftpd(t, srv, ftpclient.Options{})
	files := map[string][]byte{}
	for i, mode := range []ftpclient.Mode{ftpclient.Active, ftpclient.Passive, ftpclient.Active} {
		c.SetMode(mode)
		name := "pub/" + mode.String() + string(rune('0'+i)) + ".bin"
		b := make([]byte, 100<<10+i)
		rand.Read(b)
		files[name] = b
		if err := c.Stor(name, bytes.NewReader(b), -1, nil); err != nil {
			t.Fatalf("Stor in %v mode: %v", mode, err)
		}
		if _, err := c.List("pub"); err != nil {
			t.Fatalf("List in %v mode: %v", mode, err)
		}
	}

	other, err := ftp.Dial(srv.Addr, ftp.DialWithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Quit()
	if err := other.Login("anonymous", "anonymous"); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		r, err := other.Retr(name)
		if err != nil {
			t.Fatalf("jlaffaye/ftp RETR %s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("jlaffaye/ftp RETR %s: %d bytes, %v; want the %d uploaded", name, len(got), err, len(want))
		}
	}
}

// BenchmarkRetrVsftpd downloads a 64 MiB file from vsftpd in each mode, without
// and with capture, and with jlaffaye/ftp for comparison.
func BenchmarkRetrVsftpd(b *testing.B) {
	srv := startVsftpd(b)
	const size = 64 << 20
	f, err := os.Create(filepath.Join(srv.Root, "big.bin"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, bench := range []struct {
		name   string
		mode   ftpclient.Mode
		tapped bool
	}{
		{"passive", ftpclient.Passive, false},
		{"active", ftpclient.Active, false},
		{"passive-captured", ftpclient.Passive, true},
		{"active-captured", ftpclient.Active, true},
	} {
		b.Run(bench.name, func(b *testing.B) {
			opts := ftpclient.Options{Mode: bench.mode}
			if bench.tapped {
				// As the lab captures: a data connection's bytes past 1 MiB are
				// counted and hashed, not kept.
				h, ctrl, data := tappedHub()
				data.Protocol().CaptureLimit = 1 << 20
				opts.Tap, opts.DataTap = ctrl, data
				defer h.Settle()
			}
			c, err := ftpclient.Dial(context.Background(), srv.Addr, opts)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := c.Login("anonymous", ""); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			for b.Loop() {
				var n countWriter
				if err := c.Retr("big.bin", &n, nil); err != nil || n != size {
					b.Fatalf("Retr: %d bytes, %v", n, err)
				}
			}
		})
	}
	b.Run("jlaffaye-passive", func(b *testing.B) {
		c, err := ftp.Dial(srv.Addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Quit()
		if err := c.Login("anonymous", "anonymous"); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		for b.Loop() {
			r, err := c.Retr("big.bin")
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, r)
			r.Close()
			if err != nil || n != size {
				b.Fatalf("Retr: %d bytes, %v", n, err)
			}
		}
	})
}

type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) {
	*w += countWriter(len(p))
	return len(p), nil
}
