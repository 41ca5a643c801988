package benchtable

import (
	"strings"
	"testing"
)

const output = `goos: linux
pkg: github.com/protocollab/protolab/servers/httpserver
BenchmarkRequests/conns=1/untapped-2     300   291214 ns/op   70.0 cpu-µs/req   4000 req/s   6464 B/op   70 allocs/op
BenchmarkRequests/conns=1/untapped-2     300   291214 ns/op   74.0 cpu-µs/req   3000 req/s   6464 B/op   70 allocs/op
BenchmarkRequests/conns=1/tapped-2       300   778016 ns/op   80.0 cpu-µs/req   3150 req/s  16813 B/op  131 allocs/op
BenchmarkRequests/conns=1/tapped-2       300   778016 ns/op  200.0 cpu-µs/req    900 req/s  16813 B/op  131 allocs/op
BenchmarkRequests/conns=1/tapped-2       300   778016 ns/op   81.0 cpu-µs/req   3200 req/s  16813 B/op  131 allocs/op
BenchmarkRequests/conns=1/tapped-full-2  300   778016 ns/op   75.6 cpu-µs/req   3325 req/s  16813 B/op  131 allocs/op
BenchmarkRequests/conns=1/nginx-2        300   100000 ns/op   7000 req/s   1000 B/op   10 allocs/op
pkg: github.com/protocollab/protolab/servers/smtpserver
BenchmarkAccept/conns=1/capture=false-2  300  5268267 ns/op   0.01 MB/s   2000 mails/s
BenchmarkAccept/conns=1/capture=true-2   300  9210650 ns/op   0.01 MB/s   1900 mails/s
BenchmarkAccept/conns=1/capture=full-2   300  9210650 ns/op   0.01 MB/s   1950 mails/s
pkg: github.com/protocollab/protolab/clients/ftpclient
BenchmarkRetrLabVsVsftpd/vsftpd-2          5  1000000 ns/op   2000.00 MB/s
BenchmarkRetrLabVsVsftpd/lab-2             5  1000000 ns/op   1800.00 MB/s
BenchmarkRetrLabVsVsftpd/lab-captured-2    5  1000000 ns/op   1600.00 MB/s
BenchmarkTapRead/64KiB-2                 100     1000 ns/op
PASS
`

// TestRead: a load's roles, its rate unit and what the capture costs, in
// rate and in CPU a unit, from the median of its runs (HTTP's captured run
// the machine slowed to 900 req/s and 200 µs a request does not move it), and
// the table of them.
func TestRead(t *testing.T) {
	loads, err := Read(strings.NewReader(output))
	if err != nil {
		t.Fatal(err)
	}
	if len(loads) != 3 {
		t.Fatalf("%d loads, want 3: %+v", len(loads), loads)
	}
	h := loads[0]
	if h.Name != "httpserver Requests/conns=1" || h.Unit != "req/s" || h.Uncaptured != 3500 || h.Captured != 3150 || h.Outside != 7000 || h.Outsider != "nginx" {
		t.Errorf("HTTP load %+v", h)
	}
	if c, ok := h.Cost(); !ok || c < 0.0999 || c > 0.1001 {
		t.Errorf("HTTP capture cost %v, %v; want 10%%", c, ok)
	}
	if r := h.RoundCosts; len(r) != 2 || r[0] < 0.2124 || r[0] > 0.2126 || r[1] < 0.6999 || r[1] > 0.7001 {
		t.Errorf("HTTP costs round by round %v, want [21.25%% 70%%] (4000 → 3150, 3000 → 900)", r)
	}
	if c, ok := h.FullCost(); h.Full != 3325 || !ok || c < 0.0499 || c > 0.0501 {
		t.Errorf("HTTP at the bound: %v req/s, cost %v, %v; want 3325, 5%%", h.Full, c, ok)
	}
	if extra, share, ok := h.CPUCost(); h.CPUUnit != "cpu-µs/req" || !ok || extra != 9 || share < 0.1249 || share > 0.1251 {
		t.Errorf("HTTP capture's CPU %v %s (%v), %v; want +9 cpu-µs/req (12.5%%: 72 → 81)", extra, h.CPUUnit, share, ok)
	}
	if extra, share, ok := h.CPUFullCost(); !ok || extra < 3.59 || extra > 3.61 || share < 0.0499 || share > 0.0501 {
		t.Errorf("HTTP capture's CPU at the bound %v (%v), %v; want +3.6 cpu-µs/req (5%%: 72 → 75.6)", extra, share, ok)
	}
	if _, _, ok := loads[1].CPUCost(); ok {
		t.Error("SMTP has a CPU cost, with no CPU figure")
	}
	if c, ok := loads[1].FullCost(); loads[1].Full != 1950 || !ok || c < 0.0249 || c > 0.0251 {
		t.Errorf("SMTP at the bound (capture=full): %v mails/s, cost %v, %v; want 1950, 2.5%%", loads[1].Full, c, ok)
	}
	if _, ok := loads[2].FullCost(); ok {
		t.Error("FTP has a cost at the bound, with no run at the bound")
	}
	if s := loads[1]; s.Unit != "mails/s" || s.Captured != 1900 || s.Outside != 0 {
		t.Errorf("SMTP load %+v: want mails/s rather than MB/s", s)
	}
	if f := loads[2]; f.Unit != "MB/s" || f.Outside != 2000 || f.Uncaptured != 1800 || f.Captured != 1600 {
		t.Errorf("FTP load %+v", f)
	}
	var b strings.Builder
	if err := Write(&b, loads); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10.0%", "21.3…70.0%", "nginx 7000", "0.45×", "0.80×", "5.0%", "3325", "72.0 → 81.0 cpu-µs/req", "+9.0 (12.5%)", "+3.6 (5.0%)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
}
