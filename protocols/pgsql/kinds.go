package pgsql

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/protocollab/protolab/lab"
)

// Where the protocol is specified: the chapter "Frontend/Backend Protocol" of
// PostgreSQL's documentation, by section title (the chapter's number changes
// between releases).
const (
	refFormats = "PostgreSQL protocol, Message Formats"
	refFlow    = "PostgreSQL protocol, Message Flow"
)

// doc is what the documentation says of one message type.
type doc struct {
	name    string // the documentation's name: "Query"
	meaning string // what it does, in plain words
	flow    string // the Message Flow section that tells how it is used
}

// kind is what the lab knows of one message type.
type kind struct {
	doc
	// Made once, as every message shows them.
	where string // ref's value
	shown string // the type field's value: "'Q' Query"
}

// frontend and backend are the messages of each side, by type byte.
var frontend, backend [256]kind

func init() {
	for i, table := range []*[256]kind{&frontend, &backend} {
		docs := []*[256]doc{&frontendDocs, &backendDocs}[i]
		for t := range table {
			k := &table[t]
			k.doc = docs[t]
			if k.name == "" {
				continue
			}
			k.where = refFormats + ": " + k.name
			if k.flow != "" {
				k.where += "; " + refFlow + ": " + k.flow
			}
			k.shown = typeChar(byte(t)) + " " + k.name
		}
	}
}

// label names a message of type t: "Query", or "message type 'x'" for a type
// the protocol does not have.
func (k *kind) label(t byte) string {
	if k.name != "" {
		return k.name
	}
	return "message type " + typeChar(t)
}

// ref is where k is specified.
func (k *kind) ref() string {
	if k.name == "" {
		return refFormats
	}
	return k.where
}

// typeChar shows a type byte: 'Q', or 0x01 for one that is not printable.
func typeChar(t byte) string {
	if t > ' ' && t < 0x7f {
		return "'" + string(rune(t)) + "'"
	}
	return fmt.Sprintf("0x%02x", t)
}

// kindOf is what type t means in direction dir.
func kindOf(dir lab.Dir, t byte) *kind {
	if dir == lab.ClientToServer {
		return &frontend[t]
	}
	return &backend[t]
}

// typeFields adds the type byte and length of a typed message (raw holds at
// least 5 bytes) to m.
func typeFields(m *lab.Message, k *kind, t byte) {
	v := k.shown
	if k.name == "" {
		v = typeChar(t)
	}
	m.Fields = append(m.Fields,
		lab.Field{Name: "type", Value: v, Off: 0, Len: 1},
		lab.Field{Name: "length", Value: strconv.Itoa(int(int32(binary.BigEndian.Uint32(m.Raw[1:5])))), Off: 1, Len: 4})
}

// frontendDocs are the messages a client sends after its StartupMessage, by type byte.
var frontendDocs = [256]doc{
	'Q': {"Query", "A simple query: one string of SQL, perhaps several statements separated by semicolons. " +
		"The server runs them in turn and answers each with its rows and a CommandComplete, then ReadyForQuery.", "Simple Query"},
	'P': {"Parse", "The first step of the extended protocol: the server parses the SQL (with $1, $2 … for the parameters) " +
		"into a prepared statement, named or unnamed (\"\"), to run later as many times as wanted.", "Extended Query"},
	'B': {"Bind", "Binds a prepared statement's parameters to values, making a portal (a statement ready to run), and says " +
		"in which format (text or binary) each result column is to come back.", "Extended Query"},
	'D': {"Describe", "Asks what a prepared statement ('S') or a portal ('P') takes and returns: the answer is " +
		"ParameterDescription (for a statement) and RowDescription, or NoData when it returns no rows.", "Extended Query"},
	'E': {"Execute", "Runs a portal, returning at most the given number of rows (0: all of them).", "Extended Query"},
	'S': {"Sync", "Ends a batch of extended-protocol messages: the server commits the implicit transaction (or, after an " +
		"error, stops skipping messages) and answers with ReadyForQuery.", "Extended Query"},
	'H': {"Flush", "Asks the server to send what it has prepared now, without waiting for a Sync.", "Extended Query"},
	'C': {"Close", "Closes a prepared statement ('S') or a portal ('P'), freeing what the server holds for it.", "Extended Query"},
	'X': {"Terminate", "The client says goodbye: the server ends the session and closes the connection.", "Termination"},
	'd': {"CopyData", "One chunk of COPY data from the client; in text format usually one row, columns separated by tabs.", "COPY Operations"},
	'c': {"CopyDone", "The client has sent all its COPY data.", "COPY Operations"},
	'f': {"CopyFail", "The client gives up the COPY, with the reason: the server fails the COPY command with an error.", "COPY Operations"},
	'F': {"FunctionCall", "Calls a server function by its OID (the old fast-path interface).", "Function Call"},
	'p': {"PasswordMessage", "The client's answer in the authentication exchange: a password, a SASL message or GSSAPI data.", "Start-up"},
}

