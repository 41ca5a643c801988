package lab

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"strings"
	"sync"
)

// KeyLog keeps the TLS secrets of the lab's own TLS endpoints, written in the NSS
// key log format (one "LABEL <client random> <secret>" line each) that crypto/tls
// writes to a tls.Config's KeyLogWriter and Wireshark reads. The TLS analyzer looks
// the secrets up by label and client random to decrypt the records a tap saw; saved
// sessions and pcapng exports carry them along. Only connections that have one end
// in the lab can be decrypted: the lab never sees an outside party's secrets.
//
// The secrets decrypt everything the conversations carried, passwords included;
// they stay in memory unless the person exports a capture. A KeyLog is safe for
// concurrent use; its bound is MaxKeyLogLines, the oldest lines forgotten first.
type KeyLog struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	byKey   map[keyID][]byte
}

// MaxKeyLogLines bounds a KeyLog: a TLS 1.3 connection writes 5 lines, TLS 1.2 one.
const MaxKeyLogLines = 100000

type keyID struct {
	label  string
	random string // 32 raw bytes as a string
}

// Write takes key log lines, as crypto/tls writes them. It never fails: a line
// that is not a key log line is ignored.
func (k *KeyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.partial = append(k.partial, p...)
	for {
		i := bytes.IndexByte(k.partial, '\n')
		if i < 0 {
			break
		}
		k.addLocked(string(bytes.TrimRight(k.partial[:i], "\r")))
		k.partial = k.partial[i+1:]
	}
	if len(k.partial) > 4096 { // not a key log: drop it rather than grow
		k.partial = nil
	}
	if len(k.partial) == 0 {
		k.partial = nil
	}
	return len(p), nil
}

func (k *KeyLog) addLocked(line string) {
	f := strings.Fields(line)
	if len(f) != 3 || strings.HasPrefix(line, "#") {
		return
	}
	random, err1 := hex.DecodeString(f[1])
	secret, err2 := hex.DecodeString(f[2])
	if err1 != nil || err2 != nil || len(random) != 32 || len(secret) == 0 {
		return
	}
	id := keyID{f[0], string(random)}
	if k.byKey == nil {
		k.byKey = make(map[keyID][]byte)
	}
	if _, dup := k.byKey[id]; dup {
		return
	}
	if len(k.lines) >= MaxKeyLogLines {
		old := strings.Fields(k.lines[0])
		if r, err := hex.DecodeString(old[1]); err == nil {
			delete(k.byKey, keyID{old[0], string(r)})
		}
		k.lines = k.lines[1:]
	}
	k.byKey[id] = secret
	k.lines = append(k.lines, strings.Join(f, " "))
}

// Lookup returns the secret logged under label ("CLIENT_RANDOM",
// "CLIENT_TRAFFIC_SECRET_0", ...) for the connection whose ClientHello carried
// clientRandom, or nil.
func (k *KeyLog) Lookup(label string, clientRandom []byte) []byte {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.byKey[keyID{label, string(clientRandom)}]
}

// Lines returns the key log as the NSS format's text, one line each, for
// exports (Wireshark's "(Pre)-Master-Secret log", pcapng's decryption secrets).
func (k *KeyLog) Lines() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.lines...)
}

// Load adds the lines of a saved key log (as Lines returned them).
func (k *KeyLog) Load(text string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k.addLocked(sc.Text())
	}
}

// KeyUser is implemented by analyzers that decrypt with the lab's secrets (TLS):
// the hub hands each new one its KeyLog.
type KeyUser interface {
	UseKeys(*KeyLog)
}
