package lab

import (
	"maps"
	"slices"
	"testing"
)

func needsRegistry() *Registry {
	srv := func(ServerOptions) (Server, error) { return nil, nil }
	reg := &Registry{}
	for _, p := range []*Protocol{
		{Name: "tail", NewServer: srv},
		{Name: "dns", NewServer: srv},
		{Name: "ftp-data"},
		{Name: "smtp", NewServer: srv, Needs: []string{"dns", "smtp-beta"}},
		{Name: "smtp-beta", NewServer: srv, Needs: []string{"dns", "smtp"}},
		{Name: "pop3", NewServer: srv},
		{Name: "imap", NewServer: srv},
		{Name: "head", NewServer: srv, Needs: []string{"middle"}},
		{Name: "middle", NewServer: srv, Needs: []string{"tail"}},
	} {
		reg.Register(p)
	}
	return reg
}

var withNeedsTests = []struct {
	names    []string
	all      []string
	neededBy map[string]string
}{
	{nil, nil, map[string]string{}},
	{[]string{"pop3", "imap"}, []string{"pop3", "imap"}, map[string]string{}},
	{[]string{"smtp", "pop3", "imap"}, []string{"dns", "smtp", "smtp-beta", "pop3", "imap"},
		map[string]string{"dns": "smtp", "smtp-beta": "smtp"}},
	{[]string{"imap", "smtp-beta"}, []string{"dns", "smtp", "smtp-beta", "imap"},
		map[string]string{"dns": "smtp-beta", "smtp": "smtp-beta"}},
	{[]string{"smtp", "dns"}, []string{"dns", "smtp", "smtp-beta"}, map[string]string{"smtp-beta": "smtp"}},
	{[]string{"imap", "imap"}, []string{"imap"}, map[string]string{}},
	{[]string{"head"}, []string{"tail", "head", "middle"}, map[string]string{"middle": "head", "tail": "middle"}},
	{[]string{"gopher", "pop3", "gopher"}, []string{"pop3", "gopher"}, map[string]string{}},
}

func TestWithNeeds(t *testing.T) {
	reg := needsRegistry()
	for _, tt := range withNeedsTests {
		all, by := reg.WithNeeds(tt.names)
		if !slices.Equal(all, tt.all) || !maps.Equal(by, tt.neededBy) {
			t.Errorf("WithNeeds(%q) = %q, %v; want %q, %v", tt.names, all, by, tt.all, tt.neededBy)
		}
	}
}

func TestServers(t *testing.T) {
	got := needsRegistry().Servers()
	want := []string{"tail", "dns", "smtp", "smtp-beta", "pop3", "imap", "head", "middle"}
	if !slices.Equal(got, want) {
		t.Errorf("Servers() = %q, want %q", got, want)
	}
}

// partsRegistry has the broker's row: its MQTT server, with its NATS and
// MQTT-over-TLS listeners as parts.
func partsRegistry() *Registry {
	srv := func(ServerOptions) (Server, error) { return nil, nil }
	reg := &Registry{}
	for _, p := range []*Protocol{
		{Name: "dns", NewServer: srv},
		{Name: "nats", NewServer: srv},
		{Name: "mqtt", NewServer: srv, Parts: []string{"nats", "mqtts"}},
		{Name: "mqtts", NewServer: srv},
		{Name: "smtp", NewServer: srv, Needs: []string{"dns"}},
	} {
		reg.Register(p)
	}
	return reg
}

func TestParts(t *testing.T) {
	reg := partsRegistry()
	for name, want := range map[string]string{"nats": "mqtt", "mqtts": "mqtt", "mqtt": "", "smtp": "", "gopher": ""} {
		if got := reg.PartOf(name); got != want {
			t.Errorf("PartOf(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string][]string{"mqtt": {"mqtt", "nats", "mqtts"}, "smtp": {"smtp"}, "gopher": {"gopher"}} {
		if got := reg.WithParts(name); !slices.Equal(got, want) {
			t.Errorf("WithParts(%q) = %q, want %q", name, got, want)
		}
	}
	for _, tt := range []struct {
		names, all []string
		neededBy   map[string]string
	}{
		{[]string{"mqtt"}, []string{"nats", "mqtt", "mqtts"}, map[string]string{"nats": "mqtt", "mqtts": "mqtt"}},
		{[]string{"smtp", "mqtts"}, []string{"dns", "mqtts", "smtp"}, map[string]string{"dns": "smtp"}},
	} {
		all, by := reg.WithNeeds(tt.names)
		if !slices.Equal(all, tt.all) || !maps.Equal(by, tt.neededBy) {
			t.Errorf("WithNeeds(%q) = %q, %v; want %q, %v", tt.names, all, by, tt.all, tt.neededBy)
		}
	}
}
