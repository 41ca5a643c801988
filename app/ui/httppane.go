package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/lab"
)

// requestTimeout bounds one HTTP request, the server's longest delay included.
const requestTimeout = 20 * time.Second

// The versions the pane offers.
const (
	verHTTP10     = "HTTP/1.0"
	verKeepAlive  = "HTTP/1.1 keep-alive on"
	verNoKeepLive = "HTTP/1.1 keep-alive off"
	verHTTP2      = "HTTP/2 (over TLS)"
)

var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}

// httpPane is the HTTP client: compose a request, send it once or three times in
// a row, and see the response. Three in a row shows what keep-alive changes:
// HTTP/1.1 with keep-alive sends them over one connection, the others open one each.
type httpPane struct {
	runner
	ctx      PaneContext
	method   *widget.Select
	url      *addrEntry
	version  *widget.Select
	headers  *widget.Entry
	body     *widget.Entry
	send     *widget.Button
	send3    *widget.Button
	status   *widget.Label
	response *widget.Label
	client   *httpclient.Client
	clientOf string // the version choice and resolver client was made for
	tls      *tlsPart
	obj      fyne.CanvasObject
}

// httpOptions is what the HTTP pane's registration tells it of its protocol.
type httpOptions struct {
	// TLS: the protocol is HTTP over TLS (https://); the pane offers the lab
	// CA's export too, for a browser or curl to trust the lab's server.
	TLS bool
}

// newPane builds an HTTP pane for the protocol o describes.
func (o httpOptions) newPane(ctx PaneContext) *httpPane {
	p := &httpPane{ctx: ctx}
	p.method = widget.NewSelect(httpMethods, nil)
	p.method.SetSelected("GET")
	scheme := "http://"
	if o.TLS {
		scheme = "https://"
	}
	p.url = newAddrEntry(func() string { return scheme + ctx.ServerAddr() + "/" })
	p.url.SetPlaceHolder(scheme + "www.lab.test:PORT/ — lab names are looked up at the lab's DNS server")
	p.version = widget.NewSelect([]string{verHTTP10, verKeepAlive, verNoKeepLive, verHTTP2}, nil)
	p.version.SetSelected(verKeepAlive)
	p.headers = widget.NewMultiLineEntry()
	p.headers.SetPlaceHolder("Accept: text/html\nX-Lab: one header per line")
	p.headers.SetMinRowsVisible(3)
	p.body = widget.NewMultiLineEntry()
	p.body.SetPlaceHolder("a body for POST or PUT (sent with Content-Length)")
	p.body.SetMinRowsVisible(2)
	p.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), func() { p.start(1) })
	p.send.Importance = widget.HighImportance
	p.send3 = widget.NewButtonWithIcon("Send 3 in a row", theme.MediaFastForwardIcon(), func() { p.start(3) })
	p.status = widget.NewLabel("No request sent yet.")
	p.status.Wrapping = fyne.TextWrapWord
	p.response = widget.NewLabel("")
	p.response.Wrapping = fyne.TextWrapWord
	p.response.TextStyle.Monospace = true
	p.runner = newRunner(ctx, p.status, func() {
		setEnabled(p.send, !p.busy)
		setEnabled(p.send3, !p.busy)
	})

	head := paneTitle("CLIENT", title(ctx.Protocol))
	reqRow := container.NewBorder(nil, nil, p.method, nil, p.url)
	buttons := container.NewHBox(p.send, p.send3)
	if o.TLS {
		p.tls = newTLSPart(ctx)
		buttons.Add(layout.NewSpacer())
		buttons.Add(p.tls.export)
	}
	form := container.NewVBox(head, reqRow,
		container.NewBorder(nil, nil, widget.NewLabel("Version"), nil, p.version),
		sectionLabel("HEADERS"), p.headers,
		sectionLabel("BODY"), p.body,
		buttons,
		sectionLabel("RESPONSE"), p.status)
	p.obj = container.NewBorder(form, nil, nil, nil, container.NewVScroll(p.response))
	return p
}

