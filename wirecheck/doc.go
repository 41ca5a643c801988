// Package wirecheck holds the lab's differential test against Wireshark: outside
// clients (curl, dig, Python's standard library, OpenSSH) drive every protocol of
// the lab's servers while tcpdump captures the loopback interface; tshark's
// dissection of that capture is then compared, per connection, with the lab's own
// messages and with tshark's reading of the lab's pcapng export. The package has
// no code of its own: `go test -v -run TestWire ./wirecheck/` runs it (as root,
// with tcpdump, tshark and the clients of scripts/setup test installed).
//
// WIRECHECK_KEEP=folder keeps the capture, the lab's TLS key log and the
// decode-as rules there, for a look with Wireshark; WIRECHECK_DEBUG=1 logs every
// message of the lab's as it shows it.
package wirecheck
