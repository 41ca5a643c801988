package labfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Session is a whole lab bench and what it captured: the servers and their
// options, each client pane's saved requests, the conversations and their events,
// and the TLS secrets that decrypt them.
//
// Keys and Events may carry credentials (passwords sent in the clear, the secrets
// that decrypt TLS): a session file is as private as the traffic it holds.
type Session struct {
	Format int       // the format version it was read from or will be written as (FormatVersion)
	App    string    // the program that wrote it: "protolab 0.1.0"
	Saved  time.Time // when it was captured
	Bench  BenchState
	// Clients holds each client pane's saved requests, by protocol name. The
	// panes own what is inside; the file keeps it as it is (JSON).
	Clients map[string]json.RawMessage
	// View is how the inspector showed the capture (its display filter).
	View          ViewState
	Conversations []lab.ConvInfo
	Events        []lab.Event
	// Keys is the hub's TLS key log (lab.KeyLog.Lines): one NSS key log line each.
	Keys []string
	// Lost is how many events the recording lost to the hub's capture bound
	// (lab.Stats.Dropped) before it was captured: the oldest, so Events begin
	// after them.
	Lost uint64
}

// ViewState is how the inspector showed a session: what it saves besides the
// bench and the capture. The zero value is the inspector as it starts.
type ViewState struct {
	// Filter is the display filter's text as typed (lab/filter), "" for none;
	// one that no longer parses is shown with its error and filters nothing.
	Filter string `json:"filter,omitempty"`
}

// BenchState is the bench's configuration: where servers listen and each one's state.
type BenchState struct {
	Listen  string                 `json:"listen"`  // the host servers bind to; empty: leave the bench's
	Servers map[string]ServerState `json:"servers"` // by protocol name
}

// ServerState is one server's configuration and whether it ran.
type ServerState struct {
	Port     int               `json:"port"`               // the port asked for; 0 picks a free one
	Running  bool              `json:"running"`            // it ran when the session was saved
	Addr     string            `json:"addr,omitempty"`     // where it listened then, for people
	Settings map[string]string `json:"settings,omitempty"` // its options, by Setting.Key
}

// Capture returns a snapshot of b: its servers and their options, the hub's
// events, conversations and TLS keys, and clients (the panes' saved requests,
// kept as given). Conversations still live are saved as they stand; reopened,
// they show as ended.
func Capture(b *lab.Bench, clients map[string]json.RawMessage) *Session {
	h := b.Hub()
	s := &Session{
		Format:  FormatVersion,
		App:     "protolab " + lab.Version,
		Saved:   time.Now(),
		Clients: clients,
		Bench:   BenchState{Listen: b.Listen(), Servers: make(map[string]ServerState)},
	}
	for _, p := range b.Registry().All() {
		if p.NewServer == nil {
			continue
		}
		st := b.Status(p.Name)
		ss := ServerState{Port: b.Port(p.Name), Running: st.Running, Addr: st.Addr}
		if len(p.Settings) > 0 {
			ss.Settings = make(map[string]string, len(p.Settings))
			for _, set := range p.Settings {
				ss.Settings[set.Key] = b.Setting(p.Name, set.Key)
			}
		}
		s.Bench.Servers[p.Name] = ss
	}
	// Events first: a conversation that starts in between is then listed
	// without events, rather than events pointing at a conversation not listed.
	s.Events = h.Events(0)
	s.Conversations = h.Conversations()
	s.Keys = h.Keys().Lines()
	s.Lost = h.Stats().Dropped
	return s
}

// Restore makes b what s describes: it stops b's servers, applies the saved
// listen host, ports and settings, clears the hub and loads the saved
// conversations, events and TLS keys into it (lab.Hub.Import), then starts the
// servers that were running. A server that cannot start (its port is taken) stays
// off and its error is in notStarted, by protocol name, with the servers this
// Protocol Lab does not have. err is an *lab.ImportTrimmedError when the session
// holds more than the hub's bound: the newest events were loaded and the bench is
// usable; it is nil otherwise.
func (s *Session) Restore(b *lab.Bench) (notStarted map[string]error, err error) {
	b.StopAll()
	if s.Bench.Listen != "" {
		b.SetListen(s.Bench.Listen)
	}
	reg := b.Registry()
	notStarted = make(map[string]error)
	for name, ss := range s.Bench.Servers {
		p := reg.Lookup(name)
		if p == nil || p.NewServer == nil {
			if ss.Running {
				notStarted[name] = fmt.Errorf("labfile: the session ran a %s server, which this Protocol Lab does not have", name)
			}
			continue
		}
		b.SetPort(name, ss.Port)
		for k, v := range ss.Settings {
			b.SetSetting(name, k, v)
		}
	}

	h := b.Hub()
	h.Clear()
	if len(s.Keys) > 0 {
		h.Keys().Load(strings.Join(s.Keys, "\n"))
	}
	err = h.Import(s.Conversations, s.Events)

	for _, p := range reg.All() {
		if ss, ok := s.Bench.Servers[p.Name]; ok && ss.Running && p.NewServer != nil {
			if e := b.Start(p.Name); e != nil {
				notStarted[p.Name] = e
			}
		}
	}
	if len(notStarted) == 0 {
		notStarted = nil
	}
	var trimmed *lab.ImportTrimmedError
	if err != nil && !errors.As(err, &trimmed) {
		return notStarted, fmt.Errorf("labfile: %w", err)
	}
	return notStarted, err
}
