package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile"
)

// listFlag collects a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var only, ports listFlag
	fs.Var(&only, "only", "servers to start, comma-separated")
	fs.Var(&ports, "port", "NAME=PORT, repeatable")
	listen := fs.String("listen", "", "address to listen on (default 127.0.0.1)")
	config := fs.String("config", "", "a lab.json configuration")
	asJSON := fs.Bool("json", false, "print JSON lines")
	record := fs.String("record", "", "save the lab session to FILE on exit")
	capture := fs.Bool("capture", true, "capture and show the servers' traffic (false: only serve)")
	var recordLimit sizeFlag
	fs.Var(&recordLimit, "record-limit", "the most a recording keeps, e.g. 500M or 2G; the newest events are kept")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if recordLimit.set && *record == "" {
		fmt.Fprintln(stderr, "protolab serve: --record-limit needs --record FILE")
		return 2
	}
	if !*capture && *record != "" {
		fmt.Fprintln(stderr, "protolab serve: --record needs the capture: drop --capture=false")
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "protolab serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	if *record != "" {
		if st, err := os.Stat(filepath.Dir(*record)); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "protolab serve: --record %q: the folder %s does not exist\n", *record, filepath.Dir(*record))
			return 2
		}
	}

	bench := newBench(lab.HubOptions{})
	bench.SetCapture(*capture)
	limitMemory(bench.Hub())
	// The recording spools every event from the first, whatever the hub's
	// memory bound lets it hold.
	var rec *labfile.Recording
	if *record != "" {
		var err error
		if rec, err = labfile.Record(bench.Hub(), *record, recordLimit.n); err != nil {
			fmt.Fprintf(stderr, "protolab serve: --record: %v\n", err)
			return 1
		}
		defer rec.Discard() // after a save, nothing is left to discard
	}
	reg := bench.Registry()
	var names []string
	var neededBy map[string]string // servers started because another needs them
	if *config != "" {
		c, err := lab.LoadConfig(*config)
		if err != nil {
			fmt.Fprintf(stderr, "protolab serve: %v\n", err)
			return 2
		}
		if names, err = c.Apply(bench); err != nil {
			fmt.Fprintf(stderr, "protolab serve: %v\n", err)
			return 2
		}
	}
	if len(only) > 0 {
		if n, why := notServer(reg, only); n != "" {
			fmt.Fprintf(stderr, "protolab serve: --only: %s; the lab's servers are %s\n", why, strings.Join(reg.Servers(), ", "))
			return 2
		}
		names, neededBy = reg.WithNeeds(only)
		if n, why := notServer(reg, names); n != "" { // the wiring's mistake, not the person's
			fmt.Fprintf(stderr, "protolab serve: %s, but %s needs it\n", why, neededBy[n])
			return 1
		}
	}
	if len(names) == 0 {
		names = reg.Servers()
	}
	for _, np := range ports {
		name, ps, ok := strings.Cut(np, "=")
		port, err := strconv.Atoi(ps)
		if !ok || err != nil || port < 0 || port > 65535 {
			fmt.Fprintf(stderr, "protolab serve: --port %q: want NAME=PORT with a port from 0 to 65535, e.g. --port tcp=7000\n", np)
			return 2
		}
		if reg.Lookup(name) == nil {
			fmt.Fprintf(stderr, "protolab serve: --port names %q, which is not a protocol of the lab (known: %s)\n", name, strings.Join(reg.Names(), ", "))
			return 2
		}
		bench.SetPort(name, port)
	}
	if *listen != "" {
		if net.ParseIP(*listen) == nil && *listen != "localhost" {
			fmt.Fprintf(stderr, "protolab serve: --listen %q is not an IP address\n", *listen)
			return 2
		}
		bench.SetListen(*listen)
	}
	if ip := net.ParseIP(bench.Listen()); ip != nil && !ip.IsLoopback() {
		fmt.Fprintf(stderr, "protolab serve: warning: listening on %s: the lab's servers are reachable from other computers\n", bench.Listen())
	}
	if !*capture {
		fmt.Fprintln(stderr, "protolab serve: capture is off: the servers serve, and nothing they carry is shown or kept")
	}

	// The log is written as the hub's events come, a batch at a time, and
	// flushed after each: a buffer the size of drain's flush keeps a busy
	// batch to one write, not one for every 4 KiB.
	out := &printer{w: bufio.NewWriterSize(stdout, logBuffer), json: *asJSON, hub: bench.Hub()}
	sub := bench.Hub().Subscribe(false)
	defer sub.Close()

	for _, n := range names {
		if err := bench.Start(n); err != nil {
			out.record(lab.Record{Event: "error", Protocol: n, Error: err.Error()})
			out.flush()
			fmt.Fprintf(stderr, "protolab serve: %v\n", err)
			bench.StopAll()
			return 1
		}
	}
	for _, n := range names {
		st := bench.Status(n)
		if out.json {
			out.record(lab.Record{Event: "listening", Protocol: n, Addr: st.Addr, NeededBy: neededBy[n]})
		} else {
			p := reg.Lookup(n)
			fmt.Fprintf(out.w, "%s listening on %s (%s)", n, st.Addr, p.Title)
			switch by := neededBy[n]; {
			case by != "" && reg.PartOf(n) == by:
				fmt.Fprintf(out.w, " — part of %s", by)
			case by != "":
				fmt.Fprintf(out.w, " — needed by %s", by)
			}
			fmt.Fprintln(out.w)
		}
	}
	out.flush()

	// What ran when recording began: the session reopens with these running.
	served := make(map[string]string, len(names))
	for _, n := range names {
		served[n] = bench.Status(n).Addr
	}
	for {
		select {
		case <-ctx.Done():
			bench.StopAll()
			if *record != "" {
				bench.Hub().Settle() // the analyzers' last messages belong in the session
			}
			out.drain(sub)
			for _, n := range names {
				if out.json {
					out.record(lab.Record{Event: "stopped", Protocol: n})
				} else {
					fmt.Fprintf(out.w, "%s stopped\n", n)
				}
			}
			code := 0
			if *record != "" {
				code = out.saveSession(bench, rec, recordLimit, served, *record, stderr)
			}
			out.flush()
			return code
		case <-sub.Ready():
			out.drain(sub)
			out.flush()
		}
	}
}

