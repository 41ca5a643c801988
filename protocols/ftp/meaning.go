package ftp

import "fmt"

// classMeaning explains a reply's first digit (RFC 959 §4.2.1).
var classMeaning = [6]string{
	1: "1xx, positive preliminary: the action has begun; expect another reply before sending a new command",
	2: "2xx, positive completion: the action is done; a new command may follow",
	3: "3xx, positive intermediate: accepted so far; the server waits for another command (PASS after USER, RNTO after RNFR)",
	4: "4xx, transient negative: not done this time, but the same command may work later",
	5: "5xx, permanent negative: not done, and repeating the same command will not help",
}

// codeMeaning explains the common reply codes by number.
var codeMeaning = map[int]string{
	110: "restart marker reply",
	120: "the service will be ready in a few minutes",
	125: "the data connection is already open; the transfer starts",
	150: "the file status is okay; the server is about to open (or accept) the data connection and transfer",
	200: "the command was okay",
	202: "the command is not implemented, and not needed here",
	211: "system status or the list of features (FEAT)",
	212: "directory status",
	213: "file status: SIZE and MDTM answer with it",
	214: "help text",
	215: "the system type (SYST): \"UNIX Type: L8\" means 8-bit bytes and Unix-style listings",
	220: "the service is ready for a new user: the greeting",
	221: "the service is closing the control connection: goodbye",
	225: "the data connection is open; no transfer is in progress",
	226: "closing the data connection: the transfer (or the abort) completed",
	227: "entering passive mode: the client is to connect to the address given",
	228: "entering long passive mode",
	229: "entering extended passive mode: the client is to connect to the port given at the server's address",
	230: "the user is logged in",
	232: "logged in, authorized by the security data exchange",
	234: "the security mechanism (TLS) is accepted: a TLS handshake follows on this connection",
	250: "the requested file action is okay and completed",
	257: "the path name (in quotes) was created or is the working directory",
	331: "the user name is okay; the server needs the password",
	332: "an account is needed for login",
	350: "the file action waits for more information (RNTO after RNFR, or the next transfer after REST)",
	421: "the service is not available and closes the control connection",
	425: "the data connection could not be opened",
	426: "the data connection was closed; the transfer was aborted",
	430: "invalid user name or password",
	450: "the file action was not taken: the file is unavailable (busy)",
	451: "the action was aborted: a local error in processing",
	452: "the action was not taken: insufficient storage space",
	500: "syntax error: the command is unrecognized (or the line too long)",
	501: "syntax error in the parameters or arguments",
	502: "the command is not implemented",
	503: "bad sequence of commands (PASS without USER, RNTO without RNFR)",
	504: "the command is not implemented for that parameter",
	522: "the network protocol is not supported; the reply lists the ones that are (EPRT)",
	530: "not logged in",
	532: "an account is needed for storing files",
	534: "the request is denied for policy reasons (TLS)",
	550: "the action was not taken: the file is unavailable (not found, no access, or outside the served folder)",
	551: "the action was aborted: the page type is unknown",
	552: "the file action was aborted: exceeded storage allocation",
	553: "the action was not taken: the file name is not allowed",
}

// ReplyMeaning explains a reply code in plain words: the code's own meaning when
// it is a common one, and its class.
func ReplyMeaning(code int) string {
	class := ""
	if c := code / 100; c >= 1 && c <= 5 {
		class = classMeaning[c]
	}
	if m, ok := codeMeaning[code]; ok {
		return fmt.Sprintf("%d: %s. (%s.)", code, m, class)
	}
	return fmt.Sprintf("%d. (%s.)", code, class)
}

// commandInfo is what the analyzer says about a verb.
type commandInfo struct {
	meaning string
	ref     string
}

