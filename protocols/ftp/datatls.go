package ftp

import (
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// A data connection after PROT P is TLS from its first byte (RFC 4217 §9): the
// FTP client is the TLS client whoever connected (§10.2), so in active mode the
// ClientHello goes from the connection's acceptor to its opener. The
// DataAnalyzer hands such a connection to TLS, which decrypts it with the lab's
// key log and passes the plaintext to a DataAnalyzer inside it: the preview,
// size and SHA-256 it reports are the file's, TLS's own records show as the
// "tls" layer.

// notDecrypted is the field the TLS analyzer names, on a record it shows
// encrypted, why it could not decrypt it.
const notDecrypted = "not decrypted"

// dataTLS is the TLS of one protected data connection.
type dataTLS struct {
	next   lab.Analyzer // TLS's analyzer
	name   string       // its layer's name, "tls"
	flip   bool         // the TLS client accepted the connection (active mode): TLS's directions are the conversation's reversed
	make   func() lab.Analyzer
	inner  *DataAnalyzer // the file inside, once TLS decrypted application data (or the connection ended)
	byTLS  bool          // TLS made inner and tells it of the connection's end
	sealed [3]string     // by the conversation's lab.Dir: why TLS could not decrypt that direction
}

// handshakeRecord reports whether b, a connection's first bytes, begin a TLS
// handshake record holding a ClientHello (RFC 8446 §5.1: type 22, version 3.x).
func handshakeRecord(b []byte) bool {
	return len(b) > 0 && b[0] == 22 &&
		(len(b) < 2 || b[1] == 3) && (len(b) < 3 || b[2] <= 4) && (len(b) < 6 || b[5] == 1)
}

// startTLS hands the connection, whose first bytes went in direction dir, to TLS.
func (a *DataAnalyzer) startTLS(dir lab.Dir) {
	t := &dataTLS{flip: dir == lab.ServerToClient}
	t.name, t.next = a.layers.New(lab.StartTLS())
	if t.next == nil {
		t.name, t.next = lab.NewLayers(starttls.Layer()).WithKeys(a.keys).New(lab.StartTLS())
	}
	t.make = func() lab.Analyzer {
		if t.inner == nil {
			t.inner = &DataAnalyzer{state: a.state, client: a.client, server: a.server, outer: a, flip: t.flip}
		}
		return t.inner
	}
	if w, ok := t.next.(lab.Wrapper); ok {
		w.Wrap(DataName, func() lab.Analyzer {
			t.byTLS = true
			return t.make()
		})
	}
	a.tls = t
}

// turn is d as TLS sees it, or TLS's d as the conversation sees it.
func (t *dataTLS) turn(d lab.Dir) lab.Dir {
	if t.flip && (d == lab.ClientToServer || d == lab.ServerToClient) {
		return lab.ClientToServer + lab.ServerToClient - d
	}
	return d
}

func (t *dataTLS) feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	return t.lift(t.next.Feed(t.turn(dir), b, at))
}

// closed passes the connection's end to TLS, which passes it to the file inside.
func (t *dataTLS) closed(info lab.CloseInfo) []lab.Message {
	ca, ok := t.next.(lab.ConnAnalyzer)
	if !ok {
		return nil
	}
	return t.lift(ca.Closed(t.turnClose(info)))
}

// turnClose is info as TLS sees it.
func (t *dataTLS) turnClose(info lab.CloseInfo) lab.CloseInfo {
	if t.flip {
		info.By, info.Seen = otherSide(info.By), otherSide(info.Seen)
	}
	return info
}

func otherSide(s lab.Side) lab.Side {
	switch s {
	case lab.SideClient:
		return lab.SideServer
	case lab.SideServer:
		return lab.SideClient
	}
	return s
}

