// Package httpclient is the lab's HTTP/1.x client (RFC 9112). It sends HTTP/1.1
// through net/http's Transport, with keep-alive on or off, and writes HTTP/1.0
// requests itself, since net/http always writes "HTTP/1.1" on the request line.
// Every connection can be tapped. Redirects are not followed: each step is a
// response of its own. Plain HTTP only; HTTPS is not offered.
package httpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// DefaultMaxBodyBytes bounds the body a Response keeps when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// The versions a Request may ask for.
const (
	Version10 = "1.0"
	Version11 = "1.1"
)

// Request is one request to send.
type Request struct {
	Method  string      // empty means GET
	URL     string      // http://host:port/path; a URL without a scheme gets http://
	Header  http.Header // extra header fields; may be nil
	Body    []byte      // sent with Content-Length when non-empty
	Version string      // Version10 or Version11; empty means Version11
}

// Options configures a Client. The zero value sends untapped, without keep-alive.
type Options struct {
	// Tap, if non-nil, captures every connection on the client side. Nil captures
	// nothing. Captured bytes include cookies and credentials in headers.
	Tap *lab.Tap
	// KeepAlive keeps HTTP/1.1 connections open for the next request. HTTP/1.0
	// requests always use a connection of their own.
	KeepAlive bool
	// MaxBodyBytes bounds the body a Response keeps; the rest is read and counted.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Response is what came back, with how long it took and the connections it used.
type Response struct {
	Status     string // "200 OK"
	StatusCode int
	Proto      string // "HTTP/1.1"
	Header     http.Header
	Body       []byte // at most Options.MaxBodyBytes
	BodyBytes  int64  // the whole body's length
	Truncated  bool   // Body holds only the first part
	Reused     bool   // the request went over a connection kept alive from before
	Conv       lab.ConvID
	Connect    time.Duration // time to a connection (0 for a reused one)
	FirstByte  time.Duration // time to the response's first byte
	Total      time.Duration // time to the body's end
}

// Client sends requests, keeping HTTP/1.1 connections alive between them when
// Options.KeepAlive is set. It is safe for concurrent use.
type Client struct {
	opts Options
	tr   *http.Transport
	hc   *http.Client
}

// New returns a client with opts. Close it to close its kept-alive connections.
func New(opts Options) *Client {
	c := &Client{opts: opts}
	c.tr = &http.Transport{
		DialContext:       opts.Tap.Dial,
		DisableKeepAlives: !opts.KeepAlive,
		MaxIdleConns:      16,
		IdleConnTimeout:   90 * time.Second,
		// An empty map turns HTTP/2 off: the lab shows HTTP/1.x.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	c.hc = &http.Client{
		Transport:     c.tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// Do sends req with a client of its own, which it closes.
func Do(ctx context.Context, req Request, opts Options) (*Response, error) {
	c := New(opts)
	defer c.Close()
	return c.Do(ctx, req)
}

// Close closes the connections kept alive.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

func (c *Client) maxBody() int64 {
	if c.opts.MaxBodyBytes > 0 {
		return c.opts.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// parseURL checks a request's URL.
func parseURL(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("httpclient: %q is not a URL: %w", raw, err)
	case u.Scheme != "http":
		return nil, fmt.Errorf("httpclient: only http:// URLs can be sent, not %s://", u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("httpclient: %q names no host", raw)
	}
	return u, nil
}

// Do sends req and reads its response.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u, err := parseURL(req.URL)
	if err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	switch req.Version {
	case Version10:
		return c.do10(ctx, method, u, req)
	case "", Version11:
	default:
		return nil, fmt.Errorf("httpclient: version %q: choose %q or %q", req.Version, Version10, Version11)
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), bodyReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("httpclient: %w", err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if h := req.Header.Get("Host"); h != "" {
		hr.Host = h
	}
	r := &Response{}
	start := time.Now()
	var dialStart time.Time
	trace := &httptrace.ClientTrace{
		ConnectStart: func(string, string) { dialStart = time.Now() },
		ConnectDone: func(string, string, error) {
			if !dialStart.IsZero() {
				r.Connect = time.Since(dialStart)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			r.Reused = info.Reused
			if conv := lab.ConnConversation(info.Conn); conv != nil {
				r.Conv = conv.ID()
			}
		},
		GotFirstResponseByte: func() { r.FirstByte = time.Since(start) },
	}
	hr = hr.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("httpclient: %w", unwrapURL(err))
	}
	defer resp.Body.Close()
	if err := c.fill(r, resp); err != nil {
		return r, err
	}
	r.Total = time.Since(start)
	return r, nil
}

func bodyReader(b []byte) io.Reader {
	if len(b) == 0 {
		return nil
	}
	return strings.NewReader(string(b))
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// fill copies resp's status, headers and (bounded) body into r.
func (c *Client) fill(r *Response, resp *http.Response) error {
	r.Status, r.StatusCode, r.Proto, r.Header = resp.Status, resp.StatusCode, resp.Proto, resp.Header
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody()))
	r.Body = body
	r.BodyBytes = int64(len(body))
	if err == nil {
		var rest int64
		rest, err = io.Copy(io.Discard, resp.Body)
		r.BodyBytes += rest
		r.Truncated = rest > 0
	}
	if err != nil {
		return fmt.Errorf("httpclient: reading the body: %w", err)
	}
	return nil
}

// connConv is the conversation of a tapped connection (0 if untapped).
func connConv(c net.Conn) lab.ConvID {
	if conv := lab.ConnConversation(c); conv != nil {
		return conv.ID()
	}
	return 0
}
