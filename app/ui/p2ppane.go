package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// p2pPane is the P2P pane: two lab peers side by side, A and B. A offers, B
// answers, through the lab's signalling server; the pane shows the offer and
// answer explained, each layer's state as a light, the channels, what each
// peer sent and received, and the lesson of client-server against P2P.
type p2pPane struct {
	runner
	ctx     PaneContext
	room    *widget.Entry
	connect *widget.Button
	hangup  *widget.Button
	status  *widget.Label
	stunAt  *widget.RichText
	a, b    *p2pSide

	chLabel   *widget.Entry
	chOrdered *widget.Check
	chRel     *widget.Select
	chLimit   *widget.Entry
	chOpen    *widget.Button

	sdp    *p2pSDPView
	lesson *p2pLesson
	swarm  *p2pSwarm
	tabs   *container.AppTabs

	mu   sync.Mutex
	sess *p2pSession // the live connection, nil without one
	obj  fyne.CanvasObject
}

// p2pSession is one connection of the pane's peers: their signalling, A's
// peer and the answerer that made B's.
type p2pSession struct {
	sigA, sigB *p2pclient.Signal
	a          *p2pclient.Peer
	answerer   *p2pclient.Answerer
	stop       context.CancelFunc // ends the answerer
	room       string
}

// The reliability choices of a channel.
const (
	relReliable = "reliable"
	relRetrans  = "max retransmits"
	relLifetime = "max lifetime (ms)"
)

var _ ClientPane = (*p2pPane)(nil)

func newP2PPane(ctx PaneContext) *p2pPane {
	p := &p2pPane{ctx: ctx}
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Hide() // shown with news: what is under way, what went wrong
	p.runner = newRunner(ctx, p.status, p.controls)
	p.room = entryWith(p2p.DefaultRoom)
	p.connect = widget.NewButtonWithIcon("Connect A → B", theme.LoginIcon(), p.doConnect)
	p.connect.Importance = widget.HighImportance
	p.hangup = widget.NewButtonWithIcon("Close", theme.LogoutIcon(), p.doClose)
	p.stunAt = hintText("")
	p.a = newP2PSide(p, "A", "offers")
	p.b = newP2PSide(p, "B", "answers")

	p.chLabel = entryWith("chat")
	p.chOrdered = widget.NewCheck("Ordered", nil)
	p.chOrdered.SetChecked(true)
	p.chLimit = entryWith("3")
	p.chRel = widget.NewSelect([]string{relReliable, relRetrans, relLifetime}, func(s string) { setEnabled(p.chLimit, s != relReliable) })
	p.chRel.SetSelected(relReliable)
	p.chOpen = widget.NewButtonWithIcon("Open on A", theme.ContentAddIcon(), p.doOpenChannel)

	p.sdp = newP2PSDPView()
	p.lesson = newP2PLesson(p)
	p.swarm = newP2PSwarm(p)
	limit := container.NewGridWrap(fyne.NewSize(60, p.chLimit.MinSize().Height), p.chLimit)
	channel := container.NewVBox( // two rows: narrow enough for a narrow pane
		container.NewBorder(nil, nil, widget.NewLabel("New channel"), p.chOrdered, p.chLabel),
		container.NewBorder(nil, nil, nil, container.NewHBox(limit, p.chOpen), p.chRel))
	peers := container.NewBorder(channel, nil, nil, nil,
		container.New(&columns{min: p2pColumnWidth}, card(p.a.object()), card(p.b.object())))
	p.tabs = container.NewAppTabs(
		container.NewTabItem("Peers", peers),
		container.NewTabItem("SDP offer and answer", p.sdp.object()),
		container.NewTabItem("Client-server vs P2P", p.lesson.object()),
		container.NewTabItem("Swarm", p.swarm.object()),
	)
	p.tabs.OnSelected = func(*container.TabItem) { p.Update() }
	// No pane title: the workbench's heading and the tab name the protocol,
	// and the peers need the height.
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabelWithStyle("PEERS A AND B · room", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewHBox(p.connect, p.hangup), p.room),
		p.stunAt,
		p.status,
	)
	p.obj = container.NewBorder(top, nil, nil, nil, p.tabs)
	p.controls()
	return p
}

func (p *p2pPane) Object() fyne.CanvasObject { return p.obj }

