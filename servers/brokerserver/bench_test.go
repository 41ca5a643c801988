package brokerserver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkFanOut measures messages per second from one MQTT publisher to 10
// subscribers of its topic (each message delivered 10 times), at QoS 0 and
// QoS 1, through the lab's broker with its capture and analyzers on as the app
// runs them ("lab-captured"), its capture on without the MQTT analyzer
// ("lab-capture-only": what the taps alone cost) and off ("lab-uncaptured"),
// and through Debian's
// mosquitto, started on a free port, for comparison ("mosquitto"; skipped when
// /usr/sbin/mosquitto is absent). The clients are paho.mqtt.golang's; at most
// fanOutWindow messages are ahead of the slowest subscriber, so a QoS 0
// message is never dropped for a full queue. An op is one message published
// and delivered to every subscriber.
//
//	go test -run '^$' -bench FanOut -benchtime 20000x ./servers/brokerserver/
func BenchmarkFanOut(b *testing.B) {
	for _, qos := range []byte{0, 1} {
		for _, broker := range []string{"lab-captured", "lab-capture-only", "lab-uncaptured", "mosquitto"} {
			b.Run(fmt.Sprintf("qos%d/%s", qos, broker), func(b *testing.B) {
				var addr string
				other := 0 // the broker's process, when it is not this one
				switch broker {
				case "mosquitto":
					addr, other = startMosquitto(b)
				case "lab-captured", "lab-capture-only":
					reg := &lab.Registry{}
					reg.Register(tcp.Protocol())
					p := mqtt.Protocol()
					if broker == "lab-capture-only" {
						p.NewAnalyzer = nil
					}
					reg.Register(p)
					// A hub of the default size: old events are dropped as in the app.
					addr = testListener(b, testBroker(b, BrokerOptions{}), MQTT, nil, lab.NewHub(lab.HubOptions{Registry: reg}).Tap(p))
				default:
					addr = testListener(b, testBroker(b, BrokerOptions{}), MQTT, nil, nil)
				}
				benchFanOut(b, addr, qos, 10, other)
			})
		}
	}
}

// fanOutWindow bounds the messages published ahead of the slowest subscriber.
const fanOutWindow = 500

func benchFanOut(b *testing.B, addr string, qos byte, subscribers int, other int) {
	var mu sync.Mutex
	progress := sync.NewCond(&mu)
	got := make([]int, subscribers)
	last := time.Now() // the last delivery
	slowest := func() int {
		n := got[0]
		for _, g := range got[1:] {
			n = min(n, g)
		}
		return n
	}
	const topic = "lab/bench/t1"
	for i := range subscribers {
		c := pahoClient(b, addr, fmt.Sprint("bench-sub-", i))
		tok := c.Subscribe(topic, qos, func(paho.Client, paho.Message) {
			mu.Lock()
			got[i]++
			last = time.Now()
			mu.Unlock()
			progress.Broadcast()
		})
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			b.Fatalf("subscribe: %v", tok.Error())
		}
	}
	pub := pahoClient(b, addr, "bench-pub")
	payload := []byte("21.5 degrees, from the bench's sensor")

	// wait waits until the slowest subscriber has n, or fails after a quiet while.
	wait := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		for slowest() < n {
			if time.Since(last) > 30*time.Second {
				b.Fatalf("no delivery for 30s: %v of %d", got, n)
			}
			wake := time.AfterFunc(time.Second, progress.Broadcast)
			progress.Wait()
			wake.Stop()
		}
	}
	b.ResetTimer()
	start := time.Now()
	cpu0 := servertest.CPUTime(b, other)
	for i := range b.N {
		if i >= fanOutWindow {
			wait(i - fanOutWindow + 1)
		}
		pub.Publish(topic, qos, false, payload)
	}
	wait(b.N)
	elapsed := time.Since(start)
	cpu := servertest.CPUTime(b, other) - cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	// The CPU time a message takes, clients and broker: on a busy machine a
	// steadier figure than the rate, which the other programs' share sways.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
	b.ReportMetric(float64(b.N*subscribers)/elapsed.Seconds(), "deliveries/s")
}

// pahoClient connects a paho client to addr until the benchmark ends.
func pahoClient(b *testing.B, addr, id string) paho.Client {
	b.Helper()
	opts := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).
		SetCleanSession(true).SetAutoReconnect(false).SetProtocolVersion(4)
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		b.Fatalf("connect %s: %v", addr, tok.Error())
	}
	b.Cleanup(func() { c.Disconnect(100) })
	return c
}

// startMosquitto runs Debian's mosquitto on a free loopback port until the
// benchmark ends and returns its address and process id; it skips without it.
func startMosquitto(b *testing.B) (string, int) {
	b.Helper()
	const bin = "/usr/sbin/mosquitto"
	if _, err := os.Stat(bin); err != nil {
		b.Skipf("%s is not installed (scripts/setup installs it)", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(b.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(conf, []byte("listener "+port+" 127.0.0.1\nallow_anonymous true\nmax_queued_messages 10000\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", conf)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, cmd.Process.Pid
		}
		if time.Now().After(end) {
			b.Fatalf("mosquitto did not listen on %s", addr)
		}
	}
}
