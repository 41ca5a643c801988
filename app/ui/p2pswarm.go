package ui

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/clients/swarm"
)

// p2pSwarm is the pane's small swarm: N lab peers (clients/swarm) share one
// file in pieces, peer A seeding it. It shows which pieces each peer has,
// coloured by the peer that sent each, who sent which piece to whom, each
// peer's totals, and a line once every remaining peer has the whole file
// with its SHA-256 checked. Its model (under mu) is filled from the
// members' goroutines; update draws it at most swarmDrawRate times a second.
type p2pSwarm struct {
	runner
	pane   *p2pPane
	name   string // the file shared
	data   []byte
	count  *widget.Select
	file   *widget.Label
	pick   *widget.Button
	start  *widget.Button
	stop   *widget.Button
	status *widget.Label
	done   *widget.Label // every remaining peer complete, or not yet
	rows   *fyne.Container
	log    *widget.Label
	logBox *container.Scroll
	obj    fyne.CanvasObject

	mu      sync.Mutex
	cur     *swarmRun // the swarm shown, nil before the first
	lines   []string  // the transfers, newest last, at most swarmLogLines
	version uint64

	shown    uint64
	drawn    *swarmRun // the run rows were built for
	lastDraw time.Time
	later    bool // a draw is scheduled
	peerRows []*swarmRow
}

// swarmRun is one swarm: its members (as they join) and which are stopped.
type swarmRun struct {
	meta     swarm.Meta
	sum      [32]byte
	n        int
	members  []*swarm.Member // under p2pSwarm.mu
	stopped  []bool          // under p2pSwarm.mu
	ended    bool            // Stop all: under p2pSwarm.mu
	verified map[int]bool    // members whose file was hashed: UI goroutine only
}

// swarmRow is one peer's row: its name, totals, stop button and pieces.
type swarmRow struct {
	head  *widget.Label
	stats *widget.Label
	stop  *widget.Button
	cells []*canvas.Rectangle
	obj   fyne.CanvasObject
}

const (
	swarmDefaultSize = 1 << 20 // the sample file
	swarmMaxFile     = 64 << 20
	swarmPieces      = 32 // about how many pieces a file is cut in
	swarmLogLines    = 60
	swarmDrawRate    = 10 // draws a second at most
)

func newP2PSwarm(p *p2pPane) *p2pSwarm {
	sw := &p2pSwarm{pane: p, name: "sample.bin", data: p2pSample(swarmDefaultSize)}
	sw.status = widget.NewLabel("")
	sw.status.Wrapping = fyne.TextWrapWord
	sw.status.Hide()
	sw.runner = newRunner(p.ctx, sw.status, sw.controls)
	var counts []string
	for n := 2; n <= 8; n++ {
		counts = append(counts, strconv.Itoa(n))
	}
	sw.count = widget.NewSelect(counts, nil)
	sw.count.SetSelected("4")
	sw.file = widget.NewLabel("")
	sw.file.Truncation = fyne.TextTruncateEllipsis
	sw.pick = widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), sw.askFile)
	sw.start = widget.NewButtonWithIcon("Start swarm", theme.MediaPlayIcon(), sw.doStart)
	sw.start.Importance = widget.HighImportance
	sw.stop = widget.NewButtonWithIcon("Stop all", theme.MediaStopIcon(), sw.doStopAll)
	sw.done = widget.NewLabel("")
	sw.done.Wrapping = fyne.TextWrapWord
	sw.done.Hide()
	sw.rows = container.NewVBox()
	sw.log = widget.NewLabel("")
	sw.log.SizeName = theme.SizeNameCaptionText
	sw.logBox = container.NewVScroll(sw.log)
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, 150))
	intro := hintText("Peer A has the file; the others get it in pieces from every peer that has them, rarest first, " +
		"and upload what they have, as BitTorrent does. Each piece is coloured by the peer that sent it. " +
		"Stop a peer midway: the others finish from the peers that remain. The signalling server only introduces them.")
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("File"), sw.pick, sw.file),
		container.NewBorder(nil, nil, widget.NewLabel("Peers"), container.NewHBox(sw.start, sw.stop),
			container.NewGridWrap(fyne.NewSize(90, sw.count.MinSize().Height), sw.count)),
		sw.status, sw.done, sw.rows,
		sectionLabel("WHO SENT WHICH PIECE TO WHOM (THE NEWEST FIRST)"))
	// The tab scrolls as a whole, the log keeping a height of its own.
	sw.obj = container.NewVScroll(container.NewVBox(top, container.NewStack(room, sw.logBox), intro))
	sw.setFile(sw.name, sw.data)
	sw.controls()
	return sw
}

func (sw *p2pSwarm) object() fyne.CanvasObject { return sw.obj }

func (sw *p2pSwarm) setFile(name string, data []byte) {
	sw.name, sw.data = name, data
	sw.file.SetText(fmt.Sprintf("%s · %d bytes", name, len(data)))
}

func (sw *p2pSwarm) askFile() {
	tooBig := fmt.Sprintf("%d MiB: too large for the lab's peers, which each keep the file in memory", swarmMaxFile>>20)
	openFile(sw.pane.ctx.Window, swarmMaxFile, tooBig, "there would be nothing to share", sw.fail, sw.setFile)
}