// Update shows the peers, the descriptions and the lesson as they are now.
func (p *p2pPane) Update() {
	stunAddr := p.ctx.Bench.Addr(stun.Name)
	note := "The lab's STUN server is off: the peers gather host candidates only. "
	if stunAddr != "" {
		note = "A asks the lab's STUN server (" + stunAddr + ") for its server-reflexive address. "
	}
	note += "STUN only tells a peer the address it sees: it is not a TURN relay, it never carries the peers' data."
	if seg := p.stunAt.Segments[0].(*widget.TextSegment); seg.Text != note {
		seg.Text = note
		p.stunAt.Refresh()
	}
	p.a.update()
	p.b.update()
	if s := p.session(); s != nil {
		p.sdp.show(s.a.LocalSDP(), s.a.RemoteSDP())
	}
	p.lesson.update()
	p.swarm.update()
	p.controls()
}

func (p *p2pPane) Close() {
	p.swarm.close()
	if s := p.takeSession(); s != nil {
		go s.close()
	}
}

func (p *p2pPane) session() *p2pSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sess
}

func (p *p2pPane) takeSession() *p2pSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sess
	p.sess = nil
	return s
}

func (p *p2pPane) controls() {
	if p.busy {
		p.status.Show() // "connecting …"
	}
	on := p.session() != nil
	setEnabled(p.connect, !p.busy && !on && !p.lesson.busy)
	setEnabled(p.hangup, !p.busy && on && !p.lesson.busy)
	setEnabled(p.chOpen, !p.busy && on)
	setEnabled(p.room, !on)
}

// channelOptions reads the channel form.
func (p *p2pPane) channelOptions() (string, p2pclient.ChannelOptions, error) {
	label := strings.TrimSpace(p.chLabel.Text)
	if label == "" {
		return "", p2pclient.ChannelOptions{}, errors.New("give the channel a label")
	}
	opts := p2pclient.ChannelOptions{Unordered: !p.chOrdered.Checked}
	if p.chRel.Selected != relReliable {
		n, err := strconv.ParseUint(strings.TrimSpace(p.chLimit.Text), 10, 16)
		if err != nil {
			return "", opts, fmt.Errorf("%s: give a number from 0 to 65535", p.chRel.Selected)
		}
		v := uint16(n)
		if p.chRel.Selected == relRetrans {
			opts.MaxRetransmits = &v
		} else {
			opts.MaxPacketLifeTime = &v
		}
	}
	return label, opts, nil
}

func (p *p2pPane) doConnect() {
	label, opts, err := p.channelOptions()
	if err != nil {
		p.fail(err)
		return
	}
	room := strings.TrimSpace(p.room.Text)
	p.a.reset()
	p.b.reset()
	p.sdp.show("", "")
	p.run("connecting A to B in room "+room, within(p2pConnectTimeout, func(ctx context.Context) error {
		return p.dial(ctx, room, label, opts)
	}), func() {
		p.say("A and B are connected peer to peer; the signalling server carried only their offer and answer")
		if s := p.session(); s != nil {
			if conv := s.a.Flow(); conv != 0 {
				p.ctx.Select(conv)
			}
		}
	})
}

// p2pEndpoints is the lab P2P server's signalling URL ("" while it is off)
// and the tap of the lab peers' flows.
func p2pEndpoints(bench *lab.Bench) (url string, tap *lab.Tap) {
	if addr := bench.Addr(p2p.Name); addr != "" {
		url = "ws://" + addr + p2p.Path
	}
	return url, bench.Hub().Tap(bench.Registry().Lookup(webrtc.Name))
}

