package tcp

import (
	"fmt"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// The RFC sections each step of a connection's life is specified in.
const (
	refHandshake = "RFC 9293 §3.5"
	refClose     = "RFC 9293 §3.6"
	refReset     = "RFC 9293 §3.5.2"
)

const inferredNote = " Inferred: the sockets API shows no packets, and this step is how TCP works."

// handshake returns SYN, SYN-ACK and ACK for a connection that just opened.
func (a *Analyzer) handshake(info lab.OpenInfo) []lab.Message {
	how := "the server's accept() returned this connection"
	if info.Side == lab.SideClient {
		how = "the client's connect() succeeded"
	}
	syn := a.segment(lab.SideClient, segSYN, refHandshake)
	syn.Handshake = true
	syn.Summary = "SYN"
	syn.Meaning = "The client asks to open a connection: a segment with the SYN flag, carrying the " +
		"client's initial sequence number and the options it offers (maximum segment size, SACK, " +
		"timestamps, window scaling). Seen as: " + how + "." + inferredNote
	syn.Fields = append(syn.Fields, lab.Field{Name: "seen as", Value: how})

	synack := a.segment(lab.SideServer, segSYNACK, refHandshake)
	synack.Handshake = true
	synack.Summary = "SYN-ACK"
	synack.Meaning = "The server agrees: one segment acknowledges the client's SYN (ACK) and carries the " +
		"server's own SYN, with its initial sequence number and options. Together the two SYNs decide " +
		"what the connection uses."
	if k := info.Kernel; k != nil {
		synack.Summary += " · " + negotiated(k)
		synack.Meaning += " The fields show what the kernel reports was negotiated."
		synack.Fields = append(synack.Fields, k.Fields()...)
	} else {
		synack.Meaning += " This system does not report what was negotiated."
	}
	synack.Meaning += inferredNote

	ack := a.segment(lab.SideClient, segACK, refHandshake)
	ack.Handshake = true
	ack.Summary = "ACK · handshake complete"
	ack.Meaning = "The client acknowledges the server's SYN. Each end now knows the other's sequence " +
		"numbers and both are ESTABLISHED: data may flow both ways. connect() returns once the " +
		"SYN-ACK arrives, so it takes about one round trip." + inferredNote
	if info.Connect > 0 {
		ack.Summary += fmt.Sprintf(" · connect took %v", info.Connect.Round(time.Microsecond))
		ack.Fields = append(ack.Fields, lab.Field{Name: "connect took", Value: info.Connect.String()})
	}
	return []lab.Message{syn, synack, ack}
}

// fin returns the FIN that endpoint info.By sent.
func (a *Analyzer) fin(info lab.CloseInfo) lab.Message {
	by, other := info.By, peer(info.By)
	m := a.segment(by, segFIN, refClose)
	m.Teardown = true
	if info.First {
		m.Summary = fmt.Sprintf("FIN · the %s closes first", by)
		m.Meaning = fmt.Sprintf("The %[1]s has no more data to send, and its TCP says so with a FIN. "+
			"Closing first makes the %[1]s the active closer: it passes FIN-WAIT-1 and FIN-WAIT-2 and ends "+
			"in TIME-WAIT, while the %[2]s moves to CLOSE-WAIT until its application closes too. Each "+
			"direction of the byte stream closes on its own.", by, other)
	} else {
		m.Summary = fmt.Sprintf("FIN · the %s closes too", by)
		m.Meaning = fmt.Sprintf("The %[1]s closes its direction as well. Having received the %[2]s's FIN "+
			"first, it is the passive closer: it waits in LAST-ACK for the acknowledgment of this FIN, "+
			"then the connection is gone.", by, other)
	}
	m.Observed = info.Seen != by
	if m.Observed {
		m.Meaning += fmt.Sprintf(" Seen: the %s's read reached end-of-file, which is how the sockets API "+
			"reports an arrived FIN.", info.Seen)
		m.Fields = append(m.Fields, lab.Field{Name: "seen as", Value: "end-of-file on the " + info.Seen.String() + "'s read"})
	} else {
		m.Meaning += fmt.Sprintf(" Inferred from the %s closing its socket (or half-closing it) with nothing "+
			"unread, which makes its kernel send a FIN: the sockets API shows no packets.", by)
		m.Fields = append(m.Fields, lab.Field{Name: "seen as", Value: "the " + by.String() + " closed its socket"})
	}
	m.Fields = append(m.Fields, lab.Field{Name: "closed first", Value: yesNo(info.First)})
	if info.Err != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "note", Value: info.Err})
	}
	return m
}

