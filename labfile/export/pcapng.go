package export

import (
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/protocollab/protolab/lab"
)

// TCP flags.
const (
	flagFIN = 1 << iota
	flagSYN
	flagRST
	flagPSH
	flagACK
)

// windowScale is the window scale both ends announce (RFC 7323 §2): with the
// largest window field, 8 MiB may be in flight, so a segment of 64 KiB never
// fills the window.
const windowScale = 7

// maxComment bounds a comment: a pcapng option's length is 16 bits.
const maxComment = 60000

// flow is one conversation as packets: its endpoints on the synthetic link.
type flow struct {
	conv           lab.ConvInfo
	client, server netip.AddrPort
	udp            bool
	announce       uint16    // the MSS the SYNs announce
	mss            int       // the largest payload of a segment
	ipid           [3]uint16 // by Dir: the IPv4 identification of the sender's next packet
}

// packet is one frame to write, serialized only when written.
type packet struct {
	at       time.Time
	f        *flow
	dir      lab.Dir // ClientToServer: the client sends it
	flags    uint8
	seq, ack uint32
	win      uint16
	data     []byte
	comment  string
}

// pcapBuild collects the packets of every conversation and notes what is missing.
type pcapBuild struct {
	packets []packet
	notes   []string
}

// PCAPNG writes convs and their events as a pcapng capture that Wireshark and
// tshark dissect like a live one, with keys (the lab's TLS key log lines, in the
// NSS key log format) in a Decryption Secrets Block before the packets. It writes
// one Section Header Block, one Ethernet interface with nanosecond timestamps,
// the secrets, and an Enhanced Packet Block per packet, in time order.
//
// TCP conversations get a three-way handshake at their start, then the bytes
// their taps saw as segments, each acknowledged by the peer, and the FINs and RST
// the taps saw, from the side that sent them, where they came (a half-closed
// side's FIN before the other side's last bytes). A FIN or RST the lab did not
// see is not written. Of a conversation seen by both taps, each direction's bytes
// are taken from the writer's tap; a write is a segment, split at the MSS (see
// mssFor). Bytes only the reader's tap saw are segments as the reader took them,
// with reads that came back to back joined (see segmentPlan). UDP flows are written as
// the datagrams seen. Endpoints are the addresses as captured (loopback, mostly).
// A conversation whose address is not IP is left out and named in the section's
// comment. Bytes the lab did not keep are skipped by the sequence numbers and told
// in comments.
func PCAPNG(w io.Writer, reg *lab.Registry, convs []lab.ConvInfo, events []lab.Event, keys []string) error {
	var x pcapBuild
	evs := byConv(events)
	known := make(map[lab.ConvID]bool, len(convs))
	for _, c := range convs {
		known[c.ID] = true
		x.conv(c, evs[c.ID])
	}
	var unknown int
	for id := range evs {
		if !known[id] {
			unknown++
		}
	}
	if unknown > 0 {
		x.note("%d conversations have events but no description (endpoints) in the session, and are left out", unknown)
	}
	slices.SortStableFunc(x.packets, func(a, b packet) int { return a.at.Compare(b.at) })

	comment := "Written by Protocol Lab " + lab.Version + " from the lab's taps: the packets are rebuilt from the bytes " +
		"each connection carried, not captured from a network interface."
	if rules := DecodeAs(reg, convs); len(rules) > 0 {
		comment += "\nThe lab's servers listen on ports of their own; Wireshark decodes them with Decode As " +
			strings.Join(rules, ", ") + " (tshark: -d " + strings.Join(rules, " -d ") + ")."
	}
	if len(x.notes) > 0 {
		comment += "\nNot in this capture:\n- " + strings.Join(x.notes, "\n- ")
	}
	nw, err := pcapgo.NewNgWriterInterface(w, pcapgo.NgInterface{
		Name:                "lab",
		Description:         "Protocol Lab's taps, rebuilt as packets",
		OS:                  runtime.GOOS,
		LinkType:            layers.LinkTypeEthernet,
		TimestampResolution: 9,
	}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
		Application: "Protocol Lab " + lab.Version,
		OS:          runtime.GOOS,
		Hardware:    runtime.GOARCH,
		Comment:     clip(comment),
	}})
	if err != nil {
		return fmt.Errorf("export: pcapng: %w", err)
	}
	if secrets := keyLogText(keys); len(secrets) > 0 {
		if err := nw.WriteDecryptionSecretsBlock(pcapgo.DSB_SECRETS_TYPE_TLS, secrets); err != nil {
			return fmt.Errorf("export: pcapng: %w", err)
		}
	}
	buf := gopacket.NewSerializeBuffer()
	for i := range x.packets {
		p := &x.packets[i]
		frame, err := p.frame(buf)
		if err != nil {
			return fmt.Errorf("export: pcapng: conversation #%d: %w", p.f.conv.ID, err)
		}
		var opts pcapgo.NgPacketOptions
		if p.comment != "" {
			opts.Comments = []string{clip(p.comment)}
		}
		ci := gopacket.CaptureInfo{Timestamp: p.at, CaptureLength: len(frame), Length: len(frame)}
		if err := nw.WritePacketWithOptions(ci, frame, opts); err != nil {
			return fmt.Errorf("export: pcapng: %w", err)
		}
	}
	if err := nw.Flush(); err != nil {
		return fmt.Errorf("export: pcapng: %w", err)
	}
	return nil
}

