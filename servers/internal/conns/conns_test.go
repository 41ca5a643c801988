package conns

import (
	"context"
	"errors"
	"net"
	"testing"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestAcceptClosed(t *testing.T) {
	var set Set[net.Conn]
	l := listen(t)
	if !set.Listen(&l) {
		t.Fatal("Listen = false on an open set")
	}
	if got, want := set.Addr(), l.Addr(); got != want {
		t.Errorf("Addr = %v, want %v", got, want)
	}
	done := make(chan error, 1)
	go func() {
		_, err := set.Accept(l, nil)
		done <- err
	}()
	if err := set.Close(nil); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Accept after Close = %v, want ErrClosed", err)
	}
	l2 := listen(t)
	defer l2.Close()
	if set.Listen(&l2) {
		t.Error("Listen = true on a closed set")
	}
}

func TestTrackLimit(t *testing.T) {
	var set Set[int]
	if err := set.Track(1, 2); err != nil {
		t.Fatal(err)
	}
	if err := set.Track(2, 2); err != nil {
		t.Fatal(err)
	}
	if err := set.Track(3, 2); !errors.Is(err, ErrFull) {
		t.Errorf("Track over the limit = %v, want ErrFull", err)
	}
	if got, want := set.Count(), 2; got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	set.Untrack(1)
	set.Untrack(2)
	if err := set.Shutdown(context.Background(), nil); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := set.Track(4, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Track after Shutdown = %v, want ErrClosed", err)
	}
}

func TestShutdownWaits(t *testing.T) {
	var set Set[chan struct{}]
	wake := make(chan struct{})
	if err := set.Track(wake, 0); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() {
		<-wake // the session ends once woken
		close(ended)
		set.Untrack(wake)
	}()
	if err := set.Shutdown(context.Background(), func(c chan struct{}) { close(c) }); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	select {
	case <-ended:
	default:
		t.Error("Shutdown returned before the session ended")
	}
}

func TestShutdownContext(t *testing.T) {
	var set Set[int]
	if err := set.Track(1, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := set.Shutdown(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	set.Untrack(1)
	set.Wait()
}

func TestDone(t *testing.T) {
	for _, stop := range []func(*Set[int]) error{
		func(s *Set[int]) error { return s.Close(nil) },
		func(s *Set[int]) error { return s.Shutdown(context.Background(), nil) },
	} {
		var set Set[int]
		done := set.Done()
		select {
		case <-done:
			t.Fatal("Done is closed on an open set")
		default:
		}
		stop(&set)
		<-done
		stop(&set) // twice is fine
		<-set.Done()
	}
}
