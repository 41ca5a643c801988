package brokerserver

import (
	"testing"
)

// TestRestart: a retained message and a persistent session's queued message
// survive a restart of the broker (JetStream's store); a start with Clear
// forgets both.
func TestRestart(t *testing.T) {
	store := t.TempDir()
	first := newTestLab(t, BrokerOptions{StoreDir: store})
	run(t, "mosquitto_pub", first.mosquittoArgs(t, "-t", "lab/retained", "-q", "1", "-r", "-m", "kept")...)
	run(t, "mosquitto_sub", first.mosquittoArgs(t, "-c", "-i", "keeper", "-q", "1", "-t", "lab/queued", "-E")...)
	first.b.Close()

	second := newTestLab(t, BrokerOptions{StoreDir: store})
	run(t, "mosquitto_pub", second.mosquittoArgs(t, "-t", "lab/queued", "-q", "1", "-m", "while away")...)
	if got, want := run(t, "mosquitto_sub", second.mosquittoArgs(t, "-t", "lab/retained", "-C", "1", "-v")...), "lab/retained kept\n"; got != want {
		t.Errorf("after a restart, the retained message: %q, want %q", got, want)
	}
	if got, want := run(t, "mosquitto_sub", second.mosquittoArgs(t, "-c", "-i", "keeper", "-q", "1", "-t", "lab/queued", "-C", "1", "-v")...),
		"lab/queued while away\n"; got != want {
		t.Errorf("after a restart, the session's queued message: %q, want %q", got, want)
	}
	run(t, "mosquitto_pub", second.mosquittoArgs(t, "-t", "lab/queued", "-q", "1", "-m", "left behind")...)
	second.b.Close()

	third := newTestLab(t, BrokerOptions{StoreDir: store, Clear: true})
	retained := start(t, "mosquitto_sub", third.mosquittoArgs(t, "-t", "lab/retained", "-C", "1", "-v")...)
	session := start(t, "mosquitto_sub", third.mosquittoArgs(t, "-i", "keeper", "-c", "-q", "1", "-t", "lab/queued", "-C", "1", "-v", "-x", "60")...)
	third.subscribed(t, 2)
	run(t, "mosquitto_pub", third.mosquittoArgs(t, "-t", "lab/retained", "-m", "live")...)
	run(t, "mosquitto_pub", third.mosquittoArgs(t, "-t", "lab/queued", "-q", "1", "-m", "live")...)
	if got, want := retained.wait(t), "lab/retained live\n"; got != want {
		t.Errorf("after clearing, the first message: %q, want the live one %q", got, want)
	}
	if got, want := session.wait(t), "lab/queued live\n"; got != want {
		t.Errorf("after clearing, the session's first message: %q, want the live one %q", got, want)
	}
}
