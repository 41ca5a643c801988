package dnsserver

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
)

// Zone is the records the server answers from, by owner name. It is read-only once
// parsed, so one Zone serves any number of queries at once.
type Zone struct {
	names map[string][]mdns.RR // by lower-case owner name, with the final dot
	apex  map[string]*mdns.SOA // the zones' apexes: the owners of SOA records
}

// ParseZone reads zone-file text (RFC 1035 §5). Names without a final dot are under
// origin ("lab.test." if empty), unless the text sets $ORIGIN. An error names the
// line at fault.
func ParseZone(text, origin string) (*Zone, error) {
	if origin == "" {
		origin = "lab.test."
	}
	z := &Zone{names: make(map[string][]mdns.RR), apex: make(map[string]*mdns.SOA)}
	zp := mdns.NewZoneParser(strings.NewReader(text), mdns.Fqdn(origin), "zone")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		if h.Class != mdns.ClassINET {
			return nil, fmt.Errorf("dnsserver: zone: %s: class %s is not served; use IN", h.Name, mdns.ClassToString[h.Class])
		}
		name := mdns.CanonicalName(h.Name)
		z.names[name] = append(z.names[name], rr)
		if soa, ok := rr.(*mdns.SOA); ok {
			z.apex[name] = soa
		}
	}
	if err := zp.Err(); err != nil {
		return nil, explain(err, text)
	}
	if len(z.names) == 0 {
		return nil, fmt.Errorf("dnsserver: the zone holds no records")
	}
	return z, nil
}

// Records returns the records of name of type t (every type for ANY).
func (z *Zone) Records(name string, t uint16) []mdns.RR {
	var out []mdns.RR
	for _, rr := range z.names[mdns.CanonicalName(name)] {
		if t == mdns.TypeANY || rr.Header().Rrtype == t {
			out = append(out, rr)
		}
	}
	return out
}

// Exists reports whether name is in the zone: it owns records, or it lies in one of
// the zone's apexes and a name below it does (an "empty non-terminal", RFC 8020).
func (z *Zone) Exists(name string) bool {
	name = mdns.CanonicalName(name)
	if _, ok := z.names[name]; ok {
		return true
	}
	if z.Apex(name) == nil {
		return false
	}
	for n := range z.names {
		if mdns.IsSubDomain(name, n) {
			return true
		}
	}
	return false
}

// Apex returns the SOA of the zone that holds name, or nil when the server holds no
// zone above it.
func (z *Zone) Apex(name string) *mdns.SOA {
	name = mdns.CanonicalName(name)
	var best *mdns.SOA
	for n, soa := range z.apex {
		if mdns.IsSubDomain(n, name) && (best == nil || mdns.CountLabel(n) > mdns.CountLabel(best.Hdr.Name)) {
			best = soa
		}
	}
	return best
}

// ZoneError is a mistake in zone text, on one line.
type ZoneError struct {
	Line int    // 1-based; 0 if unknown
	Text string // the line as written
	Err  error  // the parser's error
	why  string
}

func (e *ZoneError) Error() string {
	if e.Line == 0 {
		return "dnsserver: the zone has a mistake: " + e.why
	}
	return fmt.Sprintf("dnsserver: zone line %d %q: %s", e.Line, e.Text, e.why)
}

// Unwrap returns the parser's error.
func (e *ZoneError) Unwrap() error { return e.Err }

var parseErrText = regexp.MustCompile(`^(?:zone: )?dns: (.*) at line: (\d+):\d+$`)

// explain turns a zone parser error into a *ZoneError naming the line.
func explain(err error, text string) error {
	ze := &ZoneError{Err: err, why: err.Error()}
	if m := parseErrText.FindStringSubmatch(err.Error()); m != nil {
		ze.why = m[1]
		ze.Line, _ = strconv.Atoi(m[2])
		if lines := strings.Split(text, "\n"); ze.Line >= 1 && ze.Line <= len(lines) {
			ze.Text = strings.TrimSpace(lines[ze.Line-1])
		}
	}
	return ze
}
