package filter_test

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// Conversations and messages as the lab records them.
var (
	smtpConv = lab.ConvInfo{ID: 1, Protocol: "smtp", Transport: "tcp", Client: "127.0.0.1:53912", Server: "127.0.0.1:2525",
		CloseHow: lab.HowFIN, ClosedBy: lab.SideClient, State: "closed", Messages: 4, BytesC2S: 120, BytesS2C: 300}
	httpsConv = lab.ConvInfo{ID: 2, Protocol: "https", Transport: "tcp", Client: "127.0.0.1:40100", Server: "127.0.0.1:8443",
		Live: true, State: "application data", Messages: 3}
	ftpConv  = lab.ConvInfo{ID: 5, Protocol: "ftp", Transport: "tcp", Client: "127.0.0.1:41000", Server: "127.0.0.1:2121", Live: true, State: "logged in"}
	dataConv = lab.ConvInfo{ID: 6, Protocol: "ftp-data", Transport: "tcp", Client: "127.0.0.1:41002", Server: "127.0.0.1:40001",
		CloseHow: lab.HowFIN, Link: lab.Link{Kind: lab.LinkData, Parent: 5, Dialler: lab.SideClient, Mode: "passive", Label: "RETR a.txt"}}
	echoConv = lab.ConvInfo{ID: 7, Protocol: "tcp", Transport: "tcp", Client: "127.0.0.1:5432", Server: "127.0.0.1:7007",
		CloseHow: lab.HowRST, ClosedBy: lab.SideServer, State: "FIN-WAIT-2"}
	dnsConv = lab.ConvInfo{ID: 8, Protocol: "dns", Transport: "udp", Client: "127.0.0.1:50000", Server: "127.0.0.1:5353", Datagram: true, CloseHow: lab.HowIdle}

	synEv = lab.Event{Conv: 1, Kind: lab.KindHandshake, Dir: lab.ClientToServer, Layer: "tcp",
		Msg: &lab.Message{Dir: lab.ClientToServer, Summary: "SYN seq=0", Handshake: true, NextState: "SYN-SENT"}}
	greetEv = lab.Event{Conv: 1, Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "smtp",
		Msg: &lab.Message{Summary: "220 alpha.test ESMTP ready", Fields: []lab.Field{{Name: "code", Value: "220"}, {Name: "text", Value: "alpha.test ESMTP ready"}}}}
	rsetEv = lab.Event{Conv: 1, Kind: lab.KindMessage, Dir: lab.ClientToServer, Layer: "smtp",
		Msg: &lab.Message{Summary: "RSET", Fields: []lab.Field{{Name: "command", Value: "RSET"}}}}
	rejectEv = lab.Event{Conv: 1, Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "smtp",
		Msg: &lab.Message{Summary: "550 5.1.1 no such mailbox", Fields: []lab.Field{{Name: "code", Value: "550"}, {Name: "enhanced code", Value: "5.1.1"}}}}
	helloEv = lab.Event{Conv: 2, Kind: lab.KindHandshake, Dir: lab.ClientToServer, Layer: "tls",
		Msg: &lab.Message{Summary: "ClientHello www.lab.test", Fields: []lab.Field{{Name: "legacy version", Value: "TLS 1.2"}, {Name: "SNI (server name)", Value: "www.lab.test"}}}}
	notFoundEv = lab.Event{Conv: 2, Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "tls",
		Msg: &lab.Message{Layer: "http", Summary: "HTTP/1.1 404 Not Found", Fields: []lab.Field{{Name: "status line", Value: "HTTP/1.1 404 Not Found"}, {Name: "Content-Type", Value: "text/plain"}}}}
	okEv = lab.Event{Conv: 2, Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "tls",
		Msg: &lab.Message{Layer: "http", Summary: "HTTP/1.1 200 OK", Fields: []lab.Field{{Name: "status line", Value: "HTTP/1.1 200 OK"}}}}
	finEv = lab.Event{Conv: 7, Kind: lab.KindHandshake, Dir: lab.ServerToClient, Layer: "tcp",
		Msg: &lab.Message{Summary: "FIN", Teardown: true, NextState: "FIN-WAIT-2"}}
	ackEv = lab.Event{Conv: 7, Kind: lab.KindHandshake, Dir: lab.ClientToServer, Layer: "tcp",
		Msg: &lab.Message{Summary: "ACK of the server's FIN", Teardown: true, Fields: []lab.Field{
			{Name: lab.StateField(lab.SideClient), Value: "TIME-WAIT"}, {Name: lab.StateField(lab.SideServer), Value: "CLOSE-WAIT"}}}}
	faultEv   = lab.Event{Conv: 7, Kind: lab.KindFault, Dir: lab.ServerToClient, Layer: "tcp", Text: "reset injected"}
	wsCloseEv = lab.Event{Conv: 9, Kind: lab.KindMessage, Dir: lab.ClientToServer, Layer: "ws",
		Msg: &lab.Message{Summary: "Close", Fields: []lab.Field{{Name: "status code", Value: "1000 normal closure: done"}}}}
)

