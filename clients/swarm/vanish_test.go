package swarm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// vanishSize is the file of TestSwarmMemberVanishes, made the same in both
// processes from one seed.
const vanishSize = 4 << 20

func vanishData() []byte {
	r := rand.NewChaCha8([32]byte{'s', 'w', 'a', 'r', 'm'})
	b := make([]byte, vanishSize)
	r.Read(b)
	return b
}

// TestSwarmMemberVanishes: a member in another process is killed (SIGKILL:
// no goodbye, its connections just fall silent) once it has a quarter of the
// file; the others notice after their FailTimeout and complete the file from
// the members that remain.
func TestSwarmMemberVanishes(t *testing.T) {
	if testing.Short() {
		t.Skip("a second process and a failure timeout take seconds (TestSwarmLosesMember is the short case)")
	}
	data := vanishData()
	meta := NewMeta("file.bin", data, 64<<10)
	url := signal(t)
	ctx := timeout(t, 5*time.Minute)
	opts := Options{Signal: url, Meta: meta, FailTimeout: 3 * time.Second, MaxRequests: 2}
	ms := start(t, ctx, 2, data, opts) // the seed and one leecher

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSwarmHelperMember$")
	cmd.Env = append(os.Environ(), "SWARM_HELPER_SIGNAL="+url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "joined" {
	}
	o := opts
	o.Name = "peer-4" // Start's names, after the helper's peer-3
	last, err := Join(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { last.Close() })
	ms = append(ms, last)
	for lines.Scan() && lines.Text() != "quarter" {
	}
	if lines.Text() != "quarter" {
		t.Fatalf("the helper member ended before a quarter of the file: %s", stderr.String())
	}
	cmd.Process.Kill() // vanishes mid-transfer
	for _, m := range ms[1:] {
		st := m.Stats()
		t.Logf("at the kill, %s had %d of %d pieces", st.Name, st.Have, st.Pieces)
	}
	for _, m := range ms {
		if err := m.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data(), data) {
			t.Errorf("%s's file differs from the seed's", m.Name())
		}
	}
}

// TestSwarmHelperMember is TestSwarmMemberVanishes's member in another
// process: it joins as peer-3, says "joined", and "quarter" once it has a
// quarter of the file, then waits to be killed.
func TestSwarmHelperMember(t *testing.T) {
	url := os.Getenv("SWARM_HELPER_SIGNAL")
	if url == "" {
		t.Skip("run by TestSwarmMemberVanishes")
	}
	meta := NewMeta("file.bin", vanishData(), 64<<10)
	quarter := make(chan struct{})
	var got atomic.Int32
	_, err := Join(context.Background(), Options{Signal: url, Name: "peer-3", Meta: meta, FailTimeout: 3 * time.Second, MaxRequests: 2,
		OnPiece: func(Transfer) {
			if int(got.Add(1)) == meta.Pieces()/4 {
				close(quarter)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("joined")
	<-quarter
	fmt.Println("quarter")
	// It never says goodbye: it is killed, or, its parent gone, it ends
	// after a while without closing anything.
	time.Sleep(2 * time.Minute)
}
