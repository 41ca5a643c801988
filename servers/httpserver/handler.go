package httpserver

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/assets/web"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// Bounds of the endpoints.
const (
	MaxDelay     = 10 * time.Second // /delay/{seconds}
	MaxStream    = 100              // /stream/{n}
	MaxRedirects = 20               // /redirect/{n}
	MaxEchoBody  = 64 << 10         // /echo shows at most this much of a body
	// MaxBody bounds a request's body: a longer one is answered 413 (RFC 9110
	// §15.5.14) and the connection closed, at once when Content-Length says
	// so, or once MaxBody bytes of a chunked body are read. A request's line
	// and header fields are bounded by the server's MaxHeaderBytes (431).
	MaxBody       = 8 << 20
	maxCookieSets = 20
)

// Handler returns the server's handler:
//
//	/                       the docroot (the lab's own pages unless another is given)
//	/echo                   the request as JSON (or text with ?format=text)
//	/status/{code}          a response with that status code (200..599)
//	/delay/{seconds}        a response after that many seconds (at most 10)
//	/stream/{n}             n JSON lines, each its own chunk (at most 100)
//	/redirect/{n}           a chain of n 302 redirects ending at /redirect/0
//	/cookies                the cookies the client sent, as JSON
//	/cookies/set?name=value sets those cookies and redirects to /cookies
//	/ws/echo, /ws/chat      WebSocket echo and chat room (the Server's, not Handler's)
//
// root is the docroot for "/"; nil serves the lab's own small site (assets/web).
func Handler(root fs.FS) http.Handler { return handler(root, nil) }

// handler is Handler with the WebSocket endpoints mounted at /ws/ when ws is set.
func handler(root fs.FS, ws http.Handler) http.Handler {
	if root == nil {
		root = web.Root
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServerFS(root))
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/status/{code}", status)
	mux.HandleFunc("/delay/{seconds}", delay)
	mux.HandleFunc("/stream/{n}", stream)
	mux.HandleFunc("/redirect/{n}", redirect)
	mux.HandleFunc("/cookies", cookies)
	mux.HandleFunc("/cookies/set", setCookies)
	if ws != nil {
		mux.Handle("/ws/", ws)
	}
	return http.MaxBytesHandler(mux, MaxBody)
}

// tooLarge answers a request whose body is over MaxBody, and closes the
// connection: the rest of the body is not read.
func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("The request's body is over %d MiB: too large for the lab's server.", MaxBody>>20), http.StatusRequestEntityTooLarge)
}

// Echo is what /echo answers: the request as the server read it.
type Echo struct {
	Method    string              `json:"method"`
	URL       string              `json:"url"`
	Proto     string              `json:"proto"`
	Host      string              `json:"host"`
	Remote    string              `json:"remote"`
	Headers   map[string][]string `json:"headers"`
	Args      url.Values          `json:"args"`
	Body      string              `json:"body"`
	BodyBytes int64               `json:"bodyBytes"`
}

func echo(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxBody {
		tooLarge(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxEchoBody))
	n, err2 := io.Copy(io.Discard, r.Body)
	if errors.As(cmp.Or(err, err2), new(*http.MaxBytesError)) {
		tooLarge(w)
		return
	}
	e := Echo{
		Method: r.Method, URL: r.URL.String(), Proto: r.Proto, Host: r.Host, Remote: r.RemoteAddr,
		Headers: r.Header, Args: r.URL.Query(), Body: string(body), BodyBytes: int64(len(body)) + n,
	}
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s %s %s\n", e.Method, e.URL, e.Proto)
		fmt.Fprintf(w, "Host: %s\n", e.Host)
		names := make([]string, 0, len(e.Headers))
		for k := range e.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			for _, v := range e.Headers[k] {
				fmt.Fprintf(w, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintf(w, "\n%s", e.Body)
		return
	}
	writeJSON(w, e)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// number reads path value name as an integer in [lo, hi].
func number(w http.ResponseWriter, r *http.Request, name string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < lo || n > hi {
		http.Error(w, fmt.Sprintf("httpserver: %s must be a whole number from %d to %d", name, lo, hi), http.StatusBadRequest)
		return 0, false
	}
	return n, true
}

func status(w http.ResponseWriter, r *http.Request) {
	code, ok := number(w, r, "code", 200, 599)
	if !ok {
		return
	}
	if code == http.StatusNoContent || code == http.StatusNotModified {
		w.WriteHeader(code)
		return
	}
	if code >= 300 && code < 400 {
		w.Header().Set("Location", "/")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	text := httpproto.StatusText(code)
	if text == "" {
		text = http.StatusText(code)
	}
	fmt.Fprintf(w, "%d %s\n", code, text)
}

func delay(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r, "seconds", 0, int(MaxDelay/time.Second))
	if !ok {
		return
	}
	t := time.NewTimer(time.Duration(n) * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "answered after %d s\n", n)
}

func stream(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r, "n", 0, MaxStream)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	f, _ := w.(http.Flusher)
	for i := range n {
		fmt.Fprintf(w, "{\"id\": %d, \"of\": %d}\n", i, n)
		if f != nil {
			f.Flush() // each line leaves as its own chunk
		}
	}
}

func redirect(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r, "n", 0, MaxRedirects)
	if !ok {
		return
	}
	if n == 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "arrived: the end of the redirect chain")
		return
	}
	http.Redirect(w, r, "/redirect/"+strconv.Itoa(n-1), http.StatusFound)
}

func cookies(w http.ResponseWriter, r *http.Request) {
	m := map[string]string{}
	for _, c := range r.Cookies() {
		m[c.Name] = c.Value
	}
	writeJSON(w, map[string]any{"cookies": m})
}

func setCookies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q) > maxCookieSets {
		http.Error(w, fmt.Sprintf("httpserver: at most %d cookies at once", maxCookieSets), http.StatusBadRequest)
		return
	}
	for name, vs := range q {
		c := &http.Cookie{Name: name, Value: strings.Join(vs, ","), Path: "/"}
		if c.Valid() != nil {
			http.Error(w, "httpserver: "+c.Valid().Error(), http.StatusBadRequest)
			return
		}
		http.SetCookie(w, c)
	}
	http.Redirect(w, r, "/cookies", http.StatusFound)
}
