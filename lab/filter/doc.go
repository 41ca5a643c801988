// Package filter is the inspector's display filter: one line, in the spirit of
// Wireshark's display filters, that narrows the conversations and messages shown
// by protocol, endpoint, direction, state, text, reply code or field.
//
//	smtp and code >= 400
//	ftp-data
//	tls.sni == "www.lab.test"
//	http && !(code == 200)
//	client contains ":5432"
//	dir == c2s
//	state == "FIN-WAIT-2"
//	text contains "RSET"
//	rst
//
// # Syntax
//
// Tests are joined by and (&&), or (||) and not (!), which bind in that order
// from loosest to tightest (or, then and, then not), and grouped by parentheses.
// A test is a bare name or a comparison:
//
//   - A protocol or layer name (ftp, smtp, https, tls, tcp): see Protocols below.
//   - rst, fin, idle, live: the conversation ended in a reset, ended with a FIN,
//     went idle, is still live.
//   - layer.field alone: a message of that layer carries that field.
//   - field op value, where op is one of == != < <= > >= contains matches (~).
//
// A value is a number (400), a word (c2s, FIN-WAIT-2, 127.0.0.1) or a string in
// double quotes with Go's escapes ("www.lab.test", "a \"quoted\" word"). Words
// are made of letters, digits and _ - . : /. The keywords (and or not contains
// matches) are not case-sensitive. Text is UTF-8. A filter is at most MaxLen
// bytes long, as typed and as String writes it.
//
// Every comparison of text ignores case: == and != compare whole texts, contains
// looks for a part, matches applies a regular expression (RE2, so it runs in time
// linear in the text; at most MaxRegexp bytes). < <= > >= compare numbers.
// x != v is exactly not (x == v): a message without a reply code passes
// code != 200, and an endpoint test passes when neither endpoint equals v.
//
// # Fields
//
// Of the conversation:
//
//	proto      its protocol's name (protocol)
//	transport  tcp or udp
//	client     the client's endpoint, "127.0.0.1:53912"; server likewise
//	endpoint   either endpoint (addr); port: either endpoint's port number
//	close      how it ended: FIN, RST, idle, closed, error ("" while live)
//	closedby   who closed first: client or server
//	link       why it exists: data, relay, lookup, signal, cancel ("" when it stands alone)
//	id         its number in the list; bytes: both directions' bytes; messages
//
// Of a message (a row of the message list):
//
//	dir        c2s (client to server) or s2c
//	text       its one-line summary, or an error's or fault's text (summary)
//	code       its reply code: the number in a field named code, status code,
//	           response code or status line, or else leading its summary
//	           ("250 OK", "HTTP/1.1 404 Not Found")
//	layer      the layer it belongs to: tcp, tls, http, smtp, ...
//	kind       message, handshake, fault or error
//	state      the state the message moved its layer to, or for TCP, whose
//	           segments name both ends' states, either end's state after it;
//	           tested on a conversation alone, the state its top layer is in now
//	layer.field  the value of a field of a message of that layer
//
// In layer.field the layer is a layer name or a protocol's name (https stands
// for its layer, tls). The field is compared with each lab.Field's Name by its
// letters and digits alone, without regard to case (spaces, underscores,
// hyphens and apostrophes do not count), and a name with a part in parentheses
// answers to either part: "SNI (server name)" is tls.sni and tls.server_name,
// "enhanced code" is smtp.enhanced_code, "Content-Type" is http.content_type,
// "client's state" is tcp.clients_state. A message with several fields of that
// name passes when one of them does; compared with < <= > >=, a field's leading
// number is used.
//
// # Protocols
//
// A bare name n passes a conversation whose protocol is n, whose protocol's
// layer is n (tls passes https), whose transport is n (tcp and udp pass every
// conversation over them, as in Wireshark), or which is a data connection
// (lab.LinkData) of a conversation that passes n (ftp passes ftp-data
// conversations when their session is known); and a message whose layer is n
// (http passes the HTTP inside an https conversation). Given a registry, Parse
// refuses a name that is neither a protocol's nor a layer's.
//
// # How a filter applies
//
// A conversation is listed when it passes on its own (Match with no Event) or
// one of its messages passes (Match with that Event). Within a conversation
// shown, when the filter tests a message's properties (Messages reports whether:
// any of dir, text, code, layer, kind, state or layer.field), only the messages
// that pass are listed; otherwise all of them are. So smtp and code >= 400 lists
// the SMTP sessions that had an error reply and shows those replies; ftp lists
// every FTP session and data connection with all their messages.
//
// Complete offers the words that may stand at the cursor, for a completion popup.
package filter
