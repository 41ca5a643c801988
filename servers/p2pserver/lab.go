package p2pserver

import (
	"context"
	"fmt"
	"sync"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// Settings keys and their choices, on the p2p row's server pane.
const (
	SettingRoom = "room" // the room the answering peer waits in
	SettingMode = "mode" // what the answering peer does with a message: ModeEcho or ModeChat

	ModeEcho = "echo every message back"
	ModeChat = "chat (stay quiet; the pane sends)"
)

// Settings are the P2P server's options; its STUN server and answering peer
// read them there too.
var Settings = []lab.Setting{{
	Key:     SettingRoom,
	Label:   "Answering peer's room",
	Default: p2p.DefaultRoom,
	Help:    "the signalling room the lab's answering peer waits in for offers (made if it does not exist)",
}, {
	Key:     SettingMode,
	Label:   "Answering peer",
	Default: ModeEcho,
	Choices: []string{ModeEcho, ModeChat},
	Help:    "echo: every data-channel message goes back on the channel it came in on; chat: the peer stays quiet and the pane sends",
}}

// The modules of the P2P server's three parts for the lab's registry: the
// signalling server (with p2p.Protocol, the rail's row, whose switch starts
// the others), the STUN server (with stun.Protocol) and the answering peer
// (with webrtc.Protocol: its UDP socket is where the peer flows are).
var (
	Module     = lab.ServerModule{New: NewLabSignal, Settings: Settings, Parts: []string{stun.Name, webrtc.Name}}
	STUNModule = lab.ServerModule{New: NewLabSTUN}
	PeerModule = lab.ServerModule{New: NewLabPeer}
)

// NewLabSignal adapts a SignalServer to lab.Server: it listens on opts.Addr
// (8188 by default) with the room "lab" and any room a peer makes.
func NewLabSignal(opts lab.ServerOptions) (lab.Server, error) {
	srv := NewSignal(SignalOptions{Tap: opts.Tap})
	ls := lab.StreamServer(p2p.Name, opts.Addr, srv, srv.Serve)
	if b := opts.Lab; b != nil {
		running.Lock()
		running.signals[b] = srv
		running.Unlock()
		return &forgotten{Server: ls, forget: func() {
			running.Lock()
			if running.signals[b] == srv {
				delete(running.signals, b)
			}
			running.Unlock()
		}}, nil
	}
	return ls, nil
}

// NewLabSTUN adapts a STUNServer to lab.Server (UDP 3478 by default).
func NewLabSTUN(opts lab.ServerOptions) (lab.Server, error) {
	srv := NewSTUN(STUNOptions{Tap: opts.Tap})
	return lab.PacketServer(stun.Name, opts.Addr, srv, srv.Serve), nil
}

// NewLabPeer adapts an AnsweringPeer to lab.Server. In a bench it needs the
// signalling server running (start p2p first: its switch does); it reads the settings "room" and "mode"
// from the p2p row. Its socket is opts.Addr (a free port by default). The
// running peer is found with LabPeer.
func NewLabPeer(opts lab.ServerOptions) (lab.Server, error) {
	po := PeerOptions{Tap: opts.Tap}
	setting := func(key, def string) string { return opts.Setting(key, def) }
	if b := opts.Lab; b != nil {
		running.Lock()
		po.Server = running.signals[b]
		running.Unlock()
		if b.Addr(p2p.Name) == "" || po.Server == nil {
			return nil, fmt.Errorf("p2pserver: the answering peer needs the signalling server (%s): start it first", p2p.Name)
		}
		setting = func(key, def string) string {
			if v := b.Setting(p2p.Name, key); v != "" {
				return v
			}
			return def
		}
	} else {
		po.Signal = opts.Setting("signal", "")
	}
	po.Room = setting(SettingRoom, p2p.DefaultRoom)
	switch mode := setting(SettingMode, ModeEcho); mode {
	case ModeEcho:
	case ModeChat:
		po.Chat = true
	default:
		return nil, fmt.Errorf("p2pserver: %s %q: choose %q or %q", SettingMode, mode, ModeEcho, ModeChat)
	}
	ap := NewAnsweringPeer(po)
	ls := lab.PacketServer(webrtc.Name, opts.Addr, ap, ap.Serve)
	if b := opts.Lab; b != nil {
		running.Lock()
		running.peers[b] = ap
		running.Unlock()
		return &forgotten{Server: ls, forget: func() {
			running.Lock()
			if running.peers[b] == ap {
				delete(running.peers, b)
			}
			running.Unlock()
		}}, nil
	}
	return ls, nil
}

// forgotten is a lab server that forgets itself in running when it stops.
type forgotten struct {
	lab.Server
	forget func()
}

func (f *forgotten) Close() error {
	defer f.forget()
	return f.Server.Close()
}

func (f *forgotten) Shutdown(ctx context.Context) error {
	defer f.forget()
	return f.Server.Shutdown(ctx)
}

// running holds the signalling server and the answering peer each bench
// runs.
var running = struct {
	sync.Mutex
	signals map[*lab.Bench]*SignalServer
	peers   map[*lab.Bench]*AnsweringPeer
}{signals: make(map[*lab.Bench]*SignalServer), peers: make(map[*lab.Bench]*AnsweringPeer)}

// LabPeer returns the answering peer b runs, nil if none: the P2P pane's
// way to its peers, to chat from it (AnsweringPeer.OnChannel, Peers).
func LabPeer(b *lab.Bench) *AnsweringPeer {
	running.Lock()
	defer running.Unlock()
	return running.peers[b]
}