// keyLogText is the key log as NSS key log text, one line each.
func keyLogText(keys []string) []byte {
	var b []byte
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" || strings.ContainsAny(k, "\r\n") {
			continue
		}
		b = append(b, k...)
		b = append(b, '\n')
	}
	return b
}

func clip(s string) string {
	if len(s) <= maxComment {
		return s
	}
	return s[:maxComment] + "…"
}

func (x *pcapBuild) note(format string, args ...any) {
	x.notes = append(x.notes, fmt.Sprintf(format, args...))
}

// conv adds one conversation's packets.
func (x *pcapBuild) conv(c lab.ConvInfo, evs []lab.Event) {
	name := fmt.Sprintf("conversation #%d (%s %s → %s)", c.ID, c.Protocol, c.Client, c.Server)
	if len(evs) == 0 {
		x.note("%s: none of its events are in the session", name)
		return
	}
	client, err1 := netip.ParseAddrPort(c.Client)
	server, err2 := netip.ParseAddrPort(c.Server)
	if err1 != nil || err2 != nil {
		x.note("%s: its endpoints are not IP addresses", name)
		return
	}
	client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
	server = netip.AddrPortFrom(server.Addr().Unmap(), server.Port())
	if client.Addr().Is4() != server.Addr().Is4() { // one end IPv4, the other IPv6: both as IPv6
		client = netip.AddrPortFrom(netip.AddrFrom16(client.Addr().As16()), client.Port())
		server = netip.AddrPortFrom(netip.AddrFrom16(server.Addr().As16()), server.Port())
	}
	f := &flow{conv: c, client: client, server: server, udp: c.Datagram || c.Transport == "udp"}
	f.announce, f.mss = mssFor(c, server.Addr())
	label := fmt.Sprintf("Protocol Lab conversation #%d: %s", c.ID, c.Protocol)
	if c.Link.Text() != "" {
		label += " (" + c.Link.Text() + ")"
	}
	if c.Link.Parent != 0 {
		label += fmt.Sprintf(", under conversation #%d", c.Link.Parent)
	}
	if f.udp {
		x.udp(f, evs, name, label)
		return
	}
	t := &tcpBuild{x: x, f: f, name: name}
	t.run(evs, label)
}

// missing returns how many bytes of each direction the session lacks, from the
// conversation's byte counts; src is sources(evs).
func missing(c lab.ConvInfo, evs []lab.Event, src [3]lab.Side) [3]int64 {
	var have [3]int64
	for i := range evs {
		if isSource(&evs[i], src) {
			have[evs[i].Dir] += int64(len(evs[i].Data))
		}
	}
	return [3]int64{
		lab.ClientToServer: max(0, c.BytesC2S-have[lab.ClientToServer]),
		lab.ServerToClient: max(0, c.BytesS2C-have[lab.ServerToClient]),
	}
}

// why says why a direction's bytes are missing.
func why(limit, open bool) string {
	switch {
	case limit:
		return "past the protocol's capture limit, the lab counted and hashed them without keeping them"
	case !open:
		return "the oldest events were dropped by the capture's memory bound"
	}
	return "they are not in the session"
}

// udp adds a flow's datagrams.
func (x *pcapBuild) udp(f *flow, evs []lab.Event, name, label string) {
	src := sources(evs)
	lost := missing(f.conv, evs, src)
	lim := limited(evs)
	open := opened(evs)
	for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		if lost[d] > 0 {
			x.note("%s: %d bytes from the %s (%s)", name, lost[d], sender(d), why(lim[d], open))
		}
	}
	first := true
	for i := range evs {
		e := &evs[i]
		if !isSource(e, src) {
			continue
		}
		data := e.Data
		if len(data) > 65507 {
			data = data[:65507]
		}
		p := packet{at: e.At, f: f, dir: e.Dir, data: data}
		if first {
			p.comment, first = label, false
		}
		x.packets = append(x.packets, p)
	}
}

