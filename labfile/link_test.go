package labfile

import (
	"bytes"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// linkTests are conversations' links as the lab's servers and clients make them.
var linkTests = []lab.Link{
	{},
	{Kind: lab.LinkData, Parent: 1, Dialler: lab.SideClient, Mode: "passive", Label: "RETR logo.png"},
	{Kind: lab.LinkData, Parent: 1, Dialler: lab.SideServer, Mode: "active", Label: "LIST"},
	{Kind: lab.LinkRelay, Parent: 1, Dialler: lab.SideServer, Label: "relay to beta.test"},
	{Kind: lab.LinkLookup, Parent: 1, Dialler: lab.SideClient, Label: "www.lab.test → 127.0.0.1"},
}

// roundTrip encodes convs as format version writes them and decodes them as
// that version reads them.
func roundTrip(t *testing.T, version int, convs []lab.ConvInfo) []lab.ConvInfo {
	t.Helper()
	var raw bytes.Buffer
	e := &encoder{version: version, w: &raw, strs: map[string]uint64{"": 1}}
	e.uvar(uint64(len(convs)))
	for i := range convs {
		e.conv(&convs[i])
	}
	e.uvar(0) // keys
	e.uvar(0) // events
	e.flush(true)
	if e.err != nil {
		t.Fatal(e.err)
	}
	s := Session{Format: version}
	if err := decodeRaw(raw.Bytes(), &s); err != nil {
		t.Fatalf("format %d: %v", version, err)
	}
	return s.Conversations
}

func TestLinks(t *testing.T) {
	var convs []lab.ConvInfo
	for i, l := range linkTests {
		convs = append(convs, lab.ConvInfo{ID: lab.ConvID(i + 2), Protocol: "ftp-data", Link: l})
	}
	for _, version := range []int{1, FormatVersion} {
		got := roundTrip(t, version, convs)
		for i, want := range linkTests {
			if got[i].Link != want {
				t.Errorf("format %d: link = %+v, want %+v", version, got[i].Link, want)
			}
		}
	}
}

func TestLinkKindRefused(t *testing.T) {
	convs := []lab.ConvInfo{{ID: 2, Link: lab.Link{Kind: 77, Parent: 1}}}
	var raw bytes.Buffer
	e := &encoder{version: FormatVersion, w: &raw, strs: map[string]uint64{"": 1}}
	e.uvar(1)
	e.conv(&convs[0])
	e.uvar(0)
	e.uvar(0)
	e.flush(true)
	var s Session
	if err := decodeRaw(raw.Bytes(), &s); err == nil {
		t.Errorf("a link of an unknown kind decoded as %+v, want an error", s.Conversations)
	}
}
