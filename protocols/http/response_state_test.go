package http_test

import (
	"context"
	"io"
	"net"
	nethttp "net/http"
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// TestResponseState checks, on a real connection, that a response whose head has
// arrived and whose body has not puts the connection in the response state, and
// that the path the hub records is request → response → idle, the response
// message being the one that moves it to idle.
func TestResponseState(t *testing.T) {
	hub, tap := httpHub()
	p := tap.Protocol()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	headSent, bodyNow := make(chan struct{}), make(chan struct{})
	srv := &nethttp.Server{Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, _ *nethttp.Request) {
		w.Header().Set("Content-Length", "5")
		w.WriteHeader(nethttp.StatusOK)
		w.(nethttp.Flusher).Flush()
		close(headSent)
		<-bodyNow
		io.WriteString(w, "hello")
	})}
	go srv.Serve(tap.Listener(l))
	defer srv.Close()
	tr := &nethttp.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return tap.Dial(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()

	done := make(chan error, 1)
	go func() {
		resp, err := (&nethttp.Client{Transport: tr}).Get("http://" + l.Addr().String() + "/")
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	<-headSent
	hub.Settle()
	var id lab.ConvID
	for _, ci := range hub.Conversations() {
		id = ci.ID
	}
	if c := hub.Conversation(id); c == nil {
		t.Fatal("no conversation")
	} else if s := c.Info(false).State; s != httpproto.StateResponse {
		t.Errorf("with the head sent and the body not, the state is %q, want %q", s, httpproto.StateResponse)
	}
	close(bodyNow)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hub.Settle()

	var path []string
	var last string // what the last message moved the state to
	for _, e := range hub.ConvEvents(id) {
		switch {
		case e.Kind == lab.KindState && e.Layer == p.LayerName():
			path = append(path, e.To)
		case e.Kind == lab.KindMessage && e.Layer == p.LayerName():
			last = e.Msg.NextState
		}
	}
	want := []string{httpproto.StateIdle, httpproto.StateRequest, httpproto.StateResponse, httpproto.StateIdle}
	if len(path) < len(want) || !slices.Equal(path[:len(want)], want) {
		t.Errorf("state path = %q, want it to begin %q", path, want)
	}
	if last != httpproto.StateIdle {
		t.Errorf("the response moved the state to %q, want %q", last, httpproto.StateIdle)
	}
}
