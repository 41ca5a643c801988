package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/servers/httpserver"
)

// p2pLesson is the pane's lesson of client-server against P2P: the same file
// sent from A to B over a data channel, and through the lab's HTTP server (up
// in a POST to /echo, down in its answer, which carries the body back), with
// the bytes each server carried, read from the hub's conversations.
//
// The lab's HTTP server has no upload store: /echo is the one endpoint that
// takes a body and gives it back, up to httpserver.MaxEchoBody, so the
// lesson's file is at most that big.
type p2pLesson struct {
	runner
	pane    *p2pPane
	name    string // the file sent
	data    []byte
	file    *widget.Label
	pick    *widget.Button
	start   *widget.Button
	status  *widget.Label
	table   *fyne.Container
	bars    *fyne.Container // the bytes each way's servers carried, as bars
	p2pBar  *widget.ProgressBar
	httpBar *widget.ProgressBar
	res     *p2pResult // the last run's figures, nil before
	shown   *p2pResult
	obj     fyne.CanvasObject
}

// p2pResult is what one run of the lesson measured, in bytes.
type p2pResult struct {
	name string
	size int64

	signal       int64 // the signalling conversations of A and B, whole
	signalDuring int64 // of which while the file crossed
	stun         int64 // A's question to the STUN server
	flow         int64 // the UDP flow between A and B while the file crossed
	p2pSum       string

	httpUp, httpDown int64 // the HTTP conversation, each way
	httpOK           bool  // the answer carried the file back whole
}

// p2pSampleSize is the size of the lesson's own file.
const p2pSampleSize = 48 << 10

func newP2PLesson(p *p2pPane) *p2pLesson {
	l := &p2pLesson{pane: p, name: "sample.bin", data: p2pSample(p2pSampleSize)}
	l.status = widget.NewLabel("")
	l.status.Wrapping = fyne.TextWrapWord
	l.status.Hide()
	l.runner = newRunner(p.ctx, l.status, func() {
		if l.busy {
			l.status.Show()
		}
		p.controls()
		l.update()
	})
	l.file = widget.NewLabel("")
	l.pick = widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), l.askFile)
	l.start = widget.NewButtonWithIcon("Send it both ways", theme.MediaPlayIcon(), l.doRun)
	l.start.Importance = widget.HighImportance
	l.table = container.NewVBox()
	intro := widget.NewLabel("Client-server: every byte goes up to the server and down again; the server carries the whole file, twice. " +
		"Peer to peer: the server only introduces the peers (signalling: an offer and an answer, and a STUN question); " +
		"the file goes straight from A to B over their UDP flow. The figures are the bytes the lab captured on each conversation.")
	intro.Wrapping = fyne.TextWrapWord
	note := hintText(fmt.Sprintf("The HTTP way is a POST to the lab's HTTP server's /echo, whose answer carries the body back (up to %d KiB): "+
		"the lesson starts the HTTP server if it is off, and connects A to B if they are not.", httpserver.MaxEchoBody>>10))
	l.p2pBar, l.httpBar = widget.NewProgressBar(), widget.NewProgressBar()
	l.bars = container.New(layout.NewFormLayout(),
		widget.NewLabel("P2P: servers carried"), l.p2pBar,
		widget.NewLabel("HTTP: the server carried"), l.httpBar)
	l.bars.Hide()
	l.obj = container.NewVScroll(container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("File"), container.NewHBox(l.pick, l.start), l.file),
		l.status, l.bars, l.table, intro, note))
	l.setFile(l.name, l.data)
	return l
}