// tcpBuild writes one TCP conversation's packets.
type tcpBuild struct {
	x     *pcapBuild
	f     *flow
	name  string
	next  [3]uint32 // by Dir: the sender's next sequence number
	last  time.Time
	note  [3]string // by Dir: a comment for the sender's next packet
	gap   [3]int64  // by Dir: bytes to skip before the sender's next segment
	gapOK [3]string // by Dir: why
	fin   [3]bool
	rst   bool
}

// emit adds a packet from the sender of dir, advancing its sequence number.
func (t *tcpBuild) emit(at time.Time, dir lab.Dir, flags uint8, data []byte) {
	if at.Before(t.last) {
		at = t.last
	}
	t.last = at
	p := packet{at: at, f: t.f, dir: dir, flags: flags, seq: t.next[dir], win: 0xffff, data: data, comment: t.note[dir]}
	t.note[dir] = ""
	if flags&flagACK != 0 {
		p.ack = t.next[otherDir(dir)]
	}
	t.next[dir] += uint32(len(data))
	if flags&(flagSYN|flagFIN) != 0 {
		t.next[dir]++
	}
	t.x.packets = append(t.x.packets, p)
}

// skip jumps dir's sequence numbers over the bytes the session lacks, and says so
// on the sender's next packet.
func (t *tcpBuild) skip(dir lab.Dir) {
	if t.gap[dir] == 0 {
		return
	}
	text := fmt.Sprintf("%d bytes from the %s are not in this capture: %s", t.gap[dir], sender(dir), t.gapOK[dir])
	t.next[dir] += uint32(t.gap[dir])
	t.gap[dir] = 0
	t.note[dir] = strings.TrimPrefix(t.note[dir]+"; "+text, "; ")
}

func (t *tcpBuild) run(evs []lab.Event, label string) {
	c := t.f.conv
	src := sources(evs)
	lost := missing(c, evs, src)
	lim := limited(evs)
	open := opened(evs)
	plan := segmentPlan(evs, src)

	// Where each direction's data ends: a close from that side waits for it.
	var lastData [3]int
	for i := range evs {
		if isSource(&evs[i], src) {
			lastData[evs[i].Dir] = i
		}
	}

	isn := uint32(c.ID)*2654435761 + 0x1000
	t.next[lab.ClientToServer], t.next[lab.ServerToClient] = isn, ^isn
	start := c.Start
	if start.IsZero() {
		start = evs[0].At
	}
	t.note[lab.ClientToServer] = label
	t.emit(start, lab.ClientToServer, flagSYN, nil)
	t.emit(start, lab.ServerToClient, flagSYN|flagACK, nil)
	t.emit(start, lab.ClientToServer, flagACK, nil)

	for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		if lost[d] == 0 {
			continue
		}
		t.x.note("%s: %d bytes from the %s (%s)", t.name, lost[d], sender(d), why(lim[d], open))
		t.gap[d], t.gapOK[d] = lost[d], why(lim[d], open)
		if !lim[d] && !open {
			t.skip(d) // the beginning was dropped
		}
	}

	type closing struct {
		at  time.Time
		dir lab.Dir
		rst bool
	}
	var pending []closing // closes waiting for their side's data
	closeNow := func(cl closing) {
		if t.rst || t.fin[cl.dir] && !cl.rst {
			return
		}
		t.skip(cl.dir)
		if cl.rst {
			t.rst = true
			t.emit(cl.at, cl.dir, flagRST|flagACK, nil)
			return
		}
		t.fin[cl.dir] = true
		t.emit(cl.at, cl.dir, flagFIN|flagACK, nil)
		t.emit(cl.at, otherDir(cl.dir), flagACK, nil)
	}
	closes := 0
	for i := range evs {
		e := &evs[i]
		switch {
		case t.rst:
		case isSource(e, src):
			d := e.Dir
			if t.fin[d] {
				continue // bytes after this side's FIN: not possible in TCP
			}
			for b := plan[i]; len(b) > 0; {
				n := min(len(b), t.f.mss)
				t.emit(e.At, d, flagPSH|flagACK, b[:n])
				t.emit(e.At, otherDir(d), flagACK, nil)
				b = b[n:]
			}
			for j := 0; j < len(pending); {
				if lastData[pending[j].dir] <= i {
					closeNow(pending[j])
					pending = slices.Delete(pending, j, j+1)
					continue
				}
				j++
			}
		case e.Kind == lab.KindClose && (e.Dir == lab.ClientToServer || e.Dir == lab.ServerToClient):
			cl := closing{at: e.At, dir: e.Dir}
			switch {
			case strings.Contains(e.Text, "sent "+lab.HowRST):
				cl.rst = true
			case strings.Contains(e.Text, "sent "+lab.HowFIN):
			default:
				continue // a flow gone idle, an error
			}
			closes++
			if lastData[cl.dir] > i {
				pending = append(pending, cl)
			} else {
				closeNow(cl)
			}
		}
	}
	for _, cl := range pending {
		closeNow(cl)
	}
	if closes == 0 && !c.Live && (c.CloseHow == lab.HowFIN || c.CloseHow == lab.HowRST) &&
		(c.ClosedBy == lab.SideClient || c.ClosedBy == lab.SideServer) {
		// The close events were not kept; the conversation's description tells
		// who closed first and how, not whether the other side's FIN followed.
		closeNow(closing{at: c.End, dir: c.ClosedBy.Outbound(), rst: c.CloseHow == lab.HowRST})
	}
}

