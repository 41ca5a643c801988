package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/protocols/p2p"
)

// p2pSDPView shows the offer and the answer side by side, each line with
// what it means and where it is defined (p2p.ExplainSDP).
type p2pSDPView struct {
	offer, answer *p2pSDPColumn
	obj           fyne.CanvasObject
}

// p2pSDPColumn is one description: its candidates in short, then its lines.
type p2pSDPColumn struct {
	sdp   string // the description shown
	cands *widget.Label
	lines *fyne.Container
	obj   fyne.CanvasObject
}

func newP2PSDPView() *p2pSDPView {
	v := &p2pSDPView{
		offer:  newP2PSDPColumn("OFFER · A → signalling server → B"),
		answer: newP2PSDPColumn("ANSWER · B → signalling server → A"),
	}
	v.obj = container.New(&columns{min: p2pColumnWidth}, card(v.offer.obj), card(v.answer.obj))
	return v
}

func newP2PSDPColumn(heading string) *p2pSDPColumn {
	c := &p2pSDPColumn{cands: widget.NewLabel("No description yet: connect A to B."), lines: container.NewVBox()}
	c.cands.Wrapping = fyne.TextWrapWord
	c.obj = container.NewVScroll(container.NewVBox(sectionLabel(heading), c.cands, c.lines))
	return c
}

func (v *p2pSDPView) object() fyne.CanvasObject { return v.obj }

// show shows the offer and the answer ("" for none yet).
func (v *p2pSDPView) show(offer, answer string) {
	v.offer.show(offer)
	v.answer.show(answer)
}

func (c *p2pSDPColumn) show(sdp string) {
	if sdp == c.sdp {
		return
	}
	c.sdp = sdp
	c.lines.Objects = nil
	if sdp == "" {
		c.cands.SetText("No description yet: connect A to B.")
		c.lines.Refresh()
		return
	}
	lines := p2p.ExplainSDP(sdp)
	var cands []string
	for _, l := range lines {
		if cand, ok := l.Candidate(); ok {
			cands = append(cands, cand.Type+" "+cand.Address())
		}
	}
	c.cands.SetText("Candidates: " + orDash(strings.Join(cands, ", ")))
	for _, l := range lines {
		code := widget.NewLabelWithStyle(l.Text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		code.Truncation = fyne.TextTruncateEllipsis
		code.Importance = sdpTopicImportance[l.Topic]
		meaning := widget.NewLabel(sdpMeaning(l))
		meaning.Wrapping = fyne.TextWrapWord
		meaning.SizeName = theme.SizeNameCaptionText
		c.lines.Add(container.NewVBox(code, meaning))
	}
	c.lines.Refresh()
}

// sdpMeaning is a line's meaning as the pane words it, its reference after.
func sdpMeaning(l p2p.SDPLine) string {
	if l.Ref == "" {
		return l.Meaning
	}
	return l.Meaning + " (" + l.Ref + ")"
}

// sdpTopicImportance colours a line's text by what it is about.
var sdpTopicImportance = map[string]widget.Importance{
	p2p.SDPICE:       widget.HighImportance,
	p2p.SDPCandidate: widget.SuccessImportance,
	p2p.SDPDTLS:      widget.WarningImportance,
	p2p.SDPSCTP:      widget.HighImportance,
	p2p.SDPMedia:     widget.MediumImportance,
	p2p.SDPSession:   widget.MediumImportance,
}
