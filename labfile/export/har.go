package export

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// The HTTP Archive format, version 1.2 (W3C Web Performance Working Group's draft,
// http://www.softwareishard.com/blog/har-12-spec/): the fields browsers write.
type (
	harFile struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
		Comment string     `json:"comment,omitempty"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		ServerIPAddress string      `json:"serverIPAddress,omitempty"`
		Connection      string      `json:"connection,omitempty"`
		Comment         string      `json:"comment,omitempty"`

		started time.Time
	}
	harRequest struct {
		Method      string       `json:"method"`
		URL         string       `json:"url"`
		HTTPVersion string       `json:"httpVersion"`
		Cookies     []harCookie  `json:"cookies"`
		Headers     []nv         `json:"headers"`
		QueryString []nv         `json:"queryString"`
		PostData    *harPostData `json:"postData,omitempty"`
		HeadersSize int          `json:"headersSize"`
		BodySize    int          `json:"bodySize"`
	}
	harResponse struct {
		Status      int         `json:"status"`
		StatusText  string      `json:"statusText"`
		HTTPVersion string      `json:"httpVersion"`
		Cookies     []harCookie `json:"cookies"`
		Headers     []nv        `json:"headers"`
		Content     harContent  `json:"content"`
		RedirectURL string      `json:"redirectURL"`
		HeadersSize int         `json:"headersSize"`
		BodySize    int         `json:"bodySize"`
	}
	harCookie struct {
		Name     string `json:"name"`
		Value    string `json:"value"`
		Path     string `json:"path,omitempty"`
		Domain   string `json:"domain,omitempty"`
		Expires  string `json:"expires,omitempty"`
		HTTPOnly bool   `json:"httpOnly,omitempty"`
		Secure   bool   `json:"secure,omitempty"`
	}
	harPostData struct {
		MimeType string `json:"mimeType"`
		Params   []nv   `json:"params"`
		Text     string `json:"text"`
		Comment  string `json:"comment,omitempty"`
	}
	harContent struct {
		Size        int    `json:"size"`
		Compression int    `json:"compression,omitempty"`
		MimeType    string `json:"mimeType"`
		Text        string `json:"text,omitempty"`
		Encoding    string `json:"encoding,omitempty"`
		Comment     string `json:"comment,omitempty"`
	}
	harTimings struct {
		Blocked float64 `json:"blocked"`
		DNS     float64 `json:"dns"`
		Connect float64 `json:"connect"`
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
		SSL     float64 `json:"ssl"`
	}
)

// maxDecoded bounds a compressed body's decoded size in a HAR.
const maxDecoded = 32 << 20

// HAR writes the HTTP/1.x exchanges of convs as an HTTP Archive 1.2 (JSON), the
// format browsers' developer tools open: one entry per request with its
// response, headers and cookies in the order they were sent, query string, the
// request body as postData, the response body as content (decoded from gzip or
// deflate; base64 when it is not text), the times of sending, waiting and
// receiving, the server's address, and the conversation's ID as "connection".
//
// Plain HTTP is read from the bytes the taps saw; HTTPS from the messages the TLS
// analyzer decrypted (layer "http"), whose bodies the lab keeps up to 64 KiB. An
// exchange whose bytes the lab did not keep in full says so in its comment.
// HTTP/2 is not written. Bytes that are not HTTP end a conversation's entries,
// never the export.
func HAR(w io.Writer, convs []lab.ConvInfo, events []lab.Event) error {
	evs := byConv(events)
	var entries []harEntry
	for _, c := range convs {
		entries = append(entries, harEntries(c, evs[c.ID])...)
	}
	slices.SortStableFunc(entries, func(a, b harEntry) int { return a.started.Compare(b.started) })
	f := harFile{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: "Protocol Lab", Version: lab.Version},
		Entries: entries,
	}}
	if f.Log.Entries == nil {
		f.Log.Entries = []harEntry{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("export: HAR: %w", err)
	}
	return nil
}

// harEntries finds the exchanges of one conversation.
func harEntries(c lab.ConvInfo, evs []lab.Event) []harEntry {
	if len(evs) == 0 {
		return nil
	}
	st := streams(evs)
	if req := st[lab.ClientToServer].b; len(req) > 0 {
		line, _, _ := bytes.Cut(req[:min(len(req), 8192)], []byte("\n"))
		if _, _, _, ok := splitRequestLine(strings.TrimSuffix(string(line), "\r")); ok {
			return streamEntries(c, st)
		}
	}
	return append(messageEntries(c, evs), h2Entries(c, evs)...)
}

// exchange is a request and its response with their times.
type exchange struct {
	req, resp                      *wireMsg
	reqStart, reqEnd, respStart    time.Time
	respEnd                        time.Time
	reqComplete, respComplete, tls bool
}

// streamEntries reads the exchanges of a plain HTTP connection from its bytes.
func streamEntries(c lab.ConvInfo, st [3]*stream) []harEntry {
	cs, sc := st[lab.ClientToServer], st[lab.ServerToClient]
	var reqs []*wireMsg
	for off := 0; off < len(cs.b); {
		m, ok := readRequest(cs.b, off)
		if !ok {
			break
		}
		reqs = append(reqs, m)
		if !m.complete || m.end <= off {
			break
		}
		off = m.end
	}
	// Fewer bytes than the conversation counted: the lab did not keep them all.
	cut := int64(len(cs.b)) < c.BytesC2S || int64(len(sc.b)) < c.BytesS2C
	var out []harEntry
	off := 0
	for _, req := range reqs {
		method, _, _, _ := splitRequestLine(req.line)
		x := exchange{
			req: req, reqComplete: req.complete,
			reqStart: cs.at(req.start).At, reqEnd: cs.at(max(req.start, req.end-1)).At,
		}
		for off < len(sc.b) {
			m, code, ok := readResponse(sc.b, off, method)
			if !ok {
				off = len(sc.b)
				break
			}
			off = max(m.end, off+1)
			if code >= 100 && code < 200 && code != 101 {
				continue // an interim response: the final one follows
			}
			x.resp, x.respComplete = m, m.complete
			x.respStart, x.respEnd = sc.at(m.start).At, sc.at(max(m.start, m.end-1)).At
			break
		}
		e := x.entry(c, "http")
		if cut {
			e.Comment = joinComment(e.Comment, "the lab did not keep every byte of this connection (capture limit or dropped events)")
		}
		out = append(out, e)
		if x.resp != nil {
			if code := e.Response.Status; code == 101 || method == "CONNECT" && code >= 200 && code < 300 {
				break // another protocol follows
			}
		}
	}
	return out
}

// messageEntries reads the exchanges of a conversation from its "http" layer's
// messages: the TLS analyzer's decrypted HTTP, each message's bytes in its Raw.
func messageEntries(c lab.ConvInfo, evs []lab.Event) []harEntry {
	var reqs, resps []lab.Event
	for _, e := range evs {
		if e.Kind != lab.KindMessage || e.Layer != "http" || e.Msg == nil {
			continue
		}
		e.Msg = e.Msg.Built()
		if len(e.Msg.Fields) == 0 || len(e.Msg.Raw) == 0 {
			continue
		}
		switch e.Msg.Fields[0].Name {
		case "request line":
			reqs = append(reqs, e)
		case "status line":
			resps = append(resps, e)
		}
	}
	var out []harEntry
	for _, re := range reqs {
		req, ok := readRequest(re.Msg.Raw, 0)
		if !ok {
			continue
		}
		method, _, _, _ := splitRequestLine(req.line)
		x := exchange{req: req, reqComplete: req.complete, reqStart: re.At, reqEnd: re.At, tls: true}
		for len(resps) > 0 {
			se := resps[0]
			resps = resps[1:]
			m, code, ok := readResponse(se.Msg.Raw, 0, method)
			if !ok {
				continue
			}
			if code >= 100 && code < 200 && code != 101 {
				continue
			}
			if !m.complete && !slices.ContainsFunc(se.Msg.Fields, func(f lab.Field) bool { return f.Name == "kept" }) {
				// A body delimited by the connection's close: the message holds all of it.
				m.complete = true
			}
			x.resp, x.respComplete, x.respStart, x.respEnd = m, m.complete, se.At, se.At
			break
		}
		out = append(out, x.entry(c, "https"))
		if x.resp != nil {
			if code := out[len(out)-1].Response.Status; code == 101 {
				break
			}
		}
	}
	return out
}

func joinComment(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func ms(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Microseconds()) / 1000
}

// entry turns x into a HAR entry.
func (x *exchange) entry(c lab.ConvInfo, scheme string) harEntry {
	method, target, version := requestLineParts(x.req.line)
	host, _ := x.req.header("Host")
	if host == "" {
		host = c.Server
	}
	u := target
	if strings.HasPrefix(target, "/") {
		u = scheme + "://" + host + target
	} else if method == "CONNECT" || target == "*" {
		u = scheme + "://" + host
	}
	e := harEntry{
		started:         x.reqStart,
		StartedDateTime: x.reqStart.Format("2006-01-02T15:04:05.000Z07:00"),
		Connection:      strconv.FormatUint(uint64(c.ID), 10),
		Timings:         harTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1},
		Request: harRequest{
			Method:      method,
			URL:         u,
			HTTPVersion: version,
			Cookies:     requestCookies(x.req),
			Headers:     nonNil(x.req.headers),
			QueryString: query(target),
			HeadersSize: x.req.headEnd - x.req.start,
			BodySize:    len(x.req.body),
		},
	}
	if h, _, err := net.SplitHostPort(c.Server); err == nil {
		e.ServerIPAddress = h
	}
	if !x.reqComplete {
		e.Comment = joinComment(e.Comment, "the request's body is incomplete in the capture")
	}
	if x.req.chunked() {
		e.Request.BodySize = x.req.end - x.req.headEnd
	}
	if len(x.req.body) > 0 || method == "POST" || method == "PUT" || method == "PATCH" {
		ct, _ := x.req.header("Content-Type")
		pd := &harPostData{MimeType: ct, Params: []nv{}}
		if utf8.Valid(x.req.body) {
			pd.Text = string(x.req.body)
		} else {
			pd.Text = base64.StdEncoding.EncodeToString(x.req.body)
			pd.Comment = "the body is binary: text holds it in base64"
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" {
			pd.Params = nonNil(pairs(string(x.req.body)))
		}
		e.Request.PostData = pd
	}
	if x.resp == nil {
		e.Response = harResponse{Cookies: []harCookie{}, Headers: []nv{}, HTTPVersion: version, HeadersSize: -1, BodySize: -1,
			Content: harContent{MimeType: "x-unknown"}}
		e.Comment = joinComment(e.Comment, "no response in the capture")
		return e
	}
	r := x.resp
	rv, code, reason, _ := splitStatusLine(r.line)
	ct, _ := r.header("Content-Type")
	loc, _ := r.header("Location")
	e.Response = harResponse{
		Status:      code,
		StatusText:  reason,
		HTTPVersion: rv,
		Cookies:     responseCookies(r),
		Headers:     nonNil(r.headers),
		RedirectURL: loc,
		HeadersSize: r.headEnd - r.start,
		BodySize:    r.end - r.headEnd,
		Content:     content(r, ct),
	}
	if !x.respComplete {
		e.Comment = joinComment(e.Comment, "the response's body is incomplete in the capture")
	}
	e.Timings.Send = ms(x.reqEnd.Sub(x.reqStart))
	e.Timings.Wait = ms(x.respStart.Sub(x.reqEnd))
	e.Timings.Receive = ms(x.respEnd.Sub(x.respStart))
	e.Time = e.Timings.Send + e.Timings.Wait + e.Timings.Receive
	return e
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// content is a response body for HAR: decoded from gzip or deflate, as text when
// it is UTF-8, in base64 otherwise.
func content(r *wireMsg, ct string) harContent {
	c := harContent{MimeType: ct, Size: len(r.body)}
	if c.MimeType == "" {
		c.MimeType = "x-unknown"
	}
	body := r.body
	if ce, _ := r.header("Content-Encoding"); ce != "" && r.complete {
		var zr io.Reader
		switch strings.ToLower(strings.TrimSpace(ce)) {
		case "gzip", "x-gzip":
			if g, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				zr = g
			}
		case "deflate":
			zr = flate.NewReader(bytes.NewReader(body))
		}
		if zr != nil {
			if d, err := io.ReadAll(io.LimitReader(zr, maxDecoded)); err == nil {
				c.Compression = len(d) - len(body)
				body, c.Size = d, len(d)
			}
		}
	}
	if len(body) == 0 {
		return c
	}
	if utf8.Valid(body) {
		c.Text = string(body)
	} else {
		c.Text, c.Encoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	return c
}

// query is a request target's query string, in order.
func query(target string) []nv {
	_, q, ok := strings.Cut(target, "?")
	if !ok {
		return []nv{}
	}
	q, _, _ = strings.Cut(q, "#")
	return nonNil(pairs(q))
}

// pairs splits name=value&... into its pairs, unescaped where it can be.
func pairs(s string) []nv {
	var out []nv
	for _, p := range strings.Split(s, "&") {
		if p == "" {
			continue
		}
		n, v, _ := strings.Cut(p, "=")
		if u, err := url.QueryUnescape(n); err == nil {
			n = u
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		out = append(out, nv{n, v})
	}
	return out
}

func requestCookies(m *wireMsg) []harCookie {
	out := []harCookie{}
	for _, h := range m.headers {
		if !strings.EqualFold(h.Name, "Cookie") {
			continue
		}
		cs, err := http.ParseCookie(h.Value)
		if err != nil {
			continue
		}
		for _, c := range cs {
			out = append(out, harCookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}

func responseCookies(m *wireMsg) []harCookie {
	out := []harCookie{}
	for _, h := range m.headers {
		if !strings.EqualFold(h.Name, "Set-Cookie") {
			continue
		}
		c, err := http.ParseSetCookie(h.Value)
		if err != nil {
			continue
		}
		hc := harCookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = c.Expires.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		out = append(out, hc)
	}
	return out
}
