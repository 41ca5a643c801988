package tcpserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	tcpproto "github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// TestDataKept starts the server as the Bench does, with each "Data kept"
// setting, and echoes 3 MiB through it to a tapped client of the same hub (the
// lab's TCP client pane's tap, which keeps the default): the server's setting
// decides what both taps keep, the rest is counted, and the echo is whole.
func TestDataKept(t *testing.T) {
	const size = 3 << 20
	for _, tc := range []struct {
		setting string
		kept    int
	}{
		{"", 1 << 20}, // the default
		{"64 KiB", 64 << 10},
		{"all", size},
	} {
		t.Run("capture="+tc.setting, func(t *testing.T) {
			hub := newHub()
			opts := lab.ServerOptions{Addr: "127.0.0.1:0", Tap: hub.Tap(tcpProtocol())}
			if tc.setting != "" {
				opts.Settings = map[string]string{tcpproto.SettingCapture: tc.setting}
			}
			srv, err := tcpserver.NewLab(opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()

			sent := make([]byte, size)
			rand.Read(sent)
			c, err := hub.Tap(tcpProtocol()).Dial(context.Background(), "tcp", srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go func() {
				c.Write(sent)
				c.(interface{ CloseWrite() error }).CloseWrite()
			}()
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, sent) {
				t.Fatalf("echoed %d bytes (%v), want the %d sent", len(got), err, len(sent))
			}
			conv := lab.ConnConversation(c)
			c.Close()
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			hub.Settle()

			events := hub.ConvEvents(conv.ID())
			for _, side := range []lab.Side{lab.SideClient, lab.SideServer} {
				for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
					if rec := dataBytes(events, side, dir); !bytes.Equal(rec, sent[:tc.kept]) {
						t.Errorf("the %s's tap kept %d bytes %s, want the first %d sent", side, len(rec), dir, tc.kept)
					}
				}
			}
			var notes, totals []string
			for _, e := range events {
				if e.Kind != lab.KindMessage || e.Msg == nil {
					continue
				}
				switch s := e.Msg.Summary; {
				case strings.HasPrefix(s, "capture limit reached"):
					notes = append(notes, s)
				case strings.Contains(s, " in all ("):
					totals = append(totals, s)
				}
			}
			if tc.kept == size {
				if len(notes)+len(totals) != 0 {
					t.Errorf("everything kept, yet the lab says %q %q", notes, totals)
				}
			} else {
				if len(notes) != 2 || !strings.Contains(notes[0], "are counted, not kept") {
					t.Errorf("notes = %q, want one per direction saying the rest is counted", notes)
				}
				want := "3.0 MiB in all (" + map[int]string{64 << 10: "64.0 KiB", 1 << 20: "1.0 MiB"}[tc.kept] + " kept)"
				if len(totals) != 2 || totals[0] != want || totals[1] != want {
					t.Errorf("totals = %q, want two of %q", totals, want)
				}
			}
			if info := conv.Info(false); info.BytesC2S != size || info.BytesS2C != size {
				t.Errorf("conversation counted %d/%d bytes, want %d each way", info.BytesC2S, info.BytesS2C, size)
			}
		})
	}
	if _, err := tcpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{tcpproto.SettingCapture: "2 MiB"}}); err == nil ||
		!strings.Contains(err.Error(), "choose one of 64 KiB, 1 MiB, 16 MiB, all") {
		t.Errorf("NewLab with capture 2 MiB: %v, want an error naming the choices", err)
	}
}
