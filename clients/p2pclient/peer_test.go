package p2pclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func newPeer(t *testing.T, opts Options) *Peer {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// connect has a offer and b answer in process, and returns a's channel
// "chat" and b's end of it, both open.
func connect(t *testing.T, a, b *Peer, bch <-chan *Channel) (*Channel, *Channel) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	ca, err := a.OpenChannel("chat", ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AcceptAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if err := ca.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	cb := <-bch
	if err := cb.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	return ca, cb
}

// TestInProcess: two peers without a signalling server (what a WHIP
// endpoint does: an offer in, an answer out) exchange text, bytes and a
// file; an echoing peer sends all of it back.
func TestInProcess(t *testing.T) {
	bch := make(chan *Channel, 1)
	a := newPeer(t, Options{})
	b := newPeer(t, Options{Echo: true, OnChannel: func(c *Channel) { bch <- c }})
	if a.LocalSDP() != "" {
		t.Error("a has a description before its offer")
	}
	ca, _ := connect(t, a, b, bch)
	if !strings.Contains(a.LocalSDP(), "a=candidate:") || b.RemoteSDP() != a.LocalSDP() {
		t.Error("the offer b received is not the one a sent, with its candidates")
	}
	if strings.Contains(a.LocalSDP(), "typ srflx") {
		t.Error("a server-reflexive candidate without a STUN server")
	}
	msgs := make(chan Message, 2)
	files := make(chan File, 1)
	ca.OnMessage(func(m Message) { msgs <- m })
	ca.OnFile(func(f File) { files <- f })
	ca.SendText("héllo")
	ca.Send([]byte{0, 1, 2})
	if m := <-msgs; !m.Text || string(m.Data) != "héllo" {
		t.Errorf("text echoed as %+v", m)
	}
	if m := <-msgs; m.Text || !bytes.Equal(m.Data, []byte{0, 1, 2}) {
		t.Errorf("bytes echoed as %+v", m)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // not a whole number of chunks
	if err := ca.SendFile(context.Background(), "digits.txt", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if f := <-files; f.Err != nil || !bytes.Equal(f.Data, data) {
		t.Errorf("file echoed: %d bytes, %v", len(f.Data), f.Err)
	}
	if err := ca.Flush(context.Background()); err != nil {
		t.Error(err)
	}
	// Closed: the remote sees it, and sending says why it cannot.
	b.Close()
	<-a.Done()
	if err := ca.SendText("anyone?"); err == nil {
		t.Error("sent on a closed connection")
	}
	if !errors.Is(a.Err(), ErrPeerClosed) && !errors.Is(a.Err(), ErrPeerFailed) {
		t.Errorf("a's error = %v, want closed or failed", a.Err())
	}
}

// TestOfferNeedsChannel: an offer without a channel would set up no SCTP.
func TestOfferNeedsChannel(t *testing.T) {
	p := newPeer(t, Options{})
	if _, err := p.CreateOffer(context.Background()); !errors.Is(err, ErrNoChannel) {
		t.Errorf("CreateOffer = %v, want ErrNoChannel", err)
	}
}

// TestSTUNNotAnswering: a STUN server that does not answer is reported, and
// the description goes without the server-reflexive candidate.
func TestSTUNNotAnswering(t *testing.T) {
	var failed error
	p := newPeer(t, Options{STUN: "127.0.0.1:9", STUNTimeout: 200 * time.Millisecond, OnState: func(s State) {
		if s.Layer == LayerSTUN && s.State == "failed" {
			failed = s.Err
		}
	}})
	p.OpenChannel("x", ChannelOptions{})
	sdp, err := p.CreateOffer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if failed == nil || !strings.Contains(failed.Error(), "the STUN server at 127.0.0.1:9") || strings.Contains(sdp, "srflx") {
		t.Errorf("STUN failure reported as %v; srflx in the offer: %v", failed, strings.Contains(sdp, "srflx"))
	}
}