// newBench makes the bench serve drives: the lab's own (tests give theirs).
var newBench = wire.NewBench

// limitMemory keeps serve's memory near its hub's bound (lab.LimitMemory); a
// test process, which runs serve many times among other tests, keeps its own.
var limitMemory = lab.LimitMemory

// notServer returns the first of names that is not a server of reg, and why,
// for a person; "" when all are.
func notServer(reg *lab.Registry, names []string) (name, why string) {
	for _, n := range names {
		switch p := reg.Lookup(n); {
		case p == nil:
			return n, fmt.Sprintf("%q is not a protocol of the lab", n)
		case p.NewServer == nil:
			return n, fmt.Sprintf("%q (%s) has no server of its own", n, p.Title)
		}
	}
	return "", ""
}

// saveSession writes bench's session to file (serve --record) and says so:
// "recorded FILE" or {"event":"recorded","file":FILE}. It returns the exit code.
// The servers are stopped by then; served names those that ran, with where
// they listened, and they are saved as running, so the session reopens with them.
func (p *printer) saveSession(bench *lab.Bench, rec *labfile.Recording, limit sizeFlag, served map[string]string, file string, stderr io.Writer) int {
	s := labfile.Capture(bench, nil)
	for n, addr := range served {
		if ss, ok := s.Bench.Servers[n]; ok {
			ss.Running, ss.Addr = true, addr
			s.Bench.Servers[n] = ss
		}
	}
	stats, err := rec.Save(file, s)
	if err != nil {
		if p.json { // the text log has it from stderr below
			p.record(lab.Record{Event: "error", Error: err.Error()})
			p.flush()
		}
		fmt.Fprintf(stderr, "protolab serve: --record: %v\n", err)
		return 1
	}
	if p.json {
		p.encoder().Encode(struct {
			Event string `json:"event"`
			File  string `json:"file"`
		}{"recorded", file})
	} else {
		fmt.Fprintf(p.w, "recorded %d events of %d conversations in %s\n", stats.Events, stats.Conversations, file)
	}
	if stats.Lost > 0 {
		fmt.Fprintf(stderr, "protolab serve: --record: the recording left out its %d oldest events (%s)\n", stats.Lost, lostWhy(limit))
	}
	return 0
}

// printer writes events as text or JSON lines.
type printer struct {
	w    *bufio.Writer
	json bool
	hub  *lab.Hub
	enc  *json.Encoder
	line []byte      // the line being written, its room kept for the next
	evs  []lab.Event // the events being written, their room kept for the next
}

// encoder returns the printer's JSON encoder, made on first use.
func (p *printer) encoder() *json.Encoder {
	if p.enc == nil {
		p.enc = json.NewEncoder(p.w)
		p.enc.SetEscapeHTML(false)
	}
	return p.enc
}

func (p *printer) record(r lab.Record) {
	if p.json {
		var err error
		if p.line, err = r.AppendJSON(p.line[:0]); err == nil {
			p.w.Write(p.line)
		}
		return
	}
	if r.Error != "" {
		fmt.Fprintf(p.w, "%s: %s\n", r.Protocol, r.Error)
	}
}

// drain prints every event waiting for sub.
func (p *printer) drain(sub *lab.Subscription) {
	for {
		evs, missed := sub.NextAppend(p.evs, 4096)
		if missed > 0 {
			if p.json {
				p.record(lab.Record{Event: "dropped", Missed: missed})
			} else {
				fmt.Fprintf(p.w, "… %d events dropped (capture limit)\n", missed)
			}
		}
		if len(evs) == 0 {
			return
		}
		for i := range evs {
			e := &evs[i]
			switch {
			case p.json:
				p.record(p.hub.Record(*e))
			case !e.Readable():
				// --json has every event; the readable log has the analyzers' view.
			default:
				p.line = append(p.hub.AppendText(p.line[:0], e), '\n')
				p.w.Write(p.line)
			}
		}
		clear(evs)
		p.evs = evs[:0]
		if p.w.Buffered() > logBuffer/2 {
			p.flush()
		}
	}
}

func (p *printer) flush() { p.w.Flush() }

// logBuffer is the size of serve's log buffer.
const logBuffer = 128 << 10
