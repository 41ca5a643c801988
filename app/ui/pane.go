package ui

import (
	"fyne.io/fyne/v2"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/dns"
)

// ClientPane is the client side of a protocol's workbench: the composer a person
// drives (connect, send, login, get, ...) and what came back.
type ClientPane interface {
	// Object is the pane's content.
	Object() fyne.CanvasObject
	// Update brings the pane up to date; it is called on the UI goroutine at the
	// window's refresh rate, after PaneContext.Changed or a change of the bench.
	Update()
	// Close ends the pane's connections; the window is closing.
	Close()
}

// PaneContext is what a client pane is built with.
type PaneContext struct {
	Bench    *lab.Bench
	Protocol *lab.Protocol
	// Tap captures the pane's connections into the bench's hub.
	Tap    *lab.Tap
	Window fyne.Window
	// Changed asks for an Update at the next refresh; safe from any goroutine
	// (a client's read loop), and cheap to call often.
	Changed func()
	// Select shows a conversation in the inspector. UI goroutine only.
	Select func(lab.ConvID)
	// Go runs slow work (a dial) off the UI goroutine; it reports back with fyne.Do.
	Go func(func())
}

// ServerAddr is the address a client should dial for the pane's protocol: the
// running server's address, or the configured listen address and port.
func (c PaneContext) ServerAddr() string {
	if addr := c.Bench.Addr(c.Protocol.Name); addr != "" {
		return addr
	}
	return hostPort(dialHost(c.Bench.Listen()), c.Bench.Port(c.Protocol.Name))
}

// Dialer returns how the pane's client connects: through the pane's tap, with
// lab names (www.lab.test) resolved by the lab's DNS server when it runs, the
// lookup captured and linked to the connection that follows it.
func (c PaneContext) Dialer() *labdial.Dialer {
	d := &labdial.Dialer{Tap: c.Tap}
	if resolver := c.Bench.Registry().Lookup(dns.ProtocolName); resolver != nil {
		if addr := c.Bench.Addr(resolver.Name); addr != "" {
			d.Resolver = addr
			d.DNSTap = c.Bench.Hub().Tap(resolver)
		}
	}
	return d
}
