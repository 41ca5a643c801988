package framing

import (
	"strconv"
	"unsafe"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/payload"
)

// Bursts: a broker writes to a busy subscriber, and a client library to the
// broker, what is pending all at once, so one write (and what a tap sees of
// it: one read or write, one Feed) can hold hundreds of
// publications of one subject side by side. Framed one by one they are rows
// nobody reads, and framing, logging and indexing each costs more than the
// broker's own work for it. An analyzer of a broker's protocol (NATS, MQTT)
// makes a run of at least BurstMin like publications in one Feed one
// message, a burst, whose bytes are all of theirs (Joined) and which stands
// for them all (lab.Publication.Burst keeps each one's digest, so each can
// be followed through the broker); its detail lists each, up to
// BurstListed, with its bytes, as Wireshark shows the PDUs of one TCP
// segment under one frame. Fewer stay messages of their own, as a person
// publishing a few by hand sees them.
const (
	// BurstMin is the fewest like publications side by side in one Feed that make a burst.
	BurstMin = 16
	// BurstListed bounds the publications a burst's detail lists one by one.
	BurstListed = 1000
)

// Follows reports whether b's bytes begin where a's end, in one array: two
// frames cut one after the other from the bytes of one Feed.
func Follows(a, b []byte) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(a)))+uintptr(len(a)) == uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// Joined returns the bytes from first's start to last's end, frames of one
// array that follow one another (Follows, from first to last): a burst's
// bytes, without copying them. (A frame's slice may end at its own length,
// so first cannot simply be resliced.)
func Joined(first, last []byte) []byte {
	n := int(uintptr(unsafe.Pointer(unsafe.SliceData(last)))-uintptr(unsafe.Pointer(unsafe.SliceData(first)))) + len(last)
	return unsafe.Slice(unsafe.SliceData(first), n)
}

// BurstList gathers a burst's fields as its detail reads its publications
// one after another: Add each, then Fields.
type BurstList struct {
	Count, Size int // the publications added, and their payloads' bytes
	listed      []lab.Field
	brief       []byte
}

// Add adds the next publication, of verb ("MSG", "PUBLISH"), whose bytes
// are n at off in the burst's and whose payload is data: listed, up to
// BurstListed, as "MSG 7" with its payload in brief, over its bytes.
func (l *BurstList) Add(verb string, off, n int, data []byte) {
	l.Count++
	l.Size += len(data)
	if l.Count <= BurstListed {
		l.brief = payload.AppendBrief(l.brief[:0], data)
		l.listed = append(l.listed, lab.Field{Name: verb + " " + strconv.Itoa(l.Count), Value: string(l.brief), Off: off, Len: n})
	}
}

// Fields returns shared (what the publications share, from the first's
// bytes), how many there are and their payloads' size, then each listed,
// and how many are not.
func (l *BurstList) Fields(shared []lab.Field) []lab.Field {
	f := append(shared,
		lab.Field{Name: "messages", Value: strconv.Itoa(l.Count)},
		lab.Field{Name: "payload size", Value: strconv.Itoa(l.Size) + " bytes in all"})
	f = append(f, l.listed...)
	if l.Count > BurstListed {
		f = append(f, lab.Field{Name: "not listed", Value: strconv.Itoa(l.Count-BurstListed) + " more"})
	}
	return f
}
