package export

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// h2Entries reads the exchanges of an HTTP/2 connection (RFC 9113) from the h2
// analyzer's messages: each stream's request and response header blocks (decoded
// from HPACK, pseudo-header fields first) and its DATA frames, whose payload the
// analyzer keeps up to 64 KiB a frame.
func h2Entries(c lab.ConvInfo, evs []lab.Event) []harEntry {
	type h2stream struct {
		x        exchange
		req      wireMsg
		resp     wireMsg
		haveResp bool
		cut      bool // a DATA frame was not kept whole
	}
	byID := map[string]*h2stream{}
	var order []string
	for _, e := range evs {
		if e.Kind != lab.KindMessage || e.Layer != "h2" || e.Msg == nil {
			continue
		}
		m := e.Msg.Built()
		if len(m.Fields) == 0 {
			continue
		}
		typ, sid := fieldValue(m.Fields, "type"), fieldValue(m.Fields, "stream")
		s := byID[sid]
		switch {
		case hasField(m.Fields, ":method"):
			s = &h2stream{}
			byID[sid] = s
			order = append(order, sid)
			method, path := fieldValue(m.Fields, ":method"), fieldValue(m.Fields, ":path")
			s.req.line = method + " " + path + " HTTP/2.0"
			if a := fieldValue(m.Fields, ":authority"); a != "" {
				s.req.headers = append(s.req.headers, nv{Name: "host", Value: a})
			}
			s.req.headers = append(s.req.headers, regularFields(m.Fields)...)
			s.req.complete = true
			s.x.reqStart, s.x.reqEnd = e.At, e.At
		case s != nil && hasField(m.Fields, ":status"):
			code, _ := strconv.Atoi(fieldValue(m.Fields, ":status"))
			if code >= 100 && code < 200 {
				continue // an interim response
			}
			s.resp.line = "HTTP/2.0 " + strconv.Itoa(code) + " " + http.StatusText(code)
			s.resp.headers = regularFields(m.Fields)
			s.resp.complete = true
			s.haveResp = true
			s.x.respStart, s.x.respEnd = e.At, e.At
		case s != nil && strings.HasPrefix(typ, "DATA"):
			payload, whole := dataPayload(m.Raw)
			if !whole || hasField(m.Fields, "kept") {
				s.cut = true
			}
			if e.Dir == lab.ClientToServer {
				s.req.body = append(s.req.body, payload...)
				s.x.reqEnd = e.At
			} else {
				s.resp.body = append(s.resp.body, payload...)
				s.x.respEnd = e.At
			}
		}
	}
	var out []harEntry
	for _, sid := range order {
		s := byID[sid]
		s.req.end = len(s.req.body)
		s.x.req, s.x.reqComplete = &s.req, !s.cut
		if s.haveResp {
			s.resp.end = len(s.resp.body)
			s.x.resp, s.x.respComplete = &s.resp, !s.cut
		}
		e := s.x.entry(c, "https")
		// HPACK compresses the headers: their size on the wire is not known here.
		e.Request.HeadersSize = -1
		if s.haveResp {
			e.Response.HeadersSize = -1
		}
		e.Comment = joinComment(e.Comment, "HTTP/2 stream "+sid)
		out = append(out, e)
	}
	return out
}

// dataPayload is a DATA frame's payload (RFC 9113 §6.1), its padding removed,
// and whether the frame's bytes were all there.
func dataPayload(raw []byte) ([]byte, bool) {
	if len(raw) < 9 {
		return nil, false
	}
	n := int(raw[0])<<16 | int(raw[1])<<8 | int(raw[2])
	flags := raw[4]

	p := raw[9:]
	whole := len(p) >= n
	p = p[:min(n, len(p))]
	if flags&0x8 != 0 && len(p) > 0 { // PADDED
		pad := int(p[0])
		p = p[1:]
		if pad <= len(p) && whole {
			p = p[:len(p)-pad]
		}
	}
	return p, whole
}

func fieldValue(fs []lab.Field, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func hasField(fs []lab.Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// regularFields are a header block's fields that are header fields, not
// pseudo-header fields or the analyzer's notes about the frame.
func regularFields(fs []lab.Field) []nv {
	var out []nv
	started := false
	for _, f := range fs {
		if strings.HasPrefix(f.Name, ":") {
			started = true
			continue
		}
		if !started || strings.ContainsAny(f.Name, " \t") || f.Name == "" {
			continue
		}
		out = append(out, nv{Name: f.Name, Value: f.Value})
	}
	return out
}
