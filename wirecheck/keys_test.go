package wirecheck_test

import (
	"regexp"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
)

// Keys name a message the same way on both sides of the comparison: the wire's
// (tshark's fields) and the lab's (its analyzers' summaries). A key names what
// the message is (its command, code, frame type, TCP flag), not its details.

var tlsHandshakeTypes = map[string]string{
	"0": "HelloRequest", "1": "ClientHello", "2": "ServerHello", "4": "NewSessionTicket", "5": "EndOfEarlyData",
	"8": "EncryptedExtensions", "11": "Certificate", "12": "ServerKeyExchange", "13": "CertificateRequest",
	"14": "ServerHelloDone", "15": "CertificateVerify", "16": "ClientKeyExchange", "20": "Finished", "24": "KeyUpdate",
}

var tlsAlerts = map[string]string{"0": "close_notify", "10": "unexpected_message", "20": "bad_record_mac",
	"40": "handshake_failure", "42": "bad_certificate", "48": "unknown_ca", "70": "protocol_version", "80": "internal_error",
	"90": "user_canceled", "109": "missing_extension", "112": "unrecognized_name", "116": "certificate_required", "120": "no_application_protocol"}

var h2Types = []string{"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"}

var wsOpcodes = map[string]string{"0": "continuation", "1": "text", "2": "binary", "8": "close", "9": "ping", "10": "pong"}

var sshCodes = map[string]string{"1": "DISCONNECT", "2": "IGNORE", "3": "UNIMPLEMENTED", "4": "DEBUG", "5": "SERVICE_REQUEST",
	"6": "SERVICE_ACCEPT", "7": "EXT_INFO", "20": "KEXINIT", "21": "NEWKEYS", "30": "KEX_ECDH_INIT", "31": "KEX_ECDH_REPLY"}

// h2Key is an HTTP/2 frame's key: its type, ACK for a SETTINGS or PING
// acknowledgement, and the stream of a frame that belongs to one.
func h2Key(typ string, ack bool, stream string) string {
	k := "H2 " + typ
	if ack {
		k += " ACK"
	}
	switch typ {
	case "DATA", "HEADERS", "RST_STREAM", "WINDOW_UPDATE", "CONTINUATION", "PUSH_PROMISE":
		k += " " + stream
	}
	return k
}

// imapKey is the key of one IMAP line: a command's name, a tagged status, or
// an untagged response's name.
func imapKey(line string, request bool) string {
	w := strings.Fields(line)
	if len(w) < 2 {
		return "IMAP " + line
	}
	if request {
		return "IMAP " + strings.ToUpper(w[1])
	}
	if w[0] != "*" && w[0] != "+" {
		return "IMAP " + strings.ToUpper(w[1])
	}
	if _, err := strconv.Atoi(w[1]); err == nil && len(w) > 2 {
		return "IMAP * " + strings.ToUpper(w[2])
	}
	return "IMAP " + w[0] + " " + strings.ToUpper(strings.Trim(w[1], "[]"))
}

var imapLiteral = regexp.MustCompile(`\{(\d+)\+?\}$`)

