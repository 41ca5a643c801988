package wirecheck_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// field is one field of a frame's dissection, in the order tshark shows them.
type field struct{ name, show string }

// frame is one packet as tshark dissects it.
type frame struct {
	num    string
	fields []field
}

// get returns the first value of the named field, "" if none.
func (f *frame) get(name string) string {
	for _, x := range f.fields {
		if x.name == name {
			return x.show
		}
	}
	return ""
}

// time is when the frame was captured.
func (f *frame) time() time.Time {
	sec, frac, _ := strings.Cut(f.get("frame.time_epoch"), ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	return time.Unix(s, ns)
}

// protocols tshark is asked to dissect into the PDML it writes.
const protocols = "frame ip ipv6 tcp udp tls http http2 websocket dns smtp imf pop imap ftp ftp-data ssh echo mqtt"

// dissect runs tshark on file with the decode-as rules and, if any, the lab's
// TLS keys (a pcapng export carries its own), and returns its frames: the ones
// with a payload, a SYN, a FIN or a RST.
func dissect(t *testing.T, file string, keys []string, rules []string) []frame {
	t.Helper()
	args := []string{"-n", "-r", file, "-o", "tcp.check_checksum:FALSE", "-o", "tcp.reassemble_out_of_order:TRUE"}
	if keys != nil {
		keyFile := filepath.Join(t.TempDir(), "keys.log")
		if err := os.WriteFile(keyFile, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-o", "tls.keylog_file:"+keyFile)
	}
	for _, r := range rules {
		args = append(args, "-d", r)
	}
	args = append(args, "-Y", "udp || tcp.len > 0 || tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1",
		"-T", "pdml", "-J", protocols)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tshark", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	frames, err := parsePDML(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("tshark's PDML: %v", err)
	}
	return frames
}

// parsePDML reads tshark's PDML: each packet's fields in document order.
func parsePDML(r io.Reader) ([]frame, error) {
	d := xml.NewDecoder(r)
	var frames []frame
	var cur *frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return frames, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "packet":
				frames = append(frames, frame{})
				cur = &frames[len(frames)-1]
			case "field", "proto":
				if cur == nil {
					continue
				}
				var f field
				for _, a := range e.Attr {
					switch a.Name.Local {
					case "name":
						f.name = a.Value
					case "show":
						f.show = a.Value
					}
				}
				if e.Name.Local == "proto" {
					f.name, f.show = "proto", f.name
				}
				if f.name == "frame.number" {
					cur.num = f.show
				}
				cur.fields = append(cur.fields, f)
			}
		case xml.EndElement:
			if e.Name.Local == "packet" {
				cur = nil
			}
		}
	}
}
