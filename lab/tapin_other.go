//go:build !linux

package lab

import (
	"net"
	"sync"
)

// inbound is Linux's (tapin_linux.go): elsewhere the tap records inbound bytes
// as the application reads them.
type inbound struct{ mu sync.Mutex }

func newInbound(net.Conn, func([]byte)) *inbound { return nil }

func (in *inbound) catchUp()                    {}
func (in *inbound) read(b []byte) (int, error)  { panic("lab: no inbound on this system") }
func (in *inbound) write(b []byte) (int, error) { panic("lab: no inbound on this system") }
