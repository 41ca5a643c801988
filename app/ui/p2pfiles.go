package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
)

// A P2P peer's files: sending one (picked, with its progress), the files
// received (each with its SHA-256 check, saved on request), waiting for one.

// waitFile waits for a file called name received after the first n files.
func (s *p2pSide) waitFile(ctx context.Context, name string, n int) (p2pclient.File, error) {
	for {
		s.mu.Lock()
		for _, f := range s.files[min(n, len(s.files)):] {
			if f.Name == name {
				s.mu.Unlock()
				return f, f.Err
			}
		}
		wake := s.arrived
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return p2pclient.File{}, fmt.Errorf("the file %s did not arrive at peer %s: %w", name, s.name, ctx.Err())
		}
	}
}

func (s *p2pSide) received() []p2pclient.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.files)
}

// askFile asks for a file to send on the selected channel.
func (s *p2pSide) askFile() {
	openFile(s.pane.ctx.Window, p2pMaxFile, fmt.Sprintf("%d MiB: too large for the lab's peers, which keep a file in memory", p2pMaxFile>>20), "",
		s.fail, s.sendFile)
}

// openFile asks for a file of at most limit bytes and gives it to take;
// fail hears why it could not be read, "NAME is over " and tooBig for a
// larger one, and "NAME is empty: " and empty for an empty one unless empty
// is "".
func openFile(win fyne.Window, limit int, tooBig, empty string, fail func(error), take func(name string, data []byte)) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		name := r.URI().Name()
		data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		switch {
		case err != nil:
			fail(fmt.Errorf("could not read %s: %w", name, err))
		case len(data) > limit:
			fail(fmt.Errorf("%s is over %s", name, tooBig))
		case len(data) == 0 && empty != "":
			fail(fmt.Errorf("%s is empty: %s", name, empty))
		default:
			take(name, data)
		}
	}, win)
}

// p2pMaxFile bounds a file the pane sends (p2pclient's default MaxFile).
const p2pMaxFile = 256 << 20

// sendFile sends data as the file name on the selected channel.
func (s *p2pSide) sendFile(name string, data []byte) {
	c := s.selected()
	if c == nil {
		s.fail(fmt.Errorf("peer %s has no open channel: connect first", s.name))
		return
	}
	s.mu.Lock()
	s.outGot, s.outSize = 0, int64(len(data))
	s.mu.Unlock()
	s.run("", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		r := &countReader{r: bytes.NewReader(data), add: func(n int) {
			s.mu.Lock()
			s.outGot += int64(n)
			s.version++
			s.mu.Unlock()
			s.pane.ctx.Changed()
		}}
		if err := c.SendFile(ctx, name, r, int64(len(data))); err != nil {
			return err
		}
		return c.Flush(ctx)
	}, func() {
		s.note(fmt.Sprintf("sent the file %s on %s (%d bytes, SHA-256 %x)", name, c.Label(), len(data), sha256.Sum256(data)))
	})
}

// countReader tells add how many bytes each Read gave.
type countReader struct {
	r   io.Reader
	add func(int)
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.add(n)
	return n, err
}

// fileRow is one received file: its name, size and hash check, and a button
// to save it.
func (s *p2pSide) fileRow(f p2pclient.File) fyne.CanvasObject {
	check := fmt.Sprintf("SHA-256 %x… verified", f.SHA256[:6])
	imp := widget.SuccessImportance
	if f.Err != nil {
		check, imp = "not whole: "+f.Err.Error(), widget.DangerImportance
	}
	l := widget.NewLabel(fmt.Sprintf("%s · %d bytes · %s", f.Name, f.Size, check))
	l.Importance = imp
	l.Wrapping = fyne.TextWrapWord
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			_, err = w.Write(f.Data)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				s.fail(fmt.Errorf("saving %s: %w", f.Name, err))
			}
		}, s.pane.ctx.Window)
		d.SetFileName(f.Name)
		d.Show()
	})
	if f.Err != nil {
		save.Disable()
	}
	return container.NewBorder(nil, nil, nil, save, l)
}
