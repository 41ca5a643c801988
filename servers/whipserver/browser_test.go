package whipserver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/servers/httpserver"
)

const chromium = "/usr/bin/chromium"

// needChromium skips a test without Chromium, or with -short.
func needChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser takes seconds to start")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("Chromium is missing: install the Debian package chromium")
	}
}

// browse opens url in a headless Chromium with a fresh profile until the
// test ends.
func browse(t *testing.T, url string) *bytes.Buffer {
	needChromium(t)
	var out bytes.Buffer
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-features=WebRtcHideLocalIpsWithMdns", // host candidates as addresses, not mDNS names the lab cannot resolve
		"--user-data-dir="+t.TempDir(), url)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &out
}

// TestBrowserPeer: the lab's HTTP server serves /p2p.html with the
// signalling server's URL; headless Chromium opens it, joins a room and
// connects to a lab peer there, which it tells "hello from chromium"; the
// lab peer answers, and the page says it got the answer. The lab captures
// the flow: STUN's checks, DTLS, SCTP and the messages.
func TestBrowserPeer(t *testing.T) {
	needChromium(t)
	b := labBench(t)
	startP2P(t, b)
	page := "http://" + b.Addr(httpproto.Name) + httpserver.P2PPath
	signal := "ws://" + b.Addr(p2p.Name) + p2p.Path
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `content="`+signal+`"`) {
		t.Fatalf("GET %s: %s, want the page with the signalling URL %s", page, resp.Status, signal)
	}

	hub, reg := b.Hub(), b.Registry()
	ctx := timeout(t, 60*time.Second)
	sig, err := p2pclient.DialSignal(ctx, signal, p2pclient.SignalOptions{Tap: hub.Tap(reg.Lookup(p2p.Name))})
	if err != nil {
		t.Fatal(err)
	}
	defer sig.Close()
	if _, err := sig.Join(ctx, "browser-test", "lab-side", true); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 8)
	peers := make(chan *p2pclient.Peer, 1)
	ans := &p2pclient.Answerer{NewPeer: func(string) (*p2pclient.Peer, error) {
		p, err := p2pclient.New(p2pclient.Options{Tap: hub.Tap(reg.Lookup(webrtc.Name)), Side: lab.SideServer,
			OnChannel: func(c *p2pclient.Channel) {
				c.OnMessage(func(m p2pclient.Message) {
					got <- string(m.Data)
					if !strings.HasPrefix(string(m.Data), "got: ") {
						c.SendText("hello from the lab")
					}
				})
			}})
		if err == nil {
			peers <- p
		}
		return p, err
	}}
	go ans.Serve(ctx, sig)
	defer ans.Close()

	out := browse(t, page+"?room=browser-test&auto=1&to=lab-side&msg=hello+from+chromium")
	for _, want := range []string{"hello from chromium", "got: hello from the lab"} {
		select {
		case s := <-got:
			if s != want {
				t.Errorf("the lab peer got %q, want %q", s, want)
			}
		case <-ctx.Done():
			t.Fatalf("the lab peer got no %q from the browser; Chromium said:\n%s", want, out)
		}
	}
	p := <-peers
	flow := p.Flow()
	if flow == 0 {
		t.Fatal("the browser's flow was not captured")
	}
	wantLayers(t, hub, flow, "hello from chromium")
	info := hub.Conversation(flow).Info(false)
	if !info.Datagram || info.Protocol != webrtc.Name {
		t.Errorf("the flow is %s (datagram %v), want a UDP %s flow", info.Protocol, info.Datagram, webrtc.Name)
	}
}

// waitMessage waits for a message of protocol proto whose summary holds
// text, and returns its conversation.
func waitMessage(ctx context.Context, hub *lab.Hub, proto, text string) (lab.ConvID, error) {
	sub := hub.Subscribe(true)
	defer sub.Close()
	for {
		events, _ := sub.Next(0)
		for _, e := range events {
			if e.Kind == lab.KindMessage && e.Msg != nil && strings.Contains(e.Msg.Summary, text) {
				if c := hub.Conversation(e.Conv); c != nil && c.Info(false).Protocol == proto {
					return e.Conv, nil
				}
			}
		}
		select {
		case <-sub.Ready():
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// TestBrowserAnsweringPeer: the page, told nothing but auto, joins the room
// "lab" and connects to the lab's answering peer, which echoes its message;
// the page's reply, "got: <the echo>", is in the captured flow.
func TestBrowserAnsweringPeer(t *testing.T) {
	needChromium(t)
	b := labBench(t)
	startP2P(t, b)
	ctx := timeout(t, 60*time.Second)
	out := browse(t, "http://"+b.Addr(httpproto.Name)+httpserver.P2PPath+"?auto=1&msg=ping+from+chromium")
	flow, err := waitMessage(ctx, b.Hub(), webrtc.Name, "got: ping from chromium")
	if err != nil {
		t.Fatalf("no reply of the page to the echo in the capture: %v; Chromium said:\n%s", err, out)
	}
	wantLayers(t, b.Hub(), flow, "ping from chromium")
}

// TestBrowserTabs: two tabs of the page meet in a room and talk to each
// other, the second calling the first; each reports what it got to the lab's
// HTTP server, where the capture shows it.
func TestBrowserTabs(t *testing.T) {
	needChromium(t)
	b := labBench(t)
	startP2P(t, b)
	ctx := timeout(t, 60*time.Second)
	page := "http://" + b.Addr(httpproto.Name) + httpserver.P2PPath + "?room=tabs&auto=1&report=1&msg="
	out := browse(t, page+"first")
	if _, err := waitMessage(ctx, b.Hub(), p2p.Name, `joined`); err != nil {
		t.Fatalf("the first tab did not join: %v; Chromium said:\n%s", err, out)
	}
	out2 := browse(t, page+"second")
	for _, want := range []string{"report=second", "report=first", "report=got%3A%20first", "report=got%3A%20second"} {
		if _, err := waitMessage(ctx, b.Hub(), httpproto.Name, want); err != nil {
			t.Fatalf("no %s in the capture: %v; Chromium said:\n%s\n%s", want, err, out, out2)
		}
	}
}
