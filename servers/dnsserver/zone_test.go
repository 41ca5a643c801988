package dnsserver

import (
	"errors"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
)

var badZones = []struct {
	text string
	want []string
}{
	{"www IN A 127.0.0.1\nftp IN A not-an-address\n", []string{"zone line 2", `"ftp IN A not-an-address"`}},
	{"www IN BOGUS 1\n", []string{"zone line 1"}},
	{"; only a comment\n", []string{"holds no records"}},
	{"www CH A 127.0.0.1\n", []string{"class CH is not served"}},
	{"$INCLUDE /etc/passwd\n", []string{"zone line 1"}},
}

func TestBadZone(t *testing.T) {
	for _, tt := range badZones {
		_, err := ParseZone(tt.text, "")
		if err == nil {
			t.Errorf("ParseZone(%q) = nil error", tt.text)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseZone(%q) = %v, want it to say %s", tt.text, err, w)
			}
		}
		_, err = NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{labdns.SettingZone: tt.text}})
		if err == nil {
			t.Errorf("NewLab with zone %q = nil error", tt.text)
		}
	}
	var ze *ZoneError
	if _, err := ParseZone(badZones[0].text, ""); !errors.As(err, &ze) || ze.Line != 2 {
		t.Errorf("error %v, want a *ZoneError on line 2", err)
	}
}

// TestAnswerCodes covers the replies no client of the lab asks for.
func TestAnswerCodes(t *testing.T) {
	z, err := ParseZone(labdns.DefaultZone, "")
	if err != nil {
		t.Fatal(err)
	}
	q := func(name string, qt uint16) *mdns.Msg { m := new(mdns.Msg); m.SetQuestion(name, qt); return m }
	notify := q("lab.test.", mdns.TypeSOA)
	notify.Opcode = mdns.OpcodeUpdate
	none := q("lab.test.", mdns.TypeA)
	none.Question = nil
	chaos := q("version.bind.", mdns.TypeTXT)
	chaos.Question[0].Qclass = mdns.ClassCHAOS
	cname, _ := ParseZone("$ORIGIN lab.test.\n@ IN SOA ns hm 1 1 1 1 1\nweb IN CNAME www\nwww IN A 127.0.0.2\n", "")
	for _, tt := range []struct {
		z     *Zone
		req   *mdns.Msg
		rcode int
		n     int
	}{
		{z, notify, mdns.RcodeNotImplemented, 0},
		{z, none, mdns.RcodeFormatError, 0},
		{z, chaos, mdns.RcodeRefused, 0},
		{z, q("test.", mdns.TypeA), mdns.RcodeNameError, 0},
		{z, q("alpha.test.", mdns.TypeANY), mdns.RcodeSuccess, 2},
		{cname, q("web.lab.test.", mdns.TypeA), mdns.RcodeSuccess, 2},
	} {
		r := tt.z.Answer(tt.req)
		if r.Rcode != tt.rcode || len(r.Answer) != tt.n || !r.Response || r.RecursionAvailable {
			t.Errorf("Answer(%v) = %s with %d answers, want %s with %d", tt.req.Question, mdns.RcodeToString[r.Rcode],
				len(r.Answer), mdns.RcodeToString[tt.rcode], tt.n)
		}
	}
}
