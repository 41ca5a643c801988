package filter

import "sort"

// fieldID names a field a comparison reads.
type fieldID uint8

const (
	fNone fieldID = iota
	// Of the conversation.
	fProto
	fTransport
	fClient
	fServer
	fEndpoint
	fPort
	fClose
	fClosedBy
	fLink
	fID
	fBytes
	fMessages
	// Of a message.
	fDir
	fText
	fCode
	fLayer
	fKind
	fState
	fPath // layer.field
)

// fieldInfo describes a named field.
type fieldInfo struct {
	id      fieldID
	number  bool     // compared as a number
	message bool     // reads the message (so narrows the message list)
	values  []string // the values completion offers
}

// fieldNames are the fields by name, aliases included.
var fieldNames = map[string]fieldInfo{
	"proto":     {id: fProto},
	"protocol":  {id: fProto},
	"transport": {id: fTransport, values: []string{"tcp", "udp"}},
	"client":    {id: fClient},
	"server":    {id: fServer},
	"endpoint":  {id: fEndpoint},
	"addr":      {id: fEndpoint},
	"port":      {id: fPort, number: true},
	"close":     {id: fClose, values: []string{"FIN", "RST", "idle", "closed", "error"}},
	"closedby":  {id: fClosedBy, values: []string{"client", "server"}},
	"link":      {id: fLink, values: []string{"data", "relay", "lookup", "signal", "cancel"}},
	"id":        {id: fID, number: true},
	"bytes":     {id: fBytes, number: true},
	"messages":  {id: fMessages, number: true},
	"dir":       {id: fDir, message: true, values: []string{"c2s", "s2c"}},
	"text":      {id: fText, message: true},
	"summary":   {id: fText, message: true},
	"code":      {id: fCode, message: true, number: true},
	"layer":     {id: fLayer, message: true},
	"kind":      {id: fKind, message: true, values: []string{"message", "handshake", "fault", "error"}},
	"state":     {id: fState, message: true},
}

// canonical is each field's name as String writes it.
var canonical = func() map[fieldID]string {
	m := make(map[fieldID]string)
	names := make([]string, 0, len(fieldNames))
	for n := range fieldNames {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		id := fieldNames[n].id
		if _, ok := m[id]; !ok {
			m[id] = n
		}
	}
	m[fProto], m[fEndpoint], m[fText] = "proto", "endpoint", "text"
	return m
}()

// flags are the bare words that test how a conversation ended or whether it is live.
var flags = map[string]bool{"rst": true, "fin": true, "idle": true, "live": true}

// FieldNames returns the names of the fields a comparison may test, sorted.
func FieldNames() []string {
	out := make([]string, 0, len(fieldNames))
	for n := range fieldNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