// frame serializes p as an Ethernet frame.
func (p *packet) frame(buf gopacket.SerializeBuffer) ([]byte, error) {
	f := p.f
	src, dst := f.client, f.server
	if p.dir == lab.ServerToClient {
		src, dst = dst, src
	}
	eth := &layers.Ethernet{
		SrcMAC:       []byte{0, 0, 0, 0, 0, 0},
		DstMAC:       []byte{0, 0, 0, 0, 0, 0},
		EthernetType: layers.EthernetTypeIPv4,
	}
	proto := layers.IPProtocolTCP
	if f.udp {
		proto = layers.IPProtocolUDP
	}
	var ip gopacket.NetworkLayer
	var ipLayer gopacket.SerializableLayer
	if src.Addr().Is4() {
		a, b := src.Addr().As4(), dst.Addr().As4()
		v4 := &layers.IPv4{
			Version: 4, IHL: 5, TTL: 64, Flags: layers.IPv4DontFragment,
			Id: f.ipid[p.dir], Protocol: proto, SrcIP: a[:], DstIP: b[:],
		}
		f.ipid[p.dir]++
		ip, ipLayer = v4, v4
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		a, b := src.Addr().As16(), dst.Addr().As16()
		v6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: a[:], DstIP: b[:]}
		ip, ipLayer = v6, v6
	}
	var l4 gopacket.SerializableLayer
	if f.udp {
		u := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
		u.SetNetworkLayerForChecksum(ip)
		l4 = u
	} else {
		t := &layers.TCP{
			SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
			Seq: p.seq, Ack: p.ack, Window: p.win,
			FIN: p.flags&flagFIN != 0, SYN: p.flags&flagSYN != 0, RST: p.flags&flagRST != 0,
			PSH: p.flags&flagPSH != 0, ACK: p.flags&flagACK != 0,
		}
		if t.SYN {
			mss := f.announce
			t.Options = []layers.TCPOption{
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{windowScale}},
			}
		}
		t.SetNetworkLayerForChecksum(ip)
		l4 = t
	}
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ipLayer, l4, gopacket.Payload(p.data)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeAs returns the "Decode As" rules Wireshark needs for convs: the lab's
// servers listen on ports of their own (FTP on 2121, not 21), where Wireshark
// finds some protocols by their content (HTTP, TLS) but not others (FTP, SMTP,
// POP3, IMAP). Each protocol's dissector comes from its description in reg
// (lab.Protocol.Dissector). Each rule is in tshark's -d form,
// "tcp.port==2121,ftp", and goes into Wireshark's Analyze → Decode As… the same
// way. Sorted, without repeats.
func DecodeAs(reg *lab.Registry, convs []lab.ConvInfo) []string {
	var out []string
	for _, c := range convs {
		p := reg.Lookup(c.Protocol)
		if p == nil || p.Dissector.Name == "" {
			continue
		}
		if by := p.Dissector.ByParent; by != lab.SideNone && c.Link.Linked() && c.Link.Dialler == by {
			continue
		}
		ap, err := netip.ParseAddrPort(c.Server)
		if err != nil || slices.Contains(p.Dissector.Ports, ap.Port()) {
			continue
		}
		transport := "tcp"
		if c.Datagram || c.Transport == "udp" {
			transport = "udp"
		}
		out = append(out, fmt.Sprintf("%s.port==%d,%s", transport, ap.Port(), p.Dissector.Name))
		if in := p.Dissector.Inner; in != "" {
			out = append(out, fmt.Sprintf("tls.port==%d,%s", ap.Port(), in))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
