// Package whipserver is a WHIP-style endpoint (RFC 9725, WebRTC-HTTP
// Ingestion Protocol): any WebRTC stack reaches a lab peer with one HTTP
// request, without the lab's own signalling (servers/p2pserver). The lab's
// HTTP server mounts it at /whip while the P2P server runs.
//
//	POST /whip          Content-Type: application/sdp, body the SDP offer
//	  → 201 Created     Location: /whip/<id>, body the SDP answer (application/sdp)
//	DELETE /whip/<id>   ends the session (the peer connection closes)
//	  → 200 OK
//
// The answer carries every candidate of the lab peer (no trickle); the
// offer should carry the offerer's, as browsers' and aiortc's do once
// gathering is complete. Refusals say why, as text: a body that is not
// application/sdp is 415, one over Options.MaxOffer 413, an offer that does
// not parse or offers no data channel (m=application) 400, a session that
// does not exist 404, no lab peer to answer (the P2P server stopped) or too
// many sessions 503.
//
// Left out of RFC 9725: media (WHIP's purpose; the lab's peers speak data
// channels only), trickle ICE and ICE restarts by PATCH (405), the Link
// header's STUN/TURN servers, authentication by bearer token.
package whipserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

// Path is where the endpoint takes offers; sessions are under Path + "/".
const Path = "/whip"

// Options configures a Handler. NewPeer is the only required field.
type Options struct {
	// NewPeer makes the lab peer that answers one offer; remote names the
	// offerer ("whip-<id>"). An error is answered 503 with its words.
	NewPeer func(remote string) (*p2pclient.Peer, error)
	// MaxOffer bounds an offer's body; zero means 64 KiB (an SDP is a few).
	MaxOffer int64
	// MaxSessions bounds the open sessions; zero means 16.
	MaxSessions int
	// Timeout bounds the answer (the lab peer's candidate gathering); zero
	// means 10 s.
	Timeout time.Duration
	// ConnectTimeout bounds the time from the answer until the session's
	// peer connection is up; a session not connected by then is ended, so
	// an offerer that never connects does not keep its place. Zero means
	// 30 s.
	ConnectTimeout time.Duration
	// OnSession, if set, is given each session's peer once its answer is
	// sent, with the session's id.
	OnSession func(id string, p *p2pclient.Peer)
}

// Handler is the WHIP endpoint, an http.Handler for Path and Path + "/".
// Its methods are safe for concurrent use.
type Handler struct {
	opts Options

	mu       sync.Mutex
	sessions map[string]*p2pclient.Peer
	closed   bool
}

// New returns a Handler with opts.
func New(opts Options) *Handler {
	if opts.MaxOffer == 0 {
		opts.MaxOffer = 64 << 10
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = 16
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 30 * time.Second
	}
	return &Handler{opts: opts, sessions: make(map[string]*p2pclient.Peer)}
}

// ServeHTTP answers POST Path and DELETE Path/<id>.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Pages of other origins (another lab port, a WHIP player) may ask.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "Location")
	id, session := strings.CutPrefix(r.URL.Path, Path+"/")
	switch {
	case r.Method == http.MethodOptions:
		w.Header().Set("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.Header().Set("Accept-Post", "application/sdp")
		w.WriteHeader(http.StatusNoContent)
	case !session && r.URL.Path == Path && r.Method == http.MethodPost:
		h.offer(w, r)
	case !session:
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, "POST an SDP offer (Content-Type: application/sdp) to "+Path, http.StatusMethodNotAllowed)
	case r.Method == http.MethodDelete:
		h.delete(w, id)
	default:
		w.Header().Set("Allow", "DELETE, OPTIONS")
		http.Error(w, "a WHIP session takes DELETE only: this lab does not trickle candidates or restart ICE by PATCH", http.StatusMethodNotAllowed)
	}
}

