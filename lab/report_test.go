package lab

import (
	"context"
	"io"
	"testing"
)

// TestReportFollowsTheBytes checks that a message a server reports takes its place
// after the analyzer's messages of the bytes already seen, in its own layer.
func TestReportFollowsTheBytes(t *testing.T) {
	h, tap := testHub(t)
	addr := echoServer(t, tap)
	c, err := tap.Dial(context.Background(), "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello\n"))
	io.ReadFull(c, make([]byte, 6))
	conv := ConnConversation(c)
	conv.Report(SideServer, Message{Dir: ClientToServer, Summary: "open /a.txt for reading", Layer: "inner", NextState: "reading", Raw: []byte("x")})
	h.Settle()

	var got []string
	var state *Event
	for _, e := range h.ConvEvents(conv.ID()) {
		switch {
		case e.Kind == KindMessage:
			got = append(got, e.Layer+":"+e.Msg.Summary)
		case e.Kind == KindState && e.Layer == "inner":
			state = &e
		}
	}
	want := []string{"line:hello", "line:hello", "inner:open /a.txt for reading"}
	if len(got) != len(want) {
		t.Fatalf("messages %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], want[i])
		}
	}
	if state == nil || state.From != "" || state.To != "reading" {
		t.Errorf("inner state change = %+v, want \"\" → reading", state)
	}
}