// swarmPieceSize cuts size bytes in about swarmPieces pieces, each a whole
// number of blocks.
func swarmPieceSize(size int) int {
	blocks := (size/swarmPieces + swarm.BlockSize - 1) / swarm.BlockSize
	return max(1, blocks) * swarm.BlockSize
}

// swarmPeer is the letter the pane calls the i-th member by.
func swarmPeer(i int) string { return string(rune('A' + i)) }

// swarmLetter is the letter of a member's name ("peer-3" is C).
func swarmLetter(name string) string {
	_, num, _ := strings.Cut(name, "-")
	if i, err := strconv.Atoi(num); err == nil && i >= 1 && i <= 8 {
		return swarmPeer(i - 1)
	}
	return name
}

func (sw *p2pSwarm) doStart() {
	n, _ := strconv.Atoi(sw.count.Selected)
	url, peerTap := p2pEndpoints(sw.pane.ctx.Bench)
	if url == "" {
		sw.fail(errors.New("the P2P server is off: switch it on in the rail (the swarm's peers find each other through its signalling server)"))
		return
	}
	sw.endRun()
	data := sw.data
	run := &swarmRun{meta: swarm.NewMeta(sw.name, data, swarmPieceSize(len(data))), sum: sha256.Sum256(data), n: n}
	sw.mu.Lock()
	sw.cur, sw.lines = run, nil
	sw.version++
	sw.mu.Unlock()
	sw.done.Hide()
	opts := swarm.Options{
		Signal:        url,
		SignalOptions: p2pclient.SignalOptions{Tap: sw.pane.ctx.Tap},
		Room:          "swarm-" + time.Now().Format("150405.000"),
		Meta:          run.meta,
		Tap:           peerTap,
		OnPiece:       sw.onPiece,
	}
	sw.run(fmt.Sprintf("starting %d peers in room %s", n, opts.Room), within(p2pConnectTimeout, func(ctx context.Context) error {
		ms, err := swarm.Start(ctx, n, data, opts)
		sw.mu.Lock()
		defer sw.mu.Unlock()
		sw.version++
		switch {
		case err != nil:
			run.ended = true // no swarm: Start again
			return err
		case run.ended: // Stop all while they joined
			go closeMembers(ms)
			return nil
		}
		run.members, run.stopped = ms, make([]bool, len(ms))
		return nil
	}), func() {
		news := fmt.Sprintf("%d peers joined room %s; A seeds %s in %d pieces of %d KiB", n, opts.Room, sw.name, run.meta.Pieces(), run.meta.PieceSize>>10)
		if !sw.live() {
			news = "stopped before every peer joined"
		}
		setStatus(sw.status, news, false)
		sw.status.Show()
		sw.pane.ctx.Changed()
	})
}

// onPiece logs a transfer, from a member's goroutine.
func (sw *p2pSwarm) onPiece(x swarm.Transfer) {
	line := fmt.Sprintf("piece %d: %s → %s (%d KiB)", x.Piece, swarmLetter(x.From), swarmLetter(x.To), x.Bytes>>10)
	sw.mu.Lock()
	sw.lines = append(sw.lines, line)
	if len(sw.lines) > swarmLogLines {
		sw.lines = sw.lines[len(sw.lines)-swarmLogLines:]
	}
	sw.version++
	sw.mu.Unlock()
	sw.pane.ctx.Changed()
}

func closeMembers(ms []*swarm.Member) {
	for _, m := range ms {
		m.Close()
	}
}

// endRun ends the swarm's peers, if any run.
func (sw *p2pSwarm) endRun() {
	sw.mu.Lock()
	run := sw.cur
	var ms []*swarm.Member
	if run != nil && !run.ended {
		run.ended = true
		for i, m := range run.members {
			if !run.stopped[i] {
				run.stopped[i] = true
				ms = append(ms, m)
			}
		}
		sw.version++
	}
	sw.mu.Unlock()
	if len(ms) > 0 {
		sw.pane.ctx.Go(func() { closeMembers(ms) })
	}
}

func (sw *p2pSwarm) doStopAll() {
	sw.endRun()
	setStatus(sw.status, "stopped: every peer left the swarm", false)
	sw.status.Show()
	sw.controls()
	sw.pane.ctx.Changed()
}

// stopPeer ends the i-th peer: the others finish without it.
func (sw *p2pSwarm) stopPeer(i int) {
	sw.mu.Lock()
	run := sw.cur
	if run == nil || i >= len(run.members) || run.stopped[i] {
		sw.mu.Unlock()
		return
	}
	run.stopped[i] = true
	m := run.members[i]
	sw.lines = append(sw.lines, "peer "+swarmPeer(i)+" stopped: its connections close")
	sw.version++
	sw.mu.Unlock()
	sw.pane.ctx.Go(func() { m.Close() })
	sw.pane.ctx.Changed()
}

// live reports whether a swarm runs.
func (sw *p2pSwarm) live() bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.cur != nil && !sw.cur.ended
}

func (sw *p2pSwarm) controls() {
	if sw.busy {
		sw.status.Show()
	}
	live := sw.live()
	setEnabled(sw.start, !sw.busy && !live)
	setEnabled(sw.pick, !sw.busy && !live)
	setEnabled(sw.count, !sw.busy && !live)
	setEnabled(sw.stop, live)
}

// close ends the swarm with the pane.
func (sw *p2pSwarm) close() { sw.endRun() }
