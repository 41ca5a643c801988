package inspector

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

var orderTests = []struct {
	name  string
	proto string
	want  []string // "id:depth"
}{
	{"all", "", []string{"1:0", "2:0", "4:1", "5:2", "3:0", "6:0"}},
	{"ftp only", "ftp", []string{"2:0", "5:0"}},
	{"dns only", "dns", []string{"1:0", "4:0"}},
}

func TestOrderConvs(t *testing.T) {
	list := []lab.ConvInfo{
		{ID: 1, Protocol: "dns"},
		{ID: 2, Protocol: "ftp"},
		{ID: 3, Protocol: "smtp"},
		{ID: 4, Protocol: "dns", Link: lab.Link{Kind: lab.LinkData, Parent: 2}},
		{ID: 5, Protocol: "ftp", Link: lab.Link{Kind: lab.LinkData, Parent: 4, Label: "RETR a.txt"}},
		{ID: 6, Protocol: "http", Link: lab.Link{Kind: lab.LinkData, Parent: 99}},
	}
	for _, tt := range orderTests {
		rows := orderConvs(list, tt.proto)
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%d:%d", r.info.ID, r.depth))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: order = %v, want %v", tt.name, got, tt.want)
		}
	}
	cycle := []lab.ConvInfo{{ID: 1, Link: lab.Link{Kind: lab.LinkData, Parent: 2}}, {ID: 2, Link: lab.Link{Kind: lab.LinkData, Parent: 1}}}
	if rows := orderConvs(cycle, ""); len(rows) != 2 {
		t.Errorf("a cycle of parents lists %d conversations, want 2", len(rows))
	}
}

var stateTests = []struct {
	info lab.ConvInfo
	want string
}{
	{lab.ConvInfo{Live: true, State: "data"}, "live · data"},
	{lab.ConvInfo{ClosedBy: lab.SideClient, CloseHow: lab.HowFIN}, "closed by client (FIN)"},
	{lab.ConvInfo{ClosedBy: lab.SideServer, CloseHow: lab.HowRST, State: "quit"}, "reset by server · quit"},
	{lab.ConvInfo{CloseHow: lab.HowIdle, Datagram: true}, "idle"},
}

func TestConvState(t *testing.T) {
	for _, tt := range stateTests {
		if got := convState(tt.info); got != tt.want {
			t.Errorf("convState(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
}

var shortStateTests = []struct {
	info lab.ConvInfo
	want string
}{
	{lab.ConvInfo{Live: true, State: "ESTABLISHED"}, "ESTABLISHED"},
	{lab.ConvInfo{Live: true, Datagram: true}, "live"},
	{lab.ConvInfo{ClosedBy: lab.SideClient, CloseHow: lab.HowFIN, State: "TIME-WAIT"}, "FIN · client first"},
	{lab.ConvInfo{ClosedBy: lab.SideServer, CloseHow: lab.HowRST, State: "quit"}, "RST · by server"},
	{lab.ConvInfo{CloseHow: lab.HowIdle, Datagram: true}, "idle"},
	{lab.ConvInfo{}, "ended"},
}

func TestConvStateShort(t *testing.T) {
	for _, tt := range shortStateTests {
		if got := convStateShort(tt.info); got != tt.want {
			t.Errorf("convStateShort(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 conversations", 1: "1 conversation", 2: "2 conversations"} {
		if got := plural(n, "conversation"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}

var offsetTests = []struct {
	d    time.Duration
	want string
}{
	{110 * time.Microsecond, "+0.110 ms"},
	{41250 * time.Microsecond, "+41.250 ms"},
	{2301 * time.Millisecond, "+2.301 s"},
	{245100 * time.Millisecond, "+4m05.1s"},
}

func TestFormats(t *testing.T) {
	for _, tt := range offsetTests {
		if got := fmtOffset(tt.d); got != tt.want {
			t.Errorf("fmtOffset(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := fmtBytes(1234); got != "1.2k" {
		t.Errorf("fmtBytes(1234) = %q", got)
	}
	if got := shortAddr("127.0.0.1:7000"); got != ":7000" {
		t.Errorf("shortAddr = %q", got)
	}
	if got := shortAddr("192.0.2.1:25"); got != "192.0.2.1:25" {
		t.Errorf("shortAddr = %q", got)
	}
	if got := printable([]byte("A\r\nB\x00\xff")); got != "A\nB··" {
		t.Errorf("printable = %q", got)
	}
}
