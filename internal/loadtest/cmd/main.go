// Command loadtest is scripts/load's engine: see package loadtest.
//
//	loadtest -bin PROTOLAB -ca CA.pem [-scale 1000] [-dns-rate 10000] [-dns-for 10s] [SCENARIO...]
//	loadtest -bin PROTOLAB -ca CA.pem soak [DURATION]
//	loadtest toggle [N]
package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/protocollab/protolab/internal/loadtest"
)

func main() { os.Exit(run()) }

func run() int {
	bin := flag.String("bin", "", "the protolab binary to serve")
	caFile := flag.String("ca", "", "the lab CA's certificate (protolab ca export)")
	scale := flag.Int("scale", 1000, "clients of the TCP, HTTP, HTTPS and WebSocket scenarios; a fifth of it for FTP, SFTP, SMTP, POP3, IMAP")
	dnsRate := flag.Int("dns-rate", 10000, "DNS queries a second")
	dnsFor := flag.Duration("dns-for", 10*time.Second, "how long the DNS scenario runs")
	timeout := flag.Duration("timeout", 2*time.Minute, "bound on each scenario")
	interval := flag.Duration("interval", time.Minute, "soak: how often serve is sampled")
	flag.Parse()
	args := flag.Args()

	if len(args) > 0 && args[0] == "toggle" {
		n := 1000
		if len(args) > 1 {
			n, _ = strconv.Atoi(args[1])
		}
		if err := loadtest.Toggle(os.Stdout, n, args[min(len(args), 2):]...); err != nil {
			fmt.Println("FAIL", err)
			return 1
		}
		fmt.Println("toggle: pass (flat)")
		return 0
	}

	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 2
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	serve, err := loadtest.StartServe(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 1
	}
	t := loadtest.Target{Addrs: serve.Addrs, CA: pool}

	var results []loadtest.Result
	var failed []string
	if len(args) > 0 && args[0] == "soak" {
		d := 10 * time.Minute
		if len(args) > 1 {
			if d, err = time.ParseDuration(args[1]); err != nil {
				fmt.Fprintln(os.Stderr, "loadtest:", err)
				return 2
			}
		}
		res, err := loadtest.Soak(os.Stdout, serve, t, d, min(*interval, d/5))
		results = append(results, res)
		if err != nil {
			failed = append(failed, err.Error())
		}
	} else {
		for _, sc := range loadtest.Scenarios(*scale) {
			if len(args) > 0 && !slices.Contains(args, sc.Name) {
				continue
			}
			before := loadtest.RSS(serve.PID())
			res := sc.Run(t, *timeout)
			res.RSSBefore, res.RSSAfter = before, loadtest.RSS(serve.PID())
			fmt.Printf("%s: %d ops, %d failures in %s\n", res.Name, res.Ops, res.Failures, res.Elapsed.Round(time.Millisecond))
			results = append(results, res)
		}
		if len(args) == 0 || slices.Contains(args, "dns") {
			before := loadtest.RSS(serve.PID())
			res := loadtest.DNS(t, *dnsRate, *dnsFor)
			res.RSSBefore, res.RSSAfter = before, loadtest.RSS(serve.PID())
			results = append(results, res)
		}
	}
	events, dropped := serve.Events(), serve.Dropped()
	if err := serve.Stop(); err != nil {
		failed = append(failed, "serve: "+err.Error())
	}
	fmt.Println()
	loadtest.PrintTable(os.Stdout, results)
	fmt.Printf("serve printed %d events, said it dropped %d\n", events, dropped)
	for _, r := range results {
		if !r.OK() {
			failed = append(failed, fmt.Sprintf("%s: %d of %d operations failed", r.Name, r.Failures, r.Ops))
		}
	}
	for _, f := range failed {
		fmt.Println("FAIL", f)
	}
	if len(failed) > 0 {
		return 1
	}
	fmt.Println("load: pass")
	return 0
}