// dial joins both peers to room, makes A's channel, and has A call B; it
// returns once the channel is open.
func (p *p2pPane) dial(ctx context.Context, room, label string, opts p2pclient.ChannelOptions) (err error) {
	url, peerTap := p2pEndpoints(p.ctx.Bench)
	if url == "" {
		return errors.New("the P2P server is off: switch it on in the rail (it starts the signalling server, the STUN server and the answering peer)")
	}
	s := &p2pSession{room: room}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	so := p2pclient.SignalOptions{Tap: p.ctx.Tap}
	if s.sigB, err = p2pclient.DialSignal(ctx, url, so); err != nil {
		return err
	}
	if _, err = s.sigB.Join(ctx, room, "", true); err != nil {
		return fmt.Errorf("peer B could not join room %q: %w", room, err)
	}
	s.answerer = &p2pclient.Answerer{
		NewPeer: func(string) (*p2pclient.Peer, error) {
			// B does not ask the lab's STUN server: both taps would claim
			// the server's side of the question (Options.Side).
			return p2pclient.New(p2pclient.Options{Tap: peerTap, Side: lab.SideServer, OnState: p.b.onState, OnChannel: p.b.adopt})
		},
		OnPeer:  p.b.setPeer,
		OnError: func(from string, err error) { p.b.note("could not answer " + from + ": " + err.Error()) },
	}
	serve, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.answerer.Serve(serve, s.sigB)
	if s.sigA, err = p2pclient.DialSignal(ctx, url, so); err != nil {
		return err
	}
	if _, err = s.sigA.Join(ctx, room, "", true); err != nil {
		return fmt.Errorf("peer A could not join room %q: %w", room, err)
	}
	s.a, err = p2pclient.New(p2pclient.Options{Tap: peerTap, Side: lab.SideClient, STUN: p.ctx.Bench.Addr(stun.Name), OnState: p.a.onState})
	if err != nil {
		return err
	}
	p.a.setPeer(s.a)
	ch, err := s.a.OpenChannel(label, opts)
	if err != nil {
		return err
	}
	p.a.adopt(ch)
	p.a.note(fmt.Sprintf("joined room %s as %s; offering to B (%s)", room, s.sigA.Name(), s.sigB.Name()))
	if err = s.a.Call(ctx, s.sigA, s.sigB.Name()); err != nil {
		return err
	}
	if err = s.a.Connected(ctx); err != nil {
		return err
	}
	if err = ch.WaitOpen(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.sess = s
	p.mu.Unlock()
	go p.watchSignal(s)
	p.a.note("connected to " + s.sigB.Name() + " peer to peer; channel " + label + " open")
	return nil
}

// watchSignal tells the person when s's signalling ends while s is the
// pane's session: the server stopped, yet the peers talk on.
func (p *p2pPane) watchSignal(s *p2pSession) {
	select {
	case <-s.sigA.Done():
	case <-s.sigB.Done():
	}
	if p.session() == s {
		p.a.warn("the signalling connection ended (" + cmp.Or(s.sigA.Err(), s.sigB.Err()).Error() +
			"): the peers still talk directly, but cannot make a new connection")
	}
}

// close ends the session's peers and signalling.
func (s *p2pSession) close() {
	if s.a != nil {
		s.a.Close()
	}
	if s.stop != nil {
		s.stop()
	}
	if s.answerer != nil {
		s.answerer.Close()
	}
	for _, sig := range []*p2pclient.Signal{s.sigA, s.sigB} {
		if sig != nil {
			sig.Close()
		}
	}
}

func (p *p2pPane) doClose() {
	s := p.takeSession()
	if s == nil {
		return
	}
	p.run("closing the peers", func() error { s.close(); return nil }, func() {
		p.say("closed: each peer saw its channels close")
	})
}

// doOpenChannel opens another channel on A, as the form says.
func (p *p2pPane) doOpenChannel() {
	label, opts, err := p.channelOptions()
	if err != nil {
		p.fail(err)
		return
	}
	s := p.session()
	if s == nil {
		return
	}
	p.run("opening channel "+label, within(p2pConnectTimeout, func(ctx context.Context) error {
		ch, err := s.a.OpenChannel(label, opts)
		if err != nil {
			return err
		}
		p.a.adopt(ch)
		return ch.WaitOpen(ctx)
	}), func() { p.say("channel " + label + " open: " + describeChannel(opts)) })
}

// say shows news in the pane's status line.
func (p *p2pPane) say(news string) {
	setStatus(p.status, news, false)
	p.status.Show()
}

// p2pColumnWidth is the narrowest a peer's column gets: two fit beside the
// server pane.
const p2pColumnWidth = 260

// describeChannel says a channel's delivery rules in words.
func describeChannel(o p2pclient.ChannelOptions) string {
	order := "ordered"
	if o.Unordered {
		order = "unordered"
	}
	switch {
	case o.MaxRetransmits != nil:
		return fmt.Sprintf("%s, given up after %d retransmissions", order, *o.MaxRetransmits)
	case o.MaxPacketLifeTime != nil:
		return fmt.Sprintf("%s, given up after %d ms", order, *o.MaxPacketLifeTime)
	}
	return order + ", reliable"
}

// Bounds of the pane's work: a connection (STUN, ICE, DTLS, SCTP, the
// channel) and the lesson's transfers.
const (
	p2pConnectTimeout = 30 * time.Second
	p2pTimeout        = 2 * time.Minute
)

// within is work bounded by d, for a runner.
func within(d time.Duration, work func(context.Context) error) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return work(ctx)
	}
}
