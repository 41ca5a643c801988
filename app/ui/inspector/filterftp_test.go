package inspector

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
)

// TestFilterFTPSession filters a real FTP session with a STOR and a LIST: ftp
// lists the session with its data connections under it, ftp-data the data
// connections alone, and a message test narrows the session's rows, its data
// connections' included, in the list and the diagram alike.
func TestFilterFTPSession(t *testing.T) {
	_, in, addr, fp, dp := newFTPLab(t)
	ctrl, infos := ftpStorList(t, in, addr, fp, dp, ftpclient.Passive)
	var data []lab.ConvID
	for _, ci := range infos {
		data = append(data, ci.ID)
	}
	if len(data) != 2 {
		t.Fatalf("%d data connections, want STOR's and LIST's", len(data))
	}

	depths := func() map[lab.ConvID]int {
		m := map[lab.ConvID]int{}
		for _, r := range in.convs.rows {
			m[r.info.ID] = r.depth
		}
		return m
	}
	if err := in.SetFilter("ftp"); err != nil {
		t.Fatal(err)
	}
	if d := depths(); len(d) != 3 || d[ctrl] != 0 || d[data[0]] != 1 || d[data[1]] != 1 {
		t.Errorf("ftp lists %v (id: depth), want %d with its data connections %v under it", d, ctrl, data)
	}
	if err := in.SetFilter("ftp-data"); err != nil {
		t.Fatal(err)
	}
	if d := depths(); len(d) != 2 || d[data[0]] != 0 || d[data[1]] != 0 {
		t.Errorf("ftp-data lists %v (id: depth), want the data connections %v alone", d, data)
	}

	in.Select(ctrl)
	all := in.allRows()
	if err := in.SetFilter("dir == c2s"); err != nil {
		t.Fatal(err)
	}
	if in.Selected() != ctrl {
		t.Fatalf("shown %d, want %d still", in.Selected(), ctrl)
	}
	n := in.rows()
	if n == 0 || n >= all || in.msgs.list.Length() != n || in.seq.ArrowCount() != n {
		t.Fatalf("dir == c2s: %d rows of %d, list %d, arrows %d; want fewer rows, as many items and arrows", n, all, in.msgs.list.Length(), in.seq.ArrowCount())
	}
	kids := 0
	for i := range n {
		e := in.row(i)
		if e.Dir != lab.ClientToServer {
			t.Errorf("row %d (%q) goes %v", i, rowSummary(e), e.Dir)
		}
		if e.Conv != ctrl {
			kids++
		}
	}
	if kids == 0 {
		t.Error("no row of a data connection listed")
	}

	if err := in.SetFilter("ftp and code == 226"); err != nil {
		t.Fatal(err)
	}
	if n := in.rows(); n != 2 {
		t.Errorf("code == 226: %d rows, want the two transfers' completions", n)
	}
	for i := range in.rows() {
		if e := in.row(i); !strings.HasPrefix(rowSummary(e), "226") {
			t.Errorf("row %d = %q, want a 226 reply", i, rowSummary(e))
		}
	}
}
