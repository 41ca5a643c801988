package swarm

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/servers/p2pserver"
)

// signal serves a signalling server on 127.0.0.1 until the test ends and
// returns its URL.
func signal(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := p2pserver.NewSignal(p2pserver.SignalOptions{})
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	<-s.Started()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, p2pserver.ErrServerClosed) {
			t.Errorf("signalling Serve = %v", err)
		}
	})
	return s.URL()
}

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func random(t testing.TB, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// start is Start, the members closed when the test ends.
func start(t testing.TB, ctx context.Context, n int, data []byte, opts Options) []*Member {
	t.Helper()
	ms, err := Start(ctx, n, data, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, m := range ms {
			m.Close()
		}
	})
	return ms
}

// transfers records who sent which piece to whom.
type transfers struct {
	mu  sync.Mutex
	all []Transfer
}

func (tr *transfers) add(x Transfer) {
	tr.mu.Lock()
	tr.all = append(tr.all, x)
	tr.mu.Unlock()
}

// TestSwarmShares: four members, one seeding, share a 4 MiB file: each gets
// it byte-identical, the leechers get pieces from each other and not only
// from the seed, and every byte one downloads another uploaded. The flows
// are captured as the lab's.
func TestSwarmShares(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(p2p.Protocol())
	reg.Register(stun.Protocol())
	reg.Register(webrtc.Protocol())
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	data := random(t, 4<<20)
	var tr transfers
	ctx := timeout(t, 5*time.Minute)
	ms := start(t, ctx, 4, data, Options{Signal: signal(t), Meta: NewMeta("file.bin", data, 64<<10),
		Tap: hub.Tap(reg.Lookup(webrtc.Name)), OnPiece: tr.add})
	for _, m := range ms {
		if err := m.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data(), data) {
			t.Errorf("%s's file differs from the seed's", m.Name())
		}
	}
	fromLeechers := 0
	for _, x := range tr.all {
		if x.From != "peer-1" {
			fromLeechers++
		}
	}
	if fromLeechers == 0 {
		t.Errorf("every piece came from the seed; want leechers to upload to each other")
	}
	var up, down int64
	for _, m := range ms {
		st := m.Stats()
		up += st.Uploaded
		down += st.Downloaded
		if !st.Complete || len(st.Neighbours) != 3 {
			t.Errorf("%s: complete %v with %d neighbours, want complete with 3", st.Name, st.Complete, len(st.Neighbours))
		}
		t.Logf("%s: up %d KiB, down %d KiB", st.Name, st.Uploaded>>10, st.Downloaded>>10)
	}
	if want := int64(3 * len(data)); down != want || up != want {
		t.Errorf("downloaded %d, uploaded %d; want %d each", down, up, want)
	}
	hub.Settle()
	flows := 0
	for _, ci := range hub.Conversations() {
		if ci.Protocol == webrtc.Name && ci.Datagram && ci.ClientSeen && ci.ServerSeen {
			flows++
		}
	}
	if flows != 6 {
		t.Errorf("%d flows seen from both sides, want 6 (a full mesh of 4)", flows)
	}
}

// TestSwarmLosesMember: a leecher leaves midway; the others complete the
// file from the members that remain.
func TestSwarmLosesMember(t *testing.T) {
	data := random(t, 4<<20)
	meta := NewMeta("file.bin", data, 64<<10)
	ctx := timeout(t, 5*time.Minute)
	var once sync.Once
	killed := make(chan struct{})
	var ms []*Member
	var msMu sync.Mutex
	onPiece := func(x Transfer) {
		// Once the third member has a quarter of the file, it leaves.
		if x.To != "peer-3" {
			return
		}
		msMu.Lock()
		m := ms[2]
		msMu.Unlock()
		if st := m.Stats(); st.Have >= meta.Pieces()/4 {
			once.Do(func() {
				go func() {
					m.Close()
					close(killed)
				}()
			})
		}
	}
	msMu.Lock()
	ms = start(t, ctx, 4, data, Options{Signal: signal(t), Meta: meta, OnPiece: onPiece, MaxRequests: 2})
	msMu.Unlock()
	select {
	case <-killed:
	case <-ctx.Done():
		t.Fatal("peer-3 never got a quarter of the file")
	}
	if ms[2].Data() != nil {
		t.Fatal("peer-3 completed before it left: the test proves nothing")
	}
	for _, i := range []int{0, 1, 3} {
		if err := ms[i].Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ms[i].Data(), data) {
			t.Errorf("%s's file differs from the seed's", ms[i].Name())
		}
	}
}
