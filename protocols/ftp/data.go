package ftp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"time"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// PreviewBytes is how many of the first bytes in each direction of a data
// connection the DataAnalyzer shows; the rest are counted and hashed, not kept.
const PreviewBytes = 256

// The states of a data connection.
const (
	DataStateOpen   = "open"
	DataStateClosed = "closed"
)

// dataMachine is a data connection's state machine, which each DataAnalyzer copies.
var dataMachine = lab.NewMachine([]string{DataStateOpen, DataStateClosed}, [][2]string{{DataStateOpen, DataStateClosed}})

// DataAnalyzer reports one FTP data connection in a few messages: who opened it,
// a preview of the first bytes each way, and, as each side finishes, how many bytes
// it sent and their SHA-256. It holds no more than the hash states, so a transfer
// of any size costs the same memory. It is a lab.ConnAnalyzer and, like every
// lab.Analyzer, used from one goroutine at a time.
//
// A data connection whose first bytes are a TLS ClientHello (PROT P, RFC 4217
// §9) it hands to TLS (lab.KeyUser, lab.LayerUser): the file's preview, size and
// SHA-256 come from a DataAnalyzer inside TLS that sees the decrypted bytes.
type DataAnalyzer struct {
	limit  int64 // the capture limit it is fed under (0: none): past it the lab sums up, not this analyzer
	state  lab.Machine
	client string
	server string
	dirs   [3]dataDir // by lab.Dir; under TLS the outer analyzer only counts the encrypted bytes

	keys   *lab.KeyLog
	layers lab.Layers
	tls    *dataTLS      // the connection is TLS: it carries the file
	outer  *DataAnalyzer // inside TLS: the analyzer fed the encrypted bytes
	flip   bool          // inside TLS: its directions are the conversation's reversed (active mode)
}

type dataDir struct {
	n       int64
	h       hash.Hash
	shown   bool // the preview was reported
	reached bool // the end was reported
}

var (
	_ lab.ConnAnalyzer = (*DataAnalyzer)(nil)
	_ lab.KeyUser      = (*DataAnalyzer)(nil)
	_ lab.LayerUser    = (*DataAnalyzer)(nil)
	_ lab.Carrier      = (*DataAnalyzer)(nil)
)

// DataCaptureLimit is DataProtocol's CaptureLimit: the lab keeps and analyzes the
// first MiB of each direction of a data connection and only counts and hashes the
// rest, summing it up when the connection ends.
const DataCaptureLimit = 1 << 20

// NewDataAnalyzer returns an analyzer for one data connection that sees all of
// its bytes.
func NewDataAnalyzer() *DataAnalyzer { return &DataAnalyzer{state: dataMachine} }

// NewDataAnalyzerLimited returns an analyzer for a data connection whose
// bytes past limit in each direction are not fed to it (lab.Protocol.CaptureLimit):
// for a direction that reaches the limit it leaves the total and the hash to
// the lab's own summary (XXH128).
func NewDataAnalyzerLimited(limit int64) *DataAnalyzer {
	return &DataAnalyzer{limit: limit, state: dataMachine}
}

// State is DataStateOpen or DataStateClosed, "" before the connection opened.
func (a *DataAnalyzer) State() string {
	if a.tls != nil && a.tls.inner != nil {
		return a.tls.inner.State()
	}
	return a.state.State()
}

// UseKeys notes the lab's key log, to decrypt a protected connection with (lab.KeyUser).
func (a *DataAnalyzer) UseKeys(k *lab.KeyLog) { a.keys = k }

// UseLayers notes the table of layers to find TLS in (lab.LayerUser).
func (a *DataAnalyzer) UseLayers(t lab.Layers) { a.layers = t }

// Bytes is how many bytes went in direction dir so far: under TLS, encrypted.
func (a *DataAnalyzer) Bytes(dir lab.Dir) int64 {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.dirs[dir].n
}

