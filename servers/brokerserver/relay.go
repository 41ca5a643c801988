package brokerserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// dialTimeout bounds the dial of the broker's own loopback listener.
const dialTimeout = 5 * time.Second

// ErrBrokerClosed is returned by ServeNATS and ServeMQTT once Close has begun.
var ErrBrokerClosed = errors.New("brokerserver: broker closed")

// ServeNATS serves one NATS client on c, whose bytes are the client's from its
// first: the broker's INFO is the first thing c is written. It returns when the
// conversation ends, c closed.
func (b *Broker) ServeNATS(c net.Conn) error { return b.relay(c, b.natsAddr) }

// ServeMQTT serves one MQTT 3.1.1 client on c, as ServeNATS does a NATS one.
// For MQTT over TLS, c is the TLS connection (tls.Server over the tapped one).
func (b *Broker) ServeMQTT(c net.Conn) error { return b.relay(c, b.mqttAddr) }

// relay carries c's bytes to the broker's listener at addr and back, as they
// come, until either end closes: the client's FIN becomes a FIN to the broker
// (which answers what it read, then closes), the broker's close closes c.
func (b *Broker) relay(c net.Conn, addr string) error {
	defer c.Close()
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrBrokerClosed
	}
	b.relays.Add(1)
	b.mu.Unlock()
	defer b.relays.Done()
	back, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return fmt.Errorf("brokerserver: the broker's listener: %w", err)
	}
	defer back.Close()
	tc := back.(*net.TCPConn) // a "tcp" dial's connection; Go sets TCP_NODELAY on it

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the broker's bytes to the client
		defer wg.Done()
		copyBuffered(c, back)
		c.Close() // the broker closed (or c failed): the client sees the close now
	}()
	_, err = copyBuffered(back, c)
	if err == nil {
		// The client's FIN: the broker reads its end, answers and closes.
		tc.CloseWrite()
	} else {
		back.Close()
	}
	wg.Wait()
	return nil
}

var relayBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// copyBuffered is io.Copy with a pooled buffer.
func copyBuffered(dst io.Writer, src io.Reader) (int64, error) {
	buf := relayBuffers.Get().(*[]byte)
	defer relayBuffers.Put(buf)
	return io.CopyBuffer(onlyWriter{dst}, onlyReader{src}, *buf)
}

// onlyWriter and onlyReader hide ReadFrom and WriteTo, so io.CopyBuffer reads
// into the buffer and writes what it read as it comes.
type (
	onlyWriter struct{ io.Writer }
	onlyReader struct{ io.Reader }
)