// backendDocs are the messages a server sends, by type byte.
var backendDocs = [256]doc{
	'R': {"Authentication", "A step of the authentication exchange.", "Start-up"},
	'K': {"BackendKeyData", "The process id and secret key of this session: to cancel a query later, the client opens a second " +
		"connection and sends them in a CancelRequest.", "Start-up"},
	'S': {"ParameterStatus", "The server tells the client one of its settings (server_version, client_encoding, DateStyle, TimeZone …), " +
		"at start-up and whenever one changes.", "Start-up"},
	'Z': {"ReadyForQuery", "The server is ready for the next query; the letter is the transaction status.", "Simple Query"},
	'T': {"RowDescription", "The columns of the rows to come: each with its name, the table and column it comes from, its type " +
		"(an OID: 23 is int4, 25 text …) and the format of its values, text (0) or binary (1).", "Simple Query"},
	'D': {"DataRow", "One row of the result: for each column its length and value (a length of -1 is NULL).", "Simple Query"},
	'C': {"CommandComplete", "A statement finished; the tag says which and how many rows it touched (SELECT 3, INSERT 0 1, UPDATE 2).", "Simple Query"},
	'I': {"EmptyQueryResponse", "The query string was empty: there was nothing to run.", "Simple Query"},
	'E': {"ErrorResponse", "The statement failed. Fields typed by a letter: severity, SQLSTATE code, message, detail, hint, position …", "Simple Query"},
	'N': {"NoticeResponse", "A warning or a notice, which does not stop the query (for example \"table does not exist, skipping\").", "Asynchronous Operations"},
	'1': {"ParseComplete", "The Parse succeeded: the prepared statement exists.", "Extended Query"},
	'2': {"BindComplete", "The Bind succeeded: the portal exists.", "Extended Query"},
	'3': {"CloseComplete", "The Close succeeded.", "Extended Query"},
	'n': {"NoData", "The statement or portal described returns no rows (an INSERT without RETURNING).", "Extended Query"},
	't': {"ParameterDescription", "The types of a prepared statement's parameters, by OID.", "Extended Query"},
	's': {"PortalSuspended", "Execute's row limit was reached before the portal's end: another Execute fetches the next rows.", "Extended Query"},
	'G': {"CopyInResponse", "The server is ready to receive COPY data (COPY … FROM STDIN): the client now sends CopyData, then CopyDone.", "COPY Operations"},
	'H': {"CopyOutResponse", "The server is about to send COPY data (COPY … TO STDOUT): CopyData messages, then CopyDone.", "COPY Operations"},
	'W': {"CopyBothResponse", "Both ends now send CopyData (streaming replication).", "COPY Operations"},
	'd': {"CopyData", "One chunk of COPY data from the server; in text format usually one row, columns separated by tabs.", "COPY Operations"},
	'c': {"CopyDone", "The server has sent all its COPY data.", "COPY Operations"},
	'A': {"NotificationResponse", "A NOTIFY on a channel this session LISTENs to, with its payload.", "Asynchronous Operations"},
	'V': {"FunctionCallResponse", "The result of a FunctionCall.", "Function Call"},
	'v': {"NegotiateProtocolVersion", "The server does not support the minor protocol version or options the client asked for: " +
		"it names the newest minor version it supports and the options it did not recognise.", "Protocol Versions"},
}
