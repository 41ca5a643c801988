package httpclient

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// do10 sends an HTTP/1.0 request over a connection of its own, written by hand
// so that the request line says HTTP/1.0, and reads the response until its end.
// Over https:// it speaks TLS on that connection, offering no ALPN protocol (ALPN
// names no HTTP/1.0 that the lab's server would agree to).
func (c *Client) do10(ctx context.Context, method string, u *url.URL, req Request) (*Response, error) {
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	start := time.Now()
	conn, err := c.dial(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("httpclient: %w", err)
	}
	defer conn.Close()
	r := &Response{Conv: connConv(conn), Connect: time.Since(start)}
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if u.Scheme == "https" {
		tc := tls.Client(conn, c.tlsConfig(u.Hostname(), nil))
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("httpclient: %w", tlsError(u.Hostname(), err))
		}
		cs := tc.ConnectionState()
		setTLS(r, &cs)
		conn = tc
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.0\r\n", method, u.RequestURI())
	hostHeader := u.Host
	if h := req.Header.Get("Host"); h != "" {
		hostHeader = h
	}
	fmt.Fprintf(&b, "Host: %s\r\n", hostHeader)
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Host")
	h.Del("Content-Length")
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", "protolab-httpclient")
	}
	if len(req.Body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(req.Body)))
	}
	h.Write(&b)
	b.WriteString("\r\n")
	b.Write(req.Body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		return nil, fmt.Errorf("httpclient: sending the request: %w", err)
	}
	hr, _ := http.NewRequest(method, u.String(), nil)
	br := bufio.NewReader(&firstByte{Conn: conn, at: func() { r.FirstByte = time.Since(start) }})
	resp, err := http.ReadResponse(br, hr)
	if err != nil {
		return nil, fmt.Errorf("httpclient: reading the response: %w", err)
	}
	defer resp.Body.Close()
	if err := c.fill(r, resp); err != nil {
		return r, err
	}
	r.Total = time.Since(start)
	return r, nil
}

// firstByte calls at when the first bytes of the response arrive.
type firstByte struct {
	net.Conn
	at   func()
	seen bool
}

func (f *firstByte) Read(b []byte) (int, error) {
	n, err := f.Conn.Read(b)
	if n > 0 && !f.seen {
		f.seen = true
		f.at()
	}
	return n, err
}
