package ui

// natsStartConns is how many connections the NATS pane opens with.
const natsStartConns = 2

// natsHelp says how to speak NATS by hand: its protocol is lines of text.
const natsHelp = "By hand: nc 127.0.0.1 4222, then type CONNECT {} ⏎, SUB lab.> 1 ⏎, PUB lab.x 5 ⏎ and hello ⏎ — " +
	"the server answers +OK, MSG lab.x 1 5 and hello; answer its PING with PONG."

// natsPane is the NATS client pane: several connections side by side, each
// publishing, subscribing (with * and >, alone or in a queue group), asking
// requests and answering them, with what it received.
type natsPane struct {
	columnsPane[*natsConn]
}

func newNATSPane(ctx PaneContext) *natsPane {
	p := &natsPane{}
	p.init(ctx, "Add connection", "Server", nil, hintText(natsHelp), natsStartConns, func(n int) *natsConn { return newNATSConn(p, n) })
	return p
}