// frameKeys returns the endpoints of a frame and the keys of the messages it
// carries, in order: a SYN first, a FIN or RST last. skip says the frame
// repeats one already on the wire (a retransmission); opaque that it carries
// SSH packets tshark cannot decrypt.
func frameKeys(f frame, literal *int) (src, dst string, keys []string, skip, opaque bool) {
	var ip, ipDst, sport, dport string
	var syn, ack, fin, rst, gotFlags bool
	var post []string
	var alert, method, h2Type, dnsResp, dnsName string
	var h2Ack, imapReq, ftpData bool
	payload := false
	for _, x := range f.fields {
		switch x.name {
		case "ip.src", "ipv6.src":
			if ip == "" {
				ip = x.show
			}
		case "ip.dst", "ipv6.dst":
			if ipDst == "" {
				ipDst = x.show
			}
		case "tcp.srcport", "udp.srcport":
			if sport == "" {
				sport = x.show
			}
		case "tcp.dstport", "udp.dstport":
			if dport == "" {
				dport = x.show
			}
		case "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset":
			if gotFlags { // the frame's own TCP header only
				continue
			}
			on := x.show == "1"
			switch x.name {
			case "tcp.flags.syn":
				syn = on
			case "tcp.flags.ack":
				ack = on
			case "tcp.flags.reset":
				rst = on
			case "tcp.flags.fin": // the last of the four
				fin, gotFlags = on, true
			}
		case "tcp.len":
			payload = x.show != "0"
		case "tcp.analysis.retransmission", "tcp.analysis.spurious_retransmission":
			skip = true
		case "proto":
			switch x.show {
			case "ftp-data":
				ftpData = true
			case "ssh":
				opaque = true
			}
		case "tls.record.content_type":
			switch x.show {
			case "20":
				keys = append(keys, "TLS ChangeCipherSpec")
			case "21":
				alert = "pending"
			}
		case "tls.alert_message.desc":
			if alert != "" {
				name := tlsAlerts[x.show]
				if name == "" {
					name = x.show
				}
				keys = append(keys, "TLS Alert "+name)
				alert = ""
			}
		case "tls.handshake.type":
			keys = append(keys, "TLS "+tlsHandshakeTypes[x.show])
		case "http.request.method":
			method = x.show
		case "http.request.uri":
			keys = append(keys, "HTTP "+method+" "+x.show)
		case "http.response.code":
			keys = append(keys, "HTTP "+x.show)
		case "http2.magic":
			keys = append(keys, "H2 magic")
		case "http2.type":
			h2Type, h2Ack = x.show, false
			if n, err := strconv.Atoi(x.show); err == nil && n < len(h2Types) {
				h2Type = h2Types[n]
			}
		case "http2.flags.ack.settings", "http2.flags.ack.ping":
			h2Ack = x.show == "1"
		case "http2.streamid":
			if h2Type != "" {
				keys = append(keys, h2Key(h2Type, h2Ack, x.show))
				h2Type = ""
			}
		case "websocket.opcode":
			keys = append(keys, "WS "+wsOpcodes[x.show])
		case "dns.flags.response":
			dnsResp = x.show
		case "dns.qry.name":
			dnsName = x.show
		case "dns.qry.type":
			n, _ := strconv.Atoi(x.show)
			kind := "query"
			if dnsResp == "1" {
				kind = "response"
			}
			keys = append(keys, "DNS "+kind+" "+mdns.TypeToString[uint16(n)]+" "+strings.ToLower(dnsName))
		case "smtp.req.command":
			keys = append(keys, smtpCommand(x.show))
		case "smtp.response":
			if len(x.show) >= 3 && !strings.HasPrefix(x.show[3:], "-") {
				keys = append(keys, "SMTP "+x.show[:3])
			}
		case "smtp.eom":
			keys = append(keys, "SMTP message")
		case "pop.request.command":
			keys = append(keys, "POP "+strings.ToUpper(x.show))
		case "pop.response.indicator":
			keys = append(keys, "POP "+x.show)
		case "imap.isrequest":
			imapReq = x.show == "1"
		case "imap.line":
			line := strings.TrimRight(x.show, "\r\n")
			if *literal > 0 { // the line that ends a response with a literal (tshark skips the literal's bytes)
				*literal = 0
				continue
			}
			if imapLiteral.MatchString(line) {
				*literal = 1
			}
			keys = append(keys, imapKey(line, imapReq))
		case "ftp.request.command":
			keys = append(keys, "FTP "+strings.ToUpper(x.show))
		case "ftp.response.code":
			keys = append(keys, "FTP "+x.show)
		case "ssh.protocol":
			keys = append(keys, "SSH banner")
			opaque = false
		case "ssh.message_code":
			name := sshCodes[x.show]
			if name == "" {
				name = x.show
			}
			keys = append(keys, "SSH "+name)
			opaque = false
		case "echo.data":
			keys = append(keys, "ECHO data")
		case "mqtt.msgtype":
			n, _ := strconv.Atoi(x.show)
			if n > 0 && n < len(mqttTypes) {
				keys = append(keys, "MQTT "+mqttTypes[n])
			}
		}
	}
	if ftpData && payload {
		keys = append(keys, "FTP-DATA data")
	}
	switch {
	case syn && ack:
		keys = append([]string{"TCP SYN-ACK"}, keys...)
	case syn:
		keys = append([]string{"TCP SYN"}, keys...)
	}
	if fin {
		post = append(post, "TCP FIN")
	}
	if rst {
		post = append(post, "TCP RST")
	}
	return join(ip, sport), join(ipDst, dport), append(keys, post...), skip, opaque && payload
}

