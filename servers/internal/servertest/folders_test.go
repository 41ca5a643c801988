package servertest_test

import (
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestLabFoldersStayInTemp: in a home whose environment names the person's own
// lab folders, a test that calls labdirtest.Temp runs the SMTP server as the
// bench does (its CA, its mail) and delivers a message: the CA and the mail
// land in the test's folders, and nothing at all in the home.
func TestLabFoldersStayInTemp(t *testing.T) {
	home := labdirtest.PersonHome(t)
	d := labdirtest.Temp(t)

	srv, err := smtpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := smtp.Dial(srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("bob@beta.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("alice@alpha.test"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: where does it go\r\n\r\nhere\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()

	var inHome []string
	filepath.WalkDir(home, func(p string, _ os.DirEntry, _ error) error {
		if p != home {
			inHome = append(inHome, p)
		}
		return nil
	})
	if len(inHome) != 0 {
		t.Errorf("the home holds %v", inHome)
	}
	var mail int
	filepath.WalkDir(d.Data, func(p string, e os.DirEntry, _ error) error {
		if e != nil && !e.IsDir() && strings.Contains(p, "alice") {
			mail++
		}
		return nil
	})
	if mail == 0 {
		t.Errorf("no mail of alice's under the test's data folder %s", d.Data)
	}
	if entries, _ := os.ReadDir(d.Config); len(entries) == 0 {
		t.Errorf("the lab's CA is not in the test's configuration folder %s", d.Config)
	}
}
