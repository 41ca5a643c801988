package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/protocols/redis"
)

// TestRedisPane: two connections to the lab's server, one over RESP3; the
// first subscribes to a pattern, the second publishes, and the first shows
// the message; commands show their replies as redis-cli does, with their RESP
// types; Tab completes a command's name and ↑ brings back the last command.
func TestRedisPane(t *testing.T) {
	w := testWindow(t)
	started(t, w, redis.Name)
	p := w.wb.benches[redis.Name].client.(*redisPane)
	if len(p.cols) != redisStartConns {
		t.Fatalf("%d connections at the start, want %d", len(p.cols), redisStartConns)
	}
	sub, pub := p.cols[0], p.cols[1]
	pub.protocol.SetSelectedIndex(1) // RESP3
	for _, c := range p.cols {
		test.Tap(c.connect)
		w.async.Wait()
	}
	waitFor(t, w, "two connections", func() bool { return sub.open() && pub.open() })

	test.Tap(sub.psub) // news.*
	w.async.Wait()
	waitFor(t, w, "the subscription", func() bool { return strings.Contains(sub.out.text(), "subscribed to the pattern news.*") })
	test.Tap(pub.runBtn) // PUBLISH news.tech "redis 8 is out"
	w.async.Wait()
	waitFor(t, w, "the message", func() bool {
		return strings.Contains(sub.out.text(), "news.tech (via news.*) ▸ redis 8 is out") &&
			strings.Contains(pub.out.text(), "(integer) 1   · integer (RESP2)")
	})

	for _, line := range []string{"HSET h f v", "HGETALL h"} {
		pub.cmd.SetText(line)
		test.Tap(pub.runBtn)
		w.async.Wait() // one at a time: the test driver runs each report on the worker's goroutine
	}
	waitFor(t, w, "the map", func() bool { return strings.Contains(pub.out.text(), "1# \"f\" => \"v\"   · map (RESP3)") })
	test.Tap(sub.runBtn) // SET greeting "hello world"
	w.async.Wait()
	waitFor(t, w, "the reply", func() bool { return strings.Contains(sub.out.text(), "OK   · simple string (RESP2)") })

	e := sub.cmd
	e.SetText("hget")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if e.Text != "HGET" && e.Text != "HGETALL" && !strings.HasPrefix(e.Text, "HGET") {
		t.Errorf("Tab after hget: %q", e.Text)
	}
	e.SetText("zsc")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if e.Text != "ZSCORE " {
		t.Errorf("Tab after zsc: %q, want ZSCORE and a space", e.Text)
	}
	if !strings.HasPrefix(sub.hint.Text, "ZSCORE: ") {
		t.Errorf("hint %q, want ZSCORE explained", sub.hint.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if e.Text != `SET greeting "hello world"` {
		t.Errorf("↑: %q, want the last command", e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if e.Text != "ZSCORE " {
		t.Errorf("↓: %q, want the line being typed", e.Text)
	}

	test.Tap(sub.closeBtn)
	waitFor(t, w, "the close", func() bool { return !sub.open() && !sub.connect.Disabled() })
}
