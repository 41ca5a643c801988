package lab

import (
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestEndedConversationsCountAgainstTheBound: a flood of short connections,
// each saying little, costs the hub its events and its conversations'
// records; both count against its bound, so the conversations remembered stay
// few (those with events still held, and the newest ones since the last
// look) and the memory the hub holds stays near the bound, not growing with
// every connection that came and went.
func TestEndedConversationsCountAgainstTheBound(t *testing.T) {
	const bound = 1 << 20
	h, addr := lineEcho(t, bound)

	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	connect := func(n int) {
		buf := make([]byte, 32)
		for i := range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			line := fmt.Sprintf("line %d\n", i)
			if _, err := c.Write([]byte(line)); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf[:len(line)]); err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
	}
	settle := func() Stats {
		// Every conversation ends once the server's side has closed too.
		deadline := time.Now().Add(10 * time.Second)
		for {
			h.Settle()
			st := h.Stats()
			if st.LiveConvs == 0 || time.Now().After(deadline) {
				return st
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	connect(2 * trimEvery)
	settle()
	before := heap()
	const flood = 6000
	connect(flood)
	st := settle()
	grew := int64(heap()) - int64(before)
	t.Logf("after %d short connections: %d conversations remembered (%d KiB of them counted), %d events (%d KiB), %d dropped; heap grew %d KiB",
		flood, st.Convs, st.ConvBytes>>10, st.Events, st.Bytes>>10, st.Dropped, grew>>10)
	if most := bound/convCost + h.trimPeriod() + 8; st.Convs > most {
		t.Errorf("%d conversations remembered after %d short ones; want at most %d", st.Convs, flood, most)
	}
	if st.Bytes+st.ConvBytes > bound {
		t.Errorf("events %d + conversations %d bytes, past the bound %d", st.Bytes, st.ConvBytes, bound)
	}
	if st.Bytes < bound/4 {
		t.Errorf("the log holds %d bytes of events: the conversations' cost left it too little of the bound %d", st.Bytes, bound)
	}
	if st.ConvBytes <= 0 {
		t.Errorf("no ended conversation is counted against the bound")
	}
	// Each conversation forgotten leaves nothing: the heap grows by well
	// under what 6,000 remembered conversations would cost.
	if grew > flood*convCost/2 {
		t.Errorf("the heap grew %d KiB over %d short connections; want under %d KiB", grew>>10, flood, flood*convCost/2>>10)
	}
}

// TestPausedConversationsForgotten: connections that come and go while the
// capture is paused leave no event in the log, so its start never moves; the
// hub still forgets them, rather than waiting for the log to drop something.
func TestPausedConversationsForgotten(t *testing.T) {
	h, addr := lineEcho(t, 1<<20)
	h.SetPaused(true)
	for i := range 4 * h.trimPeriod() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("hello\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, 6)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		// Each ends before the next comes: the server's side closes too.
		deadline := time.Now().Add(10 * time.Second)
		for h.Stats().LiveConvs > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if i == 0 && h.Stats().Events != 0 {
			t.Fatalf("%d events recorded while paused", h.Stats().Events)
		}
	}
	h.Settle()
	if st := h.Stats(); st.Convs > h.trimPeriod()+1 {
		t.Errorf("%d conversations remembered after %d that ended while paused; want at most %d", st.Convs, 4*h.trimPeriod(), h.trimPeriod()+1)
	}
}

// lineEcho returns a hub bounded to bound bytes and the address of an echo
// server its tap of a line protocol watches.
func lineEcho(t *testing.T, bound int64) (*Hub, string) {
	reg := &Registry{}
	p := &Protocol{Name: "line", Transport: "line", NewAnalyzer: func() Analyzer { return &lineAnalyzer{} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg, MaxBytes: bound})
	return h, echoServer(t, h.Tap(p)).String()
}

// TestConversationRecordSize: a conversation's record fits the runtime's
// 576-byte size of allocation, as a flood of short flows (a DNS query each)
// makes one per flow; a field added past it costs each a 640-byte
// allocation. Reorder the fields, make room, or move what few conversations
// need into their pairing, when this fails.
func TestConversationRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(Conversation{}); n > 576 {
		t.Errorf("a Conversation is %d bytes, past 576", n)
	}
}

// TestMaxConversations: past MaxConversations the oldest ended conversations
// are forgotten, though the log still holds their events, with at most an
// eighth more remembered until the next look; live ones are never forgotten,
// however many.
func TestMaxConversations(t *testing.T) {
	const most, settleEvery = 200, 10
	reg := &Registry{}
	p := &Protocol{Name: "dns", Transport: "udp", NewAnalyzer: func() Analyzer { return datagramMessage{} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg, MaxConversations: most})
	server := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	flow := func(i int, end bool) *Conversation {
		client := &net.UDPAddr{IP: net.IPv4(127, 0, byte(i>>8), byte(i)), Port: 1024 + i}
		c := h.attach(p, client, server, SideServer, true, OpenInfo{})
		c.data(SideServer, ClientToServer, []byte("query"), time.Now())
		if end {
			c.closeStep(SideServer, SideNone, HowIdle, "")
			c.localClosed(SideServer)
			if i%settleEvery == 0 {
				h.Settle() // those before have ended: the analysis ran their end
			}
		}
		return c
	}
	var first, last *Conversation
	for i := range 10 * most {
		c := flow(i, true)
		if i == 0 {
			first = c
		}
		last = c
	}
	st := h.Stats()
	if want := most + most/8 + settleEvery; st.Convs > want {
		t.Errorf("%d conversations remembered after %d ended ones; want at most %d", st.Convs, 10*most, want)
	}
	if h.Conversation(first.id) != nil || h.Conversation(last.id) == nil {
		t.Errorf("the oldest ended conversation is remembered, or the newest is not")
	}
	if st.Events == 0 || st.Dropped != 0 {
		t.Errorf("the log holds %d events, dropped %d: the bound on conversations should forget them, not the log's", st.Events, st.Dropped)
	}
	for i := range 3 * most {
		flow(10*most+i, false)
	}
	h.Settle()
	if st := h.Stats(); st.LiveConvs != 3*most {
		t.Errorf("%d live conversations remembered, want all %d", st.LiveConvs, 3*most)
	}
}

// TestAddrTextIsString: the conversation's address text is what net prints.
func TestAddrTextIsString(t *testing.T) {
	addrs := []net.Addr{
		&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53},
		&net.UDPAddr{IP: net.ParseIP("127.0.0.1").To4(), Port: 5353},
		&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080},
		&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 21, Zone: "eth0"},
		&net.TCPAddr{IP: net.ParseIP("2001:db8::ff00:42:8329"), Port: 443},
		&net.TCPAddr{Port: 80},
		&net.UnixAddr{Name: "/tmp/s", Net: "unix"},
		&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 65535, Zone: strings.Repeat("z", 200)},
	}
	for _, a := range addrs {
		if got, want := addrText(a), a.String(); got != want {
			t.Errorf("addrText(%#v) = %q, want %q", a, got, want)
		}
		// Both of a conversation's addresses, made together.
		for _, b := range addrs {
			ga, gb := addrTexts(a, b)
			if ga != a.String() || gb != b.String() {
				t.Errorf("addrTexts(%v, %v) = %q, %q", a, b, ga, gb)
			}
		}
	}
}