var commands = map[string]commandInfo{
	"USER": {"names the user who wants to log in", "RFC 959 §4.1.1"},
	"PASS": {"sends the user's password, in clear text on a plain connection: the lab masks it in the summary, but the raw bytes show it exactly as anyone on the network would see it", "RFC 959 §4.1.1"},
	"ACCT": {"sends the user's account", "RFC 959 §4.1.1"},
	"CWD":  {"changes the working directory", "RFC 959 §4.1.1"},
	"CDUP": {"changes to the parent of the working directory", "RFC 959 §4.1.1"},
	"REIN": {"reinitializes the session: logs out, keeping the connection", "RFC 959 §4.1.1"},
	"QUIT": {"ends the session; the server answers 221 and closes the control connection", "RFC 959 §4.1.1"},
	"PORT": {"active mode: the client listens and tells the server which IPv4 address and port to connect to for the next transfer", "RFC 959 §4.1.2"},
	"EPRT": {"extended active mode: like PORT, for IPv4 or IPv6", "RFC 2428 §2"},
	"PASV": {"passive mode: asks the server to listen on a port and say which, so the client can connect for the next transfer", "RFC 959 §4.1.2"},
	"EPSV": {"extended passive mode: like PASV, but the reply names only a port, at the address the client already uses", "RFC 2428 §3"},
	"TYPE": {"sets the representation type: A (ASCII: line endings converted to CRLF on the wire) or I (image: bytes as they are)", "RFC 959 §4.1.2"},
	"STRU": {"sets the file structure (F: a file is a stream of bytes)", "RFC 959 §4.1.2"},
	"MODE": {"sets the transfer mode (S: stream, the end of the file is the end of the data connection)", "RFC 959 §4.1.2"},
	"RETR": {"retrieves (downloads) a file over a data connection", "RFC 959 §4.1.3"},
	"STOR": {"stores (uploads) a file over a data connection, replacing one of the same name", "RFC 959 §4.1.3"},
	"STOU": {"stores a file under a unique name the server chooses", "RFC 959 §4.1.3"},
	"APPE": {"appends to a file (or creates it) over a data connection", "RFC 959 §4.1.3"},
	"REST": {"sets a restart point: the next RETR or STOR starts at this byte offset", "RFC 3659 §5"},
	"RNFR": {"names the file to rename; RNTO must follow", "RFC 959 §4.1.3"},
	"RNTO": {"names the new name of the file given by RNFR", "RFC 959 §4.1.3"},
	"ABOR": {"aborts the transfer in progress; the server closes the data connection", "RFC 959 §4.1.3"},
	"DELE": {"deletes a file", "RFC 959 §4.1.3"},
	"RMD":  {"removes a directory", "RFC 959 §4.1.3"},
	"MKD":  {"makes a directory", "RFC 959 §4.1.3"},
	"PWD":  {"asks for the working directory", "RFC 959 §4.1.3"},
	"LIST": {"lists a directory for people (like ls -l) over a data connection", "RFC 959 §4.1.3"},
	"NLST": {"lists the names in a directory over a data connection, one a line", "RFC 959 §4.1.3"},
	"MLSD": {"lists a directory in a machine-readable form (facts such as type, size, modify) over a data connection", "RFC 3659 §7"},
	"MLST": {"asks for the facts of one file on the control connection", "RFC 3659 §7"},
	"SIZE": {"asks for a file's size in bytes as it would be transferred", "RFC 3659 §4"},
	"MDTM": {"asks for a file's modification time (UTC, YYYYMMDDHHMMSS)", "RFC 3659 §3"},
	"SITE": {"a site-specific command", "RFC 959 §4.1.3"},
	"SYST": {"asks for the server's operating system type", "RFC 959 §4.1.3"},
	"STAT": {"asks for the status of the session or transfer, or lists a path on the control connection", "RFC 959 §4.1.3"},
	"HELP": {"asks for help", "RFC 959 §4.1.3"},
	"NOOP": {"does nothing: the server answers 200 (keeps the connection alive)", "RFC 959 §4.1.3"},
	"FEAT": {"asks which extensions the server supports", "RFC 2389 §3"},
	"OPTS": {"sets an option of a command (OPTS UTF8 ON: path names in UTF-8)", "RFC 2389 §4"},
	"AUTH": {"asks to secure the control connection (AUTH TLS): after 234 a TLS handshake follows", "RFC 4217 §4"},
	"PBSZ": {"sets the protection buffer size (0 for TLS), required before PROT", "RFC 4217 §8"},
	"PROT": {"sets the data channel protection: C clear, P private (TLS on each data connection)", "RFC 4217 §9"},
	"CCC":  {"clears the command channel: back to plain text after TLS", "RFC 4217 §6"},
	"LANG": {"chooses the language of replies", "RFC 2640 §4"},
	"ALLO": {"allocates storage for a file (mostly unused)", "RFC 959 §4.1.3"},
}