var evalTests = []struct {
	filter string
	conv   *lab.ConvInfo
	parent *lab.ConvInfo
	ev     *lab.Event
	want   bool
}{
	{"smtp", &smtpConv, nil, nil, true},
	{"smtp", &httpsConv, nil, nil, false},
	{"SMTP", &smtpConv, nil, &greetEv, true},
	{"smtp and code >= 400", &smtpConv, nil, nil, false},
	{"smtp and code >= 400", &smtpConv, nil, &greetEv, false},
	{"smtp and code >= 400", &smtpConv, nil, &rejectEv, true},
	{"smtp and code >= 400", &smtpConv, nil, &rsetEv, false},
	{"code == 220", &smtpConv, nil, &greetEv, true},
	{"code != 220", &smtpConv, nil, &rsetEv, true}, // no code: not (code == 220)
	{"smtp.enhanced_code == 5.1.1", &smtpConv, nil, &rejectEv, true},
	{"smtp.enhanced-code", &smtpConv, nil, &greetEv, false},
	{`text contains "rset"`, &smtpConv, nil, &rsetEv, true},
	{`text contains "RSET"`, &smtpConv, nil, &greetEv, false},
	{`text contains "RSET"`, &smtpConv, nil, nil, false},
	{`text matches "^5[0-9]{2} "`, &smtpConv, nil, &rejectEv, true},
	{`text matches "^5[0-9]{2} "`, &smtpConv, nil, &greetEv, false},
	{"dir == c2s", &smtpConv, nil, &rsetEv, true},
	{"dir == c2s", &smtpConv, nil, &greetEv, false},
	{"dir == S2C", &smtpConv, nil, &greetEv, true},
	{"dir == c2s", &smtpConv, nil, nil, false},
	{"layer == tcp", &smtpConv, nil, &synEv, true},
	{"kind == handshake", &smtpConv, nil, &synEv, true},
	{"closedby == client and close == FIN", &smtpConv, nil, nil, true},
	{"fin", &smtpConv, nil, nil, true},
	{"bytes > 400", &smtpConv, nil, nil, true},
	{"bytes > 420", &smtpConv, nil, nil, false},
	{"messages == 4 and id == 1", &smtpConv, nil, nil, true},

	{`tls.sni == "www.lab.test"`, &httpsConv, nil, &helloEv, true},
	{`tls.server_name == "WWW.LAB.TEST"`, &httpsConv, nil, &helloEv, true},
	{`https.sni contains "lab"`, &httpsConv, nil, &helloEv, true},
	{`tls.sni == "www.lab.test"`, &httpsConv, nil, &notFoundEv, false},
	{`tls.sni == "www.lab.test"`, &httpsConv, nil, nil, false},
	{"tls.sni", &httpsConv, nil, &helloEv, true},
	{"http.sni", &httpsConv, nil, &helloEv, false},
	{`http.content_type == "text/plain"`, &httpsConv, nil, &notFoundEv, true},
	{"tls", &httpsConv, nil, nil, true},
	{"https", &httpsConv, nil, &helloEv, true},
	{"http", &httpsConv, nil, nil, false},
	{"http", &httpsConv, nil, &notFoundEv, true},
	{"http", &httpsConv, nil, &helloEv, false},
	{"http && !(code == 200)", &httpsConv, nil, &notFoundEv, true},
	{"http && !(code == 200)", &httpsConv, nil, &okEv, false},
	{"code == 404", &httpsConv, nil, &notFoundEv, true},
	{"live", &httpsConv, nil, nil, true},
	{`state == "application data"`, &httpsConv, nil, nil, true},

	{"ftp", &ftpConv, nil, nil, true},
	{"ftp", &dataConv, &ftpConv, nil, true},
	{"ftp", &dataConv, nil, nil, false}, // the session is not known
	{"ftp", &dataConv, &smtpConv, nil, false},
	{"ftp-data", &dataConv, &ftpConv, nil, true},
	{"ftp-data", &ftpConv, nil, nil, false},
	{"link == data", &dataConv, nil, nil, true},
	{"link == data", &ftpConv, nil, nil, false},
	{"port == 2121", &ftpConv, nil, nil, true},
	{"port == 41000", &ftpConv, nil, nil, true},
	{"port < 1024", &ftpConv, nil, nil, false},
	{`server == "127.0.0.1:2121"`, &ftpConv, nil, nil, true},
	{`endpoint == "127.0.0.1:41000"`, &ftpConv, nil, nil, true},
	{`endpoint != "127.0.0.1:41000"`, &ftpConv, nil, nil, false},

	{"rst", &echoConv, nil, nil, true},
	{"rst", &smtpConv, nil, nil, false},
	{`client contains ":5432"`, &echoConv, nil, nil, true},
	{`client contains ":5432"`, &smtpConv, nil, nil, false},
	{`state == "FIN-WAIT-2"`, &echoConv, nil, nil, true},
	{`state == "fin-wait-2"`, &echoConv, nil, &finEv, true},
	{`state == "FIN-WAIT-2"`, &echoConv, nil, &faultEv, false},
	{`state == "CLOSE-WAIT"`, &echoConv, nil, &ackEv, true}, // the other end's state
	{`state == "time-wait"`, &echoConv, nil, &ackEv, true},
	{`state == "FIN-WAIT-2"`, &echoConv, nil, &ackEv, false},
	{`tcp.servers_state == "CLOSE-WAIT"`, &echoConv, nil, &ackEv, true},
	{`tcp.client_state == "TIME-WAIT"`, &echoConv, nil, &ackEv, false}, // "client's": clients
	{`text contains "reset"`, &echoConv, nil, &faultEv, true},
	{"kind == fault", &echoConv, nil, &faultEv, true},
	{"tcp", &echoConv, nil, nil, true},
	{"tcp", &smtpConv, nil, nil, true}, // the transport, as in Wireshark
	{`proto == "tcp"`, &smtpConv, nil, nil, false},
	{"udp", &dnsConv, nil, nil, true},
	{"idle and transport == udp", &dnsConv, nil, nil, true},
	{"not dns", &dnsConv, nil, nil, false},
	{"smtp or dns", &dnsConv, nil, nil, true},

	{"ws.status_code >= 1000", &lab.ConvInfo{ID: 9, Protocol: "ws"}, nil, &wsCloseEv, true},
	{"ws.status_code < 1000", &lab.ConvInfo{ID: 9, Protocol: "ws"}, nil, &wsCloseEv, false},
	{"code == 100", &lab.ConvInfo{ID: 9, Protocol: "ws"}, nil, &wsCloseEv, false},
}

