package ui

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

// p2pSide is one lab peer of the P2P pane, A or B: its layers' lights, its
// channels, what it sent and received, the files it received. Its model
// (under mu) is filled from pion's goroutines; update shows it, on the UI
// goroutine.
type p2pSide struct {
	runner
	pane *p2pPane
	name string // "A"

	mu      sync.Mutex
	layers  map[string]p2pclient.State // by layer; channels by "channel:" + label
	order   []string                   // keys of layers in the order first seen
	peer    *p2pclient.Peer
	chans   []*p2pclient.Channel
	files   []p2pclient.File // received
	arrived chan struct{}    // closed and replaced when a file arrives
	inName  string           // the file being received, its progress
	inGot   int64
	inSize  int64
	outGot  int64 // the file being sent, its progress
	outSize int64
	version uint64 // bumped on every change
	problem string // the last problem the network caused, "" for none

	shown   uint64 // the version update last showed
	tr      transcript
	out     *console
	addr    *widget.Label
	lights  *fyne.Container
	channel *widget.Select
	comp    *composer
	file    *widget.Button
	prog    *widget.ProgressBar
	got     *fyne.Container // the received files, one row each
	errText *widget.Label
	obj     fyne.CanvasObject
}

// The layers a side shows a light for before they report: the peer's whole
// stack, bottom up.
var p2pLayers = []string{p2pclient.LayerGathering, p2pclient.LayerICE, p2pclient.LayerDTLS, p2pclient.LayerSCTP, p2pclient.LayerPeer}

func newP2PSide(p *p2pPane, name, role string) *p2pSide {
	s := &p2pSide{pane: p, name: name, layers: map[string]p2pclient.State{}, arrived: make(chan struct{})}
	s.errText = widget.NewLabel("")
	s.errText.Importance = widget.DangerImportance
	s.errText.Wrapping = fyne.TextWrapWord
	s.errText.Hide()
	s.runner = newRunner(p.ctx, s.errText, s.controls)
	s.addr = widget.NewLabel("no peer yet")
	s.addr.Alignment = fyne.TextAlignTrailing
	s.addr.Truncation = fyne.TextTruncateEllipsis
	s.lights = container.NewGridWrap(fyne.NewSize(148, 20))
	s.channel = widget.NewSelect(nil, nil)
	s.channel.PlaceHolder = "no channel yet"
	s.comp = newComposer(s.sendText)
	s.comp.newline.SetChecked(false)
	s.comp.newline.Hide()
	s.comp.entry.SetText("hello from " + name)
	s.file = widget.NewButtonWithIcon("Send file…", theme.UploadIcon(), s.askFile)
	s.prog = widget.NewProgressBar()
	s.prog.Hide()
	s.got = container.NewVBox()
	s.out = newConsole()
	s.out.show(&s.tr, false)
	head := widget.NewLabelWithStyle("PEER "+name+" · "+role, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(
		container.NewBorder(nil, nil, head, nil, s.addr),
		s.lights,
		container.NewBorder(nil, nil, widget.NewLabel("Channel"), nil, s.channel),
		s.comp.titled("Message"),
		container.NewBorder(nil, nil, s.file, nil, s.prog),
		s.got,
		s.errText,
	)
	// The column scrolls as a whole: the workbench is short beside the
	// inspector, and the transcript keeps a height of its own.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, 160))
	s.obj = container.NewVScroll(container.NewVBox(top, sectionLabel("WHAT CROSSED THE CHANNELS"), container.NewStack(room, s.out.list)))
	s.setLights()
	s.controls()
	return s
}

// onState records a layer's state change, from pion's goroutines.
func (s *p2pSide) onState(st p2pclient.State) {
	key := st.Layer
	if st.Layer == p2pclient.LayerChannel {
		key = "channel:" + st.Channel
	}
	s.mu.Lock()
	if _, ok := s.layers[key]; !ok && !slices.Contains(p2pLayers, key) {
		s.order = append(s.order, key)
	}
	s.layers[key] = st
	s.version++
	s.mu.Unlock()
	if st.Err != nil && !errors.Is(st.Err, p2pclient.ErrPeerClosed) {
		s.warn(st.Err.Error())
	}
	s.pane.ctx.Changed()
}

// warn shows a problem that came from the network (the other peer
// vanished, the signalling server went away) under the side's controls and
// in its transcript.
func (s *p2pSide) warn(problem string) {
	s.mu.Lock()
	s.problem = problem
	s.mu.Unlock()
	s.note(problem)
}

// state is a layer's last state, "" before it reported.
func (s *p2pSide) state(layer string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.layers[layer].State
}

func (s *p2pSide) note(text string) {
	s.tr.add(chunk{at: time.Now(), note: text})
	s.bump()
}

func (s *p2pSide) bump() {
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
	s.pane.ctx.Changed()
}

// setPeer makes p the side's peer (nil: none).
func (s *p2pSide) setPeer(p *p2pclient.Peer) {
	s.mu.Lock()
	s.peer = p
	s.version++
	s.mu.Unlock()
	s.pane.ctx.Changed()
}

// adopt takes a channel of the side's peer, its own or the remote's, and
// listens to it.
func (s *p2pSide) adopt(c *p2pclient.Channel) {
	label := c.Label()
	c.OnMessage(func(m p2pclient.Message) {
		s.tr.add(chunk{at: time.Now(), dir: lab.ServerToClient, data: append([]byte(label+": "), m.Data...)})
		s.bump()
	})
	c.OnFileProgress(func(name string, got, size int64) {
		s.mu.Lock()
		s.inName, s.inGot, s.inSize = name, got, size
		s.version++
		s.mu.Unlock()
		s.pane.ctx.Changed()
	})
	c.OnFile(func(f p2pclient.File) {
		s.mu.Lock()
		s.files = append(s.files, f)
		s.inName = ""
		close(s.arrived)
		s.arrived = make(chan struct{})
		s.version++
		s.mu.Unlock()
		if f.Err != nil {
			s.note(f.Err.Error())
		} else {
			s.note(fmt.Sprintf("received the file %s on %s (%d bytes)", f.Name, label, f.Size))
		}
	})
	s.mu.Lock()
	s.chans = append(s.chans, c)
	s.version++
	s.mu.Unlock()
	s.pane.ctx.Changed()
}

// selected is the channel chosen in the side's select, nil if none: of
// several with its label (labels need not be unique), the newest still open.
func (s *p2pSide) selected() *p2pclient.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *p2pclient.Channel
	for _, c := range slices.Backward(s.chans) {
		if c.Label() == s.channel.Selected {
			if c.Err() == nil {
				return c
			}
			found = cmp.Or(found, c)
		}
	}
	return found
}

