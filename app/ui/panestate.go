package ui

import (
	"encoding/json"
)

// What each client pane keeps in a saved session: the request a person composed,
// so reopening the session puts it back. Addresses are kept only when the person
// typed one (an address that follows the server is left to follow it).

func marshalState(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// typedAddr is the address entry's text when the person typed it, else "".
func typedAddr(e *addrEntry) string {
	if e.auto != "" && e.Text == e.auto {
		return ""
	}
	return e.Text
}

func setAddr(e *addrEntry, s string) {
	if s != "" {
		e.SetText(s) // OnChanged marks it typed
	}
}

type httpState struct {
	Method, URL, Version, Headers, Body string
}

func (p *httpPane) SaveState() json.RawMessage {
	return marshalState(httpState{p.method.Selected, typedAddr(p.url), p.version.Selected, p.headers.Text, p.body.Text})
}

func (p *httpPane) LoadState(raw json.RawMessage) {
	var s httpState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	if s.Method != "" {
		p.method.SetSelected(s.Method)
	}
	setAddr(p.url, s.URL)
	if s.Version != "" {
		p.version.SetSelected(s.Version)
	}
	p.headers.SetText(s.Headers)
	p.body.SetText(s.Body)
}

type wsState struct {
	URL, Subprotocol, Message, Code, Reason string
	Binary                                  bool
}

func (p *wsPane) SaveState() json.RawMessage {
	return marshalState(wsState{typedAddr(p.url), p.sub.Text, p.comp.entry.Text, p.code.Text, p.reason.Text, p.binary.Checked})
}

func (p *wsPane) LoadState(raw json.RawMessage) {
	var s wsState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.url, s.URL)
	p.sub.SetText(s.Subprotocol)
	p.comp.entry.SetText(s.Message)
	if s.Code != "" {
		p.code.SetText(s.Code)
	}
	p.reason.SetText(s.Reason)
	p.binary.SetChecked(s.Binary)
}

// fileState keeps the server and user, not the password.
type fileState struct {
	Addr, User, Mode string
}

func (p *filePane) SaveState() json.RawMessage {
	st := fileState{Addr: typedAddr(p.addr), User: p.user.Text}
	if p.mode != nil {
		st.Mode = p.mode.Selected
	}
	return marshalState(st)
}

func (p *filePane) LoadState(raw json.RawMessage) {
	var s fileState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	if s.User != "" {
		p.user.SetText(s.User)
	}
	if p.mode != nil && s.Mode != "" {
		p.mode.SetSelected(s.Mode)
	}
}

type dnsState struct {
	Addr, Name, Type, Via string
}

func (p *dnsPane) SaveState() json.RawMessage {
	return marshalState(dnsState{typedAddr(p.addr), p.name.Text, p.qtype.Selected, p.via.Selected})
}

func (p *dnsPane) LoadState(raw json.RawMessage) {
	var s dnsState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	p.name.SetText(s.Name)
	if s.Type != "" {
		p.qtype.SetSelected(s.Type)
	}
	if s.Via != "" {
		p.via.SetSelected(s.Via)
	}
}
