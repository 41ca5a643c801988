package cli

import (
	"context"
	"net"
	"regexp"
	"testing"
	"time"

	pstun "github.com/pion/stun/v4"
	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/protocols/p2p"
)

// TestServeOnlyP2P: `serve --only http,p2p` starts the HTTP server and the
// P2P server's three listeners — signalling, STUN and the answering peer's
// UDP socket, the last two part of p2p — with one listening line each; the
// answering peer waits in the room "lab" and the STUN server answers.
func TestServeOnlyP2P(t *testing.T) {
	tempLabDirs(t)
	r := startServe(t, "--only", "http,p2p", "--json", "--port", "http=0,p2p=0,stun=0,webrtc=0")
	addrs := map[string]string{}
	for _, want := range []struct{ name, neededBy string }{{"http", ""}, {"p2p", ""}, {"stun", "p2p"}, {"webrtc", "p2p"}} {
		l := r.next(t)
		tail := `}`
		if want.neededBy != "" {
			tail = `,"needed_by":"` + want.neededBy + `"}`
		}
		m := regexp.MustCompile(`^\{"event":"listening","protocol":"` + want.name + `","addr":"(127\.0\.0\.1:[1-9][0-9]*)"` + regexp.QuoteMeta(tail) + `$`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("listening line = %s, want %s's with a port", l, want.name)
		}
		addrs[want.name] = m[1]
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sig, err := p2pclient.DialSignal(ctx, "ws://"+addrs["p2p"]+p2p.Path, p2pclient.SignalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sig.Close()
	if peers, err := sig.Join(ctx, p2p.DefaultRoom, "", false); err != nil || len(peers) != 1 || peers[0] != "lab-peer" {
		t.Errorf("room lab = %v, %v; want the answering peer lab-peer", peers, err)
	}

	c, err := net.Dial("udp4", addrs["stun"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := pstun.MustBuild(pstun.TransactionID, pstun.BindingRequest, pstun.Fingerprint)
	c.Write(req.Raw)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	res := &pstun.Message{Raw: buf[:n]}
	var xor pstun.XORMappedAddress
	if err := res.Decode(); err != nil || xor.GetFrom(res) != nil || xor.String() != c.LocalAddr().String() {
		t.Errorf("STUN answer %v, XOR-MAPPED-ADDRESS %s; want %s", res, xor, c.LocalAddr())
	}
}