// lift passes on TLS's messages in the conversation's directions: its own as the
// "tls" layer, noting the directions it could not decrypt, and the file's as the
// data connection's own.
func (t *dataTLS) lift(msgs []lab.Message) []lab.Message {
	for i := range msgs {
		m := &msgs[i]
		m.Dir = t.turn(m.Dir)
		switch m.Layer {
		case "":
			m.Layer = t.name
			for _, f := range m.Fields {
				if f.Name == notDecrypted && t.sealed[m.Dir] == "" && (m.Dir == lab.ClientToServer || m.Dir == lab.ServerToClient) {
					t.sealed[m.Dir] = f.Value
				}
			}
		case DataName:
			m.Layer = ""
		}
	}
	return msgs
}

// closedTLS ends a protected data connection: the file inside reports its
// size and SHA-256; a direction TLS could not decrypt is reported as unreadable.
func (a *DataAnalyzer) closedTLS(info lab.CloseInfo) []lab.Message {
	t := a.tls
	out := t.closed(info)
	dirs := []lab.Dir{lab.ClientToServer, lab.ServerToClient}
	if info.How == lab.HowFIN && (info.By == lab.SideClient || info.By == lab.SideServer) {
		dirs = []lab.Dir{info.By.Outbound()}
	}
	var own []lab.Message
	// What cannot be read is reported at the first end: one side's close ends
	// a transfer, and the other's may never be seen (a tap on one end only).
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		if t.sealed[dir] != "" && !a.dirs[dir].reached && (t.inner == nil || t.inner.dirs[t.turn(dir)].n == 0) {
			a.dirs[dir].reached = true
			own = append(own, a.sealedEnd(dir, t.sealed[dir]))
		}
	}
	for _, dir := range dirs {
		a.dirs[dir].reached = true
	}
	if t.inner == nil && t.sealed[lab.ClientToServer] == "" && t.sealed[lab.ServerToClient] == "" {
		// TLS decrypted no application data: an empty file, or a handshake
		// cut short. The file inside hears of this end and those after it.
		t.make()
	}
	if t.inner != nil && !t.byTLS {
		out = append(out, t.lift(t.inner.Closed(t.turnClose(info)))...)
	}
	if t.inner != nil {
		a.state.Set(t.inner.State())
		return append(out, own...)
	}
	if len(dirs) == 2 || a.dirs[lab.ClientToServer].reached && a.dirs[lab.ServerToClient].reached {
		own = a.state.End(own, DataStateClosed, lab.Message{Summary: "data connection closed", Ref: "RFC 959 §3.4.1", Teardown: true,
			Meaning: "Both sides of the protected data connection have ended."})
	}
	return append(out, own...)
}

// sealedEnd reports the end of a direction TLS could not decrypt.
func (a *DataAnalyzer) sealedEnd(dir lab.Dir, why string) lab.Message {
	n := a.dirs[dir].n
	counted := fmt.Sprintf("The %d bytes the lab saw are the TLS records', handshake included, not the file's.", n)
	if a.limit > 0 && n >= a.limit {
		counted = fmt.Sprintf("The lab analyzed the first %d bytes; the capture summary's total and XXH128 hash are of the TLS records too, not of the file.", n)
	}
	return lab.Message{
		Dir:     dir,
		Summary: fmt.Sprintf("end of encrypted data from the %s: %d bytes of TLS, the file not readable", a.sender(dir), n),
		Meaning: fmt.Sprintf("The data connection is protected with TLS (PROT P) and %s, so the lab cannot show the file, its size or its SHA-256. %s "+
			"The lab decrypts only connections whose secrets its own TLS endpoints wrote to its key log.", why, counted),
		Ref: "RFC 4217 §9",
		Fields: []lab.Field{
			{Name: "encrypted bytes", Value: fmt.Sprint(n)},
			{Name: notDecrypted, Value: why},
		},
		Teardown: true,
	}
}

// InnerStates reports the TLS layer's state (lab.Carrier), so its last state
// shows though no message carries it.
func (a *DataAnalyzer) InnerStates(report func(layer, state string)) {
	if a.tls != nil && a.tls.name != "" {
		report(a.tls.name, a.tls.next.State())
	}
}
