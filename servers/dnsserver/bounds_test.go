package dnsserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestFloodRefused: 16 MiB sent over TCP as garbage, so that its first two
// bytes announce a message of 30,840 bytes (the most is 65,535: RFC 1035
// §4.2.2), is read a message at a time and dropped, never held whole, while
// another client's query over TCP is answered.
func TestFloodRefused(t *testing.T) {
	_, tap := testHub()
	_, addr := testServer(t, tap)
	servertest.Flood{Addr: addr, Drains: true, Other: func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := dnsclient.Query(ctx, addr, "www.lab.test", dns.TypeA, dnsclient.Options{TCP: true})
		return err
	}}.Run(t)
}
