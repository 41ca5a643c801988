package labfile_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/labfile"
)

func TestRecoveryRestoresLiveSession(t *testing.T) {
	b := newBench(t)
	capture(t, b, nil)
	// A connection still open when the lab "crashes".
	c, err := b.Hub().Tap(b.Registry().Lookup("tcp")).Dial(context.Background(), "tcp", b.Status("tcp").Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "still here\n")
	io.ReadFull(c, make([]byte, 11))
	b.Hub().Settle()

	path, err := labdir.Recovery()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(os.Getenv(labdir.EnvConfig), "recovery.protolab"); path != want {
		t.Errorf("labdir.Recovery = %s, want %s", path, want)
	}
	requests := json.RawMessage(`{"saved":["GET /"]}`)
	a := labfile.NewAutosaver(b, path, time.Hour, func() map[string]json.RawMessage {
		return map[string]json.RawMessage{"http": requests}
	})
	if wrote, err := a.SaveIfChanged(); !wrote || err != nil {
		t.Fatalf("first SaveIfChanged = %v, %v; want a write", wrote, err)
	}
	// What the earlier connections' ends still bring (the server's side of a
	// close, recorded a moment after the client's) is news, and is written:
	// wait until a save finds nothing new, a bound for a stuck test.
	for i := 0; ; i++ {
		b.Hub().Settle()
		if wrote, err := a.SaveIfChanged(); !wrote || err != nil {
			break
		}
		if i == 100 {
			t.Fatal("the capture never stopped changing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if wrote, err := a.SaveIfChanged(); wrote || err != nil {
		t.Errorf("SaveIfChanged with nothing new = %v, %v; want no write", wrote, err)
	}
	requests = json.RawMessage(`{"saved":["GET /","GET /a"]}`)
	if wrote, _ := a.SaveIfChanged(); !wrote {
		t.Error("SaveIfChanged after a client change did not write")
	}
	b.SetSetting("http", "docroot", t.TempDir())
	if wrote, _ := a.SaveIfChanged(); !wrote {
		t.Error("SaveIfChanged after a server setting changed did not write")
	}
	io.WriteString(c, "more\n")
	io.ReadFull(c, make([]byte, 5))
	b.Hub().Settle()
	if wrote, _ := a.SaveIfChanged(); !wrote {
		t.Error("SaveIfChanged after new traffic did not write")
	}
	want := labfile.Capture(b, nil)

	// The app crashed here: no Stop. At the next start it finds the file.
	info, ok := labfile.Recoverable(path)
	if !ok {
		t.Fatal("Recoverable = false after autosaves")
	}
	if info.Events != len(want.Events) || info.Conversations != len(want.Conversations) {
		t.Errorf("Recoverable = %+v, want %d events and %d conversations", info, len(want.Events), len(want.Conversations))
	}
	s, err := labfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.Clients["http"]); got != string(requests) {
		t.Errorf("recovered client requests %s, want %s", got, requests)
	}
	c.Close()
	b.StopAll()
	fresh := newBench(t)
	if notStarted, err := s.Restore(fresh); len(notStarted) > 0 || err != nil {
		t.Fatalf("Restore = %v, %v", notStarted, err)
	}
	h := fresh.Hub()
	labfile.CompareConvs(t, h.Conversations(), ended(s.Conversations))
	labfile.CompareEvents(t, h.Events(0), want.Events, false)
	if st := h.Stats(); st.LiveConvs != 0 {
		t.Errorf("%d live conversations after recovery, want 0", st.LiveConvs)
	}
	for _, name := range []string{"tcp", "http", "https", "dns"} {
		if !fresh.Status(name).Running {
			t.Errorf("%s not running after recovery", name)
		}
	}

	// A clean exit leaves nothing to recover.
	a.Start()
	a.Start()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := labfile.Recoverable(path); ok {
		t.Error("Recoverable after a clean Stop")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the recovery file is still there after Stop (%v)", err)
	}
}

func TestAutosaverTicks(t *testing.T) {
	b := newBench(t)
	path := filepath.Join(t.TempDir(), "sub", "recovery.protolab")
	wrote := make(chan struct{}, 1)
	a := labfile.NewAutosaver(b, path, time.Millisecond, func() map[string]json.RawMessage {
		select {
		case wrote <- struct{}{}: // the tick has begun a save
		default:
		}
		return nil
	})
	a.Start()
	<-wrote
	<-wrote // the second tick starts after the first save is done
	if _, ok := labfile.Recoverable(path); !ok {
		t.Error("no recovery file after a tick")
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := labfile.Recoverable(path); ok {
		t.Error("Recoverable after Stop")
	}
}

// TestAutosaverSavesView saves the view with the recovery file, and saves anew
// when only the view changed.
func TestAutosaverSavesView(t *testing.T) {
	b := newBench(t)
	path := filepath.Join(t.TempDir(), "recovery.protolab")
	a := labfile.NewAutosaver(b, path, time.Hour, nil)
	view := labfile.ViewState{Filter: "smtp and code >= 400"}
	a.SetView(func() labfile.ViewState { return view })
	for i, want := range []string{"smtp and code >= 400", "rst"} {
		if i > 0 {
			view.Filter = want
		}
		if wrote, err := a.SaveIfChanged(); !wrote || err != nil {
			t.Fatalf("SaveIfChanged with the filter %q = %v, %v; want a write", want, wrote, err)
		}
		s, err := labfile.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if s.View.Filter != want {
			t.Errorf("recovered filter = %q, want %q", s.View.Filter, want)
		}
	}
	if wrote, _ := a.SaveIfChanged(); wrote {
		t.Error("SaveIfChanged wrote though nothing changed")
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
}