func (s *p2pSide) sendText(text string, isHex, _ bool) {
	c := s.selected()
	if c == nil {
		s.fail(fmt.Errorf("peer %s has no open channel: connect first", s.name))
		return
	}
	data := []byte(text)
	if isHex {
		b, err := hex.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			s.comp.fail(fmt.Errorf("not hex digits: %w", err))
			return
		}
		data = b
	}
	s.comp.fail(nil)
	at := time.Now() // before it leaves: the receiver may show it first
	s.run("", func() error {
		if isHex {
			return c.Send(data)
		}
		return c.SendText(text)
	}, func() {
		s.tr.add(chunk{at: at, dir: lab.ClientToServer, data: append([]byte(c.Label()+": "), data...)})
		s.bump()
	})
}

func (s *p2pSide) controls() {
	c := s.selected()
	has := c != nil && c.Err() == nil && !s.busy
	setEnabled(s.comp.send, has)
	setEnabled(s.file, has)
}

// update shows the model, on the UI goroutine.
func (s *p2pSide) update() {
	s.out.update()
	s.mu.Lock()
	if s.version == s.shown {
		s.mu.Unlock()
		return
	}
	s.shown = s.version
	var labels []string
	for _, c := range s.chans {
		if !slices.Contains(labels, c.Label()) {
			labels = append(labels, c.Label())
		}
	}
	addr := "no peer yet"
	if s.peer != nil {
		addr = "UDP " + s.peer.Addr().String()
	}
	files := slices.Clone(s.files)
	problem := s.problem
	s.problem = ""
	inName, inGot, inSize, outGot, outSize := s.inName, s.inGot, s.inSize, s.outGot, s.outSize
	s.mu.Unlock()

	setText(s.addr, addr)
	if problem != "" {
		setStatus(s.errText, problem, true)
		s.errText.Show()
	}
	s.setLights()
	s.channel.Options = labels
	if !slices.Contains(labels, s.channel.Selected) && len(labels) > 0 {
		s.channel.SetSelected(labels[0])
	}
	s.channel.Refresh()
	switch {
	case inName != "" && inSize > 0:
		s.prog.Show()
		s.prog.SetValue(float64(inGot) / float64(inSize))
	case s.busy && outSize > 0:
		s.prog.Show()
		s.prog.SetValue(float64(outGot) / float64(outSize))
	default:
		s.prog.Hide()
	}
	if len(s.got.Objects) != len(files) {
		s.got.Objects = nil
		for _, f := range files {
			s.got.Add(s.fileRow(f))
		}
		s.got.Refresh()
	}
	s.controls()
}

// object is the side's column.
func (s *p2pSide) object() fyne.CanvasObject { return s.obj }

// reset forgets the side's peer, channels and files: a new connection.
func (s *p2pSide) reset() {
	s.mu.Lock()
	s.layers = map[string]p2pclient.State{}
	s.order = nil
	s.peer = nil
	s.chans = nil
	s.inName = ""
	s.version++
	s.mu.Unlock()
	s.errText.Hide()
}
