package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
)

// dnsTypes are the record types a person may ask for.
var dnsTypes = []string{"A", "AAAA", "MX", "TXT", "CNAME", "NS", "SOA", "ANY"}

// The transports a query may take.
const (
	dnsUDP = "UDP"
	dnsTCP = "TCP"
)

// dnsNote says what a person should know before asking.
const dnsNote = "A query asks one question: the records of one type for one name. Over UDP the " +
	"question and its answer are one datagram each; over TCP each message follows its length."

// dnsPane is the DNS client: ask the lab's resolver (or any server) one question
// and see the answer's sections.
type dnsPane struct {
	runner
	ctx    PaneContext
	addr   *addrEntry
	name   *widget.Entry
	qtype  *widget.Select
	via    *widget.RadioGroup
	ask    *widget.Button
	status *widget.Label
	result *widget.Label
	obj    fyne.CanvasObject
}

func newDNSPane(ctx PaneContext) *dnsPane {
	p := &dnsPane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.name = widget.NewEntry()
	p.name.SetText("www.lab.test")
	p.name.OnSubmitted = func(string) { p.query() }
	p.qtype = widget.NewSelect(dnsTypes, nil)
	p.qtype.SetSelected("A")
	p.via = widget.NewRadioGroup([]string{dnsUDP, dnsTCP}, nil)
	p.via.Horizontal = true
	p.via.Required = true
	p.via.SetSelected(dnsUDP)
	p.ask = widget.NewButtonWithIcon("Query", theme.SearchIcon(), p.query)
	p.ask.Importance = widget.HighImportance
	p.status = widget.NewLabel("no query yet")
	p.status.Wrapping = fyne.TextWrapWord
	p.result = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.runner = newRunner(ctx, p.status, func() { setEnabled(p.ask, !p.busy) })
	p.problem = explainDNSError
	note := widget.NewLabel(dnsNote)
	note.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(paneTitle("CLIENT", title(ctx.Protocol)),
		container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, note),
		container.NewBorder(nil, nil, widget.NewLabel("Server"), nil, p.addr),
		container.NewBorder(nil, nil, widget.NewLabel("Name"), p.qtype, p.name),
		container.NewBorder(nil, nil, p.via, p.ask),
		p.status, sectionLabel("ANSWER"))
	p.obj = container.NewBorder(top, nil, nil, nil, container.NewScroll(p.result))
	return p
}

func (p *dnsPane) Object() fyne.CanvasObject { return p.obj }

// query asks the question in the form, off the UI goroutine.
func (p *dnsPane) query() {
	name := strings.TrimSpace(p.name.Text)
	qtype := mdns.StringToType[p.qtype.Selected]
	if name == "" {
		p.fail(errors.New("type a name to look up, such as www.lab.test"))
		return
	}
	server, overTCP := p.addr.value(), p.via.Selected == dnsTCP
	tap := p.ctx.Tap
	var res *dnsclient.Result
	p.runThen(fmt.Sprintf("asking %s for %s %s over %s", server, p.qtype.Selected, name, p.via.Selected), func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		res, err = dnsclient.Query(ctx, server, name, qtype, dnsclient.Options{Tap: tap, TCP: overTCP})
		return err
	}, func(err error) { p.show(res, err) })
}

// show puts a result in the pane; a failure is in the status already.
func (p *dnsPane) show(res *dnsclient.Result, err error) {
	if res != nil && res.Conv != 0 {
		p.ctx.Select(res.Conv)
	}
	if err != nil {
		p.result.SetText("")
		return
	}
	p.status.SetText(fmt.Sprintf("%s in %v over %s. %s", res.RcodeName, res.RTT.Round(10*time.Microsecond), strings.ToUpper(res.Network),
		res.RcodeMeaning))
	p.result.SetText(dnsResultText(res))
}

// explainDNSError says what a failed query means for a person.
func explainDNSError(err error) string {
	switch {
	case errors.Is(err, dnsclient.ErrNoListener):
		return "Nothing answers: nothing listens on that port. Switch the DNS server on, or check the address. (" + err.Error() + ")"
	case errors.Is(err, dnsclient.ErrNoAnswer):
		return "Nothing answered in time. Over UDP nothing says whether the question or its answer was lost, " +
			"or whether anything listens at all: is the DNS server on, and on that port?"
	}
	return err.Error()
}

// dnsResultText lays the answer out like dig does, a section at a time.
func dnsResultText(res *dnsclient.Result) string {
	var sb strings.Builder
	flags := "AA (authoritative)"
	if !res.Authoritative {
		flags = "not authoritative"
	}
	if res.Truncated {
		flags += ", TC (truncated: ask over TCP)"
	}
	fmt.Fprintf(&sb, "status: %s, %s\n\nQUESTION\n  %s\n", res.RcodeName, flags, res.Question)
	for _, sec := range []struct {
		name string
		rrs  []dnsclient.Record
	}{{"ANSWER", res.Answer}, {"AUTHORITY", res.Authority}, {"ADDITIONAL", res.Additional}} {
		fmt.Fprintf(&sb, "\n%s (%d)\n", sec.name, len(sec.rrs))
		for _, r := range sec.rrs {
			fmt.Fprintf(&sb, "  %-24s %6d  %-5s %s\n", r.Name, r.TTL, r.Type, r.Value)
		}
	}
	return sb.String()
}

// Update follows the server's address.
func (p *dnsPane) Update() { p.addr.follow() }

// Close has nothing to end: each query's socket closes with its answer.
func (p *dnsPane) Close() {}
