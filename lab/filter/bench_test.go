package filter_test

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// benchEvents are a million messages over a thousand conversations, of the
// kinds a busy lab records.
func benchEvents() ([]lab.ConvInfo, []lab.Event) {
	convs := []lab.ConvInfo{smtpConv, httpsConv, ftpConv, dataConv, echoConv}
	kinds := []lab.Event{synEv, greetEv, rsetEv, rejectEv, helloEv, notFoundEv, okEv, finEv, faultEv}
	evs := make([]lab.Event, 1_000_000)
	for i := range evs {
		evs[i] = kinds[i%len(kinds)]
		evs[i].Conv = lab.ConvID(i % 1000)
	}
	return convs, evs
}

var benchFilters = []string{
	"smtp and code >= 400",
	`tls.sni == "www.lab.test" or text contains "rset"`,
	`(http && !(code == 200)) || client contains ":5432" || state == "FIN-WAIT-2"`,
}

// BenchmarkMatchMillion applies a filter to a million messages: one op is the
// whole million (aim: well under a second, no allocation).
func BenchmarkMatchMillion(b *testing.B) {
	convs, evs := benchEvents()
	reg := testRegistry()
	for _, src := range benchFilters {
		f, err := filter.Parse(src, reg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = 0
				s := filter.Subject{}
				for i := range evs {
					s.Conv, s.Event = &convs[i%len(convs)], &evs[i]
					if f.Match(&s) {
						n++
					}
				}
			}
			b.ReportMetric(float64(n), "matched")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	reg := testRegistry()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(benchFilters[2], reg); err != nil {
			b.Fatal(err)
		}
	}
}
