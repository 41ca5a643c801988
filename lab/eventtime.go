package lab

import (
	"reflect"
	"time"
	"unsafe"
)

// The log holds an event's time without a pointer: a time.Time is its wall
// clock and monotonic readings and a pointer to its zone, and that pointer,
// though it points to the same zone for nearly every event, is one the
// collector would look at for every event at every cycle (a fifth of what a
// full log cost it). So the log keeps the two readings as numbers and the zone
// as a number in a small table (zones), and gives back the very same
// time.Time: the same instant, monotonic reading and zone.

// timeParts is time.Time's layout. timeLayout checks, once, with reflect,
// that this Go's time.Time is laid out so; if it is not, every event's time
// is kept whole beside it instead (besideEvent), slower but the same.
type timeParts struct {
	wall uint64
	ext  int64
	loc  *time.Location
}

var timeLayout = func() bool {
	t, p := reflect.TypeFor[time.Time](), reflect.TypeFor[timeParts]()
	if t.Size() != p.Size() || t.NumField() != p.NumField() {
		return false
	}
	for i := range t.NumField() {
		a, b := t.Field(i), p.Field(i)
		if a.Name != b.Name || a.Type != b.Type || a.Offset != b.Offset {
			return false
		}
	}
	return true
}()

// heldTime is a time's two readings (timeParts without its zone).
type heldTime struct {
	wall uint64
	ext  int64
}

// zoneID numbers a zone in a zones table: 0 is a time's nil zone (UTC),
// zoneBeside a time kept whole beside the event.
type zoneID uint8

const zoneBeside = zoneID(1<<8 - 1)

// zones numbers the zones of the times the log holds: the lab's local zone,
// and the few a saved session brought. Should there be more than it has room
// for, each further event keeps its time whole beside it (besideEvent).
type zones struct {
	list []*time.Location // list[id-1]
}

// hold puts t in h, or reports that it cannot (h.zone is then zoneBeside).
func (z *zones) hold(h *heldHead, t time.Time) bool {
	if timeLayout {
		p := (*timeParts)(unsafe.Pointer(&t))
		h.at = heldTime{p.wall, p.ext}
		if h.zone = z.id(p.loc); h.zone != zoneBeside {
			return true
		}
	}
	h.zone = zoneBeside
	return false
}

// id returns loc's number, or zoneBeside when the table is full.
func (z *zones) id(loc *time.Location) zoneID {
	if loc == nil {
		return 0
	}
	for i, l := range z.list {
		if l == loc {
			return zoneID(i + 1)
		}
	}
	if len(z.list) == int(zoneBeside)-1 {
		return zoneBeside
	}
	z.list = append(z.list, loc)
	return zoneID(len(z.list))
}

// time returns the time held in h (whose zone is not zoneBeside).
func (z *zones) time(h *heldHead) time.Time {
	var t time.Time
	p := (*timeParts)(unsafe.Pointer(&t))
	p.wall, p.ext = h.at.wall, h.at.ext
	if h.zone != 0 {
		p.loc = z.list[h.zone-1]
	}
	return t
}
