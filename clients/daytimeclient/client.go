// Package daytimeclient asks a Daytime server (RFC 867) for the time: it
// connects, reads the server's line until the server closes, and closes its own
// side. Lab names (daytime.lab.test) are resolved through the lab's DNS when the
// dialer knows it (clients/labdial).
package daytimeclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// MaxAnswerBytes bounds what Get reads: a daytime answer is one short line.
const MaxAnswerBytes = 4096

// Answer is what a daytime server said.
type Answer struct {
	Text string     // the answer without its line end
	Raw  []byte     // the bytes as they came
	Conv lab.ConvID // the conversation in the lab's capture (0 untapped)
	Took time.Duration
}

// Get connects to addr with d (nil: an untapped plain dialer), reads the answer
// until the server closes, and closes. ctx bounds the whole exchange.
func Get(ctx context.Context, d *labdial.Dialer, addr string) (Answer, error) {
	start := time.Now()
	if d == nil {
		d = &labdial.Dialer{}
	}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Answer{}, fmt.Errorf("daytimeclient: %w", err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	raw, err := io.ReadAll(io.LimitReader(c, MaxAnswerBytes+1))
	a := Answer{Raw: raw, Took: time.Since(start), Text: strings.TrimRight(string(raw), "\r\n")}
	if conv := lab.ConnConversation(c); conv != nil {
		a.Conv = conv.ID()
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return a, fmt.Errorf("daytimeclient: no answer from %s in time: %w", addr, ctx.Err())
	case err != nil:
		return a, fmt.Errorf("daytimeclient: reading from %s: %w", addr, err)
	case len(raw) > MaxAnswerBytes:
		return a, fmt.Errorf("daytimeclient: %s sent more than %d bytes: not a daytime server", addr, MaxAnswerBytes)
	case len(raw) == 0:
		return a, errors.New("daytimeclient: the server closed without an answer")
	}
	return a, nil
}
