package framing

import "slices"

// Queue holds the commands a client sent whose replies have not come, oldest
// first, so that each reply is matched to the command it answers: in order (FTP,
// SMTP, POP3) or by a tag (IMAP). It holds no more than the max given to Push. The
// zero Queue is empty.
type Queue[T any] struct {
	items []T
}

// Push adds c as the newest command, first dropping the oldest ones if the
// queue holds max already: a client that never reads its replies costs no more.
func (q *Queue[T]) Push(c T, max int) {
	if n := len(q.items) - max + 1; n > 0 {
		q.items = slices.Delete(q.items, 0, min(n, len(q.items)))
	}
	q.items = append(q.items, c)
}

// Answer returns the oldest command, the one a reply in order answers, and
// removes it if the reply is final; a preliminary reply (FTP's 1xx, SMTP's 334
// challenge) leaves it waiting for the next. ok is false when no command waits.
func (q *Queue[T]) Answer(final bool) (c T, ok bool) {
	if len(q.items) == 0 {
		return c, false
	}
	c = q.items[0]
	if final {
		q.drop(0)
	}
	return c, true
}

// Match removes and returns the oldest command for which match is true: the
// one a tagged reply answers.
func (q *Queue[T]) Match(match func(T) bool) (c T, ok bool) {
	for i, it := range q.items {
		if match(it) {
			q.drop(i)
			return it, true
		}
	}
	return c, false
}

// Newest returns the command sent last; ok is false when none waits.
func (q *Queue[T]) Newest() (c T, ok bool) {
	if len(q.items) == 0 {
		return c, false
	}
	return q.items[len(q.items)-1], true
}

// Len is how many commands wait.
func (q *Queue[T]) Len() int { return len(q.items) }

// Clear forgets every command (a session that starts over, as after STARTTLS).
func (q *Queue[T]) Clear() {
	clear(q.items)
	q.items = nil
}

// drop removes the i-th command.
func (q *Queue[T]) drop(i int) {
	q.items = slices.Delete(q.items, i, i+1)
}