// offer answers a POSTed offer with a new session.
func (h *Handler) offer(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/sdp" {
		http.Error(w, fmt.Sprintf("the offer's Content-Type is %q: send the SDP offer as application/sdp (RFC 9725 §4.2)", r.Header.Get("Content-Type")), http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > h.opts.MaxOffer {
		tooLarge(w, h.opts.MaxOffer)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.opts.MaxOffer+1))
	var mbe *http.MaxBytesError
	switch {
	case int64(len(body)) > h.opts.MaxOffer || errors.As(err, &mbe):
		tooLarge(w, h.opts.MaxOffer)
		return
	case err != nil:
		http.Error(w, "reading the offer: "+err.Error(), http.StatusBadRequest)
		return
	}
	sdp := string(body)
	if err := checkOffer(sdp); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, err := newID()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := h.reserve(id); err != nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	p, err := h.opts.NewPeer("whip-" + id)
	if err != nil {
		h.release(id, nil)
		http.Error(w, "no lab peer to answer: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if conv, ok := r.Context().Value(convKey{}).(lab.ConvID); ok {
		p.LinkSignal(conv) // the POST is this flow's signalling
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()
	answer, err := p.Answer(ctx, sdp)
	if err != nil {
		p.Close()
		h.release(id, nil)
		http.Error(w, "the lab peer refused the offer: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !h.keep(id, p) {
		p.Close()
		http.Error(w, "the endpoint is closing", http.StatusServiceUnavailable)
		return
	}
	go func() { // a session ends with its peer connection, however it ends
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.ConnectTimeout)
		if p.Connected(ctx) != nil {
			p.Close()
		}
		cancel()
		<-p.Done()
		h.release(id, p)
	}()
	loc := Path + "/" + id
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, answer)
	if h.opts.OnSession != nil {
		h.opts.OnSession(id, p)
	}
}

func tooLarge(w http.ResponseWriter, max int64) {
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("the offer is over %d bytes: an SDP offer is a few KiB", max), http.StatusRequestEntityTooLarge)
}

type convKey struct{}

// ConnContext is an http.Server's ConnContext that lets the endpoint link
// each session's flow to the conversation of the HTTP request that set it
// up (lab.LinkSignal), when the connection is tapped.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if conv := lab.ConnConversation(c); conv != nil {
		return context.WithValue(ctx, convKey{}, conv.ID())
	}
	return ctx
}

// checkOffer says what keeps sdp from being an offer the lab's peers can
// answer, before a peer is made for it.
func checkOffer(sdp string) error {
	if strings.TrimSpace(sdp) == "" {
		return errors.New("the body is empty: POST the SDP offer")
	}
	parsed, err := (&pion.SessionDescription{Type: pion.SDPTypeOffer, SDP: sdp}).Unmarshal()
	if err != nil {
		return fmt.Errorf("the offer is not SDP (RFC 8866): %v", err)
	}
	for _, m := range parsed.MediaDescriptions {
		if m.MediaName.Media == "application" {
			return nil
		}
	}
	return errors.New("the offer has no data channel section (m=application): the lab's peers speak data channels only, not media")
}

func newID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("whipserver: a session id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// reserve holds a place for session id, or says why there is none.
func (h *Handler) reserve(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return errors.New("the endpoint is closing")
	case len(h.sessions) >= h.opts.MaxSessions:
		return fmt.Errorf("the endpoint has its %d sessions: DELETE one, or try later", h.opts.MaxSessions)
	}
	h.sessions[id] = nil
	return nil
}

// keep gives the reserved session id its peer, false if the handler closed.
func (h *Handler) keep(id string, p *p2pclient.Peer) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.sessions[id] = p
	return true
}

// release forgets session id if it is still p's.
func (h *Handler) release(id string, p *p2pclient.Peer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if q, ok := h.sessions[id]; ok && q == p {
		delete(h.sessions, id)
	}
}

func (h *Handler) delete(w http.ResponseWriter, id string) {
	h.mu.Lock()
	p := h.sessions[id]
	if p != nil {
		delete(h.sessions, id)
	}
	h.mu.Unlock()
	if p == nil {
		http.Error(w, fmt.Sprintf("no WHIP session %q: it ended, or never was", id), http.StatusNotFound)
		return
	}
	p.Close()
	w.WriteHeader(http.StatusOK)
}

// Sessions is the number of open sessions.
func (h *Handler) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.sessions {
		if p != nil {
			n++
		}
	}
	return n
}

// Peers returns the open sessions' peers by session id.
func (h *Handler) Peers() map[string]*p2pclient.Peer {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]*p2pclient.Peer, len(h.sessions))
	for id, p := range h.sessions {
		if p != nil {
			out[id] = p
		}
	}
	return out
}

// Close ends every session and refuses new ones.
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	ps := h.sessions
	h.sessions = make(map[string]*p2pclient.Peer)
	h.mu.Unlock()
	for _, p := range ps {
		if p != nil {
			p.Close()
		}
	}
	return nil
}
