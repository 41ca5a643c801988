package lab

// eventLog is the hub's log of events: a queue in chunks of chunkLen events,
// so that it grows without copying what it holds and gives back room a chunk
// at a time as the bound drops the oldest events.
type eventLog struct {
	chunks [][]Event // chunks[0][head:] is the oldest held; every chunk but the last is full
	head   int
	n      int     // events held
	spare  []Event // an emptied chunk, kept to be the next new one
}

// chunkLen is the events of one chunk (about 600 KiB).
const chunkLen = 4096

func (l *eventLog) len() int { return l.n }

// at returns the i-th oldest event held, 0 ≤ i < len.
func (l *eventLog) at(i int) *Event {
	i += l.head
	return &l.chunks[i/chunkLen][i%chunkLen]
}

// push appends e and returns where it is held.
func (l *eventLog) push(e Event) *Event {
	k := len(l.chunks)
	if k == 0 || len(l.chunks[k-1]) == chunkLen {
		c := l.spare
		l.spare = nil
		if c == nil {
			c = make([]Event, 0, chunkLen)
		}
		l.chunks = append(l.chunks, c)
		k++
	}
	last := &l.chunks[k-1]
	*last = append(*last, e)
	l.n++
	return &(*last)[len(*last)-1]
}

// popFront forgets the oldest event held (len > 0).
func (l *eventLog) popFront() {
	first := l.chunks[0]
	first[l.head] = Event{}
	l.head++
	l.n--
	if l.head == len(first) && (l.head == chunkLen || l.n == 0) {
		// The chunk is done with: its room is the next chunk's.
		l.spare = first[:0]
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
		l.head = 0
		if len(l.chunks) == 0 {
			l.chunks = nil
		}
	}
}

// appendRange appends copies of the events i ≤ k < j to out.
func (l *eventLog) appendRange(out []Event, i, j int) []Event {
	for i < j {
		p := l.head + i
		c := l.chunks[p/chunkLen]
		from := p % chunkLen
		to := min(len(c), from+(j-i))
		out = append(out, c[from:to]...)
		i += to - from
	}
	return out
}

// reset forgets every event.
func (l *eventLog) reset() {
	for _, c := range l.chunks {
		clear(c)
	}
	*l = eventLog{}
}
