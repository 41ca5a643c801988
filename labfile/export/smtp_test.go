package export_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile/export"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/smtpserver"
)

const smtplibScript = `
import smtplib, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for mode in ("plain", "tls"):
    msg = "From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: over " + mode + "\r\n\r\n.starts with a dot\r\nHello.\r\n"
    with smtplib.SMTP(host, port, local_hostname="python.lab.test", timeout=20) as s:
        s.ehlo()
        if mode == "tls":
            s.starttls(context=ssl.create_default_context(cafile=cafile))
            s.ehlo()
        s.sendmail("bob@beta.test", ["alice@alpha.test"], msg)
`

// TestSMTPExports: Python's smtplib sends one message in the clear and one after
// STARTTLS to the lab's SMTP server; tshark reads the dialogue of both (the second
// decrypted with the capture's keys) and Mails finds both messages.
func TestSMTPExports(t *testing.T) {
	needTshark(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	dir := labdirtest.Temp(t).Config
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := ca.Export(caFile); err != nil {
		t.Fatal(err)
	}
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := smtp.Protocol()
	p.NewServer = smtpserver.NewLab
	p.Settings = smtpserver.Settings
	reg.Register(p)
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	b.SetPort(p.Name, 0)
	if err := b.Start(p.Name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.StopAll)
	addr := b.Status(p.Name).Addr
	host, port, _ := strings.Cut(addr, ":")
	script := filepath.Join(dir, "send.py")
	os.WriteFile(script, []byte(smtplibScript), 0o644)
	if out, err := exec.Command("python3", script, host, port, caFile).CombinedOutput(); err != nil {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	tb := &testBench{bench: b, hub: b.Hub()}
	convs, events, keys := tb.session(t)

	mails := export.Mails(reg, convs, events)
	var subjects []string
	for _, m := range mails {
		for _, l := range strings.Split(string(m.Raw), "\r\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				subjects = append(subjects, s)
			}
		}
		if !strings.Contains(string(m.Raw), "\r\n\r\n.starts with a dot\r\n") {
			t.Errorf("mail %q is not unstuffed", m.Raw)
		}
	}
	if strings.Join(subjects, ",") != "over plain,over tls" {
		t.Errorf("mails' subjects = %q, want the plain one and the one after STARTTLS", subjects)
	}

	file := writePCAPNG(t, convs, events, keys)
	rules := export.DecodeAs(reg, convs)
	if len(rules) != 1 || rules[0] != "tcp.port=="+port+",smtp" {
		t.Fatalf("DecodeAs = %q", rules)
	}
	cmds := tshark(t, file, "-d", rules[0], "-Y", "smtp.req", "-T", "fields", "-e", "tcp.stream", "-e", "smtp.req.command")
	// smtplib writes its commands in lower case; tshark shows 4 letters of STARTTLS.
	got := strings.ToUpper(strings.Join(cmds, " "))
	for _, want := range []string{"0\tMAIL 0\tRCPT 0\tDATA", "1\tSTAR 1\tEHLO 1\tMAIL 1\tRCPT 1\tDATA 1\tQUIT"} {
		if !strings.Contains(got, want) {
			t.Errorf("smtp commands %q lack %q", cmds, want)
		}
	}
	if bad := tshark(t, file, "-d", rules[0], "-Y", "tcp.analysis.flags || _ws.malformed"); len(bad) > 0 {
		t.Errorf("problems: %q", bad)
	}
}
