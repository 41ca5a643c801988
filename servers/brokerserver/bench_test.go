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
	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
	natsproto "github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkFanOut measures messages per second from one MQTT publisher to 10
// subscribers of its topic (each message delivered 10 times), at QoS 0 and
// QoS 1, through the lab's broker with its capture and analyzers on as the app
// runs them ("lab-captured"), its capture on without the MQTT analyzer
// ("lab-capture-only": the taps, and the TCP layer's analysis of the bytes
// as a stream of its own, with no protocol's framing) and off ("lab-uncaptured"),
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
				var hub *lab.Hub
				other := 0 // the broker's process, when it is not this one
				switch broker {
				case "mosquitto":
					addr, other = startMosquitto(b)
				case "lab-captured", "lab-capture-only":
					addr, hub = tappedListener(b, MQTT, mqtt.Protocol(), broker == "lab-capture-only")
				default:
					addr = testListener(b, testBroker(b, BrokerOptions{}), MQTT, nil, nil)
				}
				benchFanOut(b, mqttFanOut(b, addr, qos), 10, other, hub)
			})
		}
	}
}

// BenchmarkNATSFanOut is BenchmarkFanOut over NATS: messages per second from
// one nats.go publisher to 10 subscribers of its subject through the lab's
// broker, captured with the NATS analyzer as the app runs it
// ("lab-captured"), captured without it ("lab-capture-only") and not
// ("lab-uncaptured").
//
//	go test -run '^$' -bench NATSFanOut -benchtime 20000x ./servers/brokerserver/
func BenchmarkNATSFanOut(b *testing.B) {
	for _, broker := range []string{"lab-captured", "lab-capture-only", "lab-uncaptured"} {
		b.Run(broker, func(b *testing.B) {
			var addr string
			var hub *lab.Hub
			if broker == "lab-uncaptured" {
				addr = testListener(b, testBroker(b, BrokerOptions{}), NATS, nil, nil)
			} else {
				addr, hub = tappedListener(b, NATS, natsproto.Protocol(), broker == "lab-capture-only")
			}
			benchFanOut(b, natsFanOut(b, addr), 10, 0, hub)
		})
	}
}

// tappedListener serves protocol on a new broker, captured by a hub of the
// default size (old events are dropped as in the app) that knows TCP and p,
// whose analyzer is left out when captureOnly (the TCP layer then analyzes
// the bytes alone, as it does a protocol the lab does not know, which costs
// more than p's bursts). It returns the listener's address and the hub.
func tappedListener(b testing.TB, protocol string, p *lab.Protocol, captureOnly bool) (string, *lab.Hub) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	if captureOnly {
		p.NewAnalyzer = nil
	}
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return testListener(b, testBroker(b, BrokerOptions{}), protocol, nil, hub.Tap(p)), hub
}

// fanOut is a fan-out's clients: subscribe connects subscriber i, which calls
// got at each delivery; publisher connects the publisher and returns what
// sends a message.
type fanOut struct {
	subscribe func(i int, got func())
	publisher func() (publish func(payload []byte))
}

// mqttFanOut is paho.mqtt.golang's clients at qos.
func mqttFanOut(b *testing.B, addr string, qos byte) fanOut {
	const topic = "lab/bench/t1"
	return fanOut{
		subscribe: func(i int, got func()) {
			c := pahoClient(b, addr, fmt.Sprint("bench-sub-", i))
			tok := c.Subscribe(topic, qos, func(paho.Client, paho.Message) { got() })
			if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				b.Fatalf("subscribe: %v", tok.Error())
			}
		},
		publisher: func() func([]byte) {
			pub := pahoClient(b, addr, "bench-pub")
			return func(payload []byte) { pub.Publish(topic, qos, false, payload) }
		},
	}
}

// natsFanOut is nats.go's clients.
func natsFanOut(b *testing.B, addr string) fanOut {
	const subject = "lab.bench.t1"
	return fanOut{
		subscribe: func(_ int, got func()) {
			nc := natsConn(b, addr)
			if _, err := nc.Subscribe(subject, func(*nats.Msg) { got() }); err != nil {
				b.Fatal(err)
			}
			if err := nc.Flush(); err != nil {
				b.Fatal(err)
			}
		},
		publisher: func() func([]byte) {
			pub := natsConn(b, addr)
			return func(payload []byte) {
				if err := pub.Publish(subject, payload); err != nil {
					b.Fatal(err)
				}
			}
		},
	}
}

// fanOutWindow bounds the messages published ahead of the slowest subscriber.
const fanOutWindow = 500

func benchFanOut(b *testing.B, clients fanOut, subscribers int, other int, hub *lab.Hub) {
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
	for i := range subscribers {
		clients.subscribe(i, func() {
			mu.Lock()
			got[i]++
			last = time.Now()
			mu.Unlock()
			progress.Broadcast()
		})
	}
	publish := clients.publisher()
	// Readings that change, as a sensor's do: no two publications of a
	// window share a payload (the capture follows each through the broker
	// by its payload's digest). Made before the clock starts, and never
	// written again (a client may send a payload after Publish returns).
	payloads := make([][]byte, 1024)
	for i := range payloads {
		payloads[i] = fmt.Appendf(nil, "%d.%d degrees, from the bench's sensor %04d", 15+i%10, i%10, i)
	}

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
		publish(payloads[i%len(payloads)])
	}
	wait(b.N)
	if hub != nil {
		// A captured run ends when the capture has analyzed every delivery:
		// the analysis runs behind the broker, and what it has left would
		// otherwise fall outside the figures (or into the next run's).
		hub.Settle()
	}
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
func pahoClient(b testing.TB, addr, id string) paho.Client {
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
