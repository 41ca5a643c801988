package wirecheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scenario is one session of outside clients against the lab's servers.
type scenario struct {
	name     string // the subtest's name
	protocol string // the row of the results table it counts in
	convs    int    // conversations the lab must end up with, at least
	run      func(t *testing.T, bn *bench)
}

// curl runs curl with args against the bench's servers ("{http}" is the HTTP
// server's address), quietly, every response thrown away.
func curl(args ...string) func(t *testing.T, bn *bench) {
	return func(t *testing.T, bn *bench) {
		a := []string{"-sS", "--max-time", "10"}
		for _, x := range args {
			for name, addr := range bn.addr {
				x = strings.ReplaceAll(x, "{"+name+"}", addr)
			}
			if strings.Contains(x, "://") {
				a = append(a, "-o", "/dev/null")
			}
			a = append(a, x)
		}
		run(t, "curl", a...)
	}
}

func pyScenario(name string, servers ...string) func(t *testing.T, bn *bench) {
	return func(t *testing.T, bn *bench) { bn.py(t, name, servers...) }
}

// dig asks the lab's DNS server, over UDP or TCP.
func dig(transport, name, qtype string) func(t *testing.T, bn *bench) {
	return func(t *testing.T, bn *bench) {
		host, port := splitAddr(bn.addr["dns"])
		run(t, "dig", "@"+host, "-p", port, "+"+transport, "+tries=1", "+time=5", name, qtype)
	}
}

// sftp lists the SFTP server's folder and fetches a file with OpenSSH's sftp.
func sftp(t *testing.T, bn *bench) {
	host, port := splitAddr(bn.addr["sftp"])
	dir := t.TempDir()
	batch := filepath.Join(dir, "batch")
	if err := os.WriteFile(batch, []byte("ls\nget hello.txt "+filepath.Join(dir, "got.txt")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "sshpass", "-p", "lab", "sftp", "-P", port, "-o", "BatchMode=no", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
		"-b", batch, "lab@"+host)
}

// mosquitto runs one of Debian's mosquitto clients against the bench's MQTT
// listener (its -h and -p first).
func mosquitto(program string, args ...string) func(t *testing.T, bn *bench) {
	return func(t *testing.T, bn *bench) {
		if _, err := exec.LookPath(program); err != nil {
			t.Skipf("%s is not installed (Debian package mosquitto-clients)", program)
		}
		host, port := splitAddr(bn.addr["mqtt"])
		run(t, program, append([]string{"-h", host, "-p", port, "-V", "mqttv311"}, args...)...)
	}
}

// scenarios, in the order they run: the relayed mail comes before POP3 and IMAP,
// which then have a mail to fetch.
var scenarios = []scenario{
	{"http1.0", "HTTP/1.x", 1, curl("--http1.0", "http://{http}/")},
	{"http1.1-keepalive", "HTTP/1.x", 1, curl("--http1.1", "http://{http}/", "http://{http}/echo")},
	{"https-http2", "HTTPS (HTTP/2)", 1, curl("-k", "--http2", "https://{https}/")},
	{"https-http1.1", "HTTPS (HTTP/1.1)", 1, curl("-k", "--http1.1", "https://{https}/", "https://{https}/echo")},
	{"websocket", "WebSocket", 1, pyScenario("ws", "ws")},
	{"dns-udp", "DNS", 1, dig("notcp", "www.lab.test", "A")},
	{"dns-tcp", "DNS", 1, dig("tcp", "alpha.test", "MX")},
	{"smtp", "SMTP", 1, pyScenario("smtp", "smtp")},
	{"smtp-starttls-pipelined", "SMTP", 1, pyScenario("smtp-starttls", "smtp")},
	{"smtp-relay", "SMTP", 4, pyScenario("smtp-relay", "smtp")}, // the mail, two lookups, the relay
	{"pop3", "POP3", 1, pyScenario("pop3", "pop3")},
	{"imap", "IMAP", 1, pyScenario("imap", "imap")},
	{"ftp-passive", "FTP", 3, pyScenario("ftp", "ftp")},
	{"ftp-active", "FTP", 3, pyScenario("ftp-active", "ftp")},
	{"ftps-prot-p", "FTP", 2, pyScenario("ftps", "ftp")},
	{"sftp", "SSH", 1, sftp},
	// MQTT over TLS is left out: off 8883 Wireshark needs a rule for TLS's
	// payload (tls.port==PORT,mqtt) that the lab's Decode As rules lack.
	{"mqtt-qos2-retained", "MQTT", 1, mosquitto("mosquitto_pub", "-t", "lab/wire/t1", "-q", "2", "-r", "-m", "21.5")},
	{"mqtt-retained-qos1", "MQTT", 1, mosquitto("mosquitto_sub", "-t", "lab/wire/+", "-q", "1", "-C", "1")},
	{"reset-client-echo", "TCP resets", 1, pyScenario("reset-client", "tcp")},
	{"reset-client-http", "TCP resets", 1, pyScenario("http-reset", "http")},
	{"reset-server-smtp", "TCP resets", 1, pyScenario("smtp-overlong", "smtp")},
}
