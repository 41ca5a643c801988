// Package httpclient is the lab's HTTP client (RFC 9110). It sends HTTP/1.1 (RFC
// 9112) through net/http's Transport, with keep-alive on or off, and writes
// HTTP/1.0 requests itself, since net/http always writes "HTTP/1.1" on the
// request line. Over https:// it speaks TLS 1.2 or 1.3 (RFC 5246, RFC 8446) and,
// when asked, HTTP/2 (RFC 9113), agreed by ALPN (RFC 7301). Redirects are not
// followed: each step is a response of its own. HTTP/2 without TLS (h2c) and
// HTTP/3 are not offered.
//
// Every connection can be tapped. The tap sits below TLS, so it sees the
// encrypted bytes; the client writes its TLS secrets to the tap's hub
// (lab.Hub.Keys), from which the lab's TLS analyzer decrypts them.
package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// DefaultMaxBodyBytes bounds the body a Response keeps when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// The versions a Request may ask for.
const (
	Version10 = "1.0"
	Version11 = "1.1"
	Version20 = "2" // HTTP/2, over https:// only; the server may answer with HTTP/1.1
)

// Request is one request to send.
type Request struct {
	Method  string      // empty means GET
	URL     string      // http:// or https://host:port/path; a URL without a scheme gets http://
	Header  http.Header // extra header fields; may be nil
	Body    []byte      // sent with Content-Length when non-empty
	Version string      // Version10, Version11 or Version20; empty means Version11
}

// Options configures a Client. The zero value sends untapped, without keep-alive.
type Options struct {
	// Tap, if non-nil, captures every connection on the client side. Nil captures
	// nothing. Captured bytes include cookies and credentials in headers.
	Tap *lab.Tap
	// KeepAlive keeps HTTP/1.1 connections open for the next request. HTTP/1.0
	// requests always use a connection of their own; HTTP/2 requests always share
	// one, whatever KeepAlive says.
	KeepAlive bool
	// MaxBodyBytes bounds the body a Response keeps; the rest is read and counted.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Dialer, if non-nil, makes the connections instead of Tap (which is then
	// unused): lab names
	// (www.lab.test) resolve through the lab's DNS server, and each connection is
	// tapped with Dialer.Tap and shown under its lookup. Nil dials with Tap.
	Dialer *labdial.Dialer
	// RootCAs are the certificate authorities whose servers an https:// request
	// trusts. The lab's servers need the lab's CA (labca.CA.Pool). Nil means the
	// system's roots.
	RootCAs *x509.CertPool
	// KeyLog receives the TLS secrets of every connection, in the NSS key log
	// format; they decrypt everything sent. Nil means the tap's hub's key log
	// (lab.Hub.Keys) when tapped, otherwise none.
	KeyLog io.Writer
	// TLSMinVersion and TLSMaxVersion bound the TLS versions offered
	// (tls.VersionTLS12, tls.VersionTLS13). Zero means crypto/tls's defaults
	// (1.2 to 1.3).
	TLSMinVersion, TLSMaxVersion uint16
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
	// TLSVersion ("TLS 1.3"), CipherSuite ("TLS_AES_128_GCM_SHA256") and ALPN
	// (the application protocol agreed: "h2", "http/1.1", or "" when none was)
	// describe an https:// request's connection; they are empty for http://.
	TLSVersion  string
	CipherSuite string
	ALPN        string
	Connect     time.Duration // time to a connection (0 for a reused one)
	FirstByte   time.Duration // time to the response's first byte
	Total       time.Duration // time to the body's end
}

// Client sends requests, keeping HTTP/1.1 connections alive between them when
// Options.KeepAlive is set. HTTP/2 requests always share one connection per
// server, concurrent ones too: multiplexing is HTTP/2's point. It is safe for
// concurrent use.
type Client struct {
	opts Options
	h1   *http.Client // HTTP/1.1, over http:// and https:// (ALPN http/1.1)
	h2   *http.Client // HTTP/2 over https:// (ALPN h2, http/1.1)
	trs  []*http.Transport
}

var alpn11, alpn2 = []string{"http/1.1"}, []string{"h2", "http/1.1"}