// p2pSample is n bytes that do not compress, the same each time.
func p2pSample(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(15, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (l *p2pLesson) object() fyne.CanvasObject { return l.obj }

func (l *p2pLesson) setFile(name string, data []byte) {
	l.name, l.data = name, data
	l.file.SetText(fmt.Sprintf("%s · %d bytes", name, len(data)))
}

func (l *p2pLesson) askFile() {
	tooBig := fmt.Sprintf("%d KiB, more than the HTTP server's /echo gives back: choose a smaller file", httpserver.MaxEchoBody>>10)
	openFile(l.pane.ctx.Window, httpserver.MaxEchoBody, tooBig, "there would be nothing to carry", l.fail, l.setFile)
}

func (l *p2pLesson) doRun() {
	name, data := l.name, l.data
	if l.pane.session() == nil { // the lesson connects them: a fresh start
		l.pane.a.reset()
		l.pane.b.reset()
	}
	var res *p2pResult
	l.run("sending "+name+" peer to peer, then through the HTTP server", within(p2pTimeout, func(ctx context.Context) (err error) {
		res, err = l.measure(ctx, name, data)
		return err
	}), func() {
		l.res = res
		l.status.Hide()
		l.update()
	})
}

// measure sends data both ways and reads the figures.
func (l *p2pLesson) measure(ctx context.Context, name string, data []byte) (*p2pResult, error) {
	p := l.pane
	if p.session() == nil {
		if err := p.dial(ctx, p.room.Text, "chat", p2pclient.ChannelOptions{}); err != nil {
			return nil, err
		}
	}
	s := p.session()
	ch, err := l.channel(ctx, s)
	if err != nil {
		return nil, err
	}
	hub := p.ctx.Bench.Hub()
	res := &p2pResult{name: name, size: int64(len(data))}
	hub.Settle()
	sigBefore, flowBefore := convBytes(hub, s.sigA.Conversation(), s.sigB.Conversation()), convBytes(hub, s.a.Flow())
	n := len(p.b.received())
	if err := ch.SendFile(ctx, name, bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, err
	}
	f, err := p.b.waitFile(ctx, name, n)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(f.Data, data) {
		return nil, errors.New("the file reached B changed")
	}
	hub.Settle()
	sig, flow := convBytes(hub, s.sigA.Conversation(), s.sigB.Conversation()), convBytes(hub, s.a.Flow())
	res.signal, res.signalDuring, res.flow = sig, sig-sigBefore, flow-flowBefore
	res.stun = stunBytes(hub, s.a.Addr().String(), p.ctx.Bench.Addr(stun.Name))
	res.p2pSum = fmt.Sprintf("SHA-256 %x… verified at B", f.SHA256[:6])
	return res, l.viaHTTP(ctx, res, data)
}

// channel is A's reliable "lesson" channel, opened if need be.
func (l *p2pLesson) channel(ctx context.Context, s *p2pSession) (*p2pclient.Channel, error) {
	for _, c := range s.a.Channels() {
		if c.Label() == "lesson" && c.Err() == nil {
			return c, nil
		}
	}
	c, err := s.a.OpenChannel("lesson", p2pclient.ChannelOptions{})
	if err != nil {
		return nil, err
	}
	l.pane.a.adopt(c)
	return c, c.WaitOpen(ctx)
}

// viaHTTP posts data to the HTTP server's /echo and reads the conversation's
// bytes each way.
func (l *p2pLesson) viaHTTP(ctx context.Context, res *p2pResult, data []byte) error {
	bench := l.pane.ctx.Bench
	if err := bench.Start(httpproto.Name); err != nil {
		return fmt.Errorf("the lesson needs the lab's HTTP server: %w", err)
	}
	proto := bench.Registry().Lookup(httpproto.Name)
	resp, err := httpclient.Do(ctx, httpclient.Request{
		Method: http.MethodPost,
		URL:    "http://" + bench.Addr(httpproto.Name) + "/echo?format=text",
		Header: http.Header{"Content-Type": {"application/octet-stream"}},
		Body:   data,
	}, httpclient.Options{Tap: bench.Hub().Tap(proto), MaxBodyBytes: int64(2*len(data) + 4096)})
	if err != nil {
		return err
	}
	res.httpOK = resp.StatusCode == http.StatusOK && bytes.HasSuffix(resp.Body, data)
	hub := bench.Hub()
	hub.Settle()
	if c := hub.Conversation(resp.Conv); c != nil {
		info := c.Info(false)
		res.httpUp, res.httpDown = info.BytesC2S, info.BytesS2C
	}
	return nil
}

// convBytes is the bytes the conversations ids carried, both ways.
func convBytes(hub *lab.Hub, ids ...lab.ConvID) int64 {
	var n int64
	for _, id := range ids {
		if c := hub.Conversation(id); id != 0 && c != nil {
			info := c.Info(false)
			n += info.BytesC2S + info.BytesS2C
		}
	}
	return n
}

// stunBytes is the bytes of the STUN questions asked from addr to server
// (the peer's tap records them on its socket's flows).
func stunBytes(hub *lab.Hub, addr, server string) int64 {
	var n int64
	for _, ci := range hub.Conversations() {
		if server != "" && ci.Client == addr && ci.Server == server {
			n += ci.BytesC2S + ci.BytesS2C
		}
	}
	return n
}

// serverBytes is what servers carried in each way of sending: for P2P the
// signalling and the STUN question, for HTTP the whole conversation.
func (r *p2pResult) serverBytes() (p2pWay, httpWay int64) {
	return r.signal + r.stun, r.httpUp + r.httpDown
}

// update shows the last run's figures.
func (l *p2pLesson) update() {
	setEnabled(l.start, !l.busy && !l.pane.busy)
	setEnabled(l.pick, !l.busy)
	if l.res == l.shown {
		return
	}
	l.shown = l.res
	r := l.res
	viaP2P, viaHTTP := r.serverBytes()
	httpCheck := "the answer carried the same bytes back"
	if !r.httpOK {
		httpCheck = "the answer did not carry the file back whole"
	}
	cell := func(s string, bold bool) fyne.CanvasObject {
		w := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		w.Wrapping = fyne.TextWrapWord
		return w
	}
	rows := [][3]string{
		{"", "Peer to peer (data channel)", "Client-server (HTTP)"},
		{"The file", fmt.Sprintf("%s, %d bytes", r.name, r.size), fmt.Sprintf("%s, %d bytes", r.name, r.size)},
		{"Carried by a server", fmt.Sprintf("%d bytes: signalling %d (the offer and answer, before the file; %d while it crossed) and STUN %d",
			viaP2P, r.signal, r.signalDuring, r.stun),
			fmt.Sprintf("%d bytes: %d up (the POST) and %d down (the answer)", viaHTTP, r.httpUp, r.httpDown)},
		{"Straight between the peers", fmt.Sprintf("%d bytes on A's UDP flow to B (the file, DTLS and SCTP framing, acknowledgements)", r.flow), "0 bytes: there is no peer, only the server"},
		{"Arrived whole", r.p2pSum, httpCheck},
		{"The server's share", fmt.Sprintf("%.1f× the file", float64(viaP2P)/float64(r.size)), fmt.Sprintf("%.1f× the file", float64(viaHTTP)/float64(r.size))},
	}
	most := float64(max(viaP2P, viaHTTP, 1))
	for _, b := range []struct {
		bar *widget.ProgressBar
		n   int64
	}{{l.p2pBar, viaP2P}, {l.httpBar, viaHTTP}} {
		text := fmt.Sprintf("%d bytes", b.n)
		b.bar.TextFormatter = func() string { return text }
		b.bar.SetValue(float64(b.n) / most)
	}
	l.bars.Show()
	l.table.Objects = nil
	for i, row := range rows { // a grid per row: each row as tall as its own text
		g := container.NewGridWithColumns(3)
		for j, s := range row {
			g.Add(cell(s, i == 0 || j == 0))
		}
		l.table.Add(g)
	}
	l.table.Refresh()
}
