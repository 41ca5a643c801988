package ftpclient_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// tlsFile is a small file of known bytes, not text, for the protected transfers.
var tlsFile = func() []byte {
	b := make([]byte, 187)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// protectedRetr downloads file over AUTH TLS and PROT P from the lab's server
// on a new hub, in mode; with serverTapped false only the client is tapped, so
// the hub has no TLS secrets. It returns the hub and the RETR's data conversation.
func protectedRetr(t *testing.T, mode ftpclient.Mode, serverTapped bool, file []byte) (*lab.Hub, lab.ConvInfo) {
	t.Helper()
	h, fp, dp := newFTPHub()

	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "known.bin"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := ftpserver.Options{Root: root, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}}
	if serverTapped {
		opts.Tap, opts.DataTap = h.Tap(fp), h.Tap(dp)
	}
	addr := serveLab(t, opts)

	c, err := ftpclient.Dial(context.Background(), addr, ftpclient.Options{
		Tap: h.Tap(fp), DataTap: h.Tap(dp), Mode: mode, Timeout: 10 * time.Second,
		TLS: &tls.Config{RootCAs: ca.Pool()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("lab", "lab"); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := c.Retr("known.bin", &got, nil); err != nil {
		t.Fatalf("Retr: %v", err)
	}
	if !bytes.Equal(got.Bytes(), file) {
		t.Fatalf("Retr: %d bytes, want the file's %d", got.Len(), len(file))
	}
	if err := c.Quit(); err != nil {
		t.Errorf("Quit: %v", err)
	}
	h.Settle()
	for _, d := range h.Conversations() {
		if d.Protocol == ftp.DataName && d.Link.Label == "RETR known.bin" {
			return h, d
		}
	}
	t.Fatal("no data conversation for RETR known.bin")
	return nil, lab.ConvInfo{}
}

func field(m *lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// TestProtectedDataWithTheLabServer checks that a data connection under PROT P
// is reported as the file it carries, decrypted with the lab's key log, with
// TLS's own records as the "tls" layer, in both modes (in active mode the TLS
// client, the FTP client, accepted the connection).
func TestProtectedDataWithTheLabServer(t *testing.T) {
	sum := sha256.Sum256(tlsFile)
	want := hex.EncodeToString(sum[:])
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			h, d := protectedRetr(t, mode, true, tlsFile)
			var (
				ends     []string
				preview  bool
				tlsSeen  []string
				sizes    []string
				summarys []string
			)
			for _, e := range h.ConvEvents(d.ID) {
				if e.Msg == nil {
					continue
				}
				m := e.Msg
				summarys = append(summarys, e.Layer+": "+m.Summary)
				switch e.Layer {
				case ftp.DataName:
					if strings.HasPrefix(m.Summary, "first ") {
						preview = bytes.Equal(m.Raw, tlsFile)
						if m.Dir != lab.ServerToClient && mode == ftpclient.Passive || m.Dir != lab.ClientToServer && mode == ftpclient.Active {
							t.Errorf("preview %s, want from the FTP server", m.Dir)
						}
					}
					if s := field(m, "SHA-256"); s != "" {
						ends = append(ends, s)
						sizes = append(sizes, field(m, "bytes"))
					}
				case "tls":
					tlsSeen = append(tlsSeen, m.Summary)
				}
			}
			all := strings.Join(summarys, "\n")
			if testing.Verbose() {
				t.Log(all)
			}
			if !preview {
				t.Errorf("no preview holding the file's %d bytes in:\n%s", len(tlsFile), all)
			}
			if len(ends) != 1 || ends[0] != want || sizes[0] != "187" {
				t.Errorf("end of data: SHA-256 %q of %q bytes, want %s of 187; messages:\n%s", ends, sizes, want, all)
			}
			if !strings.Contains(strings.Join(tlsSeen, "\n"), "ClientHello") {
				t.Errorf("no ClientHello on the tls layer; messages:\n%s", all)
			}
			if got := h.Conversation(d.ID).Info(false).State; got != ftp.DataStateClosed {
				t.Errorf("data conversation state %q, want %q", got, ftp.DataStateClosed)
			}
		})
	}
}

// TestProtectedDataWithoutKeys checks that a protected data connection the lab
// has no secrets for is said to be unreadable, not reported as the file.
func TestProtectedDataWithoutKeys(t *testing.T) {
	h, d := protectedRetr(t, ftpclient.Passive, false, tlsFile)
	var sealed, all []string
	for _, e := range h.ConvEvents(d.ID) {
		if e.Msg == nil {
			continue
		}
		all = append(all, e.Layer+": "+e.Msg.Summary)
		if e.Layer == ftp.DataName && field(e.Msg, "SHA-256") != "" || strings.HasPrefix(e.Msg.Summary, "first ") {
			t.Errorf("the encrypted stream reported as the file: %s", e.Msg.Summary)
		}
		if e.Layer == ftp.DataName && field(e.Msg, "not decrypted") != "" {
			sealed = append(sealed, e.Msg.Summary)
		}
	}
	if len(sealed) != 2 || !strings.Contains(strings.Join(sealed, "\n"), "not readable") {
		t.Errorf("unreadable ends = %q, want one per direction; messages:\n%s", sealed, strings.Join(all, "\n"))
	}
}

// TestProtectedDataPastTheLimit checks that a protected file larger than the
// capture limit is not given a size and SHA-256 that are the encrypted stream's:
// the data connection says how much of the file it decrypted, and that the
// capture summary is of the TLS records.
func TestProtectedDataPastTheLimit(t *testing.T) {
	big := bytes.Repeat(tlsFile, 2*ftp.DataCaptureLimit/len(tlsFile))
	h, d := protectedRetr(t, ftpclient.Passive, true, big)
	var cut, all []string
	for _, e := range h.ConvEvents(d.ID) {
		if e.Msg == nil || e.Layer != ftp.DataName {
			continue
		}
		all = append(all, e.Msg.Summary)
		if field(e.Msg, "SHA-256") != "" {
			t.Errorf("a size and SHA-256 past the capture limit: %s", e.Msg.Summary)
		}
		if n := field(e.Msg, "bytes decrypted"); n != "" {
			cut = append(cut, n)
			if !strings.Contains(e.Msg.Meaning, "TLS records, not of the file") {
				t.Errorf("the end of a cut protected file does not say the capture summary is the TLS records': %s", e.Msg.Meaning)
			}
		}
	}
	if len(cut) != 1 || cut[0] == "0" || cut[0] == fmt.Sprint(len(big)) {
		t.Errorf("bytes decrypted = %q, want one part of the %d; messages:\n%s", cut, len(big), strings.Join(all, "\n"))
	}
}
