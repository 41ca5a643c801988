package http

import "strconv"

// info is what the lab says about a method or a status code.
type info struct {
	text    string // the reason phrase (status codes only)
	meaning string
	ref     string
}

// methods are RFC 9110's methods (§9.3) and PATCH (RFC 5789).
var methods = map[string]info{
	"GET":     {"", "Get asks for the current representation of the target resource: a page, an image, data.", "RFC 9110 §9.3.1"},
	"HEAD":    {"", "HEAD is GET without the body: the response carries only the headers GET would send.", "RFC 9110 §9.3.2"},
	"POST":    {"", "POST sends the enclosed body for the target resource to process, as a form submission does.", "RFC 9110 §9.3.3"},
	"PUT":     {"", "PUT replaces the target resource's state with the enclosed body.", "RFC 9110 §9.3.4"},
	"DELETE":  {"", "DELETE asks the server to remove the target resource.", "RFC 9110 §9.3.5"},
	"CONNECT": {"", "CONNECT asks a proxy to open a tunnel to another host; after a 2xx answer the bytes are no longer HTTP.", "RFC 9110 §9.3.6"},
	"OPTIONS": {"", "OPTIONS asks which communication options the server or resource supports.", "RFC 9110 §9.3.7"},
	"TRACE":   {"", "TRACE asks the server to send the request back as it received it, for diagnosis.", "RFC 9110 §9.3.8"},
	"PATCH":   {"", "PATCH applies a partial change, described by the body, to the target resource.", "RFC 5789 §2"},
}

// statuses are the common status codes of RFC 9110 §15 (and 429 of RFC 6585).
var statuses = map[int]info{
	100: {"Continue", "The server has the request's headers and the client may send the body.", "RFC 9110 §15.2.1"},
	101: {"Switching Protocols", "The server switches this connection to the protocol the client asked for in Upgrade; what follows is no longer HTTP/1.1.", "RFC 9110 §15.2.2"},
	200: {"OK", "The request succeeded; the body is the answer.", "RFC 9110 §15.3.1"},
	201: {"Created", "The request created a new resource, named by the Location header.", "RFC 9110 §15.3.2"},
	202: {"Accepted", "The request was accepted for processing, which has not finished.", "RFC 9110 §15.3.3"},
	204: {"No Content", "The request succeeded and there is no body to send: a 204 never has one.", "RFC 9110 §15.3.5"},
	206: {"Partial Content", "The body is the part of the resource the client asked for with Range.", "RFC 9110 §15.3.7"},
	301: {"Moved Permanently", "The resource has a new permanent address, given in Location; clients may follow it.", "RFC 9110 §15.4.2"},
	302: {"Found", "The resource is temporarily at the address given in Location; clients may follow it.", "RFC 9110 §15.4.3"},
	303: {"See Other", "The answer is at the address in Location, to be fetched with GET.", "RFC 9110 §15.4.4"},
	304: {"Not Modified", "The client's cached copy is still good, so no body is sent: a 304 never has one.", "RFC 9110 §15.4.5"},
	307: {"Temporary Redirect", "Repeat the same request, same method and body, at the address in Location.", "RFC 9110 §15.4.8"},
	308: {"Permanent Redirect", "Repeat the same request at the address in Location, now and in future.", "RFC 9110 §15.4.9"},
	400: {"Bad Request", "The server could not understand the request: bad syntax or framing.", "RFC 9110 §15.5.1"},
	401: {"Unauthorized", "The request needs credentials; WWW-Authenticate says which kind.", "RFC 9110 §15.5.2"},
	403: {"Forbidden", "The server understood the request and refuses it.", "RFC 9110 §15.5.4"},
	404: {"Not Found", "The server has nothing at this target (or will not say that it has).", "RFC 9110 §15.5.5"},
	405: {"Method Not Allowed", "The target does not support this method; Allow lists those it does.", "RFC 9110 §15.5.6"},
	408: {"Request Timeout", "The server gave up waiting for the whole request.", "RFC 9110 §15.5.9"},
	409: {"Conflict", "The request conflicts with the resource's current state.", "RFC 9110 §15.5.10"},
	410: {"Gone", "The resource was here and is gone for good.", "RFC 9110 §15.5.11"},
	411: {"Length Required", "The server wants a Content-Length before it reads a body.", "RFC 9110 §15.5.12"},
	413: {"Content Too Large", "The request's body is larger than the server will take.", "RFC 9110 §15.5.14"},
	414: {"URI Too Long", "The request's target is longer than the server will read.", "RFC 9110 §15.5.15"},
	415: {"Unsupported Media Type", "The server does not take bodies of this Content-Type.", "RFC 9110 §15.5.16"},
	418: {"(Unused)", "418 is reserved and unused in HTTP (it was a joke, RFC 2324).", "RFC 9110 §15.5.19"},
	422: {"Unprocessable Content", "The body is well formed but its instructions could not be followed.", "RFC 9110 §15.5.21"},
	426: {"Upgrade Required", "The server will only answer over another protocol, named in Upgrade.", "RFC 9110 §15.5.22"},
	429: {"Too Many Requests", "The client sent too many requests in a given time; Retry-After may say when to try again.", "RFC 6585 §4"},
	500: {"Internal Server Error", "The server met a condition it did not expect and could not answer.", "RFC 9110 §15.6.1"},
	501: {"Not Implemented", "The server does not support the function the request needs, such as its method.", "RFC 9110 §15.6.2"},
	502: {"Bad Gateway", "A gateway or proxy got an invalid answer from the server behind it.", "RFC 9110 §15.6.3"},
	503: {"Service Unavailable", "The server cannot answer now (overload, maintenance); Retry-After may say when.", "RFC 9110 §15.6.4"},
	504: {"Gateway Timeout", "A gateway or proxy did not get an answer in time from the server behind it.", "RFC 9110 §15.6.5"},
	505: {"HTTP Version Not Supported", "The server does not support the request's major HTTP version.", "RFC 9110 §15.6.6"},
}

// classes describe a status code's class, for codes the table lacks (§15).
var classes = [...]info{
	1: {"", "an interim answer: the request was received and goes on; the final answer follows.", "RFC 9110 §15.2"},
	2: {"", "success: the request was received, understood and accepted.", "RFC 9110 §15.3"},
	3: {"", "a redirection: the client must do more to complete the request.", "RFC 9110 §15.4"},
	4: {"", "a client error: the request is wrong or cannot be fulfilled.", "RFC 9110 §15.5"},
	5: {"", "a server error: the server failed to fulfil a valid request.", "RFC 9110 §15.6"},
}

// methodInfo returns what the lab says about method m.
func methodInfo(m string) info {
	if i, ok := methods[m]; ok {
		return i
	}
	return info{"", m + " is not a method RFC 9110 defines; the server decides what it means.", "RFC 9110 §9.1"}
}

// statusInfo returns what the lab says about status code code.
func statusInfo(code int) info {
	if i, ok := statuses[code]; ok {
		return i
	}
	if c := code / 100; c >= 1 && c < len(classes) {
		i := classes[c]
		i.meaning = "Status " + strconv.Itoa(code) + " is " + i.meaning
		return i
	}
	return info{"", "Status " + strconv.Itoa(code) + " is outside the classes RFC 9110 defines.", "RFC 9110 §15"}
}

// StatusText is the reason phrase RFC 9110 gives status code code, or "".
func StatusText(code int) string { return statuses[code].text }