// New returns a client with opts. Close it to close its kept-alive connections.
func New(opts Options) *Client {
	c := &Client{opts: opts}
	var p1, p2 http.Protocols
	p1.SetHTTP1(true)
	p2.SetHTTP1(true)
	p2.SetHTTP2(true)
	tr1 := &http.Transport{
		DialContext:       c.dial,
		DialTLSContext:    c.dialTLS(alpn11),
		DisableKeepAlives: !opts.KeepAlive,
		MaxIdleConns:      16,
		IdleConnTimeout:   90 * time.Second,
		Protocols:         &p1,
	}
	tr2 := &http.Transport{
		DialTLSContext:    c.dialTLS(alpn2),
		ForceAttemptHTTP2: true,
		Protocols:         &p2,
		IdleConnTimeout:   90 * time.Second,
		// One connection per server: concurrent requests wait for the first
		// connection's ALPN rather than each opening one, and then share it.
		MaxConnsPerHost: 1,
	}
	c.trs = []*http.Transport{tr1, tr2}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.h1 = &http.Client{Transport: tr1, CheckRedirect: noRedirect}
	c.h2 = &http.Client{Transport: tr2, CheckRedirect: noRedirect}
	return c
}

// dial makes a TCP connection, tapped, through the Dialer when there is one.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return labdial.Dial(ctx, c.opts.Dialer, c.opts.Tap, network, addr)
}

// tap is the tap the connections go through.
func (c *Client) tap() *lab.Tap {
	if c.opts.Dialer != nil && c.opts.Dialer.Tap != nil {
		return c.opts.Dialer.Tap
	}
	return c.opts.Tap
}

// tlsConfig is the client's TLS configuration for serverName, offering protos by ALPN.
func (c *Client) tlsConfig(serverName string, protos []string) *tls.Config {
	cfg := &tls.Config{
		ServerName:   serverName,
		RootCAs:      c.opts.RootCAs,
		NextProtos:   protos,
		MinVersion:   c.opts.TLSMinVersion,
		MaxVersion:   c.opts.TLSMaxVersion,
		KeyLogWriter: c.opts.KeyLog,
	}
	if cfg.KeyLogWriter == nil {
		if hub := c.tap().Hub(); hub != nil {
			cfg.KeyLogWriter = hub.Keys()
		}
	}
	return cfg
}

// dialTLS returns a DialTLSContext: a tapped TCP connection (the tap sees the
// encrypted bytes) with TLS over it. It returns the *tls.Conn itself, which
// net/http needs to see to speak HTTP/2 over it.
func (c *Client) dialTLS(protos []string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		raw, err := c.dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(raw, c.tlsConfig(host, protos))
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, tlsError(host, err)
		}
		return tc, nil
	}
}

// tlsError explains a failed TLS handshake, with what to do where it can.
func tlsError(host string, err error) error {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("TLS: %s's certificate is signed by an authority this client does not trust "+
			"(the lab's servers need the lab's CA as the client's roots): %w", host, err)
	case errors.As(err, &hostErr):
		return fmt.Errorf("TLS: %s's certificate is not for the name asked for: %w", host, err)
	case strings.Contains(err.Error(), "protocol version"): // a protocol_version alert, sent or received
		return fmt.Errorf("TLS: the server and this client have no TLS version in common: %w", err)
	}
	return fmt.Errorf("TLS handshake with %s: %w", host, err)
}

// Do sends req with a client of its own, which it closes.
func Do(ctx context.Context, req Request, opts Options) (*Response, error) {
	c := New(opts)
	defer c.Close()
	return c.Do(ctx, req)
}

// Close closes the connections kept alive.
func (c *Client) Close() {
	for _, tr := range c.trs {
		tr.CloseIdleConnections()
	}
}

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
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("httpclient: only http:// and https:// URLs can be sent, not %s://", u.Scheme)
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
	hc := c.h1
	switch req.Version {
	case Version10:
		return c.do10(ctx, method, u, req)
	case "", Version11:
	case Version20:
		if u.Scheme != "https" {
			return nil, fmt.Errorf("httpclient: HTTP/2 needs an https:// URL in the lab: clients and servers agree on h2 during the TLS handshake (ALPN)")
		}
		hc = c.h2
	default:
		return nil, fmt.Errorf("httpclient: version %q: choose %q, %q or %q", req.Version, Version10, Version11, Version20)
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
			r.Conv = connConv(info.Conn)
		},
		GotFirstResponseByte: func() { r.FirstByte = time.Since(start) },
	}
	hr = hr.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := hc.Do(hr)
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
	if resp.TLS != nil {
		setTLS(r, resp.TLS)
	}
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

// setTLS describes the TLS connection a response came over.
func setTLS(r *Response, cs *tls.ConnectionState) {
	r.TLSVersion = tls.VersionName(cs.Version)
	r.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	r.ALPN = cs.NegotiatedProtocol
}

// connConv is the conversation of a tapped connection, TLS or not (0 if untapped).
func connConv(c net.Conn) lab.ConvID {
	if conv := lab.ConnConversation(c); conv != nil {
		return conv.ID()
	}
	return 0
}