func (p *httpPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address.
func (p *httpPane) Update() { p.url.follow() }

// Close closes the connections kept alive.
func (p *httpPane) Close() {
	if p.client != nil {
		p.client.Close()
	}
}

// parseHeaders reads "Name: value" lines.
func parseHeaders(text string) (http.Header, error) {
	h := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("header line %d, %q, is not Name: value", i+1, line)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h, nil
}

// clientFor returns the client for the chosen version, replacing one made for
// another version or before the lab's DNS server started or moved.
func (p *httpPane) clientFor(choice string) (*httpclient.Client, error) {
	d := p.ctx.Dialer()
	key := choice + "|" + d.Resolver
	if p.client != nil && p.clientOf == key {
		return p.client, nil
	}
	opts := httpclient.Options{Dialer: d, KeepAlive: choice == verKeepAlive}
	ca, err := labCA()
	if err != nil {
		return nil, err
	}
	opts.RootCAs = ca.Pool()
	if p.client != nil {
		p.client.Close()
	}
	p.client = httpclient.New(opts)
	p.clientOf = key
	return p.client, nil
}

// start sends the request n times in a row, off the UI goroutine.
func (p *httpPane) start(n int) {
	if p.busy {
		return // the client below may be in use
	}
	h, err := parseHeaders(p.headers.Text)
	if err != nil {
		p.fail(err)
		return
	}
	version := httpclient.Version11
	switch p.version.Selected {
	case verHTTP10:
		version = httpclient.Version10
	case verHTTP2:
		version = httpclient.Version20
	}
	req := httpclient.Request{Method: p.method.Selected, URL: p.url.value(), Header: h, Body: []byte(p.body.Text), Version: version}
	c, err := p.clientFor(p.version.Selected)
	if err != nil {
		p.fail(err)
		return
	}
	var results []string
	var last *httpclient.Response
	p.runThen(fmt.Sprintf("sending %s %s", req.Method, req.URL), func() error {
		for i := range n {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			r, err := c.Do(ctx, req)
			cancel()
			if err != nil {
				results = append(results, fmt.Sprintf("%d: %v", i+1, err))
				break
			}
			last = r
			results = append(results, fmt.Sprintf("%d: %s", i+1, summary(r)))
		}
		if last == nil {
			return errors.New(strings.Join(results, "\n")) // none came back
		}
		return nil
	}, func(err error) { p.done(results, last, err) })
}

// summary is one response in a line: status, timing and the connection it used.
func summary(r *httpclient.Response) string {
	conn := "new connection"
	if r.Reused {
		conn = "kept-alive connection"
	}
	s := fmt.Sprintf("%s %s · %s · %v · %s", r.Proto, r.Status, bytesText(r.BodyBytes),
		r.Total.Round(100*time.Microsecond), conn)
	if r.TLSVersion != "" {
		s += fmt.Sprintf(" · %s %s", r.TLSVersion, r.CipherSuite)
		if r.ALPN != "" {
			s += " · ALPN " + r.ALPN
		}
	}
	if r.Conv != 0 {
		s += fmt.Sprintf(" #%d", r.Conv)
	}
	return s
}

// done shows what came back: the status line of each request (an error when
// none came back), and the last response.
func (p *httpPane) done(results []string, last *httpclient.Response, err error) {
	if err != nil {
		p.response.SetText("")
		return
	}
	p.status.SetText(strings.Join(results, "\n"))
	p.response.SetText(responseText(last))
	if last.Conv != 0 {
		p.ctx.Select(last.Conv)
	}
}

// responseText is the status line, the headers and the body as text.
func responseText(r *httpclient.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Proto, r.Status)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.WriteString(bodyText(r.Body))
	if r.Truncated {
		fmt.Fprintf(&b, "\n… (%s in all; the rest was not kept)", bytesText(r.BodyBytes))
	}
	return b.String()
}

// bodyText is the body as a person reads it: text as it is, other bytes as hex.
func bodyText(b []byte) string {
	const max = 16 << 10
	if len(b) > max {
		b = b[:max]
	}
	s := string(b)
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return lab.HexPreview(b, 512)
	}
	return s
}