// finACK returns the acknowledgment endpoint by sends for its peer's FIN.
func (a *Analyzer) finACK(by lab.Side) lab.Message {
	other := peer(by)
	m := a.segment(by, segACK, refClose)
	m.Teardown = true
	m.Summary = fmt.Sprintf("ACK of the %s's FIN", other)
	var b strings.Builder
	fmt.Fprintf(&b, "The %s's TCP acknowledges the FIN at once, without waiting for its application.", by)
	switch a.ep[other].State() {
	case StateFinWait2:
		fmt.Fprintf(&b, " The %[1]s waits in FIN-WAIT-2 for the %[2]s's own FIN; until then the %[2]s "+
			"may still send data (the connection is half-closed).", other, by)
	case StateClosed:
		fmt.Fprintf(&b, " For the %s, waiting in LAST-ACK, this ends the connection: CLOSED.", other)
	case StateTimeWait:
		fmt.Fprintf(&b, " The %s enters TIME-WAIT.", other)
	}
	if a.ep[by].State() == StateTimeWait {
		fmt.Fprintf(&b, " The %s, which closed first, stays in TIME-WAIT for twice the maximum segment "+
			"lifetime (a minute on Linux), so that a lost ACK can be sent again and stray segments die "+
			"out; then its kernel deletes the connection without telling anyone.", by)
	}
	b.WriteString(" Inferred: the sockets API does not show acknowledgments.")
	m.Meaning = b.String()
	return m
}

// rst returns the reset endpoint info.By sent.
func (a *Analyzer) rst(info lab.CloseInfo) lab.Message {
	by := info.By
	m := a.segment(by, segRST, refReset)
	m.Teardown = true
	m.Summary = fmt.Sprintf("RST · the %s resets the connection", by)
	m.Meaning = "A segment with the RST flag aborts the connection at once: data not yet delivered is " +
		"thrown away and both ends go straight to CLOSED, with no FIN exchange and no TIME-WAIT. A " +
		"program sends one by closing with SO_LINGER set to zero (the lab's Abort does this); a TCP " +
		"also answers with RST when data arrives for a connection that no longer exists."
	m.Observed = info.Seen != by
	switch {
	case m.Observed:
		m.Meaning += fmt.Sprintf(" Seen: the %s's socket reported the reset.", info.Seen)
		m.Fields = append(m.Fields, lab.Field{Name: "seen as", Value: "connection reset on the " + info.Seen.String() + "'s socket"})
	case info.Err != "":
		m.Meaning += " Inferred, and certain: " + info.Err + ". The sockets API shows no packets."
		m.Fields = append(m.Fields, lab.Field{Name: "seen as", Value: "the " + by.String() + " closed its socket"})
	default:
		m.Meaning += fmt.Sprintf(" Inferred from the %s aborting its socket: the sockets API shows no packets.", by)
		m.Fields = append(m.Fields, lab.Field{Name: "seen as", Value: "the " + by.String() + " aborted its socket"})
	}
	if info.Err != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "note", Value: info.Err})
	}
	return m
}

// unknownClose says that endpoint info.By's socket closed without the lab knowing
// what that sent: no segment is drawn and no state moves.
func (a *Analyzer) unknownClose(info lab.CloseInfo) lab.Message {
	by := info.By
	m := lab.Message{
		Dir:      by.Outbound(),
		Ref:      refClose,
		Teardown: true,
		Summary:  fmt.Sprintf("the %s's socket closed; what it sent is not known", by),
		Meaning: fmt.Sprintf("The %s closed its socket, but the lab cannot tell what that put on the wire: "+
			"a FIN (nothing unread), a RST (bytes unread, or SO_LINGER zero), or nothing at all (a reset "+
			"had already ended the connection). So no segment is drawn here.", by),
		Fields: []lab.Field{{Name: "seen as", Value: "the " + by.String() + " closed its socket"}},
	}
	if info.Err != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "note", Value: info.Err})
	}
	return m
}

// segment returns the message for seg sent by endpoint from, moving both endpoints'
// states; the caller adds the words.
func (a *Analyzer) segment(from lab.Side, seg segment, ref string) lab.Message {
	src, dst := a.client, a.server
	if from == lab.SideServer {
		src, dst = dst, src
	}
	fields := []lab.Field{{Name: "flags", Value: seg.flags()}}
	if src != "" {
		fields = append(fields, lab.Field{Name: "from", Value: fmt.Sprintf("%s (%s)", src, from)})
	}
	if dst != "" {
		fields = append(fields, lab.Field{Name: "to", Value: fmt.Sprintf("%s (%s)", dst, peer(from))})
	}
	next := a.step(from, seg)
	// Each end's state after the segment: the two differ while the connection
	// closes, and the state diagram shows the end State does not report from these.
	for _, s := range [...]lab.Side{lab.SideClient, lab.SideServer} {
		fields = append(fields, lab.Field{Name: lab.StateField(s), Value: a.ep[s].State()})
	}
	return lab.Message{
		Dir:       from.Outbound(),
		Ref:       ref,
		Fields:    fields,
		NextState: next,
	}
}

// negotiated is what the handshake settled, as the kernel reports it:
// "mss 65483, SACK, timestamps, wscale 7/7".
func negotiated(k *lab.TCPInfo) string {
	parts := []string{fmt.Sprintf("mss %d", k.SndMSS)}
	if k.SACK {
		parts = append(parts, "SACK")
	}
	if k.Timestamps {
		parts = append(parts, "timestamps")
	}
	if k.WindowScaling {
		parts = append(parts, fmt.Sprintf("wscale %d/%d", k.SndWScale, k.RcvWScale))
	}
	return strings.Join(parts, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
