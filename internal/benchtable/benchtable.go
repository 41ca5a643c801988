// Package benchtable reads `go test -bench` output in which a benchmark runs
// the same load with the lab's capture on and off, and against an outside
// server (nginx, Mailpit, vsftpd, mosquitto, redis-server), and tables what
// the capture costs and how the lab's server compares: scripts/bench prints
// it. A benchmark's last name part says which run it is (the roles below);
// the runs of one load share the rest of the name.
package benchtable

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Roles of a run, by the last part of its benchmark's name.
var (
	uncaptured = []string{"untapped", "uncaptured", "lab-uncaptured", "capture=false", "lab"}
	captured   = []string{"tapped", "captured", "lab-captured", "capture=true"}
	// full: captured with the hub at its bound from the start, as the capture
	// runs once the lab has captured its first MaxBytes.
	full      = []string{"tapped-full", "captured-full", "capture=full"}
	outsiders = []string{"nginx", "mailpit", "vsftpd", "mosquitto", "redis-server"}
)

// Load is one load's runs: the median of each role's figure over its runs, so
// that one run a busy machine slowed does not move the table (a mean would).
type Load struct {
	Name       string // package and benchmark name without the role
	Unit       string // the figure's unit: a rate, higher is better
	Uncaptured float64
	Captured   float64
	Full       float64 // captured with the hub at its bound (0: not run)
	Outside    float64
	Outsider   string // which outside server
	// RoundCosts is what the capture cost in each round: the n-th captured
	// run against the n-th uncaptured one, which ran beside it (scripts/bench
	// runs every role of a load once a round). Their spread says how far the
	// machine's drift moves a cost.
	RoundCosts []float64
	// CPU is the CPU a unit of work took (the median of the runs' figure
	// in CPUUnit, "cpu-µs/req" say: the benchmark's process, or the server's
	// where it runs in a process of its own) without and with the capture:
	// the capture's own work, which the machine's other programs sway less
	// than the rate. Zero where the benchmark does not measure it.
	CPUUnit                             string
	CPUUncaptured, CPUCaptured, CPUFull float64
}

// Cost is what the capture costs: the share of the uncaptured rate lost (less
// than 0 when the captured runs were faster). ok is false when either role's
// runs are missing.
func (l Load) Cost() (cost float64, ok bool) {
	if l.Uncaptured <= 0 || l.Captured <= 0 {
		return 0, false
	}
	return 1 - l.Captured/l.Uncaptured, true
}

// CPUCost is what the capture costs in CPU a unit of work: the difference
// (in CPUUnit) and its share of the uncaptured figure. ok is false when either
// role's figure is missing.
func (l Load) CPUCost() (extra, share float64, ok bool) {
	if l.CPUUncaptured <= 0 || l.CPUCaptured <= 0 {
		return 0, 0, false
	}
	extra = l.CPUCaptured - l.CPUUncaptured
	return extra, extra / l.CPUUncaptured, true
}

// CPUFullCost is CPUCost with the hub at its bound from the start.
func (l Load) CPUFullCost() (extra, share float64, ok bool) {
	if l.CPUUncaptured <= 0 || l.CPUFull <= 0 {
		return 0, 0, false
	}
	extra = l.CPUFull - l.CPUUncaptured
	return extra, extra / l.CPUUncaptured, true
}

// FullCost is Cost with the hub at its bound from the start.
func (l Load) FullCost() (cost float64, ok bool) {
	if l.Uncaptured <= 0 || l.Full <= 0 {
		return 0, false
	}
	return 1 - l.Full/l.Uncaptured, true
}