func join(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// smtpCommand is an SMTP command's key: its first four letters, as tshark
// shows it (STARTTLS is "STAR").
func smtpCommand(c string) string {
	c = strings.ToUpper(c)
	if len(c) > 4 {
		c = c[:4]
	}
	return "SMTP " + c
}

// mqttTypes are MQTT's control packet types by number (MQTT 3.1.1 §2.2.1),
// as tshark's mqtt.msgtype gives them.
var mqttTypes = []string{"", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"}

var (
	h2Stream   = regexp.MustCompile(`stream (\d+)`)
	bytesChunk = regexp.MustCompile(`^\d+ bytes\b`)
)

// labKey is the key of one of the lab's messages, and false for what the lab
// shows that is not a message on the wire: its notes (what it inferred or
// summed up), a pure ACK, the operations a server reports from inside an
// encryption the lab has no keys for.
func labKey(e lab.Event) (string, bool) {
	m := e.Msg
	if m == nil {
		return "", false
	}
	s := m.Summary
	first, _, _ := strings.Cut(s, " ")
	first = strings.TrimRight(first, ":,")
	if e.Layer == "tcp" && m.Layer == "" {
		switch {
		case strings.HasPrefix(s, "SYN-ACK"):
			return "TCP SYN-ACK", true
		case strings.HasPrefix(s, "SYN"):
			return "TCP SYN", true
		case strings.HasPrefix(s, "FIN"):
			return "TCP FIN", true
		case strings.HasPrefix(s, "RST"):
			return "TCP RST", true
		case bytesChunk.MatchString(s) && m.Observed:
			return "ECHO data", true
		}
		return "", false
	}
	if !m.Observed || strings.HasPrefix(s, "encrypted from here") {
		return "", false
	}
	layer := e.Layer
	if m.Layer != "" {
		layer = m.Layer
	}
	switch layer {
	case "tls":
		if first == "Alert" {
			w := strings.Fields(s)
			if len(w) > 1 {
				return "TLS Alert " + w[1], true
			}
		}
		return "TLS " + first, true
	case "http", "ws":
		switch {
		case len(first) == 3 && first[0] >= '1' && first[0] <= '5':
			return "HTTP " + first, true
		case layer == "http" || strings.HasSuffix(s, "(WebSocket upgrade)"):
			w := strings.Fields(s)
			if len(w) > 1 {
				return "HTTP " + w[0] + " " + w[1], true
			}
		}
		return "WS " + first, true
	case "h2":
		if strings.HasPrefix(s, "connection preface") {
			return "H2 magic", true
		}
		stream := "0"
		if g := h2Stream.FindStringSubmatch(s); g != nil {
			stream = g[1]
		}
		return h2Key(first, strings.HasPrefix(s, first+" ACK"), stream), true
	case "dns":
		w := strings.Fields(s)
		switch {
		case first == "query" && len(w) >= 3:
			return "DNS query " + w[1] + " " + strings.ToLower(strings.TrimSuffix(w[2], ".")), true
		case first == "response" && len(w) >= 4:
			return "DNS response " + w[2] + " " + strings.ToLower(strings.TrimSuffix(w[3], ".")), true
		}
	case "smtp":
		switch {
		case first == "message":
			return "SMTP message", true
		case first == "discarded":
			w := strings.Fields(s)
			if len(w) > 1 {
				return smtpCommand(w[1]), true
			}
		case len(first) == 3 && first[0] >= '2' && first[0] <= '5':
			return "SMTP " + first, true
		case first == "malformed" || strings.Contains(s, "without a line ending"): // a line too long: its command
			w := strings.Fields(string(m.Raw))
			if len(w) > 0 {
				return smtpCommand(w[0]), true
			}
		}
		return smtpCommand(first), true
	case "pop3":
		return "POP " + strings.ToUpper(first), true
	case "imap":
		return imapKey(s, e.Dir == lab.ClientToServer), true
	case "ftp":
		return "FTP " + strings.ToUpper(first), true
	case "ftp-data":
		return "FTP-DATA data", true
	case "mqtt":
		return "MQTT " + first, true
	case "ssh":
		if strings.HasPrefix(s, "SSH-") {
			return "SSH banner", true
		}
		for _, name := range sshCodes {
			if first == name {
				return "SSH " + name, true
			}
		}
	}
	return "", false
}
