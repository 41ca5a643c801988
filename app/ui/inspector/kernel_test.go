package inspector

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// kernelText is the kernel panel as a person reads it, "" when hidden.
func kernelText(in *Inspector) string {
	if !in.detail.kernelOn {
		return ""
	}
	parts := []string{in.detail.kTitle.Text}
	for _, o := range in.detail.kernel.Objects {
		parts = append(parts, o.(*widget.Label).Text)
	}
	return strings.Join(parts, " | ")
}

// TestInspectorKernelViewOfAClosedConversation: the kernel panel of an open TCP
// connection is live; once the connection is closed by both ends it no longer is,
// and its state is shown as the last seen while open.
func TestInspectorKernelViewOfAClosedConversation(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := h.Tap(p).Dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	id := lab.ConnConversation(c).ID()
	if _, err := c.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	in.Update()
	if in.Selected() != id {
		t.Fatalf("Selected = %d, want %d", in.Selected(), id)
	}
	open := kernelText(in)
	if open == "" {
		t.Skip("this system does not report TCP_INFO")
	}
	if !strings.Contains(open, "TCP_INFO, live") || !strings.Contains(open, "kernel state | ESTABLISHED") {
		t.Errorf("open connection's kernel panel = %q, want it live and ESTABLISHED", open)
	}

	c.Close() // the echo server closes its end on the client's FIN
	waitEnded(t, h, id)
	in.Update()
	closed := kernelText(in)
	if strings.Contains(closed, "live") || !strings.Contains(closed, "last seen while open") ||
		strings.Contains(closed, "kernel state | ESTABLISHED") {
		t.Errorf("closed connection's kernel panel = %q, want no live view, only the last seen while open", closed)
	}
	// Shown anew, it says the same.
	in.show(0)
	in.show(id)
	if again := kernelText(in); again != closed {
		t.Errorf("shown again: kernel panel = %q, want %q", again, closed)
	}
}
