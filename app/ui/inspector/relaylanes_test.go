package inspector

import (
	"context"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// startSMTP serves SMTP with opts on 127.0.0.1:0 until the test ends, for domain's store.
func startSMTP(t *testing.T, domain string, opts smtpserver.Options) string {
	t.Helper()
	store, err := mailstore.Open(t.TempDir(), domain)
	if err != nil {
		t.Fatal(err)
	}
	store.SetAccounts(mailstore.DefaultAccounts(domain))
	opts.Store, opts.ErrorLog, opts.AuthDelay = store, log.New(io.Discard, "", 0), -1
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtpserver.New(opts)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// TestInspectorLanesOfARealRelay sends alice's mail for bob@beta.test to alpha's
// server, which relays it to beta's: the submission's diagram draws the hop
// between server alpha and server beta, never from alice's client.
func TestInspectorLanesOfARealRelay(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(smtp.Protocol())
	reg.Register(smtp.BetaProtocol())
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)

	betaTap := h.Tap(reg.Lookup(smtp.BetaName))
	betaAddr := startSMTP(t, "beta.test", smtpserver.Options{Tap: betaTap})
	_, port, _ := net.SplitHostPort(betaAddr)
	betaPort, _ := strconv.Atoi(port)
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := smtpserver.LabTLS(ca, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.KeyLogWriter = h.Keys()
	alphaTap := h.Tap(reg.Lookup(smtp.Name))
	alphaAddr := startSMTP(t, "alpha.test", smtpserver.Options{Tap: alphaTap, TLS: cfg, // alice logs in inside TLS
		RelayPort: func(string) int { return betaPort }, RelayTap: betaTap})
	res, err := smtpclient.Send(context.Background(), alphaAddr, smtpclient.Options{Tap: alphaTap, User: "alice", Password: "alice",
		StartTLS: true, RootCAs: ca.Pool(), ServerName: "mail.alpha.test", KeyLog: h.Keys()},
		smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Subject: "Across", Body: "Hello Bob."})
	if err != nil {
		t.Fatalf("Send: %v (replies %q)", err, res.Replies)
	}
	waitEnded(t, h, res.Conv)
	var hop lab.ConvInfo
	for _, ci := range h.Conversations() {
		if ci.Link.Parent == res.Conv {
			hop = ci
		}
	}
	if hop.ID == 0 {
		t.Fatal("no relay hop linked under the submission")
	}
	waitEnded(t, h, hop.ID)
	h.Settle()
	in.Update()
	in.Select(res.Conv)

	want := []string{"client " + shortAddr(in.info.Client), "server " + shortAddr(alphaAddr), "server " + shortAddr(betaAddr) + " (relay to beta.test)"}
	if lanes := in.seq.Lanes(); strings.Join(lanes, "|") != strings.Join(want, "|") {
		t.Fatalf("lanes = %q, want %q", lanes, want)
	}
	hops := 0
	for i := range in.rows() {
		e, a := in.row(i), in.seq.ArrowAt(i)
		lo, hi := min(a.From, a.To), max(a.From, a.To)
		switch {
		case e.Conv == hop.ID:
			hops++
			if lo != 1 || hi != 2 {
				t.Errorf("hop row %d (%q) drawn %d→%d, want between server alpha (1) and server beta (2)", i, rowSummary(e), a.From, a.To)
			}
			if e.Dir == lab.ClientToServer && a.From != 1 {
				t.Errorf("hop row %d (%q) from its client drawn from lane %d, want server alpha's", i, rowSummary(e), a.From)
			}
		case lo != 0 || hi != 1:
			t.Errorf("submission row %d (%q) drawn %d→%d, want between alice's client and server alpha", i, rowSummary(e), a.From, a.To)
		}
	}
	if hops == 0 {
		t.Error("no row of the hop in the submission's diagram")
	}
}