// Opened reports who opened the data connection.
func (a *DataAnalyzer) Opened(info lab.OpenInfo) []lab.Message {
	if info.Joined || !a.state.Start() {
		return nil
	}
	if info.Client != nil {
		a.client = info.Client.String()
	}
	if info.Server != nil {
		a.server = info.Server.String()
	}
	return []lab.Message{{
		Dir:       lab.ClientToServer,
		Summary:   fmt.Sprintf("data connection %s → %s", a.client, a.server),
		Meaning:   fmt.Sprintf("%s connected to %s for one listing or file. In passive mode (PASV, EPSV) the FTP client opens the data connection to the port the server named; in active mode (PORT, EPRT) the FTP server opens it to the port the client named. In stream mode the file ends where the connection ends.", orUnknown(a.client), orUnknown(a.server)),
		Ref:       "RFC 959 §3.2",
		Fields:    []lab.Field{{Name: "opened by", Value: orUnknown(a.client)}, {Name: "accepted by", Value: orUnknown(a.server)}},
		Handshake: true,
		NextState: DataStateOpen,
	}}
}

func orUnknown(s string) string {
	if s == "" {
		return "one end"
	}
	return s
}

// Feed counts and hashes b, and shows a preview of the first bytes each way.
func (a *DataAnalyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.state.Start()
	if a.tls == nil && a.outer == nil && a.dirs[lab.ClientToServer].n == 0 && a.dirs[lab.ServerToClient].n == 0 && handshakeRecord(b) {
		a.startTLS(dir)
	}
	d := &a.dirs[dir]
	if a.tls != nil {
		d.n += int64(len(b))
		return a.tls.feed(dir, b, at)
	}
	if d.h == nil {
		d.h = sha256.New()
	}
	d.h.Write(b)
	d.n += int64(len(b))
	if d.shown {
		return nil
	}
	d.shown = true
	p := b[:min(len(b), PreviewBytes)]
	kind := "binary"
	if utf8.Valid(p[:len(p)-utf8Tail(p)]) && printable(p) {
		kind = "text"
	}
	m := lab.Message{
		Dir:      dir,
		Summary:  fmt.Sprintf("first %d bytes (%s)", len(p), kind),
		Meaning:  fmt.Sprintf("The beginning of what the %s sent, as a preview: the lab keeps only the first %d bytes of each direction and counts and hashes the rest.", a.sender(dir), PreviewBytes),
		Ref:      "RFC 959 §3.4",
		Raw:      p,
		Observed: true,
	}
	if kind == "text" {
		m.Fields = []lab.Field{{Name: "text", Value: string(p)}}
	}
	if a.outer != nil {
		m.Meaning = fmt.Sprintf("The beginning of what the %s sent, decrypted from its TLS records with the lab's key log: the file's own bytes, as a preview. The lab shows the first %d bytes of each direction and counts and hashes the rest.", a.sender(dir), PreviewBytes)
		m.Fields = append(m.Fields, protected)
	}
	return []lab.Message{m}
}

// protected marks what the analyzer inside TLS reports.
var protected = lab.Field{Name: "protection", Value: "TLS (PROT P), decrypted with the lab's key log"}

// sender names who sent in direction dir (TLS's, inside TLS).
func (a *DataAnalyzer) sender(dir lab.Dir) string {
	if a.flip {
		dir = lab.ClientToServer + lab.ServerToClient - dir
	}
	if dir == lab.ClientToServer {
		return "connection's opener (" + orUnknown(a.client) + ")"
	}
	return "connection's acceptor (" + orUnknown(a.server) + ")"
}

