package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/protocols/nats"
)

// TestNATSPane: connections to a real server subscribe with > and in a queue
// group, publish and ask a responder; a wildcard subject to publish to is
// refused before sending, and the help says how to speak NATS by hand.
func TestNATSPane(t *testing.T) {
	w, p := brokerPane[*natsPane](t, nats.Name)
	test.Tap(p.add)
	if len(p.cols) != 3 || p.cols[2].connName.Text != "lab-conn-3" {
		t.Fatalf("after Add connection: %d connections, the third named %q; want 3, lab-conn-3", len(p.cols), p.cols[2].connName.Text)
	}
	for _, c := range p.cols {
		test.Tap(c.connect)
		w.async.Wait() // one at a time: the test driver runs each report on the worker's goroutine
	}
	a, b, c := p.cols[0], p.cols[1], p.cols[2]
	waitFor(t, w, "three connections", func() bool { return a.open() && b.open() && c.open() })

	test.Tap(a.subscribe) // lab.>
	w.async.Wait()
	for _, q := range []*natsConn{b, c} {
		q.filter.SetText("lab.jobs")
		q.queue.SetText("workers")
		test.Tap(q.subscribe)
		w.async.Wait()
	}
	waitFor(t, w, "the subscriptions", func() bool {
		return strings.Contains(a.out.text(), "subscribed to lab.>") && strings.Contains(c.out.text(), "subscribed to lab.jobs (queue workers)")
	})

	a.subject.SetText("lab.jobs")
	a.comp.entry.SetText("job 1")
	test.Tap(a.comp.send)
	waitFor(t, w, "the job", func() bool {
		return strings.Contains(a.out.text(), "← lab.jobs (via lab.>) ▸ job 1") &&
			strings.Count(b.out.text()+c.out.text(), "lab.jobs (via lab.jobs (queue workers)) ▸ job 1") == 1
	})

	test.Tap(b.respond) // answers on lab.time
	waitFor(t, w, "the responder", func() bool { return strings.Contains(b.out.text(), "answering requests on lab.time") })
	c.subject.SetText("lab.time")
	c.comp.entry.SetText("what time?")
	test.Tap(c.request)
	waitFor(t, w, "the reply", func() bool { return strings.Contains(c.out.text(), " · the reply ▸ it is ") })

	c.subject.SetText("lab.>")
	test.Tap(c.comp.send)
	if got := shown(c.comp.errText); !strings.Contains(got, "wildcards") {
		t.Errorf("publishing to lab.> showed %q, want the wildcard refused", got)
	}
	if !strings.Contains(natsHelp, "nc 127.0.0.1 4222") || !strings.Contains(natsHelp, "SUB lab.> 1") || !strings.Contains(natsHelp, "PUB lab.x 5") {
		t.Errorf("help %q, want the nc recipe", natsHelp)
	}
	test.Tap(a.closeBtn)
	waitFor(t, w, "the close", func() bool { return !a.open() && !a.connect.Disabled() })
}

// TestNATSPaneConnectionRefused: a refused connection is shown in red.
func TestNATSPaneConnectionRefused(t *testing.T) {
	w := testWindow(t)
	p := partPane[*natsPane](t, w, nats.Name)
	c := p.cols[0]
	p.addr.SetText(closedAddr(t))
	test.Tap(c.connect)
	waitFor(t, w, "the refusal", func() bool { return shown(c.errText) != "" })
	if got := shown(c.errText); !strings.Contains(got, "refused") || c.open() {
		t.Errorf("error shown %q, open %v; want the refused connection", got, c.open())
	}
}
