package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Config is a bench's configuration as a file (`protolab serve --config lab.json`):
//
//	{
//	  "listen": "127.0.0.1",
//	  "servers": {
//	    "tcp": {"port": 7000, "settings": {"mode": "chat"}},
//	    "udp": {"port": 7001, "off": true}
//	  }
//	}
//
// A missing listen means 127.0.0.1; a missing port means the protocol's default;
// "off": true leaves that server stopped when no --only names it.
type Config struct {
	Listen  string                  `json:"listen,omitempty"`
	Servers map[string]ServerConfig `json:"servers,omitempty"`
}

// ServerConfig configures one server in a Config.
type ServerConfig struct {
	Port     *int              `json:"port,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
	Off      bool              `json:"off,omitempty"`
}

// LoadConfig reads a Config file; unknown fields are errors, so a typo is not silently ignored.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lab: config: %w", err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("lab: config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig reads one JSON Config from r; unknown fields and trailing data are errors.
func ParseConfig(r io.Reader) (*Config, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a valid lab configuration: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not a valid lab configuration: more than one JSON value")
	}
	return &c, nil
}

// Apply sets b's listen address, ports and settings from c, checking names against
// b's registry. It returns the servers c wants on, sorted.
func (c *Config) Apply(b *Bench) (on []string, err error) {
	if c.Listen != "" {
		b.SetListen(c.Listen)
	}
	var errs []error
	for name, sc := range c.Servers {
		p := b.Registry().Lookup(name)
		if p == nil {
			errs = append(errs, fmt.Errorf("lab: config names %q, which is not a protocol of the lab (known: %v)", name, b.Registry().Names()))
			continue
		}
		if sc.Port != nil {
			if *sc.Port < 0 || *sc.Port > 65535 {
				errs = append(errs, fmt.Errorf("lab: config: %s port %d is not between 0 and 65535", name, *sc.Port))
				continue
			}
			b.SetPort(name, *sc.Port)
		}
		for k, v := range sc.Settings {
			if err := checkSetting(p, k, v); err != nil {
				errs = append(errs, err)
				continue
			}
			b.SetSetting(name, k, v)
		}
		if !sc.Off {
			on = append(on, name)
		}
	}
	sort.Strings(on)
	return on, errors.Join(errs...)
}

// checkSetting says whether value is allowed for p's setting key.
func checkSetting(p *Protocol, key, value string) error {
	for _, s := range p.Settings {
		if s.Key != key {
			continue
		}
		if len(s.Choices) == 0 {
			return nil
		}
		for _, c := range s.Choices {
			if c == value {
				return nil
			}
		}
		return fmt.Errorf("lab: config: %s %s must be one of %v, not %q", p.Name, key, s.Choices, value)
	}
	return fmt.Errorf("lab: config: %s has no setting %q", p.Name, key)
}