func TestMatch(t *testing.T) {
	reg := testRegistry()
	reg.Register(&lab.Protocol{Name: "ws"})
	for _, tt := range evalTests {
		f, err := filter.Parse(tt.filter, reg)
		if err != nil {
			t.Errorf("Parse(%q) = %v", tt.filter, err)
			continue
		}
		got := f.Match(&filter.Subject{Conv: tt.conv, Parent: tt.parent, Event: tt.ev})
		if got != tt.want {
			ev := "none"
			if tt.ev != nil && tt.ev.Msg != nil {
				ev = tt.ev.Msg.Summary
			}
			t.Errorf("%q on conversation %d (message %q) = %v, want %v", tt.filter, tt.conv.ID, ev, got, tt.want)
		}
	}
}

func TestNilFilterPassesAll(t *testing.T) {
	f, err := filter.Parse("", nil)
	if err != nil || f != nil {
		t.Fatalf(`Parse("") = %v, %v; want nil, nil`, f, err)
	}
	if !f.Match(&filter.Subject{Conv: &smtpConv}) || f.Messages() || f.String() != "" {
		t.Error("the nil filter does not pass everything")
	}
}

var codeTests = []struct {
	summary string
	fields  []lab.Field
	code    int
	ok      bool
}{
	{"250 OK", nil, 250, true},
	{"250-alpha.test", nil, 250, true},
	{"HTTP/1.1 301 Moved Permanently", nil, 301, true},
	{"GET / HTTP/1.1", nil, 0, false},
	{"2500 bytes", nil, 0, false},
	{"+OK 2 messages", []lab.Field{{Name: "response code", Value: "[IN-USE]"}}, 0, false},
	{"reply", []lab.Field{{Name: "Code", Value: "421"}}, 421, true},
	{"", nil, 0, false},
}

func TestReplyCode(t *testing.T) {
	for _, tt := range codeTests {
		code, ok := filter.ReplyCode(&lab.Event{Msg: &lab.Message{Summary: tt.summary, Fields: tt.fields}})
		if code != tt.code || ok != tt.ok {
			t.Errorf("ReplyCode(%q) = %d, %v; want %d, %v", tt.summary, code, ok, tt.code, tt.ok)
		}
	}
	if _, ok := filter.ReplyCode(&lab.Event{Text: "250 OK"}); ok {
		t.Error("an event without a message has a reply code")
	}
}
