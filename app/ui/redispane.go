package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/redisclient"
)

// redisStartConns is how many connections the Redis pane opens with: one
// subscribes, the other publishes.
const redisStartConns = 2

// redisHelp says how to speak Redis by hand and what the data's fate is.
const redisHelp = "By hand: redis-cli -p PORT --user lab --pass lab (add -3 for RESP3), or nc 127.0.0.1 PORT and type " +
	"AUTH lab lab ⏎ PING ⏎ — inline commands. Tab completes a command's name, ↑ and ↓ walk the history. " +
	"The data lives in memory only: it is gone when the server stops."

// redisPane is the Redis client pane: connections side by side, each a
// console — a command typed as in redis-cli, completed with Tab, its reply
// shown as redis-cli shows it with its RESP type, the history under ↑ — and a
// subscriber to channels and patterns, so one connection's PUBLISH reaches
// the others.
type redisPane struct {
	columnsPane[*redisConn]
}

func newRedisPane(ctx PaneContext) *redisPane {
	p := &redisPane{}
	p.init(ctx, "Add connection", "Server", nil, hintText(redisHelp), redisStartConns, func(n int) *redisConn { return newRedisConn(p, n) })
	return p
}

// redisFirst is what each starting column's console and subscriber hold:
// the first subscribes to a pattern, the second publishes to a channel of it.
var redisFirst = []struct{ command, channel string }{
	{"SET greeting \"hello world\"", "news.*"},
	{"PUBLISH news.tech \"redis 8 is out\"", "news.tech"},
}

// replyLine is how a reply shows in a transcript: its text, then its type.
func replyLine(r redisclient.Reply) []byte {
	return []byte(fmt.Sprintf("%s   · %s", r.Text, r.Type))
}

// messageLine is how a pushed message shows: "news.tech (via news.*) ▸ hello".
func messageLine(m redisclient.Message) []byte {
	var b strings.Builder
	b.WriteString(m.Channel)
	if m.Pattern != "" {
		fmt.Fprintf(&b, " (via %s)", m.Pattern)
	}
	b.WriteString(" ▸ " + m.Payload)
	return []byte(b.String())
}

// commandHint explains the command typed so far, or lists the commands its
// first word may begin.
func commandHint(line string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	if name == "" {
		return "Type a command, such as PING, SET key value, GET key, HGETALL key, MULTI … EXEC, PUBLISH channel message."
	}
	if e := redisclient.Explain(name); e != "" {
		return strings.ToUpper(name) + ": " + e
	}
	var names []string
	for _, n := range redisclient.CommandNames() {
		if strings.HasPrefix(n, strings.ToUpper(name)) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return strings.ToUpper(name) + ": a command the lab does not describe; the server says whether it knows it."
	}
	if len(names) > 12 {
		names = append(names[:12], "…")
	}
	return "Tab completes: " + strings.Join(names, " ")
}

// newHint is a label for commandHint's text, on one line (its end cut off
// when the column is narrow), so the transcript keeps the room.
func newHint() *widget.Label {
	l := widget.NewLabel(commandHint(""))
	l.Truncation = fyne.TextTruncateEllipsis
	l.Importance = widget.LowImportance
	return l
}
