package inspector

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// Following a message through a broker: when the selected message carries a
// publication (lab.Message.Pub), the detail says where it went — the
// deliveries a publication made, or the publication a delivery came from and
// the deliveries beside it — each a link that selects that conversation and
// message (lab.Hub.Follow pairs them).

// brokerView is the detail's "Through the broker" part.
type brokerView struct {
	title *widget.Label
	text  *widget.Label
	links *fyne.Container
	obj   *fyne.Container
	shown bool
	said  string    // the text and links shown, to redraw only what changed
	asked time.Time // when the hub was last asked, while a message is selected
}

func newBrokerView() *brokerView {
	b := &brokerView{
		title: widget.NewLabelWithStyle("Through the broker", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		text:  widget.NewLabel(""),
		links: container.NewVBox(),
	}
	b.text.Wrapping = fyne.TextWrapWord
	b.obj = container.NewVBox(b.title, b.text, b.links)
	b.obj.Hide()
	return b
}

// brokerLink is one message the view links to.
type brokerLink struct {
	text string
	ref  lab.MsgRef // zero: not a link (the message selected)
}

// set shows text and links; go is called with the message a link names.
func (b *brokerView) set(text string, links []brokerLink, goTo func(lab.MsgRef)) {
	said := fmt.Sprint(text, links)
	if b.shown && said == b.said {
		return
	}
	b.said = said
	setText(b.text, text)
	objs := make([]fyne.CanvasObject, 0, len(links))
	for _, l := range links {
		if l.ref.Seq == 0 {
			lbl := widget.NewLabelWithStyle(l.text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
			lbl.Wrapping = fyne.TextWrapWord
			objs = append(objs, lbl)
			continue
		}
		ref := l.ref
		h := widget.NewHyperlink(l.text, nil)
		h.Wrapping = fyne.TextWrapWord
		h.OnTapped = func() { goTo(ref) }
		objs = append(objs, h)
	}
	b.links.Objects = objs
	b.links.Refresh()
	if !b.shown {
		b.obj.Show()
		b.shown = true
	}
}

// hide hides the view: the message selected carries no publication.
func (b *brokerView) hide() {
	if b.shown {
		b.obj.Hide()
		b.shown = false
	}
}

// followLive asks the hub again, at most every tickEvery, where the selected
// message went: deliveries analyzed after it was selected join the view.
func (in *Inspector) followLive(now time.Time) {
	b := in.detail.broker
	if !b.shown || in.selMsg < 0 || now.Sub(b.asked) < tickEvery {
		return
	}
	in.refreshFollow(in.row(in.selMsg))
}

// refreshFollow shows where the message of row e went through the broker, or
// hides the view when e is nil or carries no publication.
func (in *Inspector) refreshFollow(e *lab.Event) {
	b := in.detail.broker
	// The words under the field tree are laid out anew when the view comes or goes.
	was := b.shown
	defer func() {
		if b.shown != was {
			in.detail.explain.Content.Refresh()
		}
	}()
	if e == nil || e.Msg == nil || e.Msg.Pub == nil {
		b.hide()
		return
	}
	b.asked = time.Now()
	p := e.Msg.Pub
	what := fmt.Sprintf("%s (%s)", p.Subject, plural(p.Size, "byte"))
	burst := p.Count() > 1
	if burst {
		what = fmt.Sprintf("%s (%s, %s in all)", p.Subject, plural(p.Count(), "message"), plural(p.Size, "byte"))
	}
	srcs, dels := in.hub.Follow(e.Conv, e.Seq)
	var text string
	var links []brokerLink
	switch {
	case len(srcs) == 0 && len(dels) == 0:
		text = fmt.Sprintf("Carries %s; the capture no longer holds it to follow.", what)
	case e.Dir == lab.ClientToServer && len(dels) == 0:
		text = fmt.Sprintf("Published to %s. No delivery of it is in the capture: no one subscribed to its subject, or their conversations were not captured.", what)
	case e.Dir == lab.ClientToServer:
		text = fmt.Sprintf("Published to %s and delivered %s:", what, plural(len(dels), "time"))
		if burst {
			text = fmt.Sprintf("Published to %s, a burst; its messages were delivered in %s:", what, plural(len(dels), "message"))
		}
		for _, d := range dels {
			links = append(links, brokerLink{in.followText(d, srcs[0]), d})
		}
	case len(srcs) == 0:
		text = fmt.Sprintf("Delivered from %s. The publication it came from is not in the capture: the broker's own message (a retained message or a last will published before the capture), or one the capture limit dropped.", what)
		if burst {
			text = fmt.Sprintf("Delivered from %s, a burst. The publications they came from are not in the capture: the broker's own messages, or ones the capture limit dropped.", what)
		}
	default:
		text = fmt.Sprintf("Delivered from %s. It came from:", what)
		if burst {
			text = fmt.Sprintf("Delivered from %s, a burst. They came from:", what)
		}
		for _, src := range srcs {
			links = append(links, brokerLink{in.followText(src, lab.MsgRef{}), src})
		}
		if c := crossing(srcs[0], lab.MsgRef{Layer: e.Layer}); c != "" {
			links = append(links, brokerLink{text: strings.ToUpper(c[:1]) + c[1:] + "."})
		}
		if len(dels) > 1 {
			say := fmt.Sprintf("One of the %d deliveries of that publication; the others:", len(dels))
			if burst || len(srcs) > 1 {
				say = "The same publications were delivered in these too:"
			}
			links = append(links, brokerLink{text: say})
			for _, d := range dels {
				if d.Seq != e.Seq {
					links = append(links, brokerLink{in.followText(d, srcs[0]), d})
				}
			}
		}
	}
	b.set(text, links, in.goToMsg)
}

// followText names message r for a link: its conversation, protocol and
// client, and when it crossed the wire (after src, when src is given), and
// whether it crossed from src's protocol to another.
func (in *Inspector) followText(r, src lab.MsgRef) string {
	info := in.convInfo(r.Conv)
	layer := r.Layer
	if layer == "" {
		layer = info.Protocol
	}
	s := fmt.Sprintf("#%d %s · client %s · %s", r.Conv, strings.ToUpper(layer), info.Client, r.At.Format("15:04:05.000"))
	if src.Seq != 0 {
		s += " (" + fmtOffset(r.At.Sub(src.At)) + ")"
		if c := crossing(src, r); c != "" {
			s += " · " + c
		}
	}
	return s
}

// crossing says that a message published in one protocol was delivered in
// another: "crossed from MQTT to NATS"; "" when both are the same.
func crossing(pub, del lab.MsgRef) string {
	if pub.Layer == "" || del.Layer == "" || pub.Layer == del.Layer {
		return ""
	}
	return fmt.Sprintf("crossed from %s to %s", strings.ToUpper(pub.Layer), strings.ToUpper(del.Layer))
}

// goToMsg selects message r's conversation, as a tap in the conversation list
// does, and then the message itself.
func (in *Inspector) goToMsg(r lab.MsgRef) {
	in.convs.onSelect(r.Conv)
	for i := range in.rows() {
		if e := in.row(i); e.Seq == r.Seq && e.Conv == r.Conv {
			in.selectMsg(i, fromCode)
			return
		}
	}
}