// Read reads go test -bench output and returns its loads in the order met.
func Read(r io.Reader) ([]Load, error) {
	var order []string
	loads := map[string]*Load{}
	samples := map[string]map[string][]float64{} // load, role → figures
	cpus := map[string]map[string][]float64{}    // load, role → CPU a unit
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:]
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		slash := strings.LastIndex(name, "/")
		if slash < 0 {
			continue
		}
		role := name[slash+1:]
		outsider := ""
		switch {
		case slices.Contains(uncaptured, role):
			role = "uncaptured"
		case slices.Contains(captured, role):
			role = "captured"
		case slices.Contains(full, role):
			role = "full"
		case slices.Contains(outsiders, role):
			outsider, role = role, "outside"
		default:
			continue
		}
		unit, v, ok := rate(f[2:])
		if !ok {
			continue
		}
		key := pkg + " " + strings.TrimPrefix(name[:slash], "Benchmark")
		l := loads[key]
		if l == nil {
			l = &Load{Name: key, Unit: unit}
			loads[key] = l
			samples[key] = map[string][]float64{}
			cpus[key] = map[string][]float64{}
			order = append(order, key)
		}
		if outsider != "" {
			l.Outsider = outsider
		}
		samples[key][role] = append(samples[key][role], v)
		if unit, v, ok := cpu(f[2:]); ok {
			l.CPUUnit = unit
			cpus[key][role] = append(cpus[key][role], v)
		}
	}
	out := make([]Load, 0, len(order))
	for _, key := range order {
		l := *loads[key]
		u, c := samples[key]["uncaptured"], samples[key]["captured"]
		l.Uncaptured, l.Captured, l.Full, l.Outside = median(u), median(c),
			median(samples[key]["full"]), median(samples[key]["outside"])
		l.CPUUncaptured, l.CPUCaptured, l.CPUFull = median(cpus[key]["uncaptured"]), median(cpus[key]["captured"]), median(cpus[key]["full"])
		for i := range min(len(u), len(c)) {
			if u[i] > 0 {
				l.RoundCosts = append(l.RoundCosts, 1-c[i]/u[i])
			}
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

// median is the middle of vs (the mean of the two middle ones for an even
// count; 0 for none).
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

// rate picks a line's figure: a rate of its own (req/s, mails/s, GET-req/s,
// ...) first, then MB/s, then operations per second from ns/op.
func rate(f []string) (string, float64, bool) {
	var mb, ns float64
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", 0, false
		}
		switch u := f[i+1]; {
		case u == "MB/s":
			mb = v
		case u == "ns/op":
			ns = v
		case strings.HasSuffix(u, "/s") && v > 0:
			return u, v, true
		}
	}
	switch {
	case mb > 0:
		return "MB/s", mb, true
	case ns > 0:
		return "ops/s", 1e9 / ns, true
	}
	return "", 0, false
}

// cpu picks a line's CPU a unit of work: a figure whose unit names the CPU's
// microseconds a unit ("cpu-µs/req", "server-cpu-µs/req", "cpu-µs/MiB").
func cpu(f []string) (string, float64, bool) {
	for i := 0; i+1 < len(f); i += 2 {
		if u := f[i+1]; strings.Contains(u, "cpu-µs/") {
			v, err := strconv.ParseFloat(f[i], 64)
			return u, v, err == nil && v > 0
		}
	}
	return "", 0, false
}

// Write prints loads as a table: the rates without and with capture, what the
// capture costs (and the least and most it cost in one round), the CPU a unit
// of work took without and with it, and the outside server's rate with the
// captured lab's share of it.
func Write(w io.Writer, loads []Load) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "load\tunit\tuncaptured\tcaptured\tcapture costs\tround by round\tat the bound\tcosts at the bound\tCPU a unit\tcapture's CPU\tat the bound\toutside server\tcaptured lab / outside\t")
	num := func(v float64) string {
		switch {
		case v <= 0:
			return "-"
		case v < 100:
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	for _, l := range loads {
		cost := "-"
		if c, ok := l.Cost(); ok {
			cost = fmt.Sprintf("%.1f%%", 100*c)
		}
		out, share := "-", "-"
		if l.Outside > 0 {
			out = l.Outsider + " " + num(l.Outside)
			lab := l.Captured
			if lab <= 0 {
				lab = l.Uncaptured
			}
			if lab > 0 {
				share = fmt.Sprintf("%.2f×", lab/l.Outside)
			}
		}
		rounds := "-"
		if len(l.RoundCosts) > 1 {
			rounds = fmt.Sprintf("%.1f…%.1f%%", 100*slices.Min(l.RoundCosts), 100*slices.Max(l.RoundCosts))
		}
		fullCost := "-"
		if c, ok := l.FullCost(); ok {
			fullCost = fmt.Sprintf("%.1f%%", 100*c)
		}
		cpuUnit, cpuCost, cpuFull := "-", "-", "-"
		if extra, of, ok := l.CPUCost(); ok {
			cpuUnit = fmt.Sprintf("%s → %s %s", num(l.CPUUncaptured), num(l.CPUCaptured), l.CPUUnit)
			cpuCost = fmt.Sprintf("%+.1f (%.1f%%)", extra, 100*of)
		}
		if extra, of, ok := l.CPUFullCost(); ok {
			cpuFull = fmt.Sprintf("%+.1f (%.1f%%)", extra, 100*of)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Name, l.Unit, num(l.Uncaptured), num(l.Captured), cost, rounds, num(l.Full), fullCost, cpuUnit, cpuCost, cpuFull, out, share)
	}
	return tw.Flush()
}
