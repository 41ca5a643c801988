package p2pserver

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestFileP2P: a 1 MiB file crosses from one lab peer to the other
// byte-identical, its SHA-256 checked, with text messages between its frames.
func TestFileP2P(t *testing.T) {
	r := newRig(t, true)
	a := r.peer(t, lab.SideClient, p2pclient.Options{})
	_, ca, cb := r.pair(t, a, p2pclient.Options{}, "lab", p2pclient.ChannelOptions{})
	files := make(chan p2pclient.File, 1)
	texts := make(chan string, 1)
	var progress []int64
	cb.OnFile(func(f p2pclient.File) { files <- f })
	cb.OnMessage(func(m p2pclient.Message) { texts <- string(m.Data) })
	cb.OnFileProgress(func(_ string, got, _ int64) { progress = append(progress, got) })
	data := randomBytes(1 << 20)
	ctx := timeout(t, 30*time.Second)
	if err := ca.SendFile(ctx, "random.bin", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	ca.SendText("sent")
	f := <-files
	if f.Err != nil || f.Name != "random.bin" || f.Size != int64(len(data)) || !bytes.Equal(f.Data, data) || f.SHA256 != sha256.Sum256(data) {
		t.Errorf("file %s, %d of %d bytes, %v: not the one sent", f.Name, len(f.Data), f.Size, f.Err)
	}
	if got := <-texts; got != "sent" {
		t.Errorf("text after the file = %q", got)
	}
	if len(progress) != len(data)/p2pclient.ChunkSize || progress[len(progress)-1] != int64(len(data)) {
		t.Errorf("%d progress reports, the last %d; want %d, the last %d", len(progress), progress[len(progress)-1], len(data)/p2pclient.ChunkSize, len(data))
	}

	// A reader that ends early: the receiver is told the sender gave up.
	err := ca.SendFile(ctx, "short.bin", bytes.NewReader(data[:1000]), 5000)
	if err == nil {
		t.Error("SendFile of a short reader succeeded")
	}
	if f := <-files; f.Err == nil || !bytes.Contains([]byte(f.Err.Error()), []byte("the sender gave up")) {
		t.Errorf("short file: %v, want the sender's giving up", f.Err)
	}
}

// TestChannelOptions: unordered and partially reliable channels open with
// their rules, as the remote peer sees them; a channel cannot have both limits.
func TestChannelOptions(t *testing.T) {
	r := newRig(t, false)
	a := r.peer(t, lab.SideClient, p2pclient.Options{})
	n := uint16(0)
	opts := p2pclient.ChannelOptions{Unordered: true, MaxRetransmits: &n}
	_, ca, cb := r.pair(t, a, p2pclient.Options{}, "lab", opts)
	for _, c := range []*p2pclient.Channel{ca, cb} {
		o := c.Options()
		if !o.Unordered || o.Reliable() || o.MaxRetransmits == nil || *o.MaxRetransmits != 0 {
			t.Errorf("channel's options %+v, want unordered with no retransmission", o)
		}
	}
	ms := uint16(100)
	if _, err := a.OpenChannel("both", p2pclient.ChannelOptions{MaxRetransmits: &n, MaxPacketLifeTime: &ms}); err == nil {
		t.Error("a channel with both limits opened")
	}
	late, err := a.OpenChannel("late", p2pclient.ChannelOptions{MaxPacketLifeTime: &ms})
	if err != nil {
		t.Fatal(err)
	}
	if err := late.WaitOpen(timeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}

// vanishing is a socket that can be made to vanish: closed under the peer,
// which sends nothing more, not even a goodbye.
func vanishing(t *testing.T, r *rig, side lab.Side) (*p2pclient.Socket, func()) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return p2pclient.NewSocket(pc, r.flowTap, side), func() { pc.Close() }
}

// TestPeerVanishes: when the receiving peer vanishes mid-file the sender's
// SendFile fails; when the sending one does, the receiver is given the file
// with an error. Both say the peer connection failed, and nothing hangs.
func TestPeerVanishes(t *testing.T) {
	for _, who := range []string{"receiver", "sender"} {
		t.Run(who, func(t *testing.T) {
			data := randomBytes(64 << 20)
			r := newRig(t, true)
			const fail = 3 * time.Second
			aSock, aVanish := vanishing(t, r, lab.SideClient)
			bSock, bVanish := vanishing(t, r, lab.SideServer)
			a := r.peer(t, lab.SideClient, p2pclient.Options{Socket: aSock, FailTimeout: fail})
			b, ca, cb := r.pair(t, a, p2pclient.Options{Socket: bSock, FailTimeout: fail}, "lab", p2pclient.ChannelOptions{})
			vanish := bVanish
			if who == "sender" {
				vanish = aVanish
			}
			var once sync.Once
			files := make(chan p2pclient.File, 1)
			cb.OnFileProgress(func(_ string, got, _ int64) {
				if got >= 256<<10 {
					once.Do(vanish)
				}
			})
			cb.OnFile(func(f p2pclient.File) { files <- f })
			ctx := timeout(t, 60*time.Second)
			err := ca.SendFile(ctx, "big.bin", bytes.NewReader(data), int64(len(data)))
			switch {
			case who == "receiver" && !errors.Is(err, p2pclient.ErrPeerFailed):
				t.Errorf("SendFile = %v, want the peer connection failed", err)
			case err == nil: // the sender's own socket is gone
				t.Error("SendFile from a vanished peer succeeded")
			}
			if who == "sender" {
				select {
				case f := <-files:
					if !errors.Is(f.Err, p2pclient.ErrPeerFailed) || len(f.Data) == 0 || len(f.Data) >= len(data) {
						t.Errorf("received %d of %d bytes, %v; want part of it and the peer connection failed", len(f.Data), len(data), f.Err)
					}
				case <-ctx.Done():
					t.Fatal("the receiver was not told")
				}
			}
			survivor := a
			if who == "sender" {
				survivor = b
			}
			select {
			case <-survivor.Done():
			case <-ctx.Done():
				t.Fatal("the survivor's connection did not end")
			}
		})
	}
}
