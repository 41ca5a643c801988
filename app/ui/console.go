package ui

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// consoleMax bounds the bytes a console keeps; the oldest chunks go first.
const consoleMax = 256 << 10

// chunk is one write or read as a client saw it.
type chunk struct {
	at   time.Time
	dir  lab.Dir // ClientToServer: sent; ServerToClient: received
	data []byte
	note string // instead of data: "connected", "closed by the server (FIN)", ...
}

// transcript is what crossed one client connection, filled from any goroutine.
type transcript struct {
	mu      sync.Mutex
	chunks  []chunk
	bytes   int
	version uint64 // bumped on every change
}

func (t *transcript) add(c chunk) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.chunks = append(t.chunks, c)
	t.bytes += len(c.data)
	for t.bytes > consoleMax && len(t.chunks) > 1 {
		t.bytes -= len(t.chunks[0].data)
		t.chunks[0] = chunk{}
		t.chunks = t.chunks[1:]
	}
	t.version++
}

func (t *transcript) snapshot() ([]chunk, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]chunk(nil), t.chunks...), t.version
}

// console shows a transcript as text or as a hex dump, one line per row of a
// virtualised list, scrolled to the newest.
type console struct {
	list  *widget.List
	lines []string
	hex   bool
	src   *transcript
	seen  uint64
}

func newConsole() *console {
	c := &console{}
	c.list = widget.NewList(
		func() int { return len(c.lines) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(c.lines) {
				o.(*lineText).SetText(c.lines[id])
			}
		},
	)
	c.list.HideSeparators = true
	return c
}

// show makes the console follow t (nil: empty) in text or hex.
func (c *console) show(t *transcript, hex bool) {
	if t != c.src || hex != c.hex {
		c.src, c.hex, c.seen = t, hex, ^uint64(0)
	}
	c.update()
}

// update re-renders when the transcript changed.
func (c *console) update() {
	if c.src == nil {
		if c.lines != nil {
			c.lines = nil
			c.list.Refresh()
		}
		return
	}
	chunks, v := c.src.snapshot()
	if v == c.seen {
		return
	}
	c.seen = v
	c.lines = renderChunks(chunks, c.hex)
	c.list.Refresh()
	c.list.ScrollToBottom()
}

// text returns everything shown, one line each (for tests and copying).
func (c *console) text() string { return strings.Join(c.lines, "\n") }

// renderChunks writes chunks as console lines: "→ hello⏎" in text, or a
// 16-bytes-a-row hex dump with the printable characters beside it.
func renderChunks(chunks []chunk, asHex bool) []string {
	var out []string
	for _, ch := range chunks {
		stamp := ch.at.Format("15:04:05.000")
		if ch.note != "" {
			out = append(out, fmt.Sprintf("%s   · %s", stamp, ch.note))
			continue
		}
		arrow := "→"
		if ch.dir == lab.ServerToClient {
			arrow = "←"
		}
		if !asHex {
			for i, line := range textLines(ch.data) {
				if i == 0 {
					out = append(out, fmt.Sprintf("%s %s %s", stamp, arrow, line))
				} else {
					out = append(out, fmt.Sprintf("%s %s", strings.Repeat(" ", len(stamp)+len(arrow)-2), line))
				}
			}
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", stamp, arrow, counted(uint64(len(ch.data)), "byte")))
		for off := 0; off < len(ch.data); off += 16 {
			row := ch.data[off:min(off+16, len(ch.data))]
			out = append(out, fmt.Sprintf("    %04x  %-47s  %s", off, spacedHex(row), printable(row)))
		}
	}
	return out
}

// textLines splits b at newlines, keeping each newline visible as ⏎ and
// escaping other control bytes.
func textLines(b []byte) []string {
	var lines []string
	var cur strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '\n':
			cur.WriteString("⏎")
			lines = append(lines, cur.String())
			cur.Reset()
		case r == '\r':
			cur.WriteString("␍")
		case r == '\t':
			cur.WriteString("⇥")
		case r == 0xFFFD:
			cur.WriteString("�")
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&cur, "\\x%02x", r)
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func spacedHex(b []byte) string {
	s := hex.EncodeToString(b)
	var out strings.Builder
	for i := 0; i < len(s); i += 2 {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(s[i : i+2])
	}
	return out.String()
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