// utf8Tail is how many bytes at the end of p may be a rune cut by the preview.
func utf8Tail(p []byte) int {
	for i := 1; i <= 3 && i <= len(p); i++ {
		if utf8.RuneStart(p[len(p)-i]) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

func printable(p []byte) bool {
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// Closed reports the end of what the closing side sent (both sides on a reset):
// its byte count and SHA-256.
func (a *DataAnalyzer) Closed(info lab.CloseInfo) []lab.Message {
	if a.tls != nil {
		return a.closedTLS(info)
	}
	var out []lab.Message
	known := info.By == lab.SideClient || info.By == lab.SideServer
	if known && info.How == lab.HowFIN {
		out = a.end(out, info.By.Outbound(), "")
		if a.dirs[lab.ClientToServer].reached && a.dirs[lab.ServerToClient].reached {
			out = a.state.End(out, DataStateClosed, lab.Message{})
		}
		return out
	}
	why := "the connection was reset (RST): a transfer cut short, or aborted (ABOR)"
	if info.How != lab.HowRST {
		why = "the connection ended (" + info.How + ")"
	}
	out = a.end(out, lab.ClientToServer, why)
	out = a.end(out, lab.ServerToClient, why)
	return a.state.End(out, DataStateClosed, lab.Message{})
}

// end reports the total of direction dir once.
func (a *DataAnalyzer) end(out []lab.Message, dir lab.Dir, why string) []lab.Message {
	d := &a.dirs[dir]
	if d.reached {
		return out
	}
	d.reached = true
	if d.n == 0 {
		// An empty direction is the usual other half of a transfer: worth a
		// message only when the whole connection carried nothing.
		other := &a.dirs[lab.ClientToServer+lab.ServerToClient-dir]
		if !other.reached || other.n > 0 {
			return out
		}
		return append(out, lab.Message{
			Dir:      dir,
			Summary:  "end of data: nothing was sent",
			Meaning:  "The data connection closed without a byte either way: an empty file or listing, or a transfer that never started.",
			Ref:      "RFC 959 §3.4.1",
			Teardown: true,
		})
	}
	if a.outer != nil && a.outer.cut(dir, a.flip) {
		return append(out, lab.Message{
			Dir:      dir,
			Summary:  fmt.Sprintf("end of data from the %s: the file's first %d bytes decrypted", a.sender(dir), d.n),
			Meaning:  fmt.Sprintf("The %s closed its side. Past the capture limit the lab only counts and hashes what crosses, and what crosses is encrypted: it decrypted the file's first %d bytes, and the capture summary's total and XXH128 hash are of the TLS records, not of the file.", a.sender(dir), d.n),
			Ref:      "RFC 4217 §9",
			Fields:   []lab.Field{{Name: "bytes decrypted", Value: fmt.Sprint(d.n)}, protected},
			Teardown: true,
		})
	}
	if a.limit > 0 && d.n >= a.limit {
		return append(out, lab.Message{
			Dir:      dir,
			Summary:  fmt.Sprintf("end of data from the %s", a.sender(dir)),
			Meaning:  fmt.Sprintf("The %s closed its side. The lab analyzed its first %d bytes; the capture summary gives the total and the XXH128 hash of everything it sent.", a.sender(dir), d.n),
			Ref:      "RFC 959 §3.4.1",
			Teardown: true,
		})
	}
	if d.h == nil {
		d.h = sha256.New()
	}
	sum := hex.EncodeToString(d.h.Sum(nil))
	m := lab.Message{
		Dir:      dir,
		Summary:  fmt.Sprintf("end of data: %d bytes, SHA-256 %s…", d.n, sum[:16]),
		Meaning:  fmt.Sprintf("The %s sent %d bytes in all and closed its side. In stream mode this is the end of the file: compare the SHA-256 with the file's own (sha256sum) to check the transfer.", a.sender(dir), d.n),
		Ref:      "RFC 959 §3.4.1",
		Fields:   []lab.Field{{Name: "bytes", Value: fmt.Sprint(d.n)}, {Name: "SHA-256", Value: sum}},
		Teardown: true,
	}
	if why != "" {
		m.Summary = fmt.Sprintf("data cut: %d bytes, SHA-256 %s…", d.n, sum[:16])
		m.Meaning = fmt.Sprintf("The %s had sent %d bytes when %s.", a.sender(dir), d.n, why)
	}
	if a.outer != nil {
		m.Meaning += " The bytes are those TLS carried (PROT P), decrypted with the lab's key log: the file's own, not the encrypted records'."
		m.Fields = append(m.Fields, protected)
	}
	return append(out, m)
}

// cut reports whether the capture limit stopped the encrypted bytes of the
// direction the analyzer inside TLS calls dir (reversed when flip).
func (a *DataAnalyzer) cut(dir lab.Dir, flip bool) bool {
	if flip {
		dir = lab.ClientToServer + lab.ServerToClient - dir
	}
	return a.limit > 0 && a.dirs[dir].n >= a.limit
}
