package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestDNSQuery(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "dns")
	p := w.wb.benches["dns"].client.(*dnsPane)
	if got := p.addr.value(); got != st.Addr {
		t.Errorf("server = %q, want the running server's %q", got, st.Addr)
	}
	test.Tap(p.ask)
	waitFor(t, w, "the answer over UDP", func() bool { return strings.Contains(p.status.Text, "NOERROR") })
	if !strings.Contains(p.result.Text, "www.lab.test") || !strings.Contains(p.result.Text, "127.0.0.1") ||
		!strings.Contains(p.result.Text, "ANSWER (1)") {
		t.Errorf("result = %q, want the A record", p.result.Text)
	}

	p.name.SetText("alpha.test")
	p.qtype.SetSelected("MX")
	p.via.SetSelected(dnsTCP)
	test.Tap(p.ask)
	waitFor(t, w, "the MX answer over TCP", func() bool { return strings.Contains(p.status.Text, "over TCP") })
	for _, want := range []string{"10 mail.alpha.test.", "ADDITIONAL (1)", "mail.alpha.test"} {
		if !strings.Contains(p.result.Text, want) {
			t.Errorf("result lacks %q:\n%s", want, p.result.Text)
		}
	}

	p.name.SetText("nope.lab.test")
	test.Tap(p.ask)
	waitFor(t, w, "NXDOMAIN", func() bool { return strings.Contains(p.status.Text, "NXDOMAIN") })
	if !strings.Contains(p.status.Text, "no such name") {
		t.Errorf("status = %q, want NXDOMAIN explained", p.status.Text)
	}
	var dns int
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol == "dns" {
			dns++
		}
	}
	if dns != 3 {
		t.Errorf("DNS conversations in the hub = %d, want 3", dns)
	}
}

// TestDNSNothingAnswers asks while the server is off.
func TestDNSNothingAnswers(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "dns")
	if err := w.bench.Stop("dns"); err != nil {
		t.Fatal(err)
	}
	p := w.wb.benches["dns"].client.(*dnsPane)
	p.addr.SetText(st.Addr)
	p.via.SetSelected(dnsTCP)
	test.Tap(p.ask)
	waitFor(t, w, "the note", func() bool { return strings.Contains(p.status.Text, "Nothing answers") })
}
