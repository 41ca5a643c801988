package lab

import "testing"

func TestStarted(t *testing.T) {
	var s Started
	select {
	case <-s.C():
		t.Fatal("C closed before Fire")
	default:
	}
	calls := 0
	s.Fire(func() { calls++ })
	s.Fire(func() { calls++ })
	select {
	case <-s.C():
	default:
		t.Fatal("C still open after Fire")
	}
	if calls != 1 {
		t.Errorf("notify called %d times, want 1", calls)
	}
}
