package lab

import (
	"strings"
	"testing"
)

func configRegistry() *Registry {
	reg := &Registry{}
	reg.Register(&Protocol{Name: "tcp", DefaultPort: 7000, NewServer: func(ServerOptions) (Server, error) { return nil, nil },
		Settings: []Setting{{Key: "mode", Default: "echo", Choices: []string{"echo", "chat"}}}})
	reg.Register(&Protocol{Name: "udp", DefaultPort: 7001})
	return reg
}

var configTests = []struct {
	name, in string
	on       []string
	err      string
}{
	{"empty", `{}`, nil, ""},
	{"full", `{"listen":"127.0.0.2","servers":{"tcp":{"port":0,"settings":{"mode":"chat"}},"udp":{"off":true}}}`, []string{"tcp"}, ""},
	{"typo", `{"servres":{}}`, nil, "unknown field"},
	{"unknown protocol", `{"servers":{"gopher":{}}}`, nil, `"gopher", which is not a protocol`},
	{"bad choice", `{"servers":{"tcp":{"settings":{"mode":"shout"}}}}`, nil, `must be one of [echo chat], not "shout"`},
	{"no such setting", `{"servers":{"udp":{"settings":{"mode":"chat"}}}}`, nil, `udp has no setting "mode"`},
	{"port range", `{"servers":{"tcp":{"port":65536}}}`, nil, "not between 0 and 65535"},
	{"two values", `{} {}`, nil, "more than one JSON value"},
	{"truncated", `{"servers":`, nil, "not a valid lab configuration"},
}

func TestConfig(t *testing.T) {
	for _, tt := range configTests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBench(NewHub(HubOptions{}), configRegistry())
			c, err := ParseConfig(strings.NewReader(tt.in))
			var on []string
			if err == nil {
				on, err = c.Apply(b)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(on, ",") != strings.Join(tt.on, ",") {
				t.Errorf("on = %v, want %v", on, tt.on)
			}
		})
	}
	b := NewBench(NewHub(HubOptions{}), configRegistry())
	c, _ := ParseConfig(strings.NewReader(configTests[1].in))
	c.Apply(b)
	if b.Listen() != "127.0.0.2" || b.Port("tcp") != 0 || b.Port("udp") != 7001 || b.Setting("tcp", "mode") != "chat" {
		t.Errorf("bench after config: listen %s, tcp port %d, udp port %d, mode %s", b.Listen(), b.Port("tcp"), b.Port("udp"), b.Setting("tcp", "mode"))
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, tt := range configTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseConfig(strings.NewReader(in))
		if err != nil {
			if c != nil {
				t.Fatal("ParseConfig returned a config and an error")
			}
			return
		}
		b := NewBench(NewHub(HubOptions{}), configRegistry())
		on, _ := c.Apply(b)
		for _, n := range on {
			if b.Registry().Lookup(n) == nil {
				t.Fatalf("Apply turned on %q, which is not registered", n)
			}
		}
		if p := b.Port("tcp"); p < 0 || p > 65535 {
			t.Fatalf("Apply set tcp port %d", p)
		}
	})
}
